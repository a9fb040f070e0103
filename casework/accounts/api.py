"""API authentication: bearer tokens (hashed, revocable) issued for e-mail and password."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from casework.accounts.models import ApiToken, User, hash_token
from casework.audit.services import audit_record
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
        return record.user


class TokenRequest(Schema):
    email: str
    password: str
    name: str = ""


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
def issue_token(request: HttpRequest, payload: TokenRequest) -> tuple[int, dict[str, Any]]:
    """Exchange e-mail and password for a bearer token (shown once, stored hashed)."""
    credentials = {"username": payload.email.strip().lower()}
    if AxesProxyHandler.is_locked(request, credentials):
        raise Locked("Too many failed sign-ins from this address for this account. Try again later.")
    user = authenticate(request, username=payload.email, password=payload.password)
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
    return 201, {"id": token.pk, "token": raw, "expires_at": token.expires_at.isoformat()}


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
    return [_token_read(t) for t in ApiToken.objects.filter(user=request.user).order_by("-created_at")]


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def revoke_token(request: HttpRequest, token_id: int) -> tuple[int, None]:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=request.user, action="auth.token_revoke", obj=token)
    return 204, None
