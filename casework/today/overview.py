"""The supervisor overview: per worker of a team, load against capacity, overdue work, at-risk clients,
unsigned notes; and the assignment suggestion for a new case. A fixed number of queries per call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from casework.accounts.models import Role, Team, User
from casework.cases.models import OPEN_STATUSES, Case
from casework.core.errors import NotFound


def teams_overseen(user: User) -> list[Team]:
    """Teams whose overview the user may see: those they supervise; for a program director, the
    teams carrying cases of their programs. Empty for everyone else."""
    if not user.is_active or user.agency_id is None:
        return []
    if user.role == Role.SUPERVISOR:
        return list(Team.objects.filter(supervisor=user, agency_id=user.agency_id).order_by("name"))
    if user.role == Role.PROGRAM_DIRECTOR:
        carrying = Case.objects.filter(program__director=user, program__agency_id=user.agency_id).values("team_id")
        return list(Team.objects.filter(agency_id=user.agency_id, pk__in=carrying).order_by("name"))
    return []


def worker_get_for_supervisor(*, user: User, worker_id: int) -> User:
    """A member of a team the user oversees; NotFound for anyone else."""
    teams = teams_overseen(user)
    worker = User.objects.filter(pk=worker_id, team__in=teams).first() if teams else None
    if worker is None:
        raise NotFound()
    return worker


@dataclass
class WorkerOverview:
    """One worker's line of the overview."""

    worker: User
    open_cases: int = 0
    weighted_load: int = 0
    overdue_tasks: int = 0
    overdue_contacts: int = 0
    overdue_reassessments: int = 0
    at_risk_clients: int = 0
    unsigned_notes: int = 0

    @property
    def overdue(self) -> int:
        return self.overdue_tasks + self.overdue_contacts + self.overdue_reassessments

    @property
    def capacity(self) -> int:
        return self.worker.capacity

    @property
    def load_percent(self) -> int:
        return round(100 * self.weighted_load / self.capacity) if self.capacity else 0

    @property
    def over_capacity(self) -> bool:
        return self.weighted_load > self.capacity


@dataclass
class TeamOverview:
    team: Team
    workers: list[WorkerOverview] = field(default_factory=list)


def teams_overview(*, teams: list[Team], today: datetime.date) -> list[TeamOverview]:
    """Every active member of the teams with their figures; six queries whatever the team sizes.

    The database does the counting, no case is read: open cases, their acuity, the contact rule
    (last contact against the program's interval, `with_contact_rule`) and the reassessment
    schedule (`overdue_reassessments_count`, from the programs' rules) in one aggregate per worker.
    """
    from casework.notes.models import NoteStatus, ProgressNote
    from casework.safety.models import RiskFlag
    from casework.tasks.models import Task, TaskStatus
    from casework.tasks.selectors import overdue_reassessments_count, reassessment_rules_for
    from casework.today.sources import with_contact_rule

    members = list(User.objects.filter(team__in=teams, is_active=True).order_by("full_name"))
    lines = {member.pk: WorkerOverview(worker=member) for member in members}
    ids = list(lines)
    open_cases = Case.objects.filter(primary_worker_id__in=ids, status__in=OPEN_STATUSES)
    figures: dict[str, Any] = {
        "n": Count("pk"),
        "weight": Sum("acuity"),
        "overdue_contacts": Count("pk", filter=Q(contact_overdue_days__gt=0)),
    }
    overdue_reassessments = overdue_reassessments_count(rules=reassessment_rules_for(open_cases), today=today)
    if overdue_reassessments is not None:
        figures["overdue_reassessments"] = overdue_reassessments
    for row in with_contact_rule(open_cases, today).order_by().values("primary_worker").annotate(**figures):
        line = lines[row["primary_worker"]]
        line.open_cases = row["n"]
        line.weighted_load = row["weight"] or 0
        line.overdue_contacts = row["overdue_contacts"]
        line.overdue_reassessments = row.get("overdue_reassessments") or 0
    for row in (
        Task.objects.filter(assignee_id__in=ids, status=TaskStatus.OPEN, due_date__lt=today)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
    ):
        lines[row["assignee"]].overdue_tasks = row["n"]
    for row in (
        RiskFlag.objects.filter(
            resolved_at__isnull=True, case__primary_worker_id__in=ids, case__status__in=OPEN_STATUSES
        )
        .order_by()
        .values("case__primary_worker")
        .annotate(n=Count("client", distinct=True))
    ):
        lines[row["case__primary_worker"]].at_risk_clients = row["n"]
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    for row in (
        ProgressNote.objects.filter(author_id__in=ids, status=NoteStatus.DRAFT, created_at__lt=start_of_today)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
    ):
        lines[row["author"]].unsigned_notes = row["n"]
    found = []
    for team in teams:
        found.append(TeamOverview(team=team, workers=[lines[m.pk] for m in members if m.team_id == team.pk]))
    return found


def teams_for_suggestion(user: User) -> list[Team]:
    """Where to look for a worker when the user opens a case: the teams they oversee, else their own."""
    overseen = teams_overseen(user)
    if overseen:
        return overseen
    return [user.team] if user.team_id and user.team is not None else []


def suggest_worker(*, teams: list[Team], program_id: int | None = None) -> WorkerOverview | None:
    """The qualified worker with the lowest acuity-weighted load against capacity: an active case
    manager of the teams (preferring those already carrying the program). Two queries."""
    candidates = list(User.objects.filter(team__in=teams, is_active=True, role=Role.CASE_MANAGER))
    if not candidates:
        return None
    lines = {member.pk: WorkerOverview(worker=member) for member in candidates}
    carrying: set[int] = set()
    for row in (
        Case.objects.filter(primary_worker_id__in=list(lines), status__in=OPEN_STATUSES)
        .order_by()
        .values("primary_worker")
        .annotate(
            n=Count("pk"),
            weight=Sum("acuity"),
            in_program=Count("pk", filter=Q(program_id=program_id) if program_id else Q(pk__isnull=True)),
        )
    ):
        lines[row["primary_worker"]].open_cases = row["n"]
        lines[row["primary_worker"]].weighted_load = row["weight"] or 0
        if row["in_program"]:
            carrying.add(row["primary_worker"])
    pool = [line for line in lines.values() if line.worker.pk in carrying] or list(lines.values())
    return min(
        pool,
        key=lambda line: (
            line.weighted_load / line.capacity if line.capacity else float("inf"),
            line.weighted_load,
            line.worker.full_name,
        ),
    )
