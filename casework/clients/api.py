"""Clients in the JSON API: list, register, read, edit, search.

Handlers: access helper or selector, then a service, then a schema. Every read is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.audit.services import audit_record
from casework.clients import matching, permissions, selectors, services
from casework.clients.models import Client
from casework.clients.schemas import (
    ClientCreate,
    ClientPage,
    ClientRead,
    ClientUpdate,
    MatchIn,
    MatchResults,
    SearchResults,
)
from casework.core.api import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    PageParams,
    expected_version,
    paginate,
    precondition,
    refuse_nul,
    request_user,
    submission_key,
    with_etag,
)
from casework.core.errors import PermissionDenied, ValidationFailed

router = Router(tags=["clients"])

SEARCH_LIMIT_MAX = 50


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


@router.post("", response={201: ClientRead, 200: ClientRead, **WRITE_ERRORS}, summary="Register a client")
def create_client(
    request: HttpRequest,
    payload: ClientCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Client]:
    """Register a client; repeating the request with the same Idempotency-Key returns the first one (200)."""
    user = request_user(request)
    key = submission_key(user, idempotency_key)
    if key and Client.objects.filter(submission_key=key, created_by=user).exists():
        existing = Client.objects.get(submission_key=key, created_by=user)
        return Status(200, _read(selectors.client_get_for_user(user=user, client_id=existing.pk), response))
    data = payload.model_dump(exclude_unset=True, exclude={"ssn", "identifiers", "support_contacts"})
    try:
        with transaction.atomic():
            client = services.client_create(
                actor=user,
                data=data,
                ssn=payload.ssn,
                identifiers=[identifier.model_dump() for identifier in payload.identifiers],
                submission_key=key,
            )
            for contact in payload.support_contacts:
                services.support_contact_add(actor=user, client=client, data=contact.model_dump())
    except IntegrityError as exc:
        # Two identical requests at once: the other one won; answer with its client.
        if key and Client.objects.filter(submission_key=key, created_by=user).exists():
            existing = Client.objects.get(submission_key=key, created_by=user)
            return Status(200, _read(selectors.client_get_for_user(user=user, client_id=existing.pk), response))
        raise ValidationFailed(_("The client could not be saved; please try again.")) from exc
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
    found = matching.matches_for_user(user=user, query=query, limit=limit)
    audit_record(
        actor=user,
        action="client.match",
        object_type="clients.client",
        changes={
            "fields": query.fields_given,
            "client_ids": [candidate.client.pk for candidate in found if candidate.accessible],
            "inaccessible_client_ids": [candidate.client.pk for candidate in found if not candidate.accessible],
        },
    )
    items = [
        {
            "client_id": candidate.client.pk,
            "score": candidate.score,
            "band": candidate.band,
            "reasons": candidate.visible_reasons,
            "accessible": candidate.accessible,
            "display_name": candidate.client.display_name if candidate.accessible else None,
            "date_of_birth": candidate.client.date_of_birth if candidate.accessible else None,
        }
        for candidate in found
    ]
    return {"count": len(items), "items": items}


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
