"""Who may use the directory. The directory holds no client data; matching and screening do."""

from __future__ import annotations

from typing import Any

from casework.accounts.models import Role
from casework.cases import permissions as case_permissions
from casework.cases.models import Case
from casework.clients.permissions import is_clinical


def can_search_directory(user: Any) -> bool:
    """Staff who work with clients, and administrators. Partner users (referrals) and auditors do not."""
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and (is_clinical(user) or getattr(user, "role", "") == Role.ADMINISTRATOR)
    )


def can_manage_directory(user: Any) -> bool:
    """Administrators import, export and edit the directory and the benefit rules."""
    return bool(
        user is not None and getattr(user, "is_active", False) and getattr(user, "role", "") == Role.ADMINISTRATOR
    )


def can_act_on_screening(user: Any, case: Case) -> bool:
    """Turning a screen into a need or a task is case work: the case team and its supervisors."""
    return case_permissions.can_work_case(user, case)
