"""Reading the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet

from casework.accounts.models import Role, User
from casework.audit.models import AuditEvent
from casework.core.errors import NotFound


def can_read_audit_log(user: User) -> bool:
    """Auditors (and superusers) read the audit log; nobody else does."""
    return bool(user.is_active and (user.role == Role.AUDITOR or user.is_superuser))


def audit_events_for_client(*, user: User, client_id: int) -> QuerySet[AuditEvent]:
    """Every event about one client, newest first; 404 for users who may not read the log."""
    if not can_read_audit_log(user):
        raise NotFound()
    return AuditEvent.objects.filter(client_id=client_id).select_related("actor").order_by("-id")


def flagged_events(*, client_ids: QuerySet[Any] | None = None, limit: int = 50) -> QuerySet[AuditEvent]:
    """Recent flagged events (break-the-glass), optionally for some clients only."""
    events = AuditEvent.objects.filter(flagged=True, action="client.break_glass")
    if client_ids is not None:
        events = events.filter(client_id__in=client_ids)
    return events.select_related("actor").order_by("-id")[:limit]


def changes_since(*, obj: models.Model, actions: list[str], versions: int) -> list[dict[str, Any]]:
    """What the last `versions` recorded updates of an object changed, oldest first.

    Used to tell a user whose save was refused as stale what others changed meanwhile.
    """
    if versions <= 0:
        return []
    events = list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action__in=actions).order_by("-id")[:versions]
    )
    out = []
    for event in reversed(events):
        for field, values in (event.changes or {}).items():
            if field in ("version", "updated_at"):
                continue
            old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
            out.append(
                {"field": field, "old": old, "new": new, "by": event.actor_label, "at": event.occurred_at.isoformat()}
            )
    return out
