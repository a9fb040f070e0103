"""The JSON API: one NinjaAPI, one router per app, one way to report errors."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from casework.accounts.api import BearerTokenAuth, SessionAuthIfSignedIn
from casework.accounts.api import router as auth_router
from casework.appointments.api import router as appointments_router
from casework.assessments.api import router as assessments_router
from casework.audit.api import router as audit_router
from casework.careplans.api import router as careplans_router
from casework.cases.api import router as cases_router
from casework.clients.api import review_router as duplicates_router
from casework.clients.api import router as clients_router
from casework.core.errors import DomainError, VersionConflict
from casework.directory.api import router as directory_router
from casework.notes.api import router as notes_router
from casework.referrals.api import router as referrals_router
from casework.today.api import router as today_router

api = NinjaAPI(
    title="Casework API",
    version="1",
    description=(
        "Clients, cases, progress notes, assessments, appointments, the resource directory and the audit trail. "
        "Bearer tokens from POST /api/v1/auth/token."
    ),
    auth=[BearerTokenAuth(), SessionAuthIfSignedIn()],
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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises these for an unreadable body (400) and a failed CSRF check (403).
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Otherwise Django answers with its HTML "Bad Request" page.
    return api.create_response(request, {"detail": "The request body is too large.", "errors": {}}, status=413)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Sign in or send a valid bearer token."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="casework"'
    return response


api.add_router("/auth", auth_router)
api.add_router("/clients", clients_router)
# /duplicates, /duplicates/{id}/dismiss, /clients/{id}/merge and /merges/{id}/undo: full paths in the router.
api.add_router("", duplicates_router)
api.add_router("/cases", cases_router)
api.add_router("/notes", notes_router)
api.add_router("/audit", audit_router)
# Instruments, /cases/{id}/assessments, /assessments/{id} and /clients/{id}/scores: full paths in the router.
api.add_router("", assessments_router)
# /appointments and /transport-requests (GET /calendar.ics is a plain view, see config/urls.py).
api.add_router("", appointments_router)
# /today, /tasks, /tasks/{id} and /teams/{id}/overview: full paths in the router.
api.add_router("", today_router)
# /cases/{id}/plans, /plans/{id}..., /goals/{id}..., /interventions/{id}: full paths in the router.
api.add_router("", careplans_router)
# /services, /services/{id}, /need-categories, /cases/{id}/service-matches and /cases/{id}/eligibility.
api.add_router("", directory_router)
# /clients/{id}/consents, /cases/{id}/referrals, /referrals/{id}, /partner/referrals: full paths in the router.
api.add_router("", referrals_router)
