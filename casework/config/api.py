"""The JSON API: one NinjaAPI, one router per app, one way to report errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import SessionAuth

from casework.accounts.api import BearerTokenAuth
from casework.accounts.api import router as auth_router
from casework.audit.api import router as audit_router
from casework.cases.api import router as cases_router
from casework.clients.api import router as clients_router
from casework.core.errors import DomainError, VersionConflict
from casework.notes.api import router as notes_router

api = NinjaAPI(
    title="Casework API",
    version="1",
    description="Clients, cases, progress notes and the audit trail. Bearer tokens from POST /api/v1/auth/token.",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.errors:
        body["errors"] = exc.errors
    if isinstance(exc, VersionConflict):
        body["current_version"] = exc.current_version
        body["changes"] = exc.changes
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(location) or "request", []).append(str(error.get("msg", "invalid")))
    return api.create_response(request, {"detail": "The request is not valid.", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Sign in or send a valid bearer token."}, status=401)


api.add_router("/auth", auth_router)
api.add_router("/clients", clients_router)
api.add_router("/cases", cases_router)
api.add_router("/notes", notes_router)
api.add_router("/audit", audit_router)
