"""Plain predicates about referrals and partner users."""

from __future__ import annotations

import uuid
from typing import Any

from casework.accounts.models import Role


def is_partner(user: Any) -> bool:
    """A signed-in member of a receiving organization's staff (sees only their inbox)."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "role", "") == Role.PARTNER
    )


def partner_organization_id(user: Any) -> uuid.UUID | None:
    """The directory organization whose inbox a partner user works; None for everybody else."""
    if not is_partner(user) or not user.is_active:
        return None
    from casework.referrals.models import PartnerAccount

    if hasattr(user, "_partner_organization_id"):
        cached: uuid.UUID | None = user._partner_organization_id
        return cached
    organization_id = PartnerAccount.objects.filter(user=user).values_list("organization_id", flat=True).first()
    user._partner_organization_id = organization_id
    return organization_id
