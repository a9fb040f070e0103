"""Writes to a user's own account: their settings. Every write is audited in its transaction."""

from __future__ import annotations

from django.db import transaction

from casework.accounts.models import User
from casework.audit.services import audit_record


@transaction.atomic
def my_settings_update(*, actor: User, daily_digest: bool) -> User:
    """Change the actor's own settings (the daily digest e-mail on or off); audited when it changes."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.daily_digest == daily_digest:
        return user
    before = user.daily_digest
    user.daily_digest = daily_digest
    user.save(update_fields=["daily_digest"])
    actor.daily_digest = daily_digest
    changes = {"daily_digest": [before, daily_digest]}
    audit_record(actor=actor, action="account.settings_update", obj=user, changes=changes)
    return user
