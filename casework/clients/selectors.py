"""Reading clients: the access rules, the one access helper, search and the timeline."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.clients.models import AccessGrant, BreakGlassAccess, Client, ClientIdentifier, DuplicatePair, MergeRecord
from casework.core import text
from casework.core.errors import NotFound


def _active_grants(user: User) -> QuerySet[AccessGrant]:
    now = timezone.now()
    return AccessGrant.objects.filter(user=user, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def relationship_q(user: User) -> Q:
    """Clients the user knows through a relationship, not counting break-the-glass.

    Case team (primary worker or staff member), supervisor of the case's team, director of
    the case's program, the worker who registered the client, or an explicit grant.
    This form checks each client row (EXISTS), for queries already narrowed to a few rows:
    one client, or the candidates of a search.
    """
    from casework.cases.selectors import client_has_accessible_case

    grants = _active_grants(user).filter(client_id=OuterRef("pk"))
    return Q(agency_id=user.agency_id) & (Q(created_by=user) | client_has_accessible_case(user) | Exists(grants))


def relationship_list_q(user: User) -> Q:
    """The same relationships as `relationship_q`, as sets of ids: for listing every such client."""
    from casework.cases.selectors import client_id_sets_through_cases

    # No agency condition here: each relationship already lies inside the user's agency (cases,
    # grants and registrations are checked against it when written), and an agency condition
    # tempts SQLite into walking every client of the agency instead of these few ids.
    q = Q(created_by=user) | Q(pk__in=_active_grants(user).values("client_id"))
    for client_ids in client_id_sets_through_cases(user):
        q |= Q(pk__in=client_ids)
    return q


def break_glass_q(user: User) -> Q:
    """Clients the user opened in an emergency and whose access has not run out."""
    active = BreakGlassAccess.objects.filter(user=user, expires_at__gt=timezone.now())
    return Q(agency_id=user.agency_id) & Q(pk__in=active.values("client_id"))


def visible_among(user: User, client_ids: Iterable[int]) -> set[int]:
    """Which of these clients the user may see: the same relationships and break-the-glass as
    `relationship_q | break_glass_q`, worked out once for the few ids of a lookup (one statement;
    the user's teams, programs and case memberships are subqueries read once, not an EXISTS with
    joins per client row). Meant for clients of the user's agency (a lookup's candidates): cases,
    grants and emergency accesses lie inside the agency they were written in."""
    from casework.accounts.models import Program, Team
    from casework.cases.models import Case, CaseTeamMember

    ids = sorted(set(client_ids))
    if not ids or not user.is_authenticated or user.agency_id is None:
        return set()
    registered = (
        Client.objects.filter(pk__in=ids, agency_id=user.agency_id, created_by=user).order_by().values_list("pk")
    )
    memberships = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values("case_id")
    through_cases = (
        Case.objects.filter(client_id__in=ids)
        .filter(
            Q(primary_worker=user)
            | Q(team_id__in=Team.objects.filter(supervisor=user).values("pk"))
            | Q(program_id__in=Program.objects.filter(director=user).values("pk"))
            | Q(pk__in=memberships)
        )
        .order_by()
        .values_list("client_id")
    )
    granted = _active_grants(user).filter(client_id__in=ids).order_by().values_list("client_id")
    emergency = (
        BreakGlassAccess.objects.filter(user=user, client_id__in=ids, expires_at__gt=timezone.now())
        .order_by()
        .values_list("client_id")
    )
    return {client_id for (client_id,) in registered.union(through_cases, granted, emergency)}


def clients_visible_to(user: User) -> QuerySet[Client]:
    """Every client the user may see, through a relationship or break-the-glass (for lists)."""
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return Client.objects.none()
    # Merged records (aliases) are not listed: their survivor is.
    return Client.objects.filter(relationship_list_q(user) | break_glass_q(user)).filter(merged_into__isnull=True)


def active_break_glass(user: User, client: Client) -> BreakGlassAccess | None:
    """The user's running emergency access to this client, if any."""
    return (
        BreakGlassAccess.objects.filter(user=user, client=client, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def client_get_for_user(*, user: User, client_id: int, action: str = "client.view", audit: bool = True) -> Client:
    """Fetch a client the user may see, and audit the read; NotFound (404) otherwise.

    A read made only through break-the-glass is audited as flagged, with its reason.
    """
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        raise NotFound()
    # A merged record (an alias) is not opened: its pages redirect to the survivor (alias_target).
    client: Client | None = (
        Client.objects.filter(pk=client_id, merged_into__isnull=True)
        .filter(relationship_q(user))
        .select_related("agency")
        .first()
    )
    emergency = None
    if client is None:
        client = (
            Client.objects.filter(pk=client_id, agency_id=user.agency_id, merged_into__isnull=True)
            .select_related("agency")
            .first()
        )
        emergency = active_break_glass(user, client) if client is not None else None
        if client is None or emergency is None:
            raise NotFound()
    if audit:
        audit_record(
            actor=user,
            action=action,
            client_id=client.pk,
            obj=client,
            flagged=emergency is not None,
            reason=emergency.reason if emergency else "",
        )
    client.accessed_by_break_glass = emergency is not None  # type: ignore[attr-defined]
    return client


def alias_target(*, user: User, client_id: int) -> int | None:
    """For a merged record of the user's agency, the record it now lives in, if the user may see it."""
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return None
    target = (
        Client.objects.filter(pk=client_id, agency_id=user.agency_id).values_list("merged_into_id", flat=True).first()
    )
    if target is None:
        return None
    for _hop in range(10):  # a survivor merged again later: follow the chain (never a loop: merges refuse it)
        following: int | None = Client.objects.filter(pk=target).values_list("merged_into_id", flat=True).first()
        if following is None:
            break
        target = following
    visible = Client.objects.filter(pk=target).filter(relationship_q(user) | break_glass_q(user)).exists()
    return target if visible else None


# --- Duplicate review -------------------------------------------------------------------


def duplicate_queue(*, user: User, status: str = "open") -> QuerySet[DuplicatePair]:
    """Possible duplicate pairs of the reviewer's agency, most likely first (none for other roles).

    Pairs with a merged record leave the queue (they come back if the merge is undone).
    """
    from casework.clients.permissions import can_review_duplicates

    if not can_review_duplicates(user) or user.agency_id is None:
        return DuplicatePair.objects.none()
    return (
        DuplicatePair.objects.filter(
            agency_id=user.agency_id,
            status=status,
            client_a__merged_into__isnull=True,
            client_b__merged_into__isnull=True,
        )
        .select_related("client_a", "client_b", "decided_by")
        .order_by("-score", "id")
    )


def duplicate_pair_get_for_user(*, user: User, pair_id: int) -> DuplicatePair:
    """A pair of the reviewer's agency (any status); NotFound (404) for anyone else."""
    from casework.clients.permissions import can_review_duplicates

    if not can_review_duplicates(user) or user.agency_id is None:
        raise NotFound()
    pair = (
        DuplicatePair.objects.filter(pk=pair_id, agency_id=user.agency_id)
        .select_related("client_a", "client_b", "decided_by")
        .first()
    )
    if pair is None:
        raise NotFound()
    return pair


def merge_get_for_user(*, user: User, merge_id: int) -> MergeRecord:
    """A merge of the reviewer's agency; NotFound (404) for anyone else."""
    from casework.clients.permissions import can_review_duplicates

    if not can_review_duplicates(user) or user.agency_id is None:
        raise NotFound()
    record = (
        MergeRecord.objects.filter(pk=merge_id, agency_id=user.agency_id)
        .select_related("survivor", "alias", "merged_by", "undone_by")
        .first()
    )
    if record is None:
        raise NotFound()
    return record


def merges_of_client(*, client_ids: list[int]) -> QuerySet[MergeRecord]:
    """Merges that kept one of these clients, newest first."""
    return (
        MergeRecord.objects.filter(survivor_id__in=client_ids)
        .select_related("alias", "merged_by")
        .order_by("-merged_at")
    )


def linked_record_counts(*, client_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many rows of each kind hang off each client (what a merge would move): one query per kind."""
    from django.db.models import Count

    from casework.clients.merging import MOVE, RELATIONS, client_relations

    counts: dict[int, dict[str, int]] = {client_id: {} for client_id in client_ids}
    for name, model, field_name in client_relations():
        if RELATIONS.get(name) != MOVE:
            continue
        label = str(model._meta.verbose_name_plural)
        rows = (
            model._default_manager.filter(**{f"{field_name}__in": client_ids})
            .values_list(field_name)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for client_id, count in rows:
            counts[client_id][label] = counts[client_id].get(label, 0) + count
    return counts


# --- Search -----------------------------------------------------------------------------

_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("m", "d", "y")),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("m", "d", "y")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
]
MAX_QUERY_LENGTH = 200
# Words typed before an identifier ("MRN 12345") that are labels, not names.
IDENTIFIER_LABELS = {"mrn", "medicaid", "medicare", "hmis", "id", "ssn", "mpi"}
CANDIDATE_LIMIT = 400
NAME_MATCH_FLOOR = 0.7


@dataclass
class ParsedQuery:
    """What a free-text search box held: names, dates, phone digits, identifiers."""

    names: list[str] = field(default_factory=list)
    dates: list[datetime.date] = field(default_factory=list)
    phone: str = ""
    last4: str = ""
    identifiers: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.dates or self.phone or self.last4 or self.identifiers)


def _parse_date(token: str) -> datetime.date | None:
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(token)
        if not match:
            continue
        parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
        try:
            return datetime.date(parts["y"], parts["m"], parts["d"])
        except ValueError:
            return None
    return None


_LAST4 = re.compile(r"(?:\*{3}-?\*{2}-?|x{3}-?x{2}-?)?\d{4}", flags=re.IGNORECASE)


def _looks_like_identifier(token: str) -> bool:
    """A token with digits that is neither a date nor the last four of an SSN."""
    return any(ch.isdigit() for ch in token) and not _parse_date(token) and not _LAST4.fullmatch(token)


def parse_query(query: str) -> ParsedQuery:
    """Split a search string into names, dates of birth, phone, SSN last four and identifiers."""
    parsed = ParsedQuery()
    raw = (query or "")[:MAX_QUERY_LENGTH]
    # A phone number typed with spaces: "(555) 123 4567".
    phone_match = re.search(r"(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}", raw)
    if phone_match and not _parse_date(phone_match.group(0).strip()):
        parsed.phone = text.digits(phone_match.group(0))[-10:]
        raw = raw.replace(phone_match.group(0), " ")
    tokens = raw.replace(",", " ").split()
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token.isalpha() and _looks_like_identifier(following):
            # "MRN 12345" may be stored as "mrn-12345": try the two words as one identifier too.
            parsed.identifiers.append(text.identifier_key(token + following))
            if text.name_key(token) in IDENTIFIER_LABELS:
                continue
        date = _parse_date(token)
        if date:
            parsed.dates.append(date)
            continue
        if _LAST4.fullmatch(token):
            parsed.last4 = token[-4:]
            continue
        if any(ch.isdigit() for ch in token):
            key = text.identifier_key(token)
            if len(key) >= 5 and key.isdigit() and len(key) >= 7 and not parsed.phone:
                parsed.phone = key[-10:]
            if key:
                parsed.identifiers.append(key)
            continue
        folded = text.name_key(token)
        if folded:
            parsed.names.append(folded)
    return parsed


@dataclass
class SearchHit:
    """One client found by a search, with a score and the reasons it matched."""

    client: Client
    score: float
    reasons: list[str]


def _name_candidates_q(typed: TypedName) -> Q:
    """Blocking keys for one typed name: exact, prefix, nickname and sound-alike (all indexed)."""
    name, sound, variants = typed.key, typed.sound, typed.variants
    q = Q(last_name_key__startswith=name) | Q(first_name_key__in=variants) | Q(preferred_name_key__in=variants)
    q |= Q(first_name_key__startswith=name) | Q(preferred_name_key__startswith=name)
    if sound:
        q |= Q(last_name_phonetic=sound) | Q(first_name_phonetic=sound)
    return q


def _typo_candidates_q(names: list[str]) -> Q | None:
    """A wider net for typos that change the sound ("Smiht"): names sharing the first three letters.

    Only used when the exact, nickname and sound-alike keys found nothing: it is a wide net.
    """
    q = Q()
    for name in names:
        if len(name) >= 4:
            q |= Q(last_name_key__startswith=name[:3]) | Q(first_name_key__startswith=name[:3])
    return q or None


@dataclass(frozen=True)
class TypedName:
    """A name from the search box with its nickname variants and sound code, worked out once."""

    key: str
    variants: frozenset[str]
    sound: str

    @classmethod
    def of(cls, key: str) -> TypedName:
        return cls(key=key, variants=frozenset(text.given_name_variants(key)), sound=text.phonetic(key))


def _best_name_similarity(typed: TypedName, client: Client) -> tuple[float, str]:
    """How well one typed name matches the client's names (0..1), and a reason."""
    best, reason = 0.0, ""
    name, variants = typed.key, typed.variants
    candidates = [
        (client.last_name_key, client.last_name_phonetic, "last name"),
        (client.first_name_key, client.first_name_phonetic, "first name"),
        (client.preferred_name_key, "", "preferred name"),
    ]
    for value, sound, label in candidates:
        if not value:
            continue
        if value == name:
            score, why = 1.0, f"same {label}"
        elif label != "last name" and value in variants:
            score, why = 0.93, f"{label} is a nickname match"
        elif value.startswith(name) and len(name) >= 2:
            score, why = 0.9, f"{label} starts with “{name}”"
        elif sound and sound == typed.sound:
            score, why = 0.88, f"{label} sounds alike"
        else:
            score = max(JaroWinkler.similarity(name, value), fuzz.ratio(name, value) / 100)
            why = f"{label} spelled similarly"
        if score > best:
            best, reason = score, why
    return best, reason


def client_search(*, user: User, query: str, limit: int = 25) -> list[SearchHit]:
    """Find clients the user may see by name (typos, accents, nicknames), birth date, phone or identifier."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return []
    # The visible set as indexed id sets (not row-by-row checks): cheap to intersect with the
    # blocking keys, for a worker's 90 clients or a director's whole program alike.
    visible = clients_visible_to(user)
    typed = [TypedName.of(name) for name in parsed.names]
    other = Q()
    if parsed.dates:
        other |= Q(date_of_birth__in=parsed.dates)
    if parsed.phone:
        phone = parsed.phone[-10:]
        other |= Q(phone_digits=phone) if len(phone) == 10 else Q(phone_digits__endswith=phone)
    if parsed.last4:
        other |= Q(ssn_last4=parsed.last4)
    if parsed.identifiers:
        other |= Q(pk__in=ClientIdentifier.objects.filter(value_key__in=parsed.identifiers).values("client_id"))
    # First pass: every typed name hits one of its keys ("Danielle Venebr" needs both), or
    # another piece of evidence (date of birth, phone, identifier) matches.
    all_names = Q()
    for name in typed:
        all_names &= _name_candidates_q(name)
    hits = _scored(visible.filter(all_names | other if typed else other), parsed, typed)
    if not hits and typed:
        # Second pass, wider: any one name's keys, or a shared start for typos that change the sound.
        any_name = Q()
        for name in typed:
            any_name |= _name_candidates_q(name)
        wider = _typo_candidates_q(parsed.names)
        if wider is not None:
            any_name |= wider
        hits = _scored(visible.filter(any_name | other), parsed, typed)
    hits.sort(key=lambda hit: (-hit.score, hit.client.legal_last_name, hit.client.pk))
    return hits[:limit]


def _scored(candidates: QuerySet[Client], parsed: ParsedQuery, typed: list[TypedName]) -> list[SearchHit]:
    hits = []
    if parsed.identifiers:  # only scoring an identifier needs them
        candidates = candidates.prefetch_related("identifiers")
    for client in candidates.order_by()[:CANDIDATE_LIMIT]:
        score, reasons = _score(client, parsed, typed)
        if score >= 0.5:
            hits.append(SearchHit(client=client, score=round(score, 3), reasons=reasons))
    return hits


def _score(client: Client, parsed: ParsedQuery, typed: list[TypedName]) -> tuple[float, list[str]]:
    """Average of the evidence given: each name, date, phone and identifier counts once."""
    parts: list[float] = []
    reasons: list[str] = []
    for name in typed:
        similarity, why = _best_name_similarity(name, client)
        if similarity < NAME_MATCH_FLOOR:
            # Every name typed must match one of the client's names: "Robert Smith" is not "Bob Jones".
            return 0.0, []
        parts.append(similarity)
        if similarity >= 0.75:
            reasons.append(why)
    for date in parsed.dates:
        dob = client.date_of_birth
        if dob == date:
            parts.append(1.0)
            reasons.append("same date of birth")
        elif dob and dob.year == date.year and dob.month == date.day and dob.day == date.month:
            parts.append(0.8)
            reasons.append("date of birth with day and month swapped")
        else:
            parts.append(0.0)
    if parsed.phone:
        matched = bool(client.phone_digits) and client.phone_digits.endswith(parsed.phone[-10:])
        parts.append(1.0 if matched else 0.0)
        if matched:
            reasons.append("same phone")
    if parsed.last4:
        matched = client.ssn_last4 == parsed.last4
        parts.append(1.0 if matched else 0.0)
        if matched:
            reasons.append("same last 4 of SSN")
    if parsed.identifiers:
        # The typed identifiers are alternative readings of what was typed: one piece of evidence.
        keys = {identifier.value_key for identifier in client.identifiers.all()}
        if keys.intersection(parsed.identifiers):
            parts.append(1.0)
            reasons.append("same identifier")
        elif any(not parsed.phone or key[-10:] != parsed.phone for key in parsed.identifiers):
            parts.append(0.0)
    if not parts:
        return 0.0, reasons
    return sum(parts) / len(parts), reasons
