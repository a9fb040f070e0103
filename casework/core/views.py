"""Pages that belong to no app: the 404 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for a page that does not exist or that the user may not know exists (same page for both)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their work starts: Today (case managers), caseload, audit log or administration."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect

    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role = getattr(user, "role", "")
    if role == "auditor":
        return redirect("audit:index")
    if role == "administrator" and user.is_staff:
        return redirect("admin:index")
    if role == "case_manager":
        # A case manager's day starts with what needs attention; the caseload is one click away.
        return redirect("today:index")
    return redirect("cases:caseload")
