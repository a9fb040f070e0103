"""API authentication: bearer tokens issued for e-mail and password, revocable, throttled per address."""

import datetime

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from casework.accounts.models import ApiToken
from casework.audit.models import AuditEvent
from casework.clients.models import Client
from casework.testing import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def _issue(email, password=PASSWORD, address="10.0.0.1"):
    return HttpClient().post(
        TOKEN_URL, {"email": email, "password": password}, content_type="application/json", REMOTE_ADDR=address
    )


def _bearer(token, **extra):
    return {"headers": {"Authorization": f"Bearer {token}"}, **extra}


def test_token_flow_issue_use_list_revoke(worker, client_record, case):
    issued = _issue("worker@example.org")
    assert issued.status_code == 201, issued.content
    raw = issued.json()["token"]
    api = HttpClient()
    assert api.get(f"/api/v1/clients/{client_record.pk}", **_bearer(raw)).status_code == 200
    tokens = api.get("/api/v1/auth/tokens", **_bearer(raw)).json()
    assert [t["id"] for t in tokens] == [issued.json()["id"]]
    assert tokens[0]["last_used_at"]
    assert raw not in str(tokens)
    assert api.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}", **_bearer(raw)).status_code == 204
    revoked = api.get(f"/api/v1/clients/{client_record.pk}", **_bearer(raw))
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.filter(action__in=["auth.token_issue", "auth.token_revoke"]).count() == 2


def test_tokens_are_stored_hashed(worker):
    raw = _issue("worker@example.org").json()["token"]
    token = ApiToken.objects.get()
    assert token.token_hash != raw
    assert raw not in token.token_hash
    assert raw.startswith(token.prefix)


def test_email_is_case_insensitive(worker):
    assert _issue("  Worker@Example.ORG ").status_code == 201


@pytest.mark.parametrize(
    ("email", "password"), [("worker@example.org", "wrong password"), ("nobody@example.org", PASSWORD)]
)
def test_wrong_credentials_get_401_and_no_token(worker, email, password):
    response = _issue(email, password)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert ApiToken.objects.count() == 0


def test_inactive_users_get_no_token(worker):
    worker.is_active = False
    worker.save()
    assert _issue("worker@example.org").status_code == 401


@pytest.mark.parametrize("payload", [{}, {"email": "x" * 300, "password": "p"}, {"email": "a@b.c"}])
def test_bad_token_requests_are_422(db, payload):
    response = HttpClient().post(TOKEN_URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]


def test_lockout_is_per_account_and_address(worker, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _issue("worker@example.org" if attempt % 2 else "WORKER@example.org", "wrong", "10.0.0.66")
        assert response.status_code in (401, 429)
        assert response["Content-Type"] == "application/json; charset=utf-8"
    locked = _issue("worker@example.org", PASSWORD, "10.0.0.66")
    assert locked.status_code == 429
    assert "Too many" in locked.json()["detail"]
    # The same account from another address is not locked out: an attacker cannot lock a worker out.
    assert _issue("worker@example.org", PASSWORD, "10.0.0.77").status_code == 201
    assert ApiToken.objects.count() == 1


def test_failures_below_the_limit_do_not_lock(worker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _issue("worker@example.org", "wrong", "10.0.0.5").status_code == 401
    assert _issue("worker@example.org", PASSWORD, "10.0.0.5").status_code == 201


def test_expired_tokens_and_unknown_tokens_are_401(worker, client_record, case):
    raw = _issue("worker@example.org").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    url = f"/api/v1/clients/{client_record.pk}"
    assert HttpClient().get(url, **_bearer(raw)).status_code == 401
    assert HttpClient().get(url, **_bearer("cw_not-a-token")).status_code == 401
    assert HttpClient().get(url, **_bearer("x" * 500)).status_code == 401
    assert HttpClient().get(url, headers={"Authorization": "Basic d29ya2VyOnB3"}).status_code == 401


def test_a_deactivated_users_token_stops_working(worker, client_record, case):
    raw = _issue("worker@example.org").json()["token"]
    worker.is_active = False
    worker.save()
    assert HttpClient().get("/api/v1/clients", **_bearer(raw)).status_code == 401


def test_bearer_writes_need_no_csrf_token_and_a_bad_token_is_401_not_403(worker):
    raw = _issue("worker@example.org").json()["token"]
    strict = HttpClient(enforce_csrf_checks=True)
    payload = {"legal_first_name": "Tina", "legal_last_name": "Token"}
    created = strict.post("/api/v1/clients", payload, content_type="application/json", **_bearer(raw))
    assert created.status_code == 201, created.content
    refused = strict.post("/api/v1/clients", payload, content_type="application/json", **_bearer("cw_wrong"))
    assert refused.status_code == 401
    assert Client.objects.count() == 1


def test_bearer_reads_are_audited_with_the_callers_address(worker, client_record, case):
    raw = _issue("worker@example.org").json()["token"]
    HttpClient().get(f"/api/v1/clients/{client_record.pk}", REMOTE_ADDR="203.0.113.50", **_bearer(raw))
    event = AuditEvent.objects.filter(action="client.view").get()
    assert (event.actor_id, event.ip_address) == (worker.pk, "203.0.113.50")


def test_users_cannot_revoke_each_others_tokens(worker, colleague):
    mine = _issue("worker@example.org").json()
    theirs = _issue("colleague@example.org").json()
    response = HttpClient().delete(f"/api/v1/auth/tokens/{theirs['id']}", **_bearer(mine["token"]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=theirs["id"]).revoked_at is None


def test_token_endpoints_need_authentication(worker):
    token_id = _issue("worker@example.org").json()["id"]
    assert HttpClient().get("/api/v1/auth/tokens").status_code == 401
    assert HttpClient().delete(f"/api/v1/auth/tokens/{token_id}").status_code == 401
    assert ApiToken.objects.get().revoked_at is None
