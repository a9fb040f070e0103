"""Partner users (staff of a receiving organization) reach their referral inbox and nothing else.

Every page outside the partner pages answers 404 for them, as for anything they may not know
exists; the JSON API refuses them in `casework.core.api.request_user` (which also covers bearer
tokens, which this middleware does not see). Staff pages also find no client for them (they
belong to no agency), so this is a second wall, not the only one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from casework.referrals.permissions import is_partner

# Pages a partner may open besides their own (namespace "partner").
PARTNER_ALLOWED = {"accounts:login", "accounts:logout"}
# The API checks partners itself (request_user); the token endpoint needs no session at all.
API_PREFIX = "/api/"


class PartnerGateMiddleware:
    """Answer 404 to a partner user for every page but the partner pages, sign-in and sign-out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not is_partner(user) or request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name == "home":
            return redirect("partner:inbox")
        if match.namespace == "partner" or match.view_name in PARTNER_ALLOWED:
            return self.get_response(request)
        from casework.core.views import not_found

        return not_found(request)
