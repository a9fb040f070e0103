"""Checking the audit chains: no gap, no edit, no insertion, no removal at the end."""

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


def _verify_one_chain(
    chain: int, result: VerifyResult, batch_size: int, progress: Callable[[int], None] | None
) -> tuple[int, str]:
    expected_seq = 1
    previous_hash = GENESIS_HASH
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(chain=chain, seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            return last_seq, previous_hash
        for event in batch:
            name = f"event {chain}.{event.seq} (id {event.pk})"
            if event.seq != expected_seq:
                result.problems.append(f"chain {chain}: gap, expected event {chain}.{expected_seq}, found {name}")
            if event.prev_hash != previous_hash:
                result.problems.append(f"{name}: does not link to the event before it")
            if event.compute_hash() != event.hash:
                result.problems.append(f"{name}: its content does not match its hash (edited)")
            previous_hash = event.hash
            expected_seq = event.seq + 1
            last_seq = event.seq
            result.checked += 1
        if progress:
            progress(result.checked)


def verify_chain(*, batch_size: int = 5000, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Walk every chain in order, recomputing each hash and its link to the one before."""
    result = VerifyResult()
    heads = {head.pk: head for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        last_seq, last_hash = _verify_one_chain(chain, result, batch_size, progress)
        head = heads.get(chain)
        if head is None:
            result.problems.append(f"chain {chain}: has events but no head row")
        elif head.seq != last_seq or head.hash != last_hash:
            result.problems.append(
                f"chain {chain}: the head says event {chain}.{head.seq} but the last event is {chain}.{last_seq}: "
                "events were removed at the end"
            )
    return result
