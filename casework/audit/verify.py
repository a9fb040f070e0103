"""Checking the audit chain: no gap, no edit, no insertion, no removal at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from casework.audit.models import AuditChainHead, AuditEvent
from casework.audit.services import GENESIS_HASH


@dataclass
class VerifyResult:
    """Outcome of a chain check: how many events were checked and what was wrong."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(*, batch_size: int = 5000, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Walk every event in order, recomputing each hash and its link to the one before."""
    result = VerifyResult()
    expected_seq = 1
    previous_hash = GENESIS_HASH
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                result.problems.append(f"gap: expected event #{expected_seq}, found #{event.seq}")
            if event.prev_hash != previous_hash:
                result.problems.append(f"event #{event.seq}: does not link to the event before it")
            if event.compute_hash() != event.hash:
                result.problems.append(f"event #{event.seq}: its content does not match its hash (edited)")
            previous_hash = event.hash
            expected_seq = event.seq + 1
            last_seq = event.seq
            result.checked += 1
        if progress:
            progress(result.checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last_seq or head.hash != previous_hash):
        result.problems.append(
            f"the chain head says #{head.seq} but the last event is #{last_seq}: events were removed at the end"
        )
    return result
