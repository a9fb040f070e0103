"""Append-only, hash-chained audit events for every read and write of client data."""

from __future__ import annotations

import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events can be read and added, never changed or removed in bulk either."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing somebody did with client data: who, what, which client, when, from where, why.

    Each event carries the hash of the previous one in its chain (`prev_hash`) and its own
    (`hash`), so a removed, inserted or edited row breaks the chain; `manage.py audit_verify`
    checks it. There are AUDIT_CHAINS parallel chains, one per actor (actor id modulo the
    count), so that appending only waits for the same user's other requests, not everyone's.
    Database triggers (see the migration) refuse UPDATE and DELETE on this table.
    """

    chain = models.PositiveSmallIntegerField(default=0, help_text="Which of the parallel chains (by actor).")
    seq = models.BigIntegerField(help_text="Position in its chain, from 1 without gaps.")
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=True
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Actor's e-mail at the time.")
    action = models.CharField(max_length=64, db_index=True)
    # A plain column, not a foreign key: the log must outlive any change to client records.
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    flagged = models.BooleanField(default=False, help_text=_("Break-the-glass and other events a supervisor must see."))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [models.Index(fields=["client_id", "-id"], name="audit_client_recent")]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.action} by {self.actor_label} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and every recorded field, in a fixed order."""
        payload = [
            self.chain,
            self.seq,
            self.occurred_at.isoformat(timespec="microseconds"),
            self.actor_id,
            self.actor_label,
            self.action,
            self.client_id,
            self.object_type,
            self.object_id,
            self.ip_address,
            self.user_agent,
            self.request_id,
            self.reason,
            self.changes,
            self.flagged,
            self.prev_hash,
        ]
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


AUDIT_CHAINS = 16


class AuditChainHead(models.Model):
    """The row that holds one chain's last position; locking it orders that chain's writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, help_text="The chain number.")
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain {self.id} at #{self.seq}"
