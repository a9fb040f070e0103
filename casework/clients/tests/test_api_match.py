"""POST /api/v1/clients/match for the worker, a colleague on another team and an outsider."""

import pytest

from casework.audit.models import AuditEvent
from casework.clients.models import Client

URL = "/api/v1/clients/match"
ROBERT = {"first_name": "Bob", "last_name": "Smith", "date_of_birth": "1980-02-03"}


def _post(http, payload):
    return http.post(URL, payload, content_type="application/json")


def test_the_worker_sees_the_match_with_name_and_reasons(as_worker, worker, client_record, case):
    response = _post(as_worker, ROBERT)
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["client_id"] == client_record.pk
    assert item["band"] == "certain"
    assert item["accessible"] is True
    assert item["display_name"] == "Robert Smith"
    assert item["date_of_birth"] == "1980-02-03"
    assert "first name is a common nickname" in item["reasons"]
    event = AuditEvent.objects.filter(action="client.match").get()
    assert event.actor_id == worker.pk
    assert event.changes["client_ids"] == [client_record.pk]
    assert event.changes["fields"] == ["first_name", "last_name", "date_of_birth"]
    assert "Smith" not in str(event.changes)


def test_a_colleague_learns_only_that_a_record_exists(as_colleague, colleague, client_record, case):
    response = _post(as_colleague, {**ROBERT, "phone": "555 201 9999"})
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item == {
        "client_id": client_record.pk,
        "score": item["score"],
        "band": "certain",
        "reasons": ["same date of birth", "same last name", "first name is a common nickname"],
        "accessible": False,
        "display_name": None,
        "date_of_birth": None,
    }
    assert "Robert" not in response.content.decode()
    event = AuditEvent.objects.filter(action="client.match").get()
    assert event.changes["inaccessible_client_ids"] == [client_record.pk]


def test_a_colleague_is_not_told_about_unlikely_records_they_cannot_open(as_colleague, client_record, case):
    response = _post(as_colleague, {"first_name": "Robert"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


def test_an_outsider_never_matches_another_agencys_clients(as_outsider, client_record, case):
    response = _post(as_outsider, {**ROBERT, "phone": "555-201-3344"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


def test_auditors_cannot_look_up_matches(as_auditor, client_record):
    response = _post(as_auditor, ROBERT)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="client.match").exists()


def test_signed_out_callers_are_refused(client, client_record):
    assert _post(client, ROBERT).status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"first_name": ""},
        {"first_name": "x" * 101},
        {"date_of_birth": "1980-02-30"},
        {"date_of_birth": "1700-01-01"},
        {"date_of_birth": "2999-01-01"},
        {"ssn_last4": "abcd"},
        {"identifiers": ["x" * 41]},
        {"identifiers": "MRN1"},
        {"unknown": "x"},
        {"first_name": "a\x00"},
    ],
)
def test_bad_lookups_get_a_clear_4xx(as_worker, client_record, payload):
    before = Client.objects.count()
    response = _post(as_worker, payload)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]
    assert Client.objects.count() == before
    assert not AuditEvent.objects.filter(action="client.match").exists()


@pytest.mark.parametrize("name", ["مريم", "王小明", "Иван"])
def test_non_latin_names_are_answered(as_worker, name):
    response = _post(as_worker, {"first_name": name, "last_name": name})
    assert response.status_code == 200


def test_emergency_access_makes_the_match_visible(as_colleague, colleague, client_record, case):
    from casework.clients import services

    services.break_glass_open(actor=colleague, client_id=client_record.pk, reason="Client in crisis at the front desk")
    [item] = _post(as_colleague, ROBERT).json()["items"]
    assert item["accessible"] is True
    assert item["display_name"] == "Robert Smith"
