"""Reading cases: access, caseloads, team caseloads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from casework.accounts.models import Team, User
from casework.cases.models import OPEN_STATUSES, Case, CaseTeamMember
from casework.core.errors import NotFound


def case_access_q(user: User) -> Q:
    """Cases the user works on (primary worker, staff case-team member) or oversees (team supervisor,
    program director)."""
    memberships = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values("case_id")
    return Q(primary_worker=user) | Q(team__supervisor=user) | Q(program__director=user) | Q(pk__in=memberships)


def client_has_accessible_case(user: User) -> Exists:
    """Per client row (OuterRef "pk"): does the client have a case the user works on or oversees?

    Probes the few cases of each candidate client through the client index, so a search over a
    handful of candidates never scans the whole case table.
    """
    return Exists(Case.objects.filter(client_id=OuterRef("pk")).filter(case_access_q(user)))


def client_id_sets_through_cases(user: User) -> list[QuerySet[Case, Any]]:
    """Client ids through cases, one indexed subquery per relationship (for listing all of them).

    Kept apart rather than OR-ed in one query so each can use its own index.
    """
    memberships = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values("case_id")
    return [
        Case.objects.filter(primary_worker=user).values("client_id"),
        Case.objects.filter(team__supervisor=user).values("client_id"),
        Case.objects.filter(program__director=user).values("client_id"),
        Case.objects.filter(pk__in=memberships).values("client_id"),
    ]


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases of clients the user may see (a client's record is the unit of access)."""
    from casework.clients.selectors import clients_visible_to

    return Case.objects.filter(client__in=clients_visible_to(user))


def case_get_for_user(*, user: User, case_id: int, action: str = "case.view", audit: bool = True) -> Case:
    """Fetch a case whose client the user may see, audit the read; NotFound otherwise."""
    from casework.clients.selectors import client_get_for_user

    case = Case.objects.filter(pk=case_id).select_related("client", "program", "team", "primary_worker").first()
    if case is None:
        raise NotFound()
    # Authorises (and audits) through the client, so break-the-glass applies to cases too.
    client = client_get_for_user(user=user, client_id=case.client_id, action=action, audit=False)
    if audit:
        from casework.audit.services import audit_record

        audit_record(
            actor=user,
            action=action,
            client_id=client.pk,
            obj=case,
            flagged=getattr(client, "accessed_by_break_glass", False),
        )
    case.client = client
    return case


def with_contact_summary(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate last contact date and unsigned (draft) note count without N+1 queries."""
    from casework.notes.models import NoteStatus, ProgressNote

    last_contact = (
        ProgressNote.objects.filter(case=OuterRef("pk"))
        .exclude(status=NoteStatus.VOIDED)
        .order_by()
        .values("case")
        .annotate(last=Max("contact_date"))
        .values("last")
    )
    drafts = (
        ProgressNote.objects.filter(case=OuterRef("pk"), status=NoteStatus.DRAFT)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(last_contact_date=Subquery(last_contact), draft_note_count=Subquery(drafts))


@dataclass
class CaseloadRow:
    """A case on a caseload with what is due next."""

    case: Case
    last_contact_date: datetime.date | None
    contact_due_date: datetime.date
    draft_note_count: int
    # Safety and due work (casework.safety, casework.tasks): the client has an open risk flag,
    # the case's open urgent tasks, and its reassessments due soon or overdue.
    at_risk: bool = False
    urgent_tasks: list[Any] = field(default_factory=list)
    reassessments: list[Any] = field(default_factory=list)

    @property
    def is_overdue(self) -> bool:
        return self.contact_due_date < timezone.localdate()

    @property
    def due_label(self) -> str:
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

        if self.draft_note_count:
            return ngettext("Sign %(count)s draft note", "Sign %(count)s draft notes", self.draft_note_count) % {
                "count": self.draft_note_count
            }
        if self.is_overdue:
            return _("Contact overdue")
        return _("Next contact")


SORTS = {
    # The folded search keys, so "Ñúñez" sorts with the Ns, not after Z.
    "name": lambda row: (row.case.client.last_name_key, row.case.client.first_name_key, row.case.client.pk),
    "status": lambda row: (OPEN_STATUSES.index(row.case.status) if row.case.status in OPEN_STATUSES else 99,),
    "program": lambda row: (row.case.program.name,),
    "last_contact": lambda row: (row.last_contact_date or datetime.date.min,),
    "due": lambda row: (row.contact_due_date,),
}


def caseload_rows(
    *,
    cases: QuerySet[Case],
    status: str = "",
    program_id: int | None = None,
    q: str = "",
    sort: str = "due",
    descending: bool = False,
    today: datetime.date | None = None,
) -> list[CaseloadRow]:
    """Turn cases into caseload rows, filtered and sorted; a fixed number of queries."""
    from casework.safety.selectors import with_risk_flag
    from casework.tasks.selectors import DUE_SOON_DAYS, reassessments_due, urgent_tasks_prefetch

    today = today or timezone.localdate()
    if status == "open" or not status:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        cases = cases.filter(status=status)
    if program_id:
        cases = cases.filter(program_id=program_id)
    if q:
        from casework.core.text import name_key

        key = name_key(q)
        if key:
            cases = cases.filter(
                Q(client__last_name_key__startswith=key)
                | Q(client__first_name_key__startswith=key)
                | Q(client__preferred_name_key__startswith=key)
            )
    cases = with_contact_summary(cases.select_related("client", "program", "primary_worker", "team"))
    cases = with_risk_flag(cases).prefetch_related(urgent_tasks_prefetch())
    case_list = list(cases)
    due_soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    reassessments = reassessments_due(cases=case_list, today=today)
    rows = []
    for case in case_list:
        last = case.last_contact_date  # type: ignore[attr-defined]
        base = last or timezone.localtime(case.opened_at).date()
        rows.append(
            CaseloadRow(
                case=case,
                last_contact_date=last,
                contact_due_date=base + datetime.timedelta(days=case.program.contact_interval_days),
                draft_note_count=case.draft_note_count or 0,  # type: ignore[attr-defined]
                at_risk=case.at_risk,  # type: ignore[attr-defined]
                urgent_tasks=case.open_urgent_tasks,  # type: ignore[attr-defined]
                reassessments=[item for item in reassessments.get(case.pk, []) if item.due_date <= due_soon],
            )
        )
    rows.sort(key=SORTS.get(sort, SORTS["due"]), reverse=descending)
    return rows


def caseload_for_user(*, user: User) -> QuerySet[Case]:
    """The user's own caseload: cases where they are the primary worker."""
    return Case.objects.filter(primary_worker=user)


def team_cases(*, team: Team) -> QuerySet[Case]:
    """Every case carried by the team."""
    return Case.objects.filter(team=team)


def teams_supervised_by(user: User) -> QuerySet[Team]:
    return Team.objects.filter(supervisor=user, agency=user.agency).order_by("name")


@dataclass
class WorkerLoad:
    """A worker's open caseload: count and acuity-weighted load against capacity."""

    worker: User
    open_cases: int
    weighted_load: int

    @property
    def load_percent(self) -> int:
        return round(100 * self.weighted_load / self.worker.capacity) if self.worker.capacity else 0


def team_workloads(*, team: Team) -> list[WorkerLoad]:
    """Open cases and acuity-weighted load for each member of a team (two queries)."""
    members = list(User.objects.filter(team=team, is_active=True).order_by("full_name"))
    totals = {
        row["primary_worker"]: row
        for row in Case.objects.filter(primary_worker__in=members, status__in=OPEN_STATUSES)
        .values("primary_worker")
        .annotate(n=Count("pk"), weight=Sum("acuity"))
    }
    return [
        WorkerLoad(
            worker=member,
            open_cases=totals.get(member.pk, {}).get("n", 0),
            weighted_load=totals.get(member.pk, {}).get("weight", 0) or 0,
        )
        for member in members
    ]


def assignable_workers(*, agency_id: int) -> QuerySet[User]:
    """Active staff who can carry cases, for assignment choices."""
    from casework.accounts.models import Role

    return User.objects.filter(
        agency_id=agency_id, is_active=True, role__in=[Role.CASE_MANAGER, Role.SUPERVISOR, Role.INTAKE_WORKER]
    ).select_related("team")
