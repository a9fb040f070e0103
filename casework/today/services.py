"""Writing on the Today list: snoozing an item until a day with a reason, and waking it. Audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.core.errors import NotFound, ValidationFailed
from casework.core.validation import require_text
from casework.today.models import Snooze
from casework.today.selectors import TodayItem

# A snooze puts work aside, it does not make it disappear: at most this far ahead.
MAX_SNOOZE_DAYS = 90


@transaction.atomic
def today_item_snooze(
    *, actor: User, item: TodayItem, until: datetime.date, reason: str, today: datetime.date
) -> Snooze:
    """Hide an item of the actor's own Today list until a day (inclusive), with a reason.

    The caller found `item` on the actor's list (which is what authorises it). Safety items
    cannot be snoozed: they leave the list when the risk flag is resolved.
    """
    if not item.snoozable:
        raise ValidationFailed(_("Safety items cannot be snoozed; resolve the risk flag instead."), field="until")
    reason = require_text(reason, field="reason", message=_("Say why you are snoozing this."), max_length=300)
    if not isinstance(until, datetime.date) or until <= today:
        raise ValidationFailed(_("Snooze until a day after today."), field="until")
    if until > today + datetime.timedelta(days=MAX_SNOOZE_DAYS):
        raise ValidationFailed(_("Snooze for at most %(days)d days.") % {"days": MAX_SNOOZE_DAYS}, field="until")
    snooze = Snooze.objects.select_for_update().filter(user=actor, kind=item.kind, object_id=item.object_id).first()
    before = {"until": snooze.until, "reason": snooze.reason} if snooze else {"until": None, "reason": None}
    if snooze is None:
        snooze = Snooze(user=actor, kind=item.kind, object_id=item.object_id, until=until, reason=reason)
    else:
        snooze.until, snooze.reason = until, reason
    snooze.save()
    audit_record(
        actor=actor,
        action="today.snooze",
        client_id=item.client.pk if item.client is not None else None,
        obj=snooze,
        reason=reason,
        changes={"item": [None, item.key], "until": [before["until"], until], "reason": [before["reason"], reason]},
    )
    return snooze


@transaction.atomic
def today_item_wake(*, actor: User, kind: str, object_id: int) -> None:
    """Put a snoozed item back on the actor's list now."""
    snooze = Snooze.objects.select_for_update().filter(user=actor, kind=kind, object_id=object_id).first()
    if snooze is None:
        raise NotFound()
    audit_record(
        actor=actor,
        action="today.wake",
        obj=snooze,
        changes={"item": [f"{kind}:{object_id}", None], "until": [snooze.until, None]},
    )
    snooze.delete()
