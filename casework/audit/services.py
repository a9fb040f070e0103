"""Writing audit events. Call inside the transaction of the action being audited."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from casework.audit.models import AUDIT_CHAINS, AuditChainHead, AuditEvent
from casework.core.request_context import current_request_info

GENESIS_HASH = "0" * 64


def _json_value(value: Any) -> Any:
    """A value as it should appear in the `changes` of an audit event."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The listed fields of an instance as JSON-ready values, for a later diff."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _json_value(getattr(instance, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    changed: dict[str, list[Any]] = {}
    for key in after:
        old = _json_value(before.get(key))
        new = _json_value(after[key])
        if old != new:
            changed[key] = [old, new]
    return changed


REDACTED = "[not stored in the audit log]"


def redact_text(changes: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Keep clinical free text out of the append-only log: record that it changed, not what it says.

    A mapping of sections (a note's) is reduced to the names of the sections that changed.
    """
    out = dict(changes)
    for name in fields:
        if name not in out:
            continue
        old, new = out[name]
        if isinstance(old, Mapping) or isinstance(new, Mapping):
            old_map, new_map = dict(old or {}), dict(new or {})
            out[f"{name}_changed"] = sorted(k for k in set(old_map) | set(new_map) if old_map.get(k) != new_map.get(k))
        out[name] = [REDACTED if old else old, REDACTED if new else new]
    return out


def audit_record(
    *,
    actor: Any,
    action: str,
    client_id: int | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    flagged: bool = False,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or a new one)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    info = current_request_info()
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    chain = (actor_obj.pk % AUDIT_CHAINS) if actor_obj is not None else 0
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=chain)
        event = AuditEvent(
            chain=chain,
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor=actor_obj,
            actor_label=getattr(actor_obj, "email", "") if actor_obj else "",
            action=action,
            client_id=client_id,
            object_type=object_type,
            object_id=str(object_id or ""),
            ip_address=info.ip_address,
            user_agent=info.user_agent,
            request_id=info.request_id,
            reason=reason or "",
            changes=_json_value(dict(changes or {})),
            flagged=flagged,
            prev_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.seq = event.seq
        head.hash = event.hash
        head.save(update_fields=["seq", "hash"])
    return event
