"""Who may change the instrument catalogue (assessment access goes through the case and client)."""

from __future__ import annotations

from typing import Any

from casework.accounts.models import Role


def can_author_instruments(user: Any) -> bool:
    """Only administrators add, change, publish and retire instruments."""
    return bool(
        user is not None and getattr(user, "is_active", False) and getattr(user, "role", "") == Role.ADMINISTRATOR
    )
