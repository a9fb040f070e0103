"""The notes API: write, read, edit drafts, sign, addenda and void, for each kind of caller."""

import datetime

import pytest
from django.test import Client as HttpClient

from casework.audit.models import AuditEvent
from casework.cases.models import CaseStatus
from casework.core.api import submission_key
from casework.notes.models import NoteAddendum, NoteStatus, ProgressNote
from casework.testing import NoteFactory, audited_writes_after, last_audit_id, twin_request_unseen_until_insert

URL = "/api/v1/notes"
YESTERDAY = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()


def _others():
    return pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])


def _note_state(note):
    note.refresh_from_db()
    return (note.version, note.status, note.sections, note.contact_date, note.void_reason, note.addenda.count())


def _new_note(case, **changes):
    return {
        "case_id": case.pk,
        "format": "soap",
        "contact_type": "home_visit",
        "contact_date": YESTERDAY,
        "duration_minutes": 45,
        "sections": {"subjective": "Feels better.", "objective": "Calm.", "assessment": "Improving.", "plan": "Visit."},
        **changes,
    }


# --- GET /notes -----------------------------------------------------------------------------------


def test_worker_lists_a_cases_notes_with_addenda_and_the_read_is_audited(as_worker, worker, case, note):
    NoteAddendum.objects.create(note=note, author=worker, text="Also discussed food stamps.")
    response = as_worker.get(URL, {"case_id": case.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["format"], item["sections"]["data"]) == (note.pk, "dap", "Talked about housing.")
    assert [a["text"] for a in item["addenda"]] == ["Also discussed food stamps."]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id) == ("note.list", worker.pk, case.client_id)


def test_notes_list_by_client_and_status(as_worker, case, note):
    NoteFactory.create(case=case, status=NoteStatus.SIGNED)
    assert as_worker.get(URL, {"client_id": case.client_id}).json()["count"] == 2
    assert as_worker.get(URL, {"client_id": case.client_id, "status": "draft"}).json()["count"] == 1
    assert as_worker.get(URL, {"case_id": case.pk, "status": "bogus"}).status_code == 422
    assert as_worker.get(URL).status_code == 422


@_others()
def test_others_get_404_for_a_cases_notes(request, who, case, note):
    http = request.getfixturevalue(who)
    assert http.get(URL, {"case_id": case.pk}).status_code == 404
    assert http.get(URL, {"client_id": case.client_id}).status_code == 404


def test_notes_list_needs_authentication(case, note):
    assert HttpClient().get(URL, {"case_id": case.pk}).status_code == 401


# --- POST /notes ----------------------------------------------------------------------------------


def test_worker_writes_a_draft(as_worker, worker, case):
    response = as_worker.post(URL, _new_note(case), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    note = ProgressNote.objects.get(pk=body["id"])
    assert (note.author, note.status, note.format, note.duration_minutes) == (worker, "draft", "soap", 45)
    assert body["author"]["email"] == "worker@example.org"
    assert response["ETag"] == '"1"'
    assert AuditEvent.objects.filter(action="note.create", object_id=str(note.pk)).count() == 1


def test_worker_writes_and_signs_at_once(as_worker, worker, case):
    response = as_worker.post(URL, _new_note(case, sign=True), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "signed"
    assert response.json()["signed_by"]["email"] == worker.email


def test_twin_requests_with_one_key_at_once_write_one_note(as_worker, worker, case):
    headers = {"Idempotency-Key": "note-twin"}
    first = as_worker.post(URL, _new_note(case), content_type="application/json", headers=headers)
    assert first.status_code == 201
    last = last_audit_id()
    with twin_request_unseen_until_insert(ProgressNote, submission_key(worker, "note-twin")):
        second = as_worker.post(URL, _new_note(case), content_type="application/json", headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert ProgressNote.objects.count() == 1
    assert audited_writes_after(last) == []


def test_same_idempotency_key_writes_one_note(as_worker, case):
    headers = {"Idempotency-Key": "note-abc"}
    first = as_worker.post(URL, _new_note(case), content_type="application/json", headers=headers)
    second = as_worker.post(URL, _new_note(case), content_type="application/json", headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert ProgressNote.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_date": "2024-02-30"}, "contact_date"),
        ({"contact_date": "2999-01-01"}, "contact_date"),
        ({"contact_date": "1970-01-01"}, "contact_date"),  # before the client's birth
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"format": "haiku"}, "format"),
        ({"contact_type": "telepathy"}, "contact_type"),
        ({"sections": {"data": "DAP section in a SOAP note"}}, "data"),
        ({"sections": {"subjective": "x" * 20001}}, "subjective"),
        ({"sections": {"subjective": ["not", "text"]}}, "sections.subjective"),
        ({"case_id": 999999}, None),
    ],
)
def test_bad_notes_are_refused_and_nothing_is_saved(as_worker, case, change, field):
    response = as_worker.post(URL, _new_note(case, **change), content_type="application/json")
    assert response.status_code in (404, 422), response.content
    if field:
        assert response.status_code == 422
        assert field in response.json()["errors"], response.json()
    assert ProgressNote.objects.count() == 0


def test_signing_an_empty_note_at_once_saves_nothing(as_worker, case):
    response = as_worker.post(URL, _new_note(case, sections={}, sign=True), content_type="application/json")
    assert response.status_code == 422
    assert ProgressNote.objects.count() == 0


def test_notes_on_a_closed_case_are_refused(as_worker, case):
    case.status = CaseStatus.CLOSED
    case.save()
    assert as_worker.post(URL, _new_note(case), content_type="application/json").status_code == 422
    assert ProgressNote.objects.count() == 0


@_others()
def test_others_cannot_write_notes_on_the_case(request, who, case):
    response = request.getfixturevalue(who).post(URL, _new_note(case), content_type="application/json")
    assert response.status_code == 404
    assert ProgressNote.objects.count() == 0


def test_writing_needs_authentication(case):
    assert HttpClient().post(URL, _new_note(case), content_type="application/json").status_code == 401
    assert ProgressNote.objects.count() == 0


# --- GET /notes/{id} ------------------------------------------------------------------------------


def test_worker_reads_a_note_and_the_read_is_audited(as_worker, worker, note):
    response = as_worker.get(f"{URL}/{note.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == note.pk
    assert response["ETag"] == '"1"'
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.object_id) == ("note.view", worker.pk, str(note.pk))


@_others()
def test_others_get_404_for_a_note(request, who, note):
    events = AuditEvent.objects.count()
    assert request.getfixturevalue(who).get(f"{URL}/{note.pk}").status_code == 404
    assert AuditEvent.objects.count() == events


def test_note_read_needs_authentication(note):
    assert HttpClient().get(f"{URL}/{note.pk}").status_code == 401


# --- PATCH /notes/{id} ----------------------------------------------------------------------------


def test_author_edits_a_draft(as_worker, note):
    response = as_worker.patch(
        f"{URL}/{note.pk}",
        {"duration_minutes": 50, "sections": {"data": "New data."}},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    note.refresh_from_db()
    assert (note.duration_minutes, note.sections, note.version) == (50, {"data": "New data."}, 2)


def test_draft_edit_versions_428_412_409(as_worker, note):
    url = f"{URL}/{note.pk}"
    assert as_worker.patch(url, {"duration_minutes": 5}, content_type="application/json").status_code == 428
    assert (
        as_worker.patch(url, {"duration_minutes": 50, "version": 1}, content_type="application/json").status_code == 200
    )
    stale = as_worker.patch(url, {"duration_minutes": 5}, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["changes"][0]["field"] == "duration_minutes"
    assert (
        as_worker.patch(url, {"duration_minutes": 5, "version": 1}, content_type="application/json").status_code == 409
    )
    note.refresh_from_db()
    assert note.duration_minutes == 50


def test_a_signed_note_cannot_be_edited(as_worker, note):
    assert as_worker.post(f"{URL}/{note.pk}/sign").status_code == 200
    before = _note_state(note)
    response = as_worker.patch(
        f"{URL}/{note.pk}",
        {"sections": {"data": "Rewritten"}, "version": note.version},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "addendum" in response.json()["detail"]
    assert _note_state(note) == before


def test_only_the_author_edits_a_draft(as_supervisor, note):
    before = _note_state(note)
    response = as_supervisor.patch(
        f"{URL}/{note.pk}", {"duration_minutes": 5, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 403
    assert _note_state(note) == before


@_others()
def test_others_cannot_edit_a_note(request, who, note):
    before = _note_state(note)
    response = request.getfixturevalue(who).patch(
        f"{URL}/{note.pk}", {"duration_minutes": 5, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert _note_state(note) == before


def test_note_edit_needs_authentication(note):
    before = _note_state(note)
    assert (
        HttpClient()
        .patch(f"{URL}/{note.pk}", {"duration_minutes": 5, "version": 1}, content_type="application/json")
        .status_code
        == 401
    )
    assert _note_state(note) == before


# --- POST /notes/{id}/sign --------------------------------------------------------------------------


def test_author_signs_a_draft_once(as_worker, worker, note):
    response = as_worker.post(f"{URL}/{note.pk}/sign")
    assert response.status_code == 200
    assert response.json()["status"] == "signed"
    note.refresh_from_db()
    assert (note.status, note.signed_by) == ("signed", worker)
    assert as_worker.post(f"{URL}/{note.pk}/sign").status_code == 422


@_others()
def test_others_cannot_sign(request, who, note):
    before = _note_state(note)
    assert request.getfixturevalue(who).post(f"{URL}/{note.pk}/sign").status_code == 404
    assert _note_state(note) == before


def test_signing_needs_authentication(note):
    assert HttpClient().post(f"{URL}/{note.pk}/sign").status_code == 401
    note.refresh_from_db()
    assert note.status == "draft"


# --- /notes/{id}/addenda ----------------------------------------------------------------------------


@pytest.fixture
def signed_note(case):
    return NoteFactory.create(case=case, status=NoteStatus.SIGNED)


def test_worker_adds_and_lists_addenda_on_a_signed_note(as_worker, worker, signed_note):
    url = f"{URL}/{signed_note.pk}/addenda"
    headers = {"Idempotency-Key": "add-1"}
    first = as_worker.post(url, {"text": "Client called back."}, content_type="application/json", headers=headers)
    again = as_worker.post(url, {"text": "Client called back."}, content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    listed = as_worker.get(url)
    assert listed.status_code == 200
    assert [(a["text"], a["author"]["email"]) for a in listed.json()] == [("Client called back.", worker.email)]
    assert NoteAddendum.objects.count() == 1


def test_twin_addenda_with_one_key_at_once_add_one(as_worker, worker, signed_note):
    url = f"{URL}/{signed_note.pk}/addenda"
    headers = {"Idempotency-Key": "add-twin"}
    first = as_worker.post(url, {"text": "Client called back."}, content_type="application/json", headers=headers)
    assert first.status_code == 201
    stored = NoteAddendum.objects.get().submission_key
    last = last_audit_id()
    with twin_request_unseen_until_insert(NoteAddendum, stored):
        second = as_worker.post(url, {"text": "Client called back."}, content_type="application/json", headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert NoteAddendum.objects.count() == 1
    assert audited_writes_after(last) == []


def test_one_idempotency_key_on_two_notes_adds_an_addendum_to_each(as_worker, worker, case, signed_note):
    other_note = NoteFactory.create(case=case, status=NoteStatus.SIGNED)
    headers = {"Idempotency-Key": "same-key"}
    post = lambda note, text: as_worker.post(  # noqa: E731
        f"{URL}/{note.pk}/addenda", {"text": text}, content_type="application/json", headers=headers
    )
    first = post(signed_note, "Called back.")
    other = post(other_note, "Missed the visit.")
    again = post(signed_note, "Called back.")
    assert (first.status_code, other.status_code, again.status_code) == (201, 201, 200), other.content
    assert again.json()["id"] == first.json()["id"] != other.json()["id"]
    assert list(signed_note.addenda.values_list("text", flat=True)) == ["Called back."]
    assert list(other_note.addenda.values_list("text", flat=True)) == ["Missed the visit."]
    assert AuditEvent.objects.filter(action="note.addendum", actor=worker).count() == 2


@pytest.mark.parametrize("text", ["", "   ", "x" * 21001])
def test_bad_addenda_are_refused(as_worker, signed_note, text):
    response = as_worker.post(f"{URL}/{signed_note.pk}/addenda", {"text": text}, content_type="application/json")
    assert response.status_code == 422
    assert NoteAddendum.objects.count() == 0


def test_addenda_are_for_signed_notes_only(as_worker, note):
    response = as_worker.post(f"{URL}/{note.pk}/addenda", {"text": "More"}, content_type="application/json")
    assert response.status_code == 422
    assert NoteAddendum.objects.count() == 0


@_others()
def test_others_cannot_see_or_add_addenda(request, who, signed_note):
    http = request.getfixturevalue(who)
    url = f"{URL}/{signed_note.pk}/addenda"
    assert http.get(url).status_code == 404
    assert http.post(url, {"text": "Sneaky"}, content_type="application/json").status_code == 404
    assert NoteAddendum.objects.count() == 0


def test_addenda_need_authentication(signed_note):
    url = f"{URL}/{signed_note.pk}/addenda"
    assert HttpClient().get(url).status_code == 401
    assert HttpClient().post(url, {"text": "x"}, content_type="application/json").status_code == 401
    assert NoteAddendum.objects.count() == 0


# --- POST /notes/{id}/void --------------------------------------------------------------------------


def test_author_voids_a_note_with_a_reason_and_it_is_kept(as_worker, signed_note):
    response = as_worker.post(
        f"{URL}/{signed_note.pk}/void", {"reason": "Wrong client"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["void_reason"]) == ("voided", "Wrong client")
    signed_note.refresh_from_db()
    assert signed_note.status == "voided"
    assert ProgressNote.objects.filter(pk=signed_note.pk).exists()


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "x" * 1001}])
def test_void_needs_a_reason(as_worker, signed_note, payload):
    before = _note_state(signed_note)
    assert as_worker.post(f"{URL}/{signed_note.pk}/void", payload, content_type="application/json").status_code == 422
    assert _note_state(signed_note) == before


def test_a_colleague_on_the_case_team_who_is_not_the_author_cannot_void(signed_note, worker):
    # The supervisor of the case's team may void (and is tested in services); a co-worker may not.
    from casework.cases.models import CaseTeamMember
    from casework.testing import UserFactory

    helper = UserFactory.create(agency=worker.agency, team=worker.team)
    CaseTeamMember.objects.create(case=signed_note.case, user=helper, role="secondary", added_by=worker)
    http = HttpClient()
    http.force_login(helper, backend="casework.accounts.backends.EmailBackend")
    before = _note_state(signed_note)
    response = http.post(f"{URL}/{signed_note.pk}/void", {"reason": "I think so"}, content_type="application/json")
    assert response.status_code == 403
    assert _note_state(signed_note) == before


@_others()
def test_others_cannot_void(request, who, signed_note):
    before = _note_state(signed_note)
    response = request.getfixturevalue(who).post(
        f"{URL}/{signed_note.pk}/void", {"reason": "Gone"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert _note_state(signed_note) == before


def test_void_needs_authentication(signed_note):
    before = _note_state(signed_note)
    response = HttpClient().post(f"{URL}/{signed_note.pk}/void", {"reason": "Gone"}, content_type="application/json")
    assert response.status_code == 401
    assert _note_state(signed_note) == before
