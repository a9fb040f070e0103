"""Request-wide middleware: request origin for audit, session idle and absolute timeouts."""

from __future__ import annotations

import time
import uuid
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.request_context import RequestInfo, reset_request_info, set_request_info


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For only when settings say a proxy sets it."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45] or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Record the request's origin for audit events and show times in the agency's zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        info = RequestInfo(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            request_id=uuid.uuid4().hex,
        )
        token = set_request_info(info)
        user = getattr(request, "user", None)
        zone_name = getattr(getattr(user, "agency", None), "time_zone", "") if user and user.is_authenticated else ""
        if zone_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            reset_request_info(token)


class SessionTimeoutMiddleware:
    """End a browser session after the idle timeout or the absolute lifetime (HIPAA automatic logoff)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get("casework_login_at")
            last_seen = request.session.get("casework_last_seen")
            if started is None:
                request.session["casework_login_at"] = now
                started = now
            idle = last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or expired:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            # Writing the session on every request would cost a write per page; a minute's
            # resolution is plenty for a 30-minute idle timeout.
            if last_seen is None or now - last_seen > 60:
                request.session["casework_last_seen"] = now
        return self.get_response(request)
