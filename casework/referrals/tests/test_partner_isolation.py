"""A partner user is an outsider everywhere but their inbox: every URL pattern and API route, walked.

The URL list comes from the resolver, so a page or endpoint added later is covered without
editing this test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from casework.accounts.models import ApiToken, hash_token
from casework.audit.models import AuditEvent
from casework.referrals.models import ReferralStatus

pytestmark = pytest.mark.django_db

# What a partner may reach: their inbox pages, signing in and out, the start page (which sends
# them to the inbox), and in the API their own endpoints, the token exchange and the API docs.
ALLOWED_NAMES = {"accounts:login", "accounts:logout", "home"}
ALLOWED_API_NAMES = {"issue_token", "openapi-json", "openapi-view"}
# A plain redirect to the (public) API docs.
ALLOWED_URLS = {"/api/docs"}
_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
_SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name or ""


def _url(route: str) -> str | None:
    if "^" in route or "(?P" in route or "$" in route:
        return None  # regular-expression routes (Django admin): checked by hand below
    return "/" + _CONVERTER.sub(lambda match: _SAMPLES.get(match.group("kind") or "int", "1"), route)


def _routes() -> list[tuple[str, str, str]]:
    return list(_walk(get_resolver().url_patterns))


def _is_allowed(namespace: str, name: str) -> bool:
    full = f"{namespace}:{name}" if namespace else name
    if namespace == "partner" or full in ALLOWED_NAMES:
        return True
    return namespace == "api" and (name in ALLOWED_API_NAMES or name.startswith("partner_"))


def test_the_walk_finds_the_whole_site():
    routes = _routes()
    names = {f"{namespace}:{name}" for _, namespace, name in routes}
    assert len(routes) > 150
    assert {"clients:detail", "cases:detail", "referrals:detail", "api:get_referral", "api:list_clients"} <= names


def _check_refused(http: HttpClient, *, headers: dict[str, Any] | None = None, api_only: bool = False) -> list[str]:
    problems = []
    for route, namespace, name in _routes():
        url = _url(route)
        if url is None or url in ALLOWED_URLS or _is_allowed(namespace, name):
            continue
        is_api = url.startswith("/api/")
        if api_only and not is_api:
            continue
        statuses = []
        for method in ("get", "post", "patch", "delete") if is_api else ("get", "post"):
            if method == "get":
                response = http.get(url, **(headers or {}))
            elif is_api:
                response = getattr(http, method)(url, data="{}", content_type="application/json", **(headers or {}))
            else:
                response = http.post(url, {}, **(headers or {}))
            statuses.append(response.status_code)
        refused = {404, 405} if is_api else {404}
        if not set(statuses) <= refused or 404 not in statuses:
            problems.append(f"{url} ({namespace}:{name}): {statuses}")
    return problems


def test_a_signed_in_partner_gets_404_on_every_other_page_and_endpoint(as_partner, partner, sent, client_record, case):
    events = AuditEvent.objects.count()
    problems = _check_refused(as_partner)
    assert problems == []
    for url in ("/django-admin/", "/django-admin/login/", "/django-admin/accounts/user/"):
        assert as_partner.get(url).status_code == 404, url
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.REQUESTED
    assert AuditEvent.objects.count() == events


def test_a_partners_bearer_token_opens_only_the_partner_endpoints(partner, sent):
    ApiToken.objects.create(user=partner, prefix="partner", token_hash=hash_token("partner-secret-token-1234567890"))
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer partner-secret-token-1234567890"}
    http = HttpClient()
    # Without a session, pages send the request to sign in; the API is what a token can reach.
    assert _check_refused(http, headers=headers, api_only=True) == []
    response = http.get("/api/v1/partner/referrals", **headers)
    assert response.status_code == 200 and response.json()["count"] == 1
