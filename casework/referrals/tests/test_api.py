"""The referral API: consents, a case's referrals, one referral, status changes, FHIR, partner endpoints."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from casework.audit.models import AuditEvent
from casework.clients.models import Consent
from casework.core.api import submission_key
from casework.referrals.models import Referral, ReferralStatus
from casework.referrals.tests.conftest import login
from casework.testing import CaseFactory, audited_writes_after, last_audit_id, twin_request_unseen_until_insert

S = ReferralStatus
pytestmark = pytest.mark.django_db


def _post(http, url, body, **headers):
    return http.post(url, data=json.dumps(body), content_type="application/json", **headers)


def _patch(http, url, body, **headers):
    return http.patch(url, data=json.dumps(body), content_type="application/json", **headers)


def _create_body(service, consent=None):
    body = {"service": str(service.pk), "reason": "Food runs out each month.", "shared_information": ["name", "phone"]}
    if consent is not None:
        body["consent"] = consent.pk
    return body


def test_the_worker_drafts_edits_sends_and_reads_a_referral(as_worker, case, food_service, consent):
    created = _post(as_worker, f"/api/v1/cases/{case.pk}/referrals", _create_body(food_service))
    assert created.status_code == 201, created.json()
    referral = created.json()
    assert referral["status"] == "draft" and created["ETag"] == '"1"'
    refused = _post(as_worker, f"/api/v1/referrals/{referral['id']}/send", {})
    assert refused.status_code == 422 and "Record the client's consent" in refused.json()["detail"]
    assert Referral.objects.get().status == S.DRAFT
    stale = _patch(as_worker, f"/api/v1/referrals/{referral['id']}", {"consent": consent.pk}, HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    missing = _patch(as_worker, f"/api/v1/referrals/{referral['id']}", {"consent": consent.pk})
    assert missing.status_code == 428
    edited = _patch(as_worker, f"/api/v1/referrals/{referral['id']}", {"consent": consent.pk, "version": 1})
    assert edited.status_code == 200 and edited.json()["consent_id"] == consent.pk and edited["ETag"] == '"2"'
    sent = _post(as_worker, f"/api/v1/referrals/{referral['id']}/send", {})
    assert sent.status_code == 200 and sent.json()["status"] == "requested"
    assert sent.json()["shared_data"] == {"name": "Robert Smith", "phone": "555-201-3344"}
    listed = as_worker.get(f"/api/v1/cases/{case.pk}/referrals").json()
    assert listed["count"] == 1 and [h["to_status"] for h in listed["items"][0]["history"]] == ["draft", "requested"]
    cancelled = _post(
        as_worker, f"/api/v1/referrals/{referral['id']}/status", {"status": "cancelled", "reason": "Moved away"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_the_sender_cannot_make_the_receivers_moves(as_worker, sent):
    response = _post(as_worker, f"/api/v1/referrals/{sent.pk}/status", {"status": "accepted"})
    assert response.status_code == 403 and "Only the receiving organization" in response.json()["detail"]
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_bad_input_gets_a_clear_4xx(as_worker, case, food_service):
    response = _post(as_worker, f"/api/v1/cases/{case.pk}/referrals", {"service": "nope", "reason": ""})
    assert response.status_code == 422 and {"detail", "errors"} <= set(response.json())
    response = _post(
        as_worker, f"/api/v1/cases/{case.pk}/referrals", {**_create_body(food_service), "shared_information": ["ssn"]}
    )
    assert response.status_code == 422
    response = as_worker.get(f"/api/v1/cases/{case.pk}/referrals?status=bogus")
    assert response.status_code == 422
    assert not Referral.objects.exists()


def test_consents_through_the_api(as_worker, client_record, case, pantry):
    body = {
        "recipient_organization": str(pantry.pk),
        "purpose": "Food",
        "information": ["name"],
        "given_on": timezone.localdate().isoformat(),
        "method": "electronic",
    }
    created = _post(as_worker, f"/api/v1/clients/{client_record.pk}/consents", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert created.status_code == 201 and created.json()["status"] == "active"
    again = _post(as_worker, f"/api/v1/clients/{client_record.pk}/consents", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 200 and Consent.objects.count() == 1
    revoked = _post(as_worker, f"/api/v1/consents/{created.json()['id']}/revoke", {"reason": "Asked", "version": 1})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert as_worker.get(f"/api/v1/clients/{client_record.pk}/consents").json()[0]["revoked_on"]


def test_twin_consents_with_one_key_at_once_record_one(as_worker, worker, client_record, case, pantry):
    url = f"/api/v1/clients/{client_record.pk}/consents"
    body = {
        "recipient_organization": str(pantry.pk),
        "purpose": "Food",
        "information": ["name"],
        "given_on": timezone.localdate().isoformat(),
        "method": "electronic",
    }
    first = _post(as_worker, url, body, HTTP_IDEMPOTENCY_KEY="consent-twin")
    assert first.status_code == 201
    last = last_audit_id()
    with twin_request_unseen_until_insert(
        Consent, submission_key(worker, "consent-twin", scope=f"client:{client_record.pk}")
    ):
        second = _post(as_worker, url, body, HTTP_IDEMPOTENCY_KEY="consent-twin")
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert Consent.objects.count() == 1
    assert audited_writes_after(last) == []


def test_same_idempotency_key_drafts_one_referral(as_worker, worker, case, food_service):
    url = f"/api/v1/cases/{case.pk}/referrals"
    first = _post(as_worker, url, _create_body(food_service), HTTP_IDEMPOTENCY_KEY="refer-1")
    again = _post(as_worker, url, _create_body(food_service), HTTP_IDEMPOTENCY_KEY="refer-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    last = last_audit_id()
    with twin_request_unseen_until_insert(Referral, submission_key(worker, "refer-1", scope=f"case:{case.pk}")):
        twin = _post(as_worker, url, _create_body(food_service), HTTP_IDEMPOTENCY_KEY="refer-1")
    assert twin.status_code == 200, twin.content
    assert twin.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1
    assert audited_writes_after(last) == []


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_others_get_404_everywhere_and_nothing_changes(request, who, sent, case, client_record, consent, food_service):
    http = login(request.getfixturevalue(who))
    events = AuditEvent.objects.count()
    for response in (
        http.get(f"/api/v1/cases/{case.pk}/referrals"),
        _post(http, f"/api/v1/cases/{case.pk}/referrals", _create_body(food_service, consent)),
        http.get(f"/api/v1/referrals/{sent.pk}"),
        _patch(http, f"/api/v1/referrals/{sent.pk}", {"reason": "x", "version": sent.version}),
        _post(http, f"/api/v1/referrals/{sent.pk}/send", {}),
        _post(http, f"/api/v1/referrals/{sent.pk}/status", {"status": "cancelled", "reason": "x"}),
        http.get(f"/api/v1/referrals/{sent.pk}/fhir"),
        http.get(f"/api/v1/clients/{client_record.pk}/consents"),
        _post(
            http,
            f"/api/v1/clients/{client_record.pk}/consents",
            {"purpose": "x", "information": ["name"], "given_on": "2026-01-01", "method": "written"},
        ),
        _post(http, f"/api/v1/consents/{consent.pk}/revoke", {"reason": "x", "version": 1}),
        http.get("/api/v1/partner/referrals"),
        http.get(f"/api/v1/partner/referrals/{sent.pk}"),
        _post(http, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "accepted"}),
    ):
        assert response.status_code == 404, response.request["PATH_INFO"]
    assert AuditEvent.objects.count() == events
    assert Referral.objects.count() == 1 and Consent.objects.get().revoked_on is None
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_the_fhir_bundle_is_valid_r4_and_audited_as_a_disclosure(as_worker, as_partner, sent, client_record):
    _post(as_partner, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "accepted"})
    _post(as_partner, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "in_progress"})
    response = as_worker.get(f"/api/v1/referrals/{sent.pk}/fhir")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    get_fhir_model_class("Bundle").model_validate(bundle)
    resources = {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"]}
    for resource in resources.values():
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    request, task = resources["ServiceRequest"], resources["Task"]
    assert request["status"] == "active" and request["intent"] == "order"
    assert task["status"] == "in-progress" and task["intent"] == "order"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"]["reference"] == bundle["entry"][0]["fullUrl"]
    assert task["owner"]["display"] == "Eastside Food Pantry"
    event = AuditEvent.objects.get(action="referral.export_fhir")
    assert event.client_id == client_record.pk


@pytest.mark.parametrize(
    ("status", "task_status", "request_status"),
    [("rejected", "rejected", "revoked"), ("completed", "completed", "completed"), ("on_hold", "on-hold", "on-hold")],
)
def test_fhir_status_mapping(as_worker, as_partner, sent, status, task_status, request_status):
    if status != "rejected":
        _post(as_partner, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "accepted"})
    moved = _post(
        as_partner,
        f"/api/v1/partner/referrals/{sent.pk}/status",
        {"status": status, "reason": "Full", "outcome": "Fed"},
    )
    assert moved.status_code == 200, moved.json()
    bundle = as_worker.get(f"/api/v1/referrals/{sent.pk}/fhir").json()
    get_fhir_model_class("Bundle").model_validate(bundle)
    request, task = (entry["resource"] for entry in bundle["entry"])
    assert task["status"] == task_status and request["status"] == request_status
    if status == "rejected":
        assert task["statusReason"]["text"] == "Full"
    if status == "completed":
        assert task["output"][0]["valueString"] == "Fed"


def test_the_partner_api_shows_only_what_was_shared(as_partner, sent):
    listed = as_partner.get("/api/v1/partner/referrals").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["shared_data"] == {"name": "Robert Smith", "phone": "555-201-3344"}
    assert "client_id" not in item and "case_id" not in item and "summary" not in item
    accepted = _post(as_partner, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "accepted", "version": 2})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    twice = _post(as_partner, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "accepted"})
    assert twice.status_code == 422 and "already accepted" in twice.json()["detail"]


def test_a_partner_of_another_organization_gets_404(other_partner, sent):
    http = login(other_partner)
    assert http.get("/api/v1/partner/referrals").json()["count"] == 0
    assert http.get(f"/api/v1/partner/referrals/{sent.pk}").status_code == 404
    response = _post(http, f"/api/v1/partner/referrals/{sent.pk}/status", {"status": "accepted"})
    assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_one_idempotency_key_on_two_cases_drafts_a_referral_on_each(as_worker, worker, case, food_service):
    """The key names one submission to one case: the same key on another case is not dropped as a repeat."""
    other = CaseFactory.create(client=case.client, program=case.program, primary_worker=worker, team=worker.team)
    first = _post(as_worker, f"/api/v1/cases/{case.pk}/referrals", _create_body(food_service), HTTP_IDEMPOTENCY_KEY="k")
    second = _post(
        as_worker, f"/api/v1/cases/{other.pk}/referrals", _create_body(food_service), HTTP_IDEMPOTENCY_KEY="k"
    )
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert sorted(Referral.objects.values_list("case_id", flat=True)) == sorted([case.pk, other.pk])


def test_a_repeated_key_on_a_client_the_user_may_not_see_is_404(as_worker, as_colleague, client_record, case, pantry):
    url = f"/api/v1/clients/{client_record.pk}/consents"
    body = {
        "recipient_organization": str(pantry.pk),
        "purpose": "Food",
        "information": ["name"],
        "given_on": timezone.localdate().isoformat(),
        "method": "electronic",
    }
    assert _post(as_worker, url, body, HTTP_IDEMPOTENCY_KEY="c-1").status_code == 201
    assert _post(as_colleague, url, body, HTTP_IDEMPOTENCY_KEY="c-1").status_code == 404
    assert Consent.objects.count() == 1
