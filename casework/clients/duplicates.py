"""The agency-wide duplicate scan: every pair of clients that may be one person, scored once.

A lookup (`matching.find_matches`) blocks one query at a time; scanning a million clients
that way would take hours. The scan turns the blocking round: for each blocking key it reads
the agency's clients *sorted by that key* (one statement, fetched in batches), so the clients
sharing a key arrive together as a block; every pair inside a block is scored by the same
comparison and weights as a lookup (`matching.compare`), the later record (higher id) taking
the part of the person typed at intake.

- Each pair is scored once: a pair found by a later key that an earlier key already brought
  together is skipped (the keys are worked out from the rows themselves, so nothing needs to be
  remembered).
- A block larger than `BLOCK_LIMIT` (a placeholder phone number, the most common name sounds
  of a state-sized register) is skipped for that key: such a key says little, and the pair is
  still found through its other keys (date of birth with a name sound, phone, identifier).
- Pairs reaching "possible" are stored as `DuplicatePair` (lower id first). A re-run updates the
  open pairs in place; pairs dismissed as "not the same person" or merged are never reopened.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar, cast

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from casework.accounts.models import Agency, User
from casework.audit.services import audit_record
from casework.clients import matching
from casework.clients.models import Client, ClientIdentifier, DuplicatePair, NameCount, PairSource, PairStatus

# A key shared by more clients than this is not used to pair them (n² pairs, little evidence).
BLOCK_LIMIT = 500
DEFAULT_BATCH_SIZE = 5000

# What the scan reads of each client: what comparing needs, nothing else.
ROW_FIELDS = [
    "id",
    "legal_first_name",
    "legal_last_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "postal_code",
    "ssn_last4",
    "first_name_key",
    "preferred_name_key",
    "last_name_key",
    "first_name_phonetic",
    "last_name_phonetic",
    "phone_digits",
    "email_key",
]


class Row(NamedTuple):
    """One client as the scan reads it (a plain tuple: built a million times); quacks like a
    Client for `matching.compare`."""

    id: int
    legal_first_name: str
    legal_last_name: str
    date_of_birth: datetime.date | None
    sex: str
    phone: str
    email: str
    postal_code: str
    ssn_last4: str
    first_name_key: str
    preferred_name_key: str
    last_name_key: str
    first_name_phonetic: str
    last_name_phonetic: str
    phone_digits: str
    email_key: str

    @property
    def pk(self) -> int:
        return self.id

    def query(self, identifiers: tuple[str, ...] = ()) -> matching.MatchQuery:
        """This client as a lookup: what an intake worker registering them again would type."""
        query = matching.MatchQuery(
            first_name=self.legal_first_name,
            last_name=self.legal_last_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            phone=self.phone,
            email=self.email,
            postal_code=self.postal_code,
            ssn_last4=self.ssn_last4,
            identifiers=identifiers,
        )
        # The stored keys are what the query would work out again (same functions, see
        # Client.refresh_search_keys): set them once instead of per comparison.
        query.__dict__["first_key"] = self.first_name_key
        query.__dict__["last_key"] = self.last_name_key
        query.__dict__["email_key"] = self.email_key
        return query


assert list(Row._fields) == ROW_FIELDS


# --- Scoring one pair -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredPair:
    """A pair of clients (lower id first) with the engine's verdict."""

    client_a_id: int
    client_b_id: int
    probability: float
    band: str
    levels: dict[str, str]
    swapped_names: bool


class NameCounts:
    """How many clients of an agency carry each first and last name (capped like a lookup), and
    the agency's size: what the scan weighs names with, and what `NameCount` stores for lookups."""

    def __init__(
        self, first: Counter[str], last: Counter[str], population: int, sounds: Counter[str] | None = None
    ) -> None:
        self.first, self.last, self.population = first, last, population
        # The common last-name sounds and (last, first) name-sound pairs, keyed as in NameCount
        # ("lastsound:S530", "sounds:S530 R163"): which lookup blocks a birth year narrows.
        self.sounds: Counter[str] = sounds if sounds is not None else Counter()

    @classmethod
    def load(cls, agency_id: int) -> NameCounts:
        """Counted from the agency's clients (every record, aliases included, as a lookup counts)."""
        clients = Client.objects.filter(agency_id=agency_id)
        counts: list[Counter[str]] = []
        for column in ("first_name_key", "last_name_key"):
            counter: Counter[str] = Counter()
            for key, count in (
                clients.exclude(**{column: ""}).values_list(column).order_by().annotate(n=_count()).iterator()
            ):
                counter[key] = min(count, matching.NAME_COUNT_CAP)
            counts.append(counter)
        sounds: Counter[str] = Counter()
        named = clients.exclude(last_name_phonetic="")
        for last_sound, count in named.values_list("last_name_phonetic").order_by().annotate(n=_count()).iterator():
            if count >= matching.COMMON_SOUND_MIN:
                sounds[f"lastsound:{last_sound}"] = min(count, matching.NAME_COUNT_CAP)
        pairs = named.exclude(first_name_phonetic="").values_list("last_name_phonetic", "first_name_phonetic")
        for last_sound, first_sound, count in pairs.order_by().annotate(n=_count()).iterator():
            if count >= matching.COMMON_SOUND_MIN:
                sounds[f"sounds:{last_sound} {first_sound}"] = min(count, matching.NAME_COUNT_CAP)
        return cls(counts[0], counts[1], clients.count(), sounds)

    def frequencies(self, query: matching.MatchQuery) -> matching.Frequencies:
        return matching.Frequencies(
            population=self.population,
            first_name_count=self.first.get(query.first_key, 0),
            last_name_count=self.last.get(query.last_key, 0),
        )

    def stored_rows(self, agency: Agency) -> Iterator[NameCount]:
        """The counts as `NameCount` rows (see its docstring for the keys)."""
        now = timezone.now()
        yield NameCount(agency=agency, key="population", count=self.population, refreshed_at=now)
        for prefix, counter in (("first", self.first), ("last", self.last)):
            for name, count in counter.items():
                yield NameCount(agency=agency, key=f"{prefix}:{name}", count=count, refreshed_at=now)
        for key, count in self.sounds.items():
            yield NameCount(agency=agency, key=key, count=count, refreshed_at=now)


def refresh_name_counts(*, agency: Agency, actor: User | None = None, batch_size: int = 5000) -> NameCounts:
    """Count the agency's names again and store them for lookups (replacing the old counts)."""
    names = NameCounts.load(agency.pk)
    rows = list(names.stored_rows(agency))
    with transaction.atomic():
        NameCount.objects.filter(agency=agency).delete()
        NameCount.objects.bulk_create(rows, batch_size=batch_size)
        audit_record(
            actor=actor,
            action="duplicates.name_counts",
            object_type="clients.namecount",
            changes={"clients": names.population, "names": len(rows) - 1},
        )
    return names


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


def score_pair(
    earlier: Row | Client,
    later: Row | Client,
    *,
    thresholds: matching.Thresholds,
    frequencies: matching.Frequencies,
    query: matching.MatchQuery | None = None,
    shared_identifier: str = "",
) -> ScoredPair:
    """Score two clients as a lookup would: the later record typed at intake against the earlier."""
    if query is None:
        identifiers = (shared_identifier,) if shared_identifier else ()
        if isinstance(later, Row):
            query = later.query(identifiers)
        else:
            query = matching.query_from_client(later, identifiers=identifiers)
    # The stored keys are already normalised; the query's are worked out the same way.
    shared = set(query.identifier_keys) if shared_identifier else None
    comparison = matching.compare(query, cast(Client, earlier), shared, frequencies)
    probability = comparison.probability
    return ScoredPair(
        client_a_id=min(earlier.pk, later.pk),
        client_b_id=max(earlier.pk, later.pk),
        probability=probability,
        band=matching.band_of(comparison, thresholds),
        levels=comparison.levels,
        swapped_names=comparison.swapped_names,
    )


# --- The blocking keys ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanKey:
    """One blocking key: how to sort the clients in SQL, and the same key worked out in Python.

    `pair_filter`, if any, says which pairs sharing the key are worth scoring (see `could_match`).
    """

    name: str
    order_by: list[Any]
    condition: Q
    key: Callable[[Row], tuple[Any, ...] | None]
    pair_filter: Callable[[Row, Row], bool] | None = None


def could_match(one: Row, other: Row) -> bool:
    """Whether two clients sharing their name sounds can reach "possible" at all.

    Two different dates of birth (not a likely typo of each other) weigh -25: with a prior of
    -18 at a million clients, no agreement on names, sex and ZIP code alone (at most about +41,
    two names nobody else has) makes up for it; only a shared phone, e-mail or SSN can. A common
    name's block holds hundreds of namesakes born on other days: this skips those n² pairs.
    """
    born, other_born = one.date_of_birth, other.date_of_birth
    if born is None or other_born is None or matching.is_birth_date_variant(born, other_born):
        return True
    return bool(
        (one.phone_digits and one.phone_digits == other.phone_digits)
        or (one.email_key and one.email_key == other.email_key)
        or (one.ssn_last4 and one.ssn_last4 == other.ssn_last4)
    )


def _both(*values: Any) -> tuple[Any, ...] | None:
    return values if all(values) else None


SCAN_KEYS = [
    # Same name sounds (typos, accents, transposed dates...).
    ScanKey(
        "name sounds",
        ["last_name_phonetic", "first_name_phonetic"],
        ~Q(last_name_phonetic="") & ~Q(first_name_phonetic=""),
        lambda row: _both(row.last_name_phonetic, row.first_name_phonetic),
        could_match,
    ),
    # Same date of birth and last name sound: a nickname or a first-name typo.
    ScanKey(
        "date of birth and last name",
        ["date_of_birth", "last_name_phonetic"],
        Q(date_of_birth__isnull=False) & ~Q(last_name_phonetic=""),
        lambda row: _both(row.date_of_birth, row.last_name_phonetic),
    ),
    # Same date of birth and first name sound: a changed or misspelt surname.
    ScanKey(
        "date of birth and first name",
        ["date_of_birth", "first_name_phonetic"],
        Q(date_of_birth__isnull=False) & ~Q(first_name_phonetic=""),
        lambda row: _both(row.date_of_birth, row.first_name_phonetic),
    ),
    # First and last names swapped (straight pairs were scored by "name sounds" already).
    ScanKey(
        "name sounds in either order",
        [Least("last_name_phonetic", "first_name_phonetic"), Greatest("last_name_phonetic", "first_name_phonetic")],
        ~Q(last_name_phonetic="") & ~Q(first_name_phonetic=""),
        lambda row: _both(
            min(row.last_name_phonetic, row.first_name_phonetic),
            max(row.last_name_phonetic, row.first_name_phonetic),
        ),
        could_match,
    ),
    ScanKey(
        "phone",
        ["phone_digits"],
        ~Q(phone_digits=""),
        lambda row: (row.phone_digits,) if len(row.phone_digits) == 10 else None,
    ),
    ScanKey("e-mail", ["email_key"], ~Q(email_key=""), lambda row: _both(row.email_key)),
    # The last four of the SSN with the first name's sound: a new surname and a slipped date.
    ScanKey(
        "SSN last four and first name",
        ["ssn_last4", "first_name_phonetic"],
        ~Q(ssn_last4="") & ~Q(first_name_phonetic=""),
        lambda row: _both(row.ssn_last4, row.first_name_phonetic),
    ),
]


# --- The scan ---------------------------------------------------------------------------------


@dataclass
class ScanResult:
    """What a scan did: rows read, pairs scored and found, how the stored pairs changed."""

    agency_id: int
    clients: int = 0
    rows_read: int = 0
    pairs_scored: int = 0
    pairs_found: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    skipped_blocks: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


ProgressFactory = Callable[[int], Any]
T = TypeVar("T")


class _NoProgress:
    def update(self, count: int) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _clients(agency_id: int) -> Any:
    return Client.objects.filter(agency_id=agency_id, merged_into__isnull=True)


def _blocks(rows: Iterator[T], key: Callable[[T], Any], progress: Any) -> Iterator[tuple[Any, list[T]]]:
    """Consecutive rows with the same key (the rows arrive sorted by it); rows without a key are left out."""
    current: Any = None
    block: list[T] = []
    read = 0
    for row in rows:
        read += 1
        if read % 1000 == 0:
            progress.update(1000)
        value = key(row)
        if value is None:
            continue
        if value != current:
            if len(block) > 1:
                yield current, block
            current, block = value, []
        block.append(row)
    progress.update(read % 1000)
    if len(block) > 1:
        yield current, block


def scan_agency(
    *,
    agency: Agency,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressFactory | None = None,
    actor: User | None = None,
) -> ScanResult:
    """Scan one agency for possible duplicates and store them (see the module docstring)."""
    started = time.monotonic()
    result = ScanResult(agency_id=agency.pk)
    thresholds = matching.thresholds_for(agency.pk)
    names = refresh_name_counts(agency=agency, actor=actor, batch_size=batch_size)
    result.clients = _clients(agency.pk).count()
    decided = {
        (a, b)
        for a, b in DuplicatePair.objects.filter(agency=agency)
        .exclude(status=PairStatus.OPEN)
        .values_list("client_a_id", "client_b_id")
    }
    identifiers = ClientIdentifier.objects.filter(client__agency=agency, client__merged_into__isnull=True)
    total = result.clients * len(SCAN_KEYS) + identifiers.count()
    bar = progress(total) if progress is not None else _NoProgress()
    found: dict[tuple[int, int], ScoredPair] = {}
    seen_by_identifier: set[tuple[int, int]] = set()
    # Each row's lookup and name frequencies, worked out once per block (not once per pair).
    queries: dict[int, tuple[matching.MatchQuery, matching.Frequencies]] = {}

    def consider(earlier: Row, later: Row, shared_identifier: str = "") -> None:
        if (earlier.pk, later.pk) in decided:
            return
        if shared_identifier:
            query = later.query((shared_identifier,))
            frequencies = names.frequencies(query)
        else:
            cached = queries.get(later.pk)
            if cached is None:
                query = later.query()
                cached = queries[later.pk] = (query, names.frequencies(query))
            query, frequencies = cached
        scored = score_pair(
            earlier,
            later,
            thresholds=thresholds,
            frequencies=frequencies,
            query=query,
            shared_identifier=shared_identifier,
        )
        result.pairs_scored += 1
        if scored.band != matching.UNLIKELY:
            found[(scored.client_a_id, scored.client_b_id)] = scored

    # Shared identifiers first: the pairs are scored knowing the identifier they share.
    id_rows = (
        identifiers.order_by("value_key")
        .values_list("value_key", *[f"client__{name}" for name in ROW_FIELDS])
        .iterator(chunk_size=batch_size)
    )
    by_identifier = ((values[0], Row._make(values[1:])) for values in id_rows)
    for shared, sharing in _blocks(by_identifier, lambda item: item[0], bar):
        result.rows_read += len(sharing)
        unique = {row.pk: row for _value, row in sharing}
        if len(unique) > BLOCK_LIMIT:
            result.skipped_blocks += 1
            continue
        members = sorted(unique.values(), key=lambda member: member.pk)
        for i, earlier in enumerate(members):
            for later in members[i + 1 :]:
                if (earlier.pk, later.pk) not in seen_by_identifier:
                    seen_by_identifier.add((earlier.pk, later.pk))
                    consider(earlier, later, shared_identifier=shared)

    overfull: list[set[Any]] = []
    for index, scan_key in enumerate(SCAN_KEYS):
        bar.set_postfix_str(scan_key.name)
        skipped: set[Any] = set()
        earlier_keys = list(zip(SCAN_KEYS[:index], overfull, strict=True))
        earlier_filters = [other.pair_filter for other in SCAN_KEYS[:index]]
        pair_filter = scan_key.pair_filter
        bar_start = getattr(bar, "n", 0)
        rows = (
            Row._make(values)
            for values in _clients(agency.pk)
            .filter(scan_key.condition)
            .order_by(*scan_key.order_by)
            .values_list(*ROW_FIELDS)
            .iterator(chunk_size=batch_size)
        )
        for value, block in _blocks(rows, scan_key.key, bar):
            result.rows_read += len(block)
            if len(block) > BLOCK_LIMIT:
                skipped.add(value)
                result.skipped_blocks += 1
                continue
            block.sort(key=lambda member: member.pk)
            queries.clear()
            # Each member's earlier keys (None where the key was not used: missing or oversized).
            earlier_values = [
                tuple(
                    None if (key := other.key(member)) is None or key in other_skipped else key
                    for other, other_skipped in earlier_keys
                )
                for member in block
            ]
            for i, earlier in enumerate(block):
                mine = earlier_values[i]
                for j in range(i + 1, len(block)):
                    later = block[j]
                    if pair_filter is not None and not pair_filter(earlier, later):
                        continue
                    if (earlier.pk, later.pk) in seen_by_identifier:
                        continue
                    theirs = earlier_values[j]
                    if any(
                        key is not None and key == other and (check is None or check(earlier, later))
                        for key, other, check in zip(mine, theirs, earlier_filters, strict=True)
                    ):
                        continue  # scored already under an earlier key
                    consider(earlier, later)
        overfull.append(skipped)
        # Clients the key's condition leaves out (no phone, no date of birth) still move the bar.
        bar.update(max(0, bar_start + result.clients - getattr(bar, "n", 0)))
    bar.close()
    result.pairs_found = len(found)
    _store(agency=agency, found=found, result=result, batch_size=batch_size)
    result.seconds = time.monotonic() - started
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="duplicates.scan",
            object_type="clients.duplicatepair",
            changes={key: value for key, value in result.as_dict().items() if key != "seconds"},
        )
    return result


def _store(*, agency: Agency, found: dict[tuple[int, int], ScoredPair], result: ScanResult, batch_size: int) -> None:
    """Create new pairs, update open ones; close open scan pairs the scan no longer finds."""
    now = timezone.now()
    existing = {
        (a, b): (pk, status, source)
        for pk, a, b, status, source in DuplicatePair.objects.filter(agency=agency).values_list(
            "pk", "client_a_id", "client_b_id", "status", "source"
        )
    }
    to_create: list[DuplicatePair] = []
    to_update: list[DuplicatePair] = []
    for key, scored in found.items():
        row = existing.get(key)
        if row is None:
            to_create.append(
                DuplicatePair(
                    agency=agency,
                    client_a_id=scored.client_a_id,
                    client_b_id=scored.client_b_id,
                    score=scored.probability,
                    band=scored.band,
                    levels=scored.levels,
                    swapped_names=scored.swapped_names,
                    source=PairSource.SCAN,
                    created_at=now,
                    scored_at=now,
                )
            )
        elif row[1] == PairStatus.OPEN:
            to_update.append(
                DuplicatePair(
                    pk=row[0],
                    score=scored.probability,
                    band=scored.band,
                    levels=scored.levels,
                    swapped_names=scored.swapped_names,
                    scored_at=now,
                )
            )
    # Open pairs the scan proposed earlier and no longer finds (a record was corrected, or
    # merged elsewhere): they leave the queue. Pairs proposed at intake stay until decided.
    stale = [
        pk
        for key, (pk, status, source) in existing.items()
        if status == PairStatus.OPEN and source == PairSource.SCAN and key not in found
    ]
    for start in range(0, max(len(to_create), len(to_update), len(stale)), batch_size):
        with transaction.atomic():
            DuplicatePair.objects.bulk_create(to_create[start : start + batch_size])
            DuplicatePair.objects.bulk_update(
                to_update[start : start + batch_size], ["score", "band", "levels", "swapped_names", "scored_at"]
            )
            DuplicatePair.objects.filter(pk__in=stale[start : start + batch_size], status=PairStatus.OPEN).delete()
    result.created, result.updated, result.closed = len(to_create), len(to_update), len(stale)


# --- Pairs proposed at intake -----------------------------------------------------------------


def pairs_record_from_intake(*, client: Client, other_ids: Iterable[int]) -> list[DuplicatePair]:
    """A worker registered `client` over possible matches: put each pair in the review queue.

    Runs inside the registration's transaction. A pair already decided (dismissed, merged) is
    left as it is.
    """
    others = list(
        Client.objects.filter(pk__in=set(other_ids) - {client.pk}, agency_id=client.agency_id, merged_into__isnull=True)
    )
    if not others:
        return []
    thresholds = matching.thresholds_for(client.agency_id)
    frequencies = matching.frequencies_for(matching.query_from_client(client), client.agency_id)
    recorded = []
    for other in others:
        earlier, later = (other, client) if other.pk < client.pk else (client, other)
        scored = score_pair(earlier, later, thresholds=thresholds, frequencies=frequencies)
        pair, created = DuplicatePair.objects.get_or_create(
            client_a_id=scored.client_a_id,
            client_b_id=scored.client_b_id,
            defaults={
                "agency_id": client.agency_id,
                "score": scored.probability,
                "band": scored.band,
                "levels": scored.levels,
                "swapped_names": scored.swapped_names,
                "source": PairSource.INTAKE,
            },
        )
        if not created and pair.status == PairStatus.OPEN:
            pair.source = PairSource.INTAKE
            pair.save(update_fields=["source"])
        recorded.append(pair)
    return recorded
