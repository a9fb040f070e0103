"""The clients API: who may list, register, read, edit and search clients, and what bad input gets."""

import datetime
from unittest import mock

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients.models import Client, ClientIdentifier, SupportContact
from casework.core import crypto
from casework.core.api import IdempotentCreate, submission_key
from casework.testing import CaseFactory, ClientFactory, count_queries, twin_request_unseen_until_insert

URL = "/api/v1/clients"


def _client_state(client):
    """What a refused request must not change: the row's fields and its identifiers."""
    client.refresh_from_db()
    return (
        client.version,
        client.legal_first_name,
        client.date_of_birth,
        client.ssn_last4,
        list(client.identifiers.values_list("kind", "value")),
    )


def _events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters).count()


NEW_CLIENT = {
    "legal_first_name": "Maria",
    "legal_last_name": "Lopez",
    "date_of_birth": "1975-06-01",
    "sex": "female",
    "phone": "555-300-1000",
    "ssn": "123-45-6789",
    "identifiers": [{"kind": "medicaid", "value": "MC123456", "issuer": "State"}],
    "support_contacts": [{"name": "Ana Lopez", "relationship": "sibling", "is_emergency_contact": True}],
}

# --- GET /clients ---------------------------------------------------------------------------


def test_worker_lists_their_clients_and_the_list_is_audited_once(as_worker, worker, client_record, case):
    before = AuditEvent.objects.count()
    response = as_worker.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [client_record.pk]
    assert body["items"][0]["display_name"] == "Robert Smith"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id) == ("client.list", worker.pk)
    assert event.changes["client_ids"] == [client_record.pk]


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_other_users_do_not_see_the_client_in_the_list(request, who, client_record, case):
    response = request.getfixturevalue(who).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_needs_authentication(client_record):
    response = HttpClient().get(URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_list_is_paginated_with_a_capped_page_size(as_worker, worker, settings):
    for _ in range(5):
        ClientFactory.create(agency=worker.agency, created_by=worker)
    body = as_worker.get(URL, {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert (body["limit"], body["offset"], len(body["items"])) == (2, 2, 2)
    assert len(as_worker.get(URL, {"offset": 4}).json()["items"]) == 1
    assert as_worker.get(URL, {"offset": 99}).json()["items"] == []
    too_big = as_worker.get(URL, {"limit": settings.API_PAGE_SIZE_MAX + 1})
    assert too_big.status_code == 422
    assert "limit" in too_big.json()["errors"]
    assert as_worker.get(URL, {"offset": -1}).status_code == 422
    assert as_worker.get(URL, {"limit": "many"}).status_code == 422


def test_list_query_count_does_not_grow_with_clients(as_worker, worker, program):
    def make(n):
        for _ in range(n):
            client = ClientFactory.create(agency=worker.agency)
            CaseFactory.create(client=client, program=program, primary_worker=worker, team=worker.team)

    make(3)
    as_worker.get(URL)  # warm the session
    with count_queries() as small:
        assert len(as_worker.get(URL, {"limit": 100}).json()["items"]) == 3
    make(17)
    with count_queries() as large:
        assert len(as_worker.get(URL, {"limit": 100}).json()["items"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries)


# --- POST /clients --------------------------------------------------------------------------


def test_worker_registers_a_client_with_ssn_identifiers_and_contacts(as_worker, worker):
    response = as_worker.post(URL, NEW_CLIENT, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    client = Client.objects.get(pk=body["id"])
    assert client.created_by == worker
    assert crypto.decrypt(client.ssn_encrypted) == "123456789"
    assert body["ssn_masked"] == "***-**-6789"
    assert "123456789" not in response.content.decode() and "123-45-6789" not in response.content.decode()
    assert [(i["kind"], i["value"]) for i in body["identifiers"]] == [("medicaid", "MC123456")]
    assert [c["name"] for c in body["support_contacts"]] == ["Ana Lopez"]
    assert body["version"] == 1
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(f"/clients/{client.pk}")
    assert _events("client.create", client_id=client.pk) == 1


def test_same_idempotency_key_twice_registers_one_client(as_worker):
    headers = {"Idempotency-Key": "5d1c4c8e-key-1"}
    first = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers)
    second = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers)
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Client.objects.filter(legal_last_name="Lopez").count() == 1
    # Another key is another registration: of the same person, a certain match, refused without a reason.
    other = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers={"Idempotency-Key": "other"})
    assert other.status_code == 409
    assert [candidate["client_id"] for candidate in other.json()["candidates"]] == [first.json()["id"]]
    reason = {"duplicate_override_reason": "Her cousin, same name and birthday"}
    other = as_worker.post(
        URL, {**NEW_CLIENT, **reason}, content_type="application/json", headers={"Idempotency-Key": "other"}
    )
    assert other.status_code == 201
    assert Client.objects.filter(legal_last_name="Lopez").count() == 2


def test_twin_registrations_with_one_key_at_once_answer_the_first_client(as_worker, worker):
    headers = {"Idempotency-Key": "twin-1"}
    first = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers)
    assert first.status_code == 201
    counts = (Client.objects.count(), ClientIdentifier.objects.count(), SupportContact.objects.count())
    created = (_events("client.create"), _events("client.identifier_add"), _events("client.contact_add"))
    with twin_request_unseen_until_insert(Client, submission_key(worker, "twin-1")):
        second = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert (Client.objects.count(), ClientIdentifier.objects.count(), SupportContact.objects.count()) == counts
    assert (_events("client.create"), _events("client.identifier_add"), _events("client.contact_add")) == created


def test_a_twin_registration_that_matches_the_first_is_answered_with_it_not_refused(as_worker):
    """The twin committed after this request's check: the duplicate search finds it as a certain match."""
    headers = {"Idempotency-Key": "twin-match"}
    first = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers)
    assert first.status_code == 201
    earlier = IdempotentCreate.earlier
    checks: list[object] = []

    def first_check_misses(self):
        checks.append(self)
        return None if len(checks) == 1 else earlier(self)

    with mock.patch.object(IdempotentCreate, "earlier", first_check_misses):
        second = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert len(checks) == 2
    assert Client.objects.count() == 1 and _events("client.create") == 1


def test_registering_and_editing_income_keeps_the_amount_out_of_the_audit_log(as_worker):
    created = as_worker.post(URL, {**NEW_CLIENT, "annual_household_income": 37125}, content_type="application/json")
    assert created.status_code == 201, created.content
    client_id = created.json()["id"]
    edited = as_worker.patch(
        f"{URL}/{client_id}",
        {"annual_household_income": 41990, "version": 1},
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert Client.objects.get(pk=client_id).annual_household_income == 41990
    events = AuditEvent.objects.filter(client_id=client_id, action__in=["client.create", "client.update"])
    assert [event.changes["annual_household_income"] for event in events.order_by("id")] == [
        [None, "[not stored in the audit log]"],
        ["[not stored in the audit log]", "[not stored in the audit log]"],
    ]
    logged = str(list(AuditEvent.objects.filter(client_id=client_id).values()))
    assert "37125" not in logged and "41990" not in logged


def test_an_idempotency_key_never_returns_another_users_client(as_worker, as_colleague, colleague):
    headers = {"Idempotency-Key": "shared-key"}
    mine = as_worker.post(URL, NEW_CLIENT, content_type="application/json", headers=headers).json()
    theirs = as_colleague.post(
        URL, {**NEW_CLIENT, "legal_first_name": "Other"}, content_type="application/json", headers=headers
    )
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine["id"]
    assert Client.objects.get(pk=theirs.json()["id"]).created_by == colleague


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "1980-02-30"}, "date_of_birth"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"date_of_birth": 123456}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"ssn": "000-12-3456"}, "ssn"),
        ({"ssn": "12345"}, "ssn"),
        ({"identifiers": [{"kind": "mrn", "value": "<script>"}]}, "value"),
        ({"identifiers": [{"kind": "passport", "value": "A1"}]}, "identifiers.0.kind"),
        ({"legal_first_name": "x" * 101}, "legal_first_name"),
        ({"legal_first_name": "   "}, "legal_first_name"),
        ({"legal_first_name": "Ma\x00ria"}, "legal_first_name"),
        ({"postal_code": "ABCDE"}, "postal_code"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"sex": "unknown"}, "sex"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"support_contacts": [{"name": "X", "relationship": "friend", "phone": "nope"}]}, "phone"),
    ],
)
def test_bad_input_is_a_422_with_field_errors_and_saves_nothing(as_worker, change, field):
    before = (Client.objects.count(), ClientIdentifier.objects.count(), SupportContact.objects.count())
    response = as_worker.post(URL, {**NEW_CLIENT, **change}, content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    assert field in body["errors"], body
    assert (Client.objects.count(), ClientIdentifier.objects.count(), SupportContact.objects.count()) == before


def test_malformed_json_is_a_400_not_a_500(as_worker):
    response = as_worker.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert Client.objects.count() == 0


def test_roles_that_cannot_register_clients_get_403(as_auditor):
    response = as_auditor.post(URL, NEW_CLIENT, content_type="application/json")
    assert response.status_code == 403
    assert Client.objects.count() == 0


def test_register_needs_authentication(db):
    response = HttpClient().post(URL, NEW_CLIENT, content_type="application/json")
    assert response.status_code == 401
    assert Client.objects.count() == 0


# --- GET /clients/{id} ------------------------------------------------------------------------


def test_worker_reads_the_client_with_a_masked_ssn_and_an_etag(as_worker, worker, client_record, case):
    client_record.ssn_encrypted = crypto.encrypt("123456789")
    client_record.ssn_last4 = "6789"
    client_record.save()
    ClientIdentifier.objects.create(client=client_record, kind="mrn", value="MRN-1", value_key="MRN1")
    SupportContact.objects.create(client=client_record, name="Old friend", relationship="friend", is_active=False)
    SupportContact.objects.create(client=client_record, name="Mary Smith", relationship="spouse")
    response = as_worker.get(f"{URL}/{client_record.pk}", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    body = response.json()
    assert body["legal_first_name"] == "Robert"
    assert body["date_of_birth"] == "1980-02-03"
    assert body["ssn_masked"] == "***-**-6789"
    assert "ssn" not in body and "ssn_encrypted" not in body
    assert [i["value"] for i in body["identifiers"]] == ["MRN-1"]
    assert [c["name"] for c in body["support_contacts"]] == ["Mary Smith"]
    assert response["ETag"] == f'"{client_record.version}"'
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id, event.ip_address) == (
        "client.view",
        worker.pk,
        client_record.pk,
        "203.0.113.9",
    )


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_get_404_for_the_client_and_no_view_is_recorded(request, who, client_record, case):
    before = _events("client.view")
    response = request.getfixturevalue(who).get(f"{URL}/{client_record.pk}")
    assert response.status_code == 404
    assert response.json()["detail"]
    assert _events("client.view") == before


def test_unknown_and_huge_client_ids_are_404(as_worker):
    assert as_worker.get(f"{URL}/999999").status_code == 404
    assert as_worker.get(f"{URL}/99999999999999999999999").status_code == 404


def test_read_needs_authentication(client_record):
    assert HttpClient().get(f"{URL}/{client_record.pk}").status_code == 401


# --- PATCH /clients/{id} ------------------------------------------------------------------------


def test_worker_edits_a_client_with_if_match(as_worker, client_record, case):
    response = as_worker.patch(
        f"{URL}/{client_record.pk}",
        {"preferred_name": "Bob"},
        content_type="application/json",
        headers={"If-Match": f'"{client_record.version}"'},
    )
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Bob Smith"
    assert response["ETag"] == f'"{client_record.version + 1}"'
    client_record.refresh_from_db()
    assert client_record.preferred_name == "Bob"
    assert client_record.legal_first_name == "Robert"
    event = AuditEvent.objects.filter(action="client.update", client_id=client_record.pk).get()
    assert event.changes["preferred_name"] == ["", "Bob"]


def test_worker_edits_with_a_version_field_and_can_change_or_remove_the_ssn(as_worker, client_record, case):
    url = f"{URL}/{client_record.pk}"
    first = as_worker.patch(url, {"ssn": "123-45-6789", "version": 1}, content_type="application/json")
    assert first.status_code == 200
    assert first.json()["ssn_masked"] == "***-**-6789"
    second = as_worker.patch(url, {"ssn": None, "version": 2}, content_type="application/json")
    assert second.json()["ssn_masked"] == ""
    client_record.refresh_from_db()
    assert (client_record.ssn_encrypted, client_record.version) == ("", 3)


def test_edit_without_a_version_is_428_and_changes_nothing(as_worker, client_record, case):
    before = _client_state(client_record)
    response = as_worker.patch(
        f"{URL}/{client_record.pk}", {"legal_first_name": "Rob"}, content_type="application/json"
    )
    assert response.status_code == 428
    assert "version" in response.json()["errors"]
    assert _client_state(client_record) == before


def test_stale_if_match_is_412_with_what_changed(as_worker, as_supervisor, client_record, case):
    url = f"{URL}/{client_record.pk}"
    etag = as_worker.get(url)["ETag"]
    assert (
        as_supervisor.patch(
            url, {"phone": "555-999-0000"}, content_type="application/json", headers={"If-Match": etag}
        ).status_code
        == 200
    )
    response = as_worker.patch(
        url, {"phone": "555-111-2222"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert response.status_code == 412
    body = response.json()
    assert body["current_version"] == 2
    assert [(c["field"], c["new"], c["by"]) for c in body["changes"]] == [("phone", "555-999-0000", "sup@example.org")]
    client_record.refresh_from_db()
    assert client_record.phone == "555-999-0000"


def test_stale_version_field_is_409_with_what_changed(as_worker, as_supervisor, client_record, case):
    url = f"{URL}/{client_record.pk}"
    as_supervisor.patch(url, {"city": "Springfield", "version": 1}, content_type="application/json")
    response = as_worker.patch(url, {"city": "Shelbyville", "version": 1}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["changes"][0]["field"] == "city"
    client_record.refresh_from_db()
    assert client_record.city == "Springfield"


def test_malformed_if_match_is_422(as_worker, client_record, case):
    response = as_worker.patch(
        f"{URL}/{client_record.pk}", {"city": "X"}, content_type="application/json", headers={"If-Match": "version one"}
    )
    assert response.status_code == 422
    assert "If-Match" in response.json()["errors"]


@pytest.mark.parametrize(
    "change",
    [
        {"date_of_birth": "2999-01-01"},
        {"date_of_birth": "1980-13-01"},
        {"legal_last_name": ""},
        {"ssn": "999-99-9999"},
        {"postal_code": "1"},
        {"legal_last_name": None},
    ],
)
def test_bad_edits_are_422_and_change_nothing(as_worker, client_record, case, change):
    before = _client_state(client_record)
    response = as_worker.patch(f"{URL}/{client_record.pk}", {**change, "version": 1}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["errors"]
    assert _client_state(client_record) == before


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_cannot_edit_the_client(request, who, client_record, case):
    before = _client_state(client_record)
    events = AuditEvent.objects.count()
    response = request.getfixturevalue(who).patch(
        f"{URL}/{client_record.pk}", {"legal_first_name": "Hacked", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert _client_state(client_record) == before
    assert AuditEvent.objects.count() == events


def test_edit_needs_authentication(client_record):
    response = HttpClient().patch(
        f"{URL}/{client_record.pk}", {"city": "X", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 401
    client_record.refresh_from_db()
    assert client_record.city == ""


def test_session_edits_need_a_csrf_token(worker, client_record, case):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(worker, backend="casework.accounts.backends.EmailBackend")
    response = browser.patch(f"{URL}/{client_record.pk}", {"city": "X", "version": 1}, content_type="application/json")
    assert response.status_code == 403
    client_record.refresh_from_db()
    assert client_record.city == ""
    assert browser.get(f"{URL}/{client_record.pk}").status_code == 200  # safe methods need none


# --- GET /clients/search ------------------------------------------------------------------------


def test_search_finds_a_client_by_nickname_typo_and_birth_date(as_worker, worker, client_record, case):
    response = as_worker.get(f"{URL}/search", {"q": "Bob Smyth 1980-02-03"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1
    hit = body["items"][0]
    assert hit["client_id"] == client_record.pk
    assert hit["display_name"] == "Robert Smith"
    assert hit["date_of_birth"] == "1980-02-03"
    assert 0 < hit["score"] <= 1
    assert "same date of birth" in hit["reasons"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.changes["client_ids"]) == (
        "client.search",
        worker.pk,
        [client_record.pk],
    )


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_search_does_not_find_clients_others_may_not_see(request, who, client_record, case):
    response = request.getfixturevalue(who).get(f"{URL}/search", {"q": "Robert Smith"})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "Smith\x00"}, {"q": "a", "limit": 0}])
def test_search_query_must_be_1_to_200_characters(as_worker, params):
    response = as_worker.get(f"{URL}/search", params)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_search_needs_authentication(db):
    assert HttpClient().get(f"{URL}/search", {"q": "Smith"}).status_code == 401


def test_break_glass_read_is_flagged(colleague, as_colleague, client_record, case):
    from casework.clients.services import break_glass_open

    break_glass_open(actor=colleague, client_id=client_record.pk, reason="Client in crisis at the front desk")
    response = as_colleague.get(f"{URL}/{client_record.pk}")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="client.view").latest("id")
    assert event.flagged
    assert event.reason == "Client in crisis at the front desk"
    assert timezone.now() - event.occurred_at < datetime.timedelta(minutes=1)


def test_an_oversized_body_is_a_413_json_error(as_worker, settings):
    body = '{"legal_first_name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '", "legal_last_name": "y"}'
    response = as_worker.post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"]
    assert Client.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", '"text"', "null", "1"])
def test_a_body_that_is_not_an_object_is_422(as_worker, body):
    response = as_worker.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]
