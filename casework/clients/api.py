"""Clients in the JSON API: list, register, read, edit, search.

Handlers: access helper or selector, then a service, then a schema. Every read is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.audit.services import audit_record
from casework.clients import matching, merging, permissions, selectors, services
from casework.clients.models import Client, DuplicatePair, MergeRecord, PairStatus
from casework.clients.schemas import (
    ClientCreate,
    ClientPage,
    ClientRead,
    ClientUpdate,
    DismissIn,
    DuplicateConflictOut,
    DuplicatePage,
    DuplicatePairOut,
    MatchIn,
    MatchResults,
    MergeIn,
    MergeOut,
    SearchResults,
    UndoIn,
)
from casework.core.api import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    IdempotentCreate,
    PageParams,
    expected_version,
    paginate,
    precondition,
    refuse_nul,
    request_user,
    submission_key,
    with_etag,
)
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed

router = Router(tags=["clients"])

SEARCH_LIMIT_MAX = 50
# As the registration page: a reason this short says nothing.
MIN_DUPLICATE_REASON = 10


def _with_details(client: Client) -> Client:
    """Load identifiers and the active support network for ClientRead (two queries)."""
    client_with = Client.objects.filter(pk=client.pk).prefetch_related("identifiers", "support_contacts").get()
    client_with.accessed_by_break_glass = getattr(client, "accessed_by_break_glass", False)  # type: ignore[attr-defined]
    return client_with


def _read(client: Client, response: HttpResponse) -> Client:
    return _with_details(with_etag(client, response))


@router.get("", response={200: ClientPage, **READ_ERRORS}, summary="List the clients I may see")
def list_clients(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Clients the caller sees through a relationship or emergency access, by name."""
    user = request_user(request)
    result = paginate(selectors.clients_visible_to(user).order_by("legal_last_name", "legal_first_name", "pk"), page)
    audit_record(
        actor=user,
        action="client.list",
        object_type="clients.client",
        changes={"client_ids": [client.pk for client in result["items"]], "offset": page.offset},
    )
    return result


@router.post(
    "",
    response={201: ClientRead, 200: ClientRead, 409: DuplicateConflictOut, **WRITE_ERRORS},
    summary="Register a client",
)
def create_client(
    request: HttpRequest,
    payload: ClientCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Any]:
    """Register a client; repeating the request with the same Idempotency-Key returns the first one (200).

    When an existing client of the agency is a "certain" match, the request is refused (409) with
    the candidates (as `POST /clients/match` shows them) unless it carries
    `duplicate_override_reason`, which is recorded in the audit event. Certain and possible
    matches registered over go to the duplicate review queue.
    """
    user = request_user(request)
    key = submission_key(user, idempotency_key)
    once = IdempotentCreate(
        key=key,
        find=lambda: Client.objects.filter(submission_key=key, created_by=user).first(),
        failure=_("The client could not be saved; please try again."),
    )
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, _read(selectors.client_get_for_user(user=user, client_id=earlier.pk), response))
    data = payload.model_dump(
        exclude_unset=True, exclude={"ssn", "identifiers", "support_contacts", "duplicate_override_reason"}
    )
    identifiers: list[Mapping[str, str]] = [identifier.model_dump() for identifier in payload.identifiers]
    certain: list[matching.MatchCandidate] = []
    possible: list[matching.MatchCandidate] = []
    reason = (payload.duplicate_override_reason or "").strip()
    if permissions.can_register_clients(user):
        query = matching.query_from_client_data(
            data, ssn=payload.ssn or "", identifiers=[identifier["value"] for identifier in identifiers]
        )
        found = _audited_matches(user, query, source="api registration") if not query.is_empty else []
        certain = [candidate for candidate in found if candidate.band == matching.CERTAIN]
        possible = [candidate for candidate in found if candidate.band == matching.POSSIBLE]
        if certain and len(reason) < MIN_DUPLICATE_REASON:
            twin = once.earlier()
            if twin is not None:
                # The same request, sent twice at once, registered this person meanwhile: it is the match.
                return Status(200, _read(selectors.client_get_for_user(user=user, client_id=twin.pk), response))
            message = (
                _("This person matches an existing client. Use that record, or say why this is someone else.")
                if not reason
                else _("Say a little more (at least %(count)d characters).") % {"count": MIN_DUPLICATE_REASON}
            )
            return Status(
                409,
                {
                    "detail": message,
                    "errors": {"duplicate_override_reason": [message]},
                    "candidates": [_match_item(candidate) for candidate in certain],
                },
            )

    client, created = once.create(
        lambda: services.client_create(
            actor=user,
            data=data,
            ssn=payload.ssn,
            identifiers=identifiers,
            support_contacts=[contact.model_dump() for contact in payload.support_contacts],
            submission_key=key,
            duplicate_reason=reason if certain else "",
            certain_match_ids=[candidate.client.pk for candidate in certain],
            possible_match_ids=[candidate.client.pk for candidate in possible],
        )
    )
    if not created:
        # The same request again, or its twin that got there first: answer with that client.
        return Status(200, _read(selectors.client_get_for_user(user=user, client_id=client.pk), response))
    response["Location"] = f"{request.path.rstrip('/')}/{client.pk}"
    return Status(201, _read(client, response))


@router.get("/search", response={200: SearchResults, **READ_ERRORS}, summary="Find a client before registering one")
def search_clients(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=selectors.MAX_QUERY_LENGTH),
    limit: int = Query(25, ge=1, le=SEARCH_LIMIT_MAX),
) -> dict[str, Any]:
    """Name (typos, accents, nicknames), date of birth, phone, last 4 of SSN or an identifier."""
    user = request_user(request)
    query = refuse_nul(q, field="q")
    hits = selectors.client_search(user=user, query=query, limit=limit)
    audit_record(
        actor=user,
        action="client.search",
        object_type="clients.client",
        reason=query,
        changes={"client_ids": [hit.client.pk for hit in hits]},
    )
    items = [
        {
            "client_id": hit.client.pk,
            "display_name": hit.client.display_name,
            "date_of_birth": hit.client.date_of_birth,
            "score": hit.score,
            "reasons": hit.reasons,
        }
        for hit in hits
    ]
    return {"count": len(items), "items": items}


@router.post("/match", response={200: MatchResults, **WRITE_ERRORS}, summary="Is this person already registered?")
def match_clients(request: HttpRequest, payload: MatchIn, limit: int = Query(10, ge=1, le=10)) -> dict[str, Any]:
    """Up to 10 existing clients of the caller's agency ranked by match probability, with reasons.

    Clients the caller may open come with name and date of birth. A "certain" or "possible"
    match the caller may not open is reported without them (`accessible: false`): ask a
    supervisor for access or use emergency access with its `client_id`. Other agencies'
    clients are never matched. The lookup is audited (which fields were given, not their values).
    """
    user = request_user(request)
    if not permissions.can_register_clients(user):
        raise PermissionDenied(_("Your role cannot look up clients."))
    query = matching.parse_match_query(payload.model_dump(exclude_none=True, exclude_defaults=True))
    found = _audited_matches(user, query, limit=limit)
    items = [_match_item(candidate) for candidate in found]
    return {"count": len(items), "items": items}


def _audited_matches(
    user: Any, query: matching.MatchQuery, *, limit: int = matching.RESULT_LIMIT, source: str = ""
) -> list[matching.MatchCandidate]:
    """Matches the user may learn about; the lookup is audited (the fields given, not their values)."""
    found = matching.matches_for_user(user=user, query=query, limit=limit)
    changes: dict[str, Any] = {
        "fields": query.fields_given,
        "client_ids": [candidate.client.pk for candidate in found if candidate.accessible],
        "inaccessible_client_ids": [candidate.client.pk for candidate in found if not candidate.accessible],
    }
    if source:
        changes["source"] = source
    audit_record(actor=user, action="client.match", object_type="clients.client", changes=changes)
    return found


def _match_item(candidate: matching.MatchCandidate) -> dict[str, Any]:
    return {
        "client_id": candidate.client.pk,
        "score": candidate.score,
        "band": candidate.band,
        "reasons": candidate.visible_reasons,
        "accessible": candidate.accessible,
        "display_name": candidate.client.display_name if candidate.accessible else None,
        "date_of_birth": candidate.client.date_of_birth if candidate.accessible else None,
    }


@router.get("/{int:client_id}", response={200: ClientRead, **READ_ERRORS}, summary="Read a client")
def get_client(request: HttpRequest, client_id: int, response: HttpResponse) -> Client:
    """One client with identifiers and support network; the ETag header carries the version."""
    client = selectors.client_get_for_user(user=request_user(request), client_id=client_id)
    return _read(client, response)


@router.patch("/{int:client_id}", response={200: ClientRead, **EDIT_ERRORS}, summary="Edit a client")
def update_client(
    request: HttpRequest,
    client_id: int,
    payload: ClientUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Client:
    """Change some fields. Send the version edited (If-Match or `version`): stale is 412 or 409."""
    user = request_user(request)
    client = selectors.client_get_for_user(user=user, client_id=client_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=client.version)
    data = payload.model_dump(exclude_unset=True, exclude={"version", "ssn"})
    ssn: Any = payload.ssn if "ssn" in payload.model_fields_set else services.UNSET
    with precondition(used_if_match):
        updated = services.client_update(actor=user, client=client, expected_version=version, data=data, ssn=ssn)
    if updated.version == version:
        # Nothing changed, so no update was audited; the caller still read the record.
        audit_record(
            actor=user,
            action="client.view",
            client_id=updated.pk,
            obj=updated,
            flagged=getattr(client, "accessed_by_break_glass", False),
        )
    return _read(updated, response)


# --- Duplicate review (supervisors, program directors, administrators; 404 for anyone else) -----

review_router = Router(tags=["duplicates"])


def _reviewer(request: HttpRequest) -> Any:
    user = request_user(request)
    if not permissions.can_review_duplicates(user):
        raise NotFound()
    return user


def _pair_client(client: Client) -> dict[str, Any]:
    return {
        "client_id": client.pk,
        "legal_name": client.legal_name,
        "date_of_birth": client.date_of_birth,
        "sex": client.sex,
        "phone": client.phone,
        "postal_code": client.postal_code,
        "ssn_last4": client.ssn_last4,
        "version": client.version,
    }


def _pair_out(pair: DuplicatePair) -> dict[str, Any]:
    from casework.clients.duplicate_views import pair_reasons

    return {
        "id": pair.pk,
        "score": round(pair.score, 4),
        "band": pair.band,
        "status": pair.status,
        "source": pair.source,
        "reasons": pair_reasons(pair),
        "client_a": _pair_client(pair.client_a),
        "client_b": _pair_client(pair.client_b),
        "version": pair.version,
        "decided_at": pair.decided_at,
        "decision_reason": pair.decision_reason,
    }


def _merge_out(record: MergeRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "survivor_id": record.survivor_id,
        "alias_id": record.alias_id,
        "merged_at": record.merged_at,
        "reason": record.reason,
        "moved": record.moved,
        "fields": sorted(record.fields),
        "undone_at": record.undone_at,
        "undo_reason": record.undo_reason,
    }


@review_router.get("/duplicates", response={200: DuplicatePage, **READ_ERRORS}, summary="Possible duplicate pairs")
def list_duplicates(
    request: HttpRequest, page: Query[PageParams], status: PairStatus = PairStatus.OPEN
) -> dict[str, Any]:
    """Pairs of the caller's agency that may be one person, most likely first, with plain-language reasons."""
    user = _reviewer(request)
    result = paginate(selectors.duplicate_queue(user=user, status=status), page)
    result["items"] = [_pair_out(pair) for pair in result["items"]]
    audit_record(
        actor=user,
        action="duplicates.list",
        object_type="clients.duplicatepair",
        changes={
            "status": status,
            "offset": page.offset,
            "client_ids": sorted(
                {item[side]["client_id"] for item in result["items"] for side in ("client_a", "client_b")}
            ),
        },
    )
    return result


@review_router.post(
    "/duplicates/{int:pair_id}/dismiss", response={200: DuplicatePairOut, **EDIT_ERRORS}, summary="Not the same person"
)
def dismiss_duplicate(request: HttpRequest, pair_id: int, payload: DismissIn) -> dict[str, Any]:
    """Record that the two clients are different people; the scan and the queue stop proposing them."""
    user = _reviewer(request)
    pair = selectors.duplicate_pair_get_for_user(user=user, pair_id=pair_id)
    pair = merging.pair_dismiss(actor=user, pair=pair, reason=payload.reason, expected_version=payload.version)
    return _pair_out(selectors.duplicate_pair_get_for_user(user=user, pair_id=pair.pk))


@review_router.post(
    "/clients/{int:client_id}/merge", response={201: MergeOut, **EDIT_ERRORS}, summary="Merge a duplicate into a client"
)
def merge_clients(request: HttpRequest, client_id: int, payload: MergeIn) -> Status[dict[str, Any]]:
    """Merge `alias_id` into this client: everything attached moves, the alias redirects.

    Undo it with `POST /merges/{id}/undo`.
    """
    user = _reviewer(request)
    survivor = Client.objects.filter(pk=client_id, agency_id=user.agency_id).first()
    alias = Client.objects.filter(pk=payload.alias_id, agency_id=user.agency_id).first()
    if survivor is None:
        raise NotFound()
    if alias is None:
        raise ValidationFailed(_("No client with that record number in your agency."), field="alias_id")
    pair = None
    if payload.pair_id is not None:
        pair = selectors.duplicate_pair_get_for_user(user=user, pair_id=payload.pair_id)
        if {pair.client_a_id, pair.client_b_id} != {survivor.pk, alias.pk}:
            raise ValidationFailed(_("That pair is about other records."), field="pair_id")
    record = merging.client_merge(
        actor=user,
        survivor=survivor,
        alias=alias,
        survivor_version=payload.survivor_version,
        alias_version=payload.alias_version,
        take_from_alias=payload.take_from_alias,
        reason=payload.reason,
        pair=pair,
    )
    return Status(201, _merge_out(record))


@review_router.post("/merges/{int:merge_id}/undo", response={200: MergeOut, **WRITE_ERRORS}, summary="Undo a merge")
def undo_merge(request: HttpRequest, merge_id: int, payload: UndoIn) -> dict[str, Any]:
    """Move back what the merge moved; what was written on the survivor since stays there."""
    user = _reviewer(request)
    record = selectors.merge_get_for_user(user=user, merge_id=merge_id)
    return _merge_out(merging.merge_undo(actor=user, record=record, reason=payload.reason))
