"""API schemas for the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema

from casework.audit.models import AuditEvent


class AuditEventOut(Schema):
    """One event: who did what to which record, when (UTC), from where and why.

    `id` orders events in time; `chain` and `seq` place the event in its hash chain.
    """

    id: int
    chain: int
    seq: int
    occurred_at: datetime.datetime
    actor: str
    action: str
    client_id: int | None
    object_type: str
    object_id: str
    ip_address: str | None
    reason: str
    changes: dict[str, Any]
    flagged: bool

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str:
        # The e-mail recorded at the time, which outlives any later change to the account.
        return obj.actor_label

    @staticmethod
    def resolve_occurred_at(obj: AuditEvent) -> datetime.datetime:
        return obj.occurred_at.astimezone(datetime.UTC)


class AuditPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditEventOut]
