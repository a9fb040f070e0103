"""API authentication: bearer tokens (hashed, revocable) issued for e-mail and password."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from casework.accounts.models import ApiToken, User, hash_token
from casework.audit.services import audit_record
from casework.core.api import refuse_partner_outside_inbox, request_user
from casework.core.errors import DomainError, NotFound

router = Router(tags=["auth"])
TOKEN_LIFETIME = timedelta(days=90)


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer <token>; the token's hash is looked up, never the token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        record = ApiToken.objects.select_related("user", "user__agency").filter(token_hash=hash_token(token)).first()
        if record is None or not record.is_usable:
            return None
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        # The middleware activated the agency's time zone only for session users; do it for
        # tokens too, so "today" (contact dates, birth dates) means the same in both.
        # RequestContextMiddleware deactivates it when the request ends.
        zone_name = getattr(record.user.agency, "time_zone", "")
        if zone_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        refuse_partner_outside_inbox(request, record.user)
        return record.user


class SessionAuthIfSignedIn(SessionAuth):
    """Browser sessions, with the CSRF check only when a session actually signs the request in.

    Ninja's SessionAuth checks CSRF before looking at the session, so a request with a wrong
    bearer token (and no session) got "403 CSRF check Failed" instead of 401.
    """

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        refuse_partner_outside_inbox(request, user)
        return super().__call__(request)


class TokenRequest(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=1000)
    name: str = Field("", max_length=100)


class TokenResponse(Schema):
    id: int
    token: str
    expires_at: str


class TokenRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class Unauthorized(DomainError):
    status_code = 401


class Locked(DomainError):
    status_code = 429


@router.post("/token", auth=None, response={201: TokenResponse}, summary="Issue a bearer token")
def issue_token(request: HttpRequest, payload: TokenRequest) -> Status[dict[str, Any]]:
    """Exchange e-mail and password for a bearer token (shown once, stored hashed)."""
    # Axes counts failures per (username, address): the same spelling must be checked and counted.
    email = payload.email.strip().lower()
    credentials = {"username": email}
    if AxesProxyHandler.is_locked(request, credentials):
        raise Locked("Too many failed sign-ins from this address for this account. Try again later.")
    user = authenticate(request, username=email, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # This failure reached the limit. Answer in JSON here rather than letting the axes
        # middleware swap in the sign-in page's HTML lockout response.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        raise Locked("Too many failed sign-ins from this address for this account. Try again later.")
    if user is None:
        raise Unauthorized("E-mail or password is wrong.")
    raw = "cw_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=payload.name[:100],
            prefix=raw[:10],
            token_hash=hash_token(raw),
            expires_at=timezone.now() + TOKEN_LIFETIME,
        )
        audit_record(actor=user, action="auth.token_issue", obj=token)
    assert token.expires_at is not None
    return Status(201, {"id": token.pk, "token": raw, "expires_at": token.expires_at.isoformat()})


def _token_read(token: ApiToken) -> dict[str, Any]:
    iso = lambda value: value.isoformat() if value else None  # noqa: E731
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "expires_at": iso(token.expires_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
    }


@router.get("/tokens", response=list[TokenRead], summary="List my tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    user = request_user(request)
    return [_token_read(t) for t in ApiToken.objects.filter(user=user).order_by("-created_at")]


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    user = request_user(request)
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="auth.token_revoke", obj=token)
    return Status(204, None)
