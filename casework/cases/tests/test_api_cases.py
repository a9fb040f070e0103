"""The cases API: list, open, read, edit, transitions and the case team, for each kind of caller."""

import pytest
from django.test import Client as HttpClient

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseStatus, CaseStatusChange, CaseTeamMember
from casework.core.api import submission_key
from casework.testing import (
    CaseFactory,
    ClientFactory,
    ProgramFactory,
    audited_writes_after,
    count_queries,
    last_audit_id,
    twin_request_unseen_until_insert,
)

URL = "/api/v1/cases"


def _case_state(case):
    """What a refused request must not change."""
    case.refresh_from_db()
    return (
        case.version,
        case.status,
        case.acuity,
        case.reason_for_referral,
        case.closure_reason,
        case.status_changes.count(),
        case.team_members.count(),
    )


def _others():
    return pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])


# --- GET /cases -------------------------------------------------------------------------------


def test_worker_lists_their_cases_and_the_list_is_audited(as_worker, worker, case):
    response = as_worker.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == case.pk
    assert item["client"] == {"id": case.client_id, "display_name": "Robert Smith"}
    assert item["primary_worker"]["email"] == "worker@example.org"
    assert item["status"] == "active"
    assert "closed" in item["allowed_transitions"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.changes["case_ids"]) == ("case.list", worker.pk, [case.pk])


def test_case_list_filters_by_client_status_and_mine(as_supervisor, supervisor, worker, case, program, client_record):
    other_program = ProgramFactory(agency=worker.agency)
    mine = CaseFactory.create(
        client=client_record,
        program=other_program,
        primary_worker=supervisor,
        team=supervisor.team,
        status=CaseStatus.CLOSED,
    )
    ids = lambda **params: [c["id"] for c in as_supervisor.get(URL, params).json()["items"]]  # noqa: E731
    assert set(ids()) == {case.pk, mine.pk}
    assert ids(mine="true") == [mine.pk]
    assert ids(status="closed") == [mine.pk]
    assert ids(status="open") == [case.pk]
    assert set(ids(client_id=client_record.pk)) == {case.pk, mine.pk}
    assert ids(client_id=client_record.pk + 1000) == []
    assert as_supervisor.get(URL, {"status": "sleeping"}).status_code == 422


@_others()
def test_others_do_not_see_the_case_in_lists(request, who, case):
    response = request.getfixturevalue(who).get(URL, {"client_id": case.client_id})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_case_list_needs_authentication(case):
    assert HttpClient().get(URL).status_code == 401


def test_case_list_query_count_does_not_grow_with_cases(as_worker, worker, program):
    def make(n):
        for _ in range(n):
            CaseFactory.create(
                client=ClientFactory.create(agency=worker.agency),
                program=program,
                primary_worker=worker,
                team=worker.team,
            )

    make(3)
    as_worker.get(URL)
    with count_queries() as small:
        assert len(as_worker.get(URL, {"limit": 100}).json()["items"]) == 3
    make(17)
    with count_queries() as large:
        assert len(as_worker.get(URL, {"limit": 100}).json()["items"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries)


# --- POST /cases ------------------------------------------------------------------------------


@pytest.fixture
def new_client(worker):
    """A client the worker registered (so sees) with no case yet."""
    return ClientFactory.create(agency=worker.agency, created_by=worker, legal_first_name="Nora", legal_last_name="New")


def test_worker_opens_a_case(as_worker, worker, new_client, program):
    response = as_worker.post(
        URL,
        {"client_id": new_client.pk, "program_id": program.pk, "acuity": 3, "reason_for_referral": "Housing loss"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.client, case.primary_worker, case.status, case.acuity) == (new_client, worker, "intake", 3)
    assert body["program"] == {"id": program.pk, "name": program.name}
    assert response["ETag"] == '"1"'
    assert AuditEvent.objects.filter(action="case.open", client_id=new_client.pk).count() == 1


def test_same_idempotency_key_opens_one_case(as_worker, new_client, program):
    payload = {"client_id": new_client.pk, "program_id": program.pk}
    headers = {"Idempotency-Key": "open-1"}
    first = as_worker.post(URL, payload, content_type="application/json", headers=headers)
    second = as_worker.post(URL, payload, content_type="application/json", headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.filter(client=new_client).count() == 1


def test_twin_requests_with_one_key_at_once_open_one_case(as_worker, worker, new_client, program):
    payload = {"client_id": new_client.pk, "program_id": program.pk}
    headers = {"Idempotency-Key": "open-twin"}
    first = as_worker.post(URL, payload, content_type="application/json", headers=headers)
    assert first.status_code == 201
    last = last_audit_id()
    with twin_request_unseen_until_insert(Case, submission_key(worker, "open-twin")):
        second = as_worker.post(URL, payload, content_type="application/json", headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert second["ETag"] == first["ETag"]
    assert Case.objects.filter(client=new_client).count() == 1
    assert audited_writes_after(last) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"program_id": 999999}, "program_id"),
        ({"primary_worker_id": 999999}, "primary_worker_id"),
        ({"status": "active"}, "status"),
        ({"status": "sleeping"}, "status"),
        ({"acuity": 7}, "acuity"),
        ({"reason_for_referral": "x" * 4001}, "reason_for_referral"),
    ],
)
def test_bad_case_input_is_422_and_opens_nothing(as_worker, new_client, program, change, field):
    payload = {"client_id": new_client.pk, "program_id": program.pk, **change}
    response = as_worker.post(URL, payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert Case.objects.count() == 0


def test_a_second_open_case_in_the_same_program_is_refused(as_worker, case, program, client_record):
    response = as_worker.post(
        URL, {"client_id": client_record.pk, "program_id": program.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "program" in response.json()["errors"]
    assert Case.objects.count() == 1


def test_primary_worker_of_another_agency_is_refused(as_worker, new_client, program, outsider):
    response = as_worker.post(
        URL,
        {"client_id": new_client.pk, "program_id": program.pk, "primary_worker_id": outsider.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert Case.objects.count() == 0


@_others()
def test_others_cannot_open_a_case_for_a_client_they_do_not_see(request, who, new_client, program):
    response = request.getfixturevalue(who).post(
        URL, {"client_id": new_client.pk, "program_id": program.pk}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Case.objects.count() == 0


def test_open_needs_authentication(new_client, program):
    response = HttpClient().post(
        URL, {"client_id": new_client.pk, "program_id": program.pk}, content_type="application/json"
    )
    assert response.status_code == 401
    assert Case.objects.count() == 0


# --- GET /cases/{id} ------------------------------------------------------------------------------


def test_worker_reads_a_case_and_the_read_is_audited(as_worker, worker, case):
    response = as_worker.get(f"{URL}/{case.pk}", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert response.json()["id"] == case.pk
    assert response["ETag"] == f'"{case.version}"'
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id, event.object_id, event.ip_address) == (
        "case.view",
        worker.pk,
        case.client_id,
        str(case.pk),
        "198.51.100.7",
    )


@_others()
def test_others_get_404_for_a_case(request, who, case):
    events = AuditEvent.objects.count()
    assert request.getfixturevalue(who).get(f"{URL}/{case.pk}").status_code == 404
    assert AuditEvent.objects.count() == events


def test_case_read_needs_authentication(case):
    assert HttpClient().get(f"{URL}/{case.pk}").status_code == 401


# --- PATCH /cases/{id} ------------------------------------------------------------------------------


def test_worker_edits_a_case_with_if_match(as_worker, case):
    response = as_worker.patch(
        f"{URL}/{case.pk}", {"acuity": 3}, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.content
    assert response.json()["acuity"] == 3
    assert response["ETag"] == '"2"'
    case.refresh_from_db()
    assert (case.acuity, case.version) == (3, 2)


def test_case_edit_versions_428_412_409(as_worker, as_supervisor, case):
    url = f"{URL}/{case.pk}"
    assert as_worker.patch(url, {"acuity": 1}, content_type="application/json").status_code == 428
    assert as_supervisor.patch(url, {"acuity": 3, "version": 1}, content_type="application/json").status_code == 200
    stale_if_match = as_worker.patch(url, {"acuity": 1}, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale_if_match.status_code == 412
    assert stale_if_match.json()["changes"][0]["field"] == "acuity"
    stale_field = as_worker.patch(url, {"acuity": 1, "version": 1}, content_type="application/json")
    assert stale_field.status_code == 409
    case.refresh_from_db()
    assert (case.acuity, case.version) == (3, 2)


@_others()
def test_others_cannot_edit_a_case(request, who, case):
    before = _case_state(case)
    response = request.getfixturevalue(who).patch(
        f"{URL}/{case.pk}", {"acuity": 1, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert _case_state(case) == before


def test_case_edit_needs_authentication(case):
    before = _case_state(case)
    assert (
        HttpClient().patch(f"{URL}/{case.pk}", {"acuity": 1, "version": 1}, content_type="application/json").status_code
        == 401
    )
    assert _case_state(case) == before


# --- POST /cases/{id}/transition ----------------------------------------------------------------


def test_worker_closes_and_reopens_a_case(as_worker, worker, case):
    url = f"{URL}/{case.pk}/transition"
    closed = as_worker.post(
        url, {"to_status": "closed", "closure_reason": "goals_met"}, content_type="application/json"
    )
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["closure_reason"]) == ("closed", "goals_met")
    reopened = as_worker.post(
        url, {"to_status": "intake", "reason": "Relapse", "version": 2}, content_type="application/json"
    )
    assert reopened.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.version) == ("intake", "", 3)
    changes = list(case.status_changes.values_list("from_status", "to_status", "changed_by", "reason"))
    assert changes[-2:] == [("active", "closed", worker.pk, ""), ("closed", "intake", worker.pk, "Relapse")]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"to_status": "closed"}, 422, "closure_reason"),
        ({"to_status": "closed", "closure_reason": "bored"}, 422, "closure_reason"),
        ({"to_status": "intake"}, 422, "reason"),
        ({"to_status": "active"}, 422, "to_status"),
        ({"to_status": "flying"}, 422, "to_status"),
        ({"to_status": "transition", "reason": "x" * 4001}, 422, "reason"),
        ({"to_status": "transition", "version": 9}, 409, None),
    ],
)
def test_bad_transitions_are_refused_and_change_nothing(as_worker, case, payload, status, field):
    before = _case_state(case)
    response = as_worker.post(f"{URL}/{case.pk}/transition", payload, content_type="application/json")
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["errors"]
    assert _case_state(case) == before


def test_stale_if_match_on_a_transition_is_412(as_worker, case):
    response = as_worker.post(
        f"{URL}/{case.pk}/transition",
        {"to_status": "transition"},
        content_type="application/json",
        headers={"If-Match": '"7"'},
    )
    assert response.status_code == 412
    case.refresh_from_db()
    assert case.status == "active"


@_others()
def test_others_cannot_move_a_case(request, who, case):
    before = _case_state(case)
    response = request.getfixturevalue(who).post(
        f"{URL}/{case.pk}/transition",
        {"to_status": "closed", "closure_reason": "other"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert _case_state(case) == before


def test_transition_needs_authentication(case):
    before = _case_state(case)
    response = HttpClient().post(
        f"{URL}/{case.pk}/transition",
        {"to_status": "closed", "closure_reason": "other"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert _case_state(case) == before


# --- /cases/{id}/team ----------------------------------------------------------------------------


def test_worker_adds_lists_and_removes_team_members(as_worker, case, supervisor):
    url = f"{URL}/{case.pk}/team"
    staff = as_worker.post(url, {"user_id": supervisor.pk, "role": "secondary"}, content_type="application/json")
    assert staff.status_code == 201, staff.content
    assert staff.json()["user"]["email"] == "sup@example.org"
    outside = as_worker.post(
        url,
        {"role": "probation", "name": "Pat Officer", "organization": "County Probation", "phone": "555-777-1212"},
        content_type="application/json",
    )
    assert outside.status_code == 201
    assert outside.json()["is_external"]
    listed = as_worker.get(url).json()
    assert [m["display_name"] for m in listed] == ["Sam Supervisor", "Pat Officer"]
    removed = as_worker.delete(f"{url}/{outside.json()['id']}?reason=Sentence+ended")
    assert removed.status_code == 200
    assert removed.json()["removed_at"]
    assert [m["display_name"] for m in as_worker.get(url).json()] == ["Sam Supervisor"]
    assert len(as_worker.get(url, {"include_removed": "true"}).json()) == 2
    assert AuditEvent.objects.filter(action="case.team_remove", reason="Sentence ended").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": "physician"}, "name"),
        ({"role": "physician", "name": "Dr X", "phone": "phone me"}, "phone"),
        ({"role": "wizard", "name": "Merlin"}, "role"),
        ({"role": "secondary", "user_id": 999999}, "user_id"),
    ],
)
def test_bad_team_members_are_refused(as_worker, case, payload, field):
    response = as_worker.post(f"{URL}/{case.pk}/team", payload, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert CaseTeamMember.objects.count() == 0


def test_staff_of_another_agency_cannot_join_the_team(as_worker, case, outsider):
    response = as_worker.post(
        f"{URL}/{case.pk}/team", {"role": "secondary", "user_id": outsider.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert CaseTeamMember.objects.count() == 0


@_others()
def test_others_cannot_see_or_change_the_team(request, who, case, worker):
    member = CaseTeamMember.objects.create(case=case, role="therapist", name="Theo Therapist", added_by=worker)
    http = request.getfixturevalue(who)
    url = f"{URL}/{case.pk}/team"
    assert http.get(url).status_code == 404
    assert http.post(url, {"role": "other", "name": "Intruder"}, content_type="application/json").status_code == 404
    assert http.delete(f"{url}/{member.pk}").status_code == 404
    assert list(CaseTeamMember.objects.values_list("name", "removed_at")) == [("Theo Therapist", None)]


def test_team_needs_authentication(case):
    url = f"{URL}/{case.pk}/team"
    assert HttpClient().get(url).status_code == 401
    assert HttpClient().post(url, {"role": "other", "name": "X"}, content_type="application/json").status_code == 401
    assert CaseTeamMember.objects.count() == 0


def test_status_history_is_not_written_for_refused_transitions(as_colleague, case):
    before = CaseStatusChange.objects.count()
    as_colleague.post(f"{URL}/{case.pk}/transition", {"to_status": "transition"}, content_type="application/json")
    assert CaseStatusChange.objects.count() == before
