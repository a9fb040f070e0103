"""Plain predicates about what a user may do with a plan whose case they can already see."""

from __future__ import annotations

from typing import Any

from casework.accounts.models import Role, User
from casework.cases import permissions as case_permissions


def can_edit_plan(user: User, plan: Any) -> bool:
    """Build and change plans, record progress and acknowledgements: the case team and its supervisors."""
    return case_permissions.can_work_case(user, plan.case)


def can_approve_plans(user: User, plan: Any) -> bool:
    """The supervisor of the case's team or the program's director."""
    return bool(
        user.is_active
        and user.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)
        and case_permissions.supervises_case(user, plan.case)
    )


def is_own_revision(user: User, revision: Any) -> bool:
    """Whoever wrote or submitted a version may not approve it."""
    return user.pk in (revision.created_by_id, revision.submitted_by_id)
