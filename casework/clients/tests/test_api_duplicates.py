"""Duplicates in the API: the queue, dismiss, merge, undo, and registering over a certain match."""

import datetime
from typing import Any, cast

import pytest

from casework.accounts.models import Agency
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.clients.models import Client, DuplicatePair, MergeRecord, PairStatus
from casework.testing import AgencyFactory, CaseFactory, ClientFactory


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


def make_agency(**fields: Any) -> Agency:
    return cast(Agency, AgencyFactory(**fields))


@pytest.fixture
def pair(agency, supervisor, worker, program, client_record, case):
    bob = make_client(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Bob",
        legal_last_name="Smith",
        date_of_birth=datetime.date(1980, 2, 3),
        phone="555-777-1212",
    )
    CaseFactory(client=bob, program=program, primary_worker=worker, team=worker.team)
    return DuplicatePair.objects.create(
        agency=agency,
        client_a=client_record,
        client_b=bob,
        score=0.995,
        band="certain",
        levels={"first_name": "nickname", "last_name": "exact", "date_of_birth": "exact"},
    )


def _json(http, url, payload):
    return http.post(url, payload, content_type="application/json")


def test_the_supervisor_lists_the_open_pairs(as_supervisor, pair):
    response = as_supervisor.get("/api/v1/duplicates")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == pair.pk
    assert item["band"] == "certain"
    assert item["client_a"]["legal_name"] == "Robert Smith"
    assert "first name is a common nickname" in item["reasons"]
    assert AuditEvent.objects.filter(action="duplicates.list").count() == 1


@pytest.mark.parametrize("who", ["as_worker", "as_colleague", "as_outsider", "as_auditor"])
def test_others_get_404_everywhere_and_nothing_changes(request, who, pair):
    http = request.getfixturevalue(who)
    assert http.get("/api/v1/duplicates").status_code == 404
    assert _json(http, f"/api/v1/duplicates/{pair.pk}/dismiss", {"reason": "no"}).status_code == 404
    merge = {"alias_id": pair.client_b_id, "survivor_version": 1, "alias_version": 1}
    assert _json(http, f"/api/v1/clients/{pair.client_a_id}/merge", merge).status_code == 404
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    assert not MergeRecord.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["duplicates.list", "duplicates.dismiss", "client.merge"]).exists()


def test_dismiss_needs_a_reason_and_a_current_version(as_supervisor, pair):
    url = f"/api/v1/duplicates/{pair.pk}/dismiss"
    missing = _json(as_supervisor, url, {})
    assert missing.status_code == 422
    assert "reason" in missing.json()["errors"]
    stale = _json(as_supervisor, url, {"reason": "Different people", "version": 4})
    assert stale.status_code == 409
    response = _json(as_supervisor, url, {"reason": "Different people", "version": 1})
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    again = _json(as_supervisor, url, {"reason": "Different people"})
    assert again.status_code == 422
    assert as_supervisor.get("/api/v1/duplicates").json()["count"] == 0
    assert as_supervisor.get("/api/v1/duplicates?status=dismissed").json()["count"] == 1


def test_merge_and_undo(as_supervisor, as_worker, pair):
    survivor_id, alias_id = pair.client_a_id, pair.client_b_id
    response = _json(
        as_supervisor,
        f"/api/v1/clients/{survivor_id}/merge",
        {
            "alias_id": alias_id,
            "survivor_version": 1,
            "alias_version": 1,
            "take_from_alias": ["phone"],
            "reason": "same",
            "pair_id": pair.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["alias_id"] == alias_id
    assert len(body["moved"]["cases.Case.client"]) == 1
    assert body["fields"] == ["phone"]
    assert Case.objects.filter(client_id=survivor_id).count() == 2
    # The alias is gone from the API too (404), and the survivor carries the alias's phone.
    assert as_worker.get(f"/api/v1/clients/{alias_id}").status_code == 404
    assert as_worker.get(f"/api/v1/clients/{survivor_id}").json()["phone"] == "555-777-1212"
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED
    undo = _json(as_supervisor, f"/api/v1/merges/{body['id']}/undo", {"reason": "wrong"})
    assert undo.status_code == 200
    assert undo.json()["undone_at"]
    assert Client.objects.get(pk=alias_id).merged_into_id is None
    assert Case.objects.filter(client_id=survivor_id).count() == 1
    assert _json(as_supervisor, f"/api/v1/merges/{body['id']}/undo", {"reason": "wrong"}).status_code == 422


def test_merge_bad_input_gets_a_clear_4xx(as_supervisor, pair, outsider):
    url = f"/api/v1/clients/{pair.client_a_id}/merge"
    base = {"alias_id": pair.client_b_id, "survivor_version": 1, "alias_version": 1}
    assert _json(as_supervisor, url, {**base, "take_from_alias": ["agency"]}).status_code == 422
    assert _json(as_supervisor, url, {**base, "alias_id": pair.client_a_id}).status_code == 422
    assert _json(as_supervisor, url, {**base, "alias_version": 3}).status_code == 409
    assert _json(as_supervisor, url, {**base, "alias_id": 999999}).status_code == 422
    assert _json(as_supervisor, "/api/v1/clients/999999/merge", base).status_code == 404
    other = make_client(agency=outsider.agency)
    assert _json(as_supervisor, f"/api/v1/clients/{other.pk}/merge", base).status_code == 404
    assert _json(as_supervisor, url, {**base, "unknown": 1}).status_code == 422
    assert not MergeRecord.objects.exists()


ROBERT_AGAIN = {
    "legal_first_name": "Bob",
    "legal_last_name": "Smith",
    "date_of_birth": "1980-02-03",
    "phone": "555-201-3344",
}


def test_registering_over_a_certain_match_is_refused_with_the_candidates(as_worker, client_record, case):
    response = _json(as_worker, "/api/v1/clients", ROBERT_AGAIN)
    assert response.status_code == 409
    body = response.json()
    assert "duplicate_override_reason" in body["errors"]
    assert [candidate["client_id"] for candidate in body["candidates"]] == [client_record.pk]
    assert body["candidates"][0]["display_name"] == "Robert Smith"
    assert Client.objects.count() == 1
    short = _json(as_worker, "/api/v1/clients", {**ROBERT_AGAIN, "duplicate_override_reason": "new"})
    assert short.status_code == 409
    assert Client.objects.count() == 1


def test_a_colleague_is_refused_without_learning_the_name(as_colleague, client_record, case):
    response = _json(as_colleague, "/api/v1/clients", ROBERT_AGAIN)
    assert response.status_code == 409
    [candidate] = response.json()["candidates"]
    assert candidate["accessible"] is False
    assert candidate["display_name"] is None
    assert "Robert" not in response.content.decode()


def test_the_override_reason_is_recorded_and_the_pair_queued(as_worker, client_record, case):
    reason = "Says he is the cousin, different SSN on his card"
    response = _json(as_worker, "/api/v1/clients", {**ROBERT_AGAIN, "duplicate_override_reason": reason})
    assert response.status_code == 201, response.json()
    new_id = response.json()["id"]
    event = AuditEvent.objects.get(action="client.create", client_id=new_id)
    assert event.reason == reason
    assert event.changes["certain_matches"] == [None, [client_record.pk]]
    pair = DuplicatePair.objects.get()
    assert (pair.client_a_id, pair.client_b_id, pair.source) == (client_record.pk, new_id, "intake")


def test_an_outsider_registers_freely_other_agencies_are_never_matched(as_outsider, client_record, case):
    response = _json(as_outsider, "/api/v1/clients", ROBERT_AGAIN)
    assert response.status_code == 201
    assert not DuplicatePair.objects.exists()
