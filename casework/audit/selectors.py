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


def _agency_clients(user: User) -> QuerySet[Any]:
    """Clients of the user's agency (none for a user without an agency)."""
    from casework.clients.models import Client

    if user.agency_id is None:
        return Client.objects.none()
    return Client.objects.filter(agency_id=user.agency_id)


def audit_events_for_client(*, user: User, client_id: int) -> QuerySet[AuditEvent]:
    """Every event about one client, newest first; 404 for users who may not read the log.

    An auditor reads the log of their own agency's clients only (superusers read all).
    """

    if not can_read_audit_log(user):
        raise NotFound()
    if not user.is_superuser and not _agency_clients(user).filter(pk=client_id).exists():
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
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action__in=actions
        ).order_by("-id")[:versions]
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


def clients_for_audit_lookup(*, user: User, query: str, limit: int = 25) -> list[Any]:
    """Clients of the auditor's agency by record number or name, for picking whose trail to read.

    Only identifying fields are loaded: the auditor never sees clinical content here.
    """
    from casework.clients.models import Client
    from casework.core import text

    if not can_read_audit_log(user):
        raise NotFound()
    clients = Client.objects.all() if user.is_superuser else _agency_clients(user)
    clients = clients.only(
        "id", "agency_id", "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name", "date_of_birth"
    )
    cleaned = (query or "").strip()[:200].lstrip("#")
    if not cleaned:
        return []
    if cleaned.isdigit():
        return list(clients.filter(pk=int(cleaned))) if len(cleaned) < 19 else []
    words = [text.name_key(word) for word in cleaned.replace(",", " ").split()]
    words = [word for word in words if word][:5]
    if not words:
        return []
    for word in words:
        sound = text.phonetic(word)
        match = (
            models.Q(last_name_key__startswith=word)
            | models.Q(first_name_key__startswith=word)
            | models.Q(preferred_name_key__startswith=word)
        )
        if sound:
            match |= models.Q(last_name_phonetic=sound) | models.Q(first_name_phonetic=sound)
        clients = clients.filter(match)
    return list(clients.order_by("legal_last_name", "legal_first_name", "pk")[:limit])


def filter_audit_events(
    events: QuerySet[AuditEvent],
    *,
    action: str = "",
    actor: str = "",
    since: Any = None,
    until: Any = None,
) -> QuerySet[AuditEvent]:
    """Narrow a list of events by action, actor (e-mail or part of it) and a time range [since, until)."""
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label__icontains=actor.strip())
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events


def last_audit_event() -> AuditEvent | None:
    """The event written last (its id is the log's running number), without counting the table."""
    return AuditEvent.objects.order_by("-id").only("id", "chain", "seq", "occurred_at").first()
