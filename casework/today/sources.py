"""The built-in sources of the Today list: safety, tasks, reassessments, unsigned notes, contact rules.

Each is registered with the number of queries it runs, whatever the caseload. Loaded by
`TodayConfig.ready()`.

A worker's list has a hundred items or more and is the page they open most, so the sources
read plain rows (`values_list`: only the columns a row shows, no model instances), translate
their sentences once per list and language (`_labels`), and leave the contact rule's date
arithmetic to the database (`days_without_contact`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import DateField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.cases.models import OPEN_STATUSES, Case, CaseTeamMember
from casework.core.expressions import DaysBetween
from casework.today.selectors import CaseRef, ClientRef, ProgramRef, TaskRef, TodayItem, register_source


@functools.lru_cache(maxsize=16)
def _labels(language: str | None) -> dict[str, str]:
    """The sentences of the built-in sources in one language, translated once (not once per row)."""
    return {
        "language": language or "",
        "overdue": _("%(days)s overdue (due %(due)s)"),
        "due_today": _("Due today"),
        "due": _("Due %(due)s"),
        "flagged": _("Flagged at risk on %(date)s: %(summary)s"),
        "safety_task": _("Safety follow-up: done when the risk flag is resolved."),
        "assigned_by": _("Assigned by %(who)s"),
        "your_task": _("Your task"),
        "sign_note": _("Sign the note of %(date)s"),
        "draft_since": _("Draft since %(date)s, not signed"),
        "never_given": _("Never given in this case"),
        "last_given": _("Last given %(date)s"),
        "give": _("Give the %(instrument)s"),
        "no_contact_since": _("No contact since %(date)s"),
        "no_contact_opened": _("No contact since the case opened on %(date)s"),
        "contact_rule": _("%(program)s asks for contact every %(days)s"),
        "contact": _("Contact %(client)s"),
    }


@functools.lru_cache(maxsize=2048)
def _days_in(language: str | None, count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _days(count: int, labels: dict[str, str] | None = None) -> str:
    return _days_in(labels["language"] if labels else get_language(), count)


def _late_reason(lateness: int, due: datetime.date, labels: dict[str, str] | None = None) -> str:
    labels = labels or _labels(get_language())
    if lateness > 0:
        return labels["overdue"] % {"days": _days(lateness, labels), "due": due.isoformat()}
    if lateness == 0:
        return labels["due_today"]
    return labels["due"] % {"due": due.isoformat()}


# What a row shows of its client, case and program (prefixed by the path to the case).
CLIENT_COLUMNS = ("client__preferred_name", "client__legal_first_name", "client__legal_last_name", "client_id")


def _case_columns(path: str) -> tuple[str, ...]:
    return (f"{path}id", f"{path}acuity", f"{path}program_id", f"{path}program__name")


class _Refs:
    """Light client, case and program refs for one list: one program ref per program."""

    def __init__(self) -> None:
        self.programs: dict[int, ProgramRef] = {}

    def client(self, preferred: str, first: str, last: str, client_id: int) -> ClientRef:
        return ClientRef.of(preferred, first, last, client_id)

    def case(
        self, case_id: int | None, acuity: int | None, program_id: int | None, program_name: str | None
    ) -> CaseRef | None:
        if case_id is None:
            return None
        program = None
        if program_id is not None:
            program = self.programs.get(program_id)
            if program is None:
                program = self.programs[program_id] = ProgramRef(id=program_id, name=program_name or "")
        return CaseRef(id=case_id, acuity=acuity or 2, program=program)


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
        .only(
            "id",
            "status",
            "acuity",
            "opened_at",
            "client_id",
            "program_id",
            "primary_worker_id",
            "client__id",
            "client__preferred_name",
            "client__legal_first_name",
            "client__legal_last_name",
            "program__id",
            "program__name",
            "program__contact_interval_days",
        )
    )


def _local_date(moment: datetime.datetime, zone: datetime.tzinfo | None = None) -> datetime.date:
    return moment.astimezone(zone or timezone.get_current_timezone()).date()


@register_source("risk_flags", queries=1)
def open_risk_flags(user: User, today: datetime.date) -> list[TodayItem]:
    """Open risk flags on clients of the user's open cases (primary worker or case team).

    A flag for which the user holds the open safety task shows once, as that task.
    """
    from casework.safety.models import RiskFlag, RiskKind
    from casework.tasks.models import Task, TaskSource, TaskStatus

    memberships = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values("case_id")
    has_task = Task.objects.filter(
        assignee=user, status=TaskStatus.OPEN, source_kind=TaskSource.RISK_FLAG, source_id=OuterRef("pk")
    )
    rows = (
        RiskFlag.objects.filter(resolved_at__isnull=True, case__status__in=OPEN_STATUSES)
        .filter(Q(case__primary_worker=user) | Q(case_id__in=memberships))
        .exclude(Exists(has_task))
        .order_by("raised_at", "pk")
        .values_list("id", "kind", "summary", "raised_at", *CLIENT_COLUMNS, *_case_columns("case__"))
    )
    labels, refs, zone = _labels(get_language()), _Refs(), timezone.get_current_timezone()
    kinds = dict(RiskKind.choices)
    items = []
    for flag_id, kind, summary, raised_at, preferred, first, last, client_id, *case in rows:
        raised = _local_date(raised_at, zone)
        case_ref = refs.case(*case)
        items.append(
            TodayItem(
                kind="risk_flag",
                object_id=flag_id,
                title=str(kinds.get(kind, kind)),
                reason=labels["flagged"] % {"date": raised.isoformat(), "summary": summary},
                url=url_for("clients:detail", client_id) + "#risk-flags",
                due_date=raised,
                lateness_days=(today - raised).days,
                priority="urgent",
                safety=True,
                acuity=case_ref.acuity if case_ref else 2,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
                snoozable=False,
            )
        )
    return items


@register_source("tasks", queries=1)
def open_tasks(user: User, today: datetime.date) -> list[TodayItem]:
    """Open tasks assigned to the user; a task past its due date is late."""
    from casework.tasks.models import Task, TaskPriority, TaskSource, TaskStatus

    rows = Task.objects.filter(assignee=user, status=TaskStatus.OPEN, agency_id=user.agency_id or 0).values_list(
        "id",
        "title",
        "due_date",
        "priority",
        "source_kind",
        "source_id",
        "created_by_id",
        "created_by__full_name",
        "created_by__email",
        *CLIENT_COLUMNS,
        *_case_columns("case__"),
    )
    labels, refs = _labels(get_language()), _Refs()
    sources = {value: str(label) for value, label in TaskSource.choices}
    items = []
    for task_id, title, due_date, priority, source_kind, source_id, by_id, by_name, by_email, *rest in rows:
        preferred, first, last, client_id, case_id, *case = rest
        lateness = (today - due_date).days
        by_flag = source_kind == TaskSource.RISK_FLAG
        if by_flag:
            reason = labels["safety_task"]
        elif by_id and by_id != user.pk:
            reason = labels["assigned_by"] % {"who": by_name or by_email}
        elif source_kind:
            reason = sources.get(source_kind, source_kind)
        else:
            reason = labels["your_task"]
        if by_flag:
            url = url_for("clients:detail", client_id) + "#risk-flags"
        elif case_id:
            url = url_for("cases:detail", case_id)
        else:
            url = url_for("clients:detail", client_id)
        case_ref = refs.case(case_id, *case)
        items.append(
            TodayItem(
                kind="task",
                object_id=task_id,
                title=title,
                reason=f"{_late_reason(lateness, due_date, labels)} · {reason}",
                url=url,
                due_date=due_date,
                lateness_days=lateness,
                priority=priority,
                safety=by_flag or priority == TaskPriority.URGENT,
                acuity=case_ref.acuity if case_ref else 2,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
                task=TaskRef(id=task_id, source_kind=source_kind, source_id=source_id, assignee_id=user.pk),
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
    rows = ProgressNote.objects.filter(author=user, status=NoteStatus.DRAFT, created_at__lt=start_of_today).values_list(
        "id", "contact_date", "created_at", *CLIENT_COLUMNS, *_case_columns("case__")
    )
    labels, refs, zone = _labels(get_language()), _Refs(), timezone.get_current_timezone()
    items = []
    for note_id, contact_date, created_at, preferred, first, last, client_id, *case in rows:
        written = _local_date(created_at, zone)
        case_ref = refs.case(*case)
        items.append(
            TodayItem(
                kind="unsigned_note",
                object_id=note_id,
                title=labels["sign_note"] % {"date": contact_date.isoformat()},
                reason=labels["draft_since"] % {"date": written.isoformat()},
                url=url_for("notes:detail", note_id),
                due_date=written + datetime.timedelta(days=1),
                lateness_days=(today - written).days - 1,
                acuity=case_ref.acuity if case_ref else 2,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
            )
        )
    return items


def last_contact_date() -> Subquery:
    """Per case row (OuterRef "pk"): the date of its latest contact note that was not voided."""
    from casework.notes.models import NoteStatus, ProgressNote

    return Subquery(
        ProgressNote.objects.filter(case=OuterRef("pk"))
        .exclude(status=NoteStatus.VOIDED)
        .order_by()
        .values("case")
        .annotate(last=Max("contact_date"))
        .values("last"),
        output_field=DateField(),
    )


def with_contact_rule(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """Annotate each case with `last_contact_date` and `contact_overdue_days`, in the database.

    The rule is the program's `contact_interval_days` (data an administrator adjusts per program;
    the caseload's "next contact" uses the same), counted from the last contact note, or from the
    day the case opened (the agency's local date) when there is none. `contact_overdue_days` is
    0 on the day contact falls due, positive after it, negative before.
    """
    base = Coalesce(F("last_contact_date"), TruncDate("opened_at"), output_field=DateField())
    return cases.annotate(last_contact_date=last_contact_date()).annotate(
        contact_overdue_days=DaysBetween(Value(today, output_field=DateField()), base)
        - F("program__contact_interval_days")
    )


@dataclass(slots=True)
class CaseRow:
    """What the caseload rules read of an open case (duck-types Case for `reassessments_due`)."""

    pk: int
    status: str
    opened_at: datetime.datetime
    program_id: int
    acuity: int
    client: ClientRef
    case: CaseRef
    interval: int
    last_contact_date: datetime.date | None
    contact_overdue_days: int


@register_source("caseload_rules", queries=3)
def caseload_rules(user: User, today: datetime.date) -> list[TodayItem]:
    """The rules that watch the user's open cases: reassessments due and clients without contact.

    One query for the cases with their last contact and the contact rule worked out in the
    database (shared by both rules), two for the reassessment schedule.
    """
    rows = (
        with_contact_rule(Case.objects.filter(primary_worker=user, status__in=OPEN_STATUSES), today)
        .order_by()
        .values_list(
            "id",
            "status",
            "opened_at",
            "acuity",
            *CLIENT_COLUMNS,
            "program_id",
            "program__name",
            "program__contact_interval_days",
            "last_contact_date",
            "contact_overdue_days",
        )
    )
    refs = _Refs()
    cases = []
    for case_id, status, opened_at, acuity, preferred, first, last, client_id, program_id, *rest in rows:
        program_name, interval, last_contact, overdue_days = rest
        case_ref = refs.case(case_id, acuity, program_id, program_name)
        assert case_ref is not None
        cases.append(
            CaseRow(
                pk=case_id,
                status=status,
                opened_at=opened_at,
                program_id=program_id,
                acuity=acuity,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
                interval=interval,
                last_contact_date=last_contact,
                contact_overdue_days=overdue_days,
            )
        )
    return reassessments_due_today(cases, today) + clients_without_contact(cases, today)


def reassessments_due_today(cases: list[CaseRow], today: datetime.date) -> list[TodayItem]:
    """Instruments due (today or earlier) on the user's open cases, by the program's reassessment rules.

    Gone by itself once the assessment is completed (its date moves on).
    """
    from casework.tasks.selectors import reassessments_due

    labels = _labels(get_language())
    by_id = {case.pk: case for case in cases}
    items = []
    for case_id, due_list in reassessments_due(cases=by_id.values(), today=today).items():  # type: ignore[arg-type]
        case = by_id[case_id]
        for due in due_list:
            if due.due_date > today:
                continue
            lateness = (today - due.due_date).days
            why = (
                labels["never_given"]
                if due.last_given is None
                else labels["last_given"] % {"date": due.last_given.isoformat()}
            )
            items.append(
                TodayItem(
                    kind=f"reassessment.{due.instrument_code}",
                    object_id=case.pk,
                    title=labels["give"] % {"instrument": due.instrument_name},
                    reason=f"{_late_reason(lateness, due.due_date, labels)} · {why}",
                    url=url_for("assessments:start", case.pk) + f"?instrument={due.instrument_code}",
                    due_date=due.due_date,
                    lateness_days=lateness,
                    acuity=case.acuity,
                    client=case.client,
                    case=case.case,
                )
            )
    return items


def clients_without_contact(cases: Iterable[CaseRow], today: datetime.date) -> list[TodayItem]:
    """Clients of the user's open cases with no contact for longer than their program allows.

    The database worked out how many days past the program's interval each case is
    (`with_contact_rule`); a case is on the list from the day contact falls due. Gone by itself
    once a contact note is written.
    """
    labels = _labels(get_language())
    items = []
    for case in cases:
        lateness = case.contact_overdue_days
        if lateness < 0:
            continue
        due = today - datetime.timedelta(days=lateness)
        last = case.last_contact_date
        if last:
            since = labels["no_contact_since"] % {"date": last.isoformat()}
        else:
            opened = due - datetime.timedelta(days=case.interval)
            since = labels["no_contact_opened"] % {"date": opened.isoformat()}
        program = case.case.program.name if case.case.program else ""
        rule = labels["contact_rule"] % {"program": program, "days": _days(case.interval, labels)}
        items.append(
            TodayItem(
                kind="no_contact",
                object_id=case.pk,
                title=labels["contact"] % {"client": case.client.display_name},
                reason=f"{since} · {rule}",
                url=url_for("notes:create", case.pk),
                due_date=due,
                lateness_days=lateness,
                acuity=case.acuity,
                client=case.client,
                case=case.case,
            )
        )
    return items
