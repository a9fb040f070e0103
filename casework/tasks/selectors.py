"""Reading tasks, notifications and due reassessments, each in a fixed number of queries."""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from casework.accounts.models import User
from casework.assessments.models import Assessment, AssessmentStatus, InstrumentVersion
from casework.cases.models import Case, CaseStatus
from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.core.expressions import DaysBetween
from casework.tasks.models import PRIORITY_RANK, Notification, ReassessmentRule, Task, TaskPriority, TaskStatus

# An intake instrument never given is due this many days after the case opens.
INTAKE_GRACE_DAYS = 14
# The caseload lists reassessments due within this many days (and overdue ones).
DUE_SOON_DAYS = 30
NOTIFICATION_LIST_LIMIT = 100


def _ranked(tasks: Iterable[Task]) -> list[Task]:
    return sorted(tasks, key=lambda task: (PRIORITY_RANK.get(task.priority, 9), task.due_date, task.pk))  # type: ignore[call-overload]


def open_tasks_for_client(*, client: Client) -> list[Task]:
    """A client's open tasks, urgent first (the caller authorised the client)."""
    tasks = Task.objects.filter(client=client, status=TaskStatus.OPEN).select_related("assignee", "case__program")
    return _ranked(tasks)


def open_tasks_for_user(*, user: User) -> list[Task]:
    """Open tasks assigned to the user, urgent first then by due date."""
    if user.agency_id is None:
        return []
    tasks = Task.objects.filter(assignee=user, status=TaskStatus.OPEN, agency_id=user.agency_id).select_related(
        "client", "case__program"
    )
    return _ranked(tasks)


def task_get_for_user(*, user: User, task_id: int) -> Task:
    """A task about a client the user may see (not audited); NotFound otherwise."""
    from casework.clients.selectors import client_get_for_user

    task = Task.objects.filter(pk=task_id).select_related("case__team", "case__program", "assignee").first()
    if task is None:
        raise NotFound()
    task.client = client_get_for_user(user=user, client_id=task.client_id, audit=False)
    return task


def urgent_tasks_prefetch() -> Prefetch:
    """For a case list: its open urgent tasks as `case.open_urgent_tasks` (one query for the whole list)."""
    return Prefetch(
        "tasks",
        queryset=Task.objects.filter(status=TaskStatus.OPEN, priority=TaskPriority.URGENT).order_by("due_date", "id"),
        to_attr="open_urgent_tasks",
    )


def notifications_for_user(*, user: User) -> list[Notification]:
    """The user's latest notifications, newest first."""
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:NOTIFICATION_LIST_LIMIT])


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    """One of the user's own notifications; NotFound for anyone else's."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound()
    return notification


def unread_notification_count(*, user: User) -> int:
    """How many notifications the user has not read (one indexed COUNT)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- Reassessments ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReassessmentDue:
    """An instrument a case is due to give again (or for the first time), and when."""

    case_id: int
    instrument_code: str
    instrument_name: str
    due_date: datetime.date
    last_given: datetime.date | None
    overdue: bool

    @property
    def is_intake(self) -> bool:
        return self.last_given is None


def reassessments_due(*, cases: Iterable[Case], today: datetime.date) -> dict[int, list[ReassessmentDue]]:
    """For each open case, the next due date of each instrument its program's rules schedule.

    Two queries whatever the number of cases: the rules of their programs, and the last
    completed assessment per case and instrument. Never given: due at case open + 14 days when
    the rule says "at intake", else open + interval. Given: last given + interval (nothing more
    when the rule is intake-only). Amended originals do not count twice: only completed ones.
    """
    open_cases = [case for case in cases if case.status != CaseStatus.CLOSED]
    if not open_cases:
        return {}
    rules_by_program: dict[int, list[ReassessmentRule]] = {}
    for found in (
        ReassessmentRule.objects.filter(
            program_id__in={case.program_id for case in open_cases}, active=True, instrument__is_active=True
        )
        .select_related("instrument")
        .annotate(title=_current_title())
        .order_by("pk")
    ):
        rules_by_program.setdefault(found.program_id, []).append(found)
    if not rules_by_program:
        return {}
    instrument_ids = {rule.instrument_id for rules in rules_by_program.values() for rule in rules}
    last_given: dict[tuple[int, int], datetime.datetime] = {
        (row["case_id"], row["instrument_version__instrument_id"]): row["last"]
        for row in Assessment.objects.filter(
            case_id__in=[case.pk for case in open_cases if case.program_id in rules_by_program],
            status=AssessmentStatus.COMPLETED,
            instrument_version__instrument_id__in=instrument_ids,
        )
        .order_by()
        .values("case_id", "instrument_version__instrument_id")
        .annotate(last=Max("administered_at"))
    }
    due: dict[int, list[ReassessmentDue]] = {}
    zone = timezone.get_current_timezone()
    for case in open_cases:
        opened = case.opened_at.astimezone(zone).date()
        for rule in rules_by_program.get(case.program_id, []):
            last = last_given.get((case.pk, rule.instrument_id))
            last_date = last.astimezone(zone).date() if last else None
            if last_date is None:
                days = INTAKE_GRACE_DAYS if rule.due_at_intake else rule.interval_days
                due_date = opened + datetime.timedelta(days=days or 0)
            elif rule.interval_days:
                due_date = last_date + datetime.timedelta(days=rule.interval_days)
            else:
                continue
            due.setdefault(case.pk, []).append(
                ReassessmentDue(
                    case_id=case.pk,
                    instrument_code=rule.instrument.code,
                    instrument_name=str(getattr(rule, "title", "") or rule.instrument.name),
                    due_date=due_date,
                    last_given=last_date,
                    overdue=due_date < today,
                )
            )
    for items in due.values():
        items.sort(key=lambda item: (item.due_date, item.instrument_name))
    return due


def reassessment_rules_for(cases: QuerySet[Case]) -> list[ReassessmentRule]:
    """The active rules (of active instruments) of the programs these cases are in. One query."""
    return list(
        ReassessmentRule.objects.filter(
            program_id__in=cases.order_by().values("program_id"), active=True, instrument__is_active=True
        ).order_by("pk")
    )


def overdue_reassessments_count(*, rules: list[ReassessmentRule], today: datetime.date) -> Any:
    """An aggregate counting, per group of open cases, the reassessments overdue on `today`.

    The same schedule as `reassessments_due` (overdue = due before today), worked out by the
    database so that a team's hundreds of cases need not be read: for each rule, the cases of
    its program whose last completed assessment of the instrument is older than the interval,
    or, never given, whose case opened longer ago than the intake grace (or the interval).
    Use in `.values(...).annotate(overdue=...)` on a Case queryset; None when there are no rules.
    """
    if not rules:
        return None
    today_value = Value(today, output_field=DateField())
    opened_days = DaysBetween(today_value, TruncDate("opened_at"))
    counts = []
    for rule in rules:
        completed = Assessment.objects.filter(
            case=OuterRef("pk"),
            status=AssessmentStatus.COMPLETED,
            instrument_version__instrument_id=rule.instrument_id,
        )
        never_days = INTAKE_GRACE_DAYS if rule.due_at_intake else (rule.interval_days or 0)
        if rule.interval_days:
            last_given = Subquery(
                completed.order_by().values("case").annotate(last=Max("administered_at")).values("last"),
                output_field=DateTimeField(),
            )
            since_given = DaysBetween(today_value, TruncDate(last_given)) - rule.interval_days
            overdue: Any = GreaterThan(Coalesce(since_given, opened_days - never_days), 0)
        else:
            overdue = Q(~Exists(completed)) & Q(GreaterThan(opened_days, never_days))
        counts.append(Count("pk", filter=Q(program_id=rule.program_id) & Q(overdue)))
    return functools.reduce(operator.add, counts)


def _current_title() -> Subquery:
    """The short title of the instrument's current version ("PHQ-9", "Katz ADL"): lists have little room."""
    return Subquery(
        InstrumentVersion.objects.filter(instrument_id=OuterRef("instrument_id"), published_at__isnull=False)
        .order_by("-version")
        .values("definition__title")[:1]
    )
