"""Plain predicates about appointments of a client the user can already see."""

from __future__ import annotations

from casework.accounts.models import User
from casework.clients.permissions import is_clinical


def can_schedule(user: User) -> bool:
    """Clinical staff who can see the client may schedule and update its appointments."""
    return is_clinical(user) and user.agency_id is not None
