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


def can_be_assigned(user: User, *, agency_id: int, client_id: int) -> bool:
    """Whom a task may go to: active clinical staff of the agency who can see the client's record
    (its case team, their supervisors, or someone granted access)."""
    from casework.clients.models import Client
    from casework.clients.selectors import relationship_q

    if not user.is_active or user.agency_id != agency_id or not is_clinical(user):
        return False
    return Client.objects.filter(pk=client_id).filter(relationship_q(user)).exists()
