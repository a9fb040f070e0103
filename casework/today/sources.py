"""The built-in sources of the Today list: safety, tasks, reassessments, unsigned notes, contact rules.

Each is registered with the number of queries it runs, whatever the caseload. Loaded by
`TodayConfig.ready()`.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.accounts.models import User
from casework.cases.models import OPEN_STATUSES, Case, CaseTeamMember
from casework.today.selectors import TodayItem, register_source


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _late_reason(lateness: int, due: datetime.date) -> str:
    if lateness > 0:
        return _("%(days)s overdue (due %(due)s)") % {"days": _days(lateness), "due": due.isoformat()}
    if lateness == 0:
        return _("Due today")
    return _("Due %(due)s") % {"due": due.isoformat()}


# What a row shows of its client and case: loading whole client rows (dozens of columns) for a
# long list costs more than all the queries together.
CLIENT_FIELDS = ["client__id", "client__preferred_name", "client__legal_first_name", "client__legal_last_name"]
CASE_FIELDS = ["id", "status", "acuity", "opened_at", "client_id", "program_id", "primary_worker_id"]
PROGRAM_FIELDS = ["program__id", "program__name", "program__contact_interval_days"]


def _prefixed(fields: list[str], prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in fields]


@functools.cache
def _url_pattern(name: str) -> str:
    return reverse(name, args=[_PLACEHOLDER_ID])


_PLACEHOLDER_ID = 987654321


def url_for(name: str, object_id: int) -> str:
    """`reverse(name, args=[object_id])` for a long list: resolved once per name, then filled in."""
    return _url_pattern(name).replace(str(_PLACEHOLDER_ID), str(object_id), 1)


def my_open_cases(user: User) -> QuerySet[Case]:
    """The open cases the user carries as primary worker (what contact and reassessment rules watch)."""
    return (
        Case.objects.filter(primary_worker=user, status__in=OPEN_STATUSES)
        .select_related("client", "program")
        .only(*CASE_FIELDS, *CLIENT_FIELDS, *PROGRAM_FIELDS)
    )


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


@register_source("risk_flags", queries=1)
def open_risk_flags(user: User, today: datetime.date) -> list[TodayItem]:
    """Open risk flags on clients of the user's open cases (primary worker or case team).

    A flag for which the user holds the open safety task shows once, as that task.
    """
    from casework.safety.models import RiskFlag
    from casework.tasks.models import Task, TaskSource, TaskStatus

    memberships = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values("case_id")
    has_task = Task.objects.filter(
        assignee=user, status=TaskStatus.OPEN, source_kind=TaskSource.RISK_FLAG, source_id=OuterRef("pk")
    )
    flags = (
        RiskFlag.objects.filter(resolved_at__isnull=True, case__status__in=OPEN_STATUSES)
        .filter(Q(case__primary_worker=user) | Q(case_id__in=memberships))
        .exclude(Exists(has_task))
        .select_related("client", "case__program")
        .only(
            "id",
            "kind",
            "summary",
            "raised_at",
            "client_id",
            "case_id",
            *CLIENT_FIELDS,
            *_prefixed(CASE_FIELDS, "case__"),
            *_prefixed(PROGRAM_FIELDS, "case__"),
        )
        .order_by("raised_at", "pk")
    )
    items = []
    for flag in flags:
        raised = _local_date(flag.raised_at)
        items.append(
            TodayItem(
                kind="risk_flag",
                object_id=flag.pk,
                title=str(flag.get_kind_display()),
                reason=_("Flagged at risk on %(date)s: %(summary)s")
                % {"date": raised.isoformat(), "summary": flag.summary},
                url=url_for("clients:detail", flag.client_id) + "#risk-flags",
                due_date=raised,
                lateness_days=(today - raised).days,
                priority="urgent",
                safety=True,
                acuity=flag.case.acuity,
                client=flag.client,
                case=flag.case,
                snoozable=False,
            )
        )
    return items


@register_source("tasks", queries=1)
def open_tasks(user: User, today: datetime.date) -> list[TodayItem]:
    """Open tasks assigned to the user; a task past its due date is late."""
    from casework.tasks.models import Task, TaskPriority, TaskSource, TaskStatus

    tasks = (
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN, agency_id=user.agency_id or 0)
        .select_related("client", "case__program", "created_by")
        .only(
            "id",
            "title",
            "due_date",
            "priority",
            "status",
            "source_kind",
            "source_id",
            "assignee_id",
            "client_id",
            "case_id",
            "created_by_id",
            "created_by__id",
            "created_by__full_name",
            "created_by__email",
            *CLIENT_FIELDS,
            *_prefixed(CASE_FIELDS, "case__"),
            *_prefixed(PROGRAM_FIELDS, "case__"),
        )
    )
    items = []
    for task in tasks:
        lateness = (today - task.due_date).days
        by_flag = task.source_kind == TaskSource.RISK_FLAG
        if by_flag:
            reason = _("Safety follow-up: done when the risk flag is resolved.")
        elif task.created_by_id and task.created_by_id != user.pk:
            reason = _("Assigned by %(who)s") % {"who": task.created_by}
        elif task.source_kind:
            reason = str(task.get_source_kind_display())
        else:
            reason = _("Your task")
        url = (
            url_for("clients:detail", task.client_id) + "#risk-flags"
            if by_flag
            else (url_for("cases:detail", task.case_id) if task.case_id else url_for("clients:detail", task.client_id))
        )
        items.append(
            TodayItem(
                kind="task",
                object_id=task.pk,
                title=task.title,
                reason=f"{_late_reason(lateness, task.due_date)} · {reason}",
                url=url,
                due_date=task.due_date,
                lateness_days=lateness,
                priority=task.priority,
                safety=by_flag or task.priority == TaskPriority.URGENT,
                acuity=task.case.acuity if task.case else 2,
                client=task.client,
                case=task.case,
                task=task,
                snoozable=not by_flag,
            )
        )
    return items


@register_source("unsigned_notes", queries=1)
def unsigned_notes(user: User, today: datetime.date) -> list[TodayItem]:
    """The user's draft notes not signed by the end of the day they were written.

    Gone by itself once the note is signed (or voided).
    """
    from casework.notes.models import NoteStatus, ProgressNote

    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    notes = ProgressNote.objects.filter(
        author=user, status=NoteStatus.DRAFT, created_at__lt=start_of_today
    ).select_related("client", "case")
    items = []
    for note in notes:
        written = _local_date(note.created_at)
        lateness = (today - written).days - 1
        items.append(
            TodayItem(
                kind="unsigned_note",
                object_id=note.pk,
                title=_("Sign the note of %(date)s") % {"date": note.contact_date.isoformat()},
                reason=_("Draft since %(date)s, not signed") % {"date": written.isoformat()},
                url=url_for("notes:detail", note.pk),
                due_date=written + datetime.timedelta(days=1),
                lateness_days=lateness,
                acuity=note.case.acuity,
                client=note.client,
                case=note.case,
            )
        )
    return items


@register_source("caseload_rules", queries=3)
def caseload_rules(user: User, today: datetime.date) -> list[TodayItem]:
    """The rules that watch the user's open cases: reassessments due and clients without contact.

    One query for the cases with their last contact (shared by both rules), two for the
    reassessment schedule.
    """
    from casework.notes.models import NoteStatus, ProgressNote

    last_contact = (
        ProgressNote.objects.filter(case=OuterRef("pk"))
        .exclude(status=NoteStatus.VOIDED)
        .order_by()
        .values("case")
        .annotate(last=Max("contact_date"))
        .values("last")
    )
    cases = {case.pk: case for case in my_open_cases(user).annotate(last_contact_date=Subquery(last_contact))}
    return reassessments_due_today(cases, today) + clients_without_contact(cases, today)


def reassessments_due_today(cases: Mapping[int, Case], today: datetime.date) -> list[TodayItem]:
    """Instruments due (today or earlier) on the user's open cases, by the program's reassessment rules.

    Gone by itself once the assessment is completed (its date moves on).
    """
    from casework.tasks.selectors import reassessments_due

    items = []
    for case_id, due_list in reassessments_due(cases=cases.values(), today=today).items():
        case = cases[case_id]
        for due in due_list:
            if due.due_date > today:
                continue
            lateness = (today - due.due_date).days
            why = (
                _("Never given in this case")
                if due.last_given is None
                else _("Last given %(date)s") % {"date": due.last_given.isoformat()}
            )
            items.append(
                TodayItem(
                    kind=f"reassessment.{due.instrument_code}",
                    object_id=case.pk,
                    title=_("Give the %(instrument)s") % {"instrument": due.instrument_name},
                    reason=f"{_late_reason(lateness, due.due_date)} · {why}",
                    url=url_for("assessments:start", case.pk) + f"?instrument={due.instrument_code}",
                    due_date=due.due_date,
                    lateness_days=lateness,
                    acuity=case.acuity,
                    client=case.client,
                    case=case,
                )
            )
    return items


def clients_without_contact(cases: Mapping[int, Case], today: datetime.date) -> list[TodayItem]:
    """Clients of the user's open cases with no contact for longer than their program allows.

    The rule is the program's `contact_interval_days` (data an administrator adjusts per program;
    the caseload's "next contact" uses the same). Gone by itself once a contact note is written.
    """
    items = []
    for case in cases.values():
        last = case.last_contact_date  # type: ignore[attr-defined]
        base = last or _local_date(case.opened_at)
        interval = case.program.contact_interval_days
        due = base + datetime.timedelta(days=interval)
        if due > today:
            continue
        lateness = (today - due).days
        since = (
            _("No contact since %(date)s") % {"date": last.isoformat()}
            if last
            else _("No contact since the case opened on %(date)s") % {"date": base.isoformat()}
        )
        rule = _("%(program)s asks for contact every %(days)s") % {"program": case.program, "days": _days(interval)}
        items.append(
            TodayItem(
                kind="no_contact",
                object_id=case.pk,
                title=_("Contact %(client)s") % {"client": case.client.display_name},
                reason=f"{since} · {rule}",
                url=url_for("notes:create", case.pk),
                due_date=due,
                lateness_days=lateness,
                acuity=case.acuity,
                client=case.client,
                case=case,
            )
        )
    return items
