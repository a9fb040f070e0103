"""Plain predicates about what a user may do with a case they can already see."""

from __future__ import annotations

from casework.accounts.models import Role, User
from casework.cases.models import Case
from casework.clients.permissions import is_clinical


def is_on_case_team(user: User, case: Case) -> bool:
    if case.primary_worker_id == user.pk:
        return True
    return case.team_members.filter(user=user, removed_at__isnull=True).exists()


def supervises_case(user: User, case: Case) -> bool:
    """The supervisor of the case's team, or the director of its program."""
    return bool(case.team.supervisor_id == user.pk or case.program.director_id == user.pk)


def can_work_case(user: User, case: Case) -> bool:
    """Change status, edit the case team, write notes: the case team and its supervisors."""
    return is_clinical(user) and (is_on_case_team(user, case) or supervises_case(user, case))


def can_document_case(user: User, case: Case) -> bool:
    """Write progress notes: anyone clinical who can see the case (on-call and emergency staff too)."""
    return is_clinical(user)


def can_reassign(user: User, case: Case) -> bool:
    """Supervisors of the case's team and the program's director move cases between workers."""
    return bool(
        user.is_active and user.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR) and supervises_case(user, case)
    )
