"""Plain predicates about what a user may do with a task of a client they can already see."""

from __future__ import annotations

from casework.accounts.models import User
from casework.cases import permissions as case_permissions
from casework.clients.permissions import is_clinical
from casework.tasks.models import Task


def can_complete_task(user: User, task: Task) -> bool:
    """The assignee, whoever created it, or the case team and its supervisors."""
    if not is_clinical(user):
        return False
    if user.pk in (task.assignee_id, task.created_by_id):
        return True
    return task.case is not None and case_permissions.can_work_case(user, task.case)
