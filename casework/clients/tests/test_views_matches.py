"""The "possible matches" panel of the registration form, and confirming a strong match."""

from __future__ import annotations

import uuid

from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.clients.models import Client

PANEL = reverse("clients:create_matches")
CREATE = reverse("clients:create")


def _typed(**overrides):
    data = {"legal_first_name": "Bob", "legal_last_name": "Smith", "date_of_birth": "1980-02-03"}
    data.update(overrides)
    return data


def _registration(**overrides):
    data = {
        "submission_key": uuid.uuid4().hex,
        "legal_first_name": "Bob",
        "legal_middle_name": "",
        "legal_last_name": "Smith",
        "preferred_name": "",
        "date_of_birth": "1980-02-03",
        "sex": "male",
        "primary_language": "English",
        "phone": "",
        "email": "",
        "postal_code": "",
        "ssn": "",
        "identifier-0-kind": "",
        "identifier-0-value": "",
        "identifier-1-kind": "",
        "identifier-1-value": "",
        "identifier-2-kind": "",
        "identifier-2-value": "",
    }
    data.update(overrides)
    return data


def test_the_registration_page_has_the_panel(as_worker):
    response = as_worker.get(CREATE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="possible-matches"' in html
    assert f'hx-post="{PANEL}"' in html


def test_the_worker_sees_a_client_they_work_with(as_worker, worker, client_record, case):
    response = as_worker.post(PANEL, _typed(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Robert Smith" in html
    assert reverse("clients:detail", args=[client_record.pk]) in html
    assert "Certain match" in html
    assert "first name is a common nickname" in html
    event = AuditEvent.objects.get(action="client.match")
    assert event.actor_id == worker.pk
    assert event.changes["client_ids"] == [client_record.pk]
    assert event.changes["source"] == "intake panel"


def test_a_colleague_sees_that_a_record_exists_and_the_way_in(as_colleague, client_record, case):
    response = as_colleague.post(PANEL, _typed(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "A record exists that you cannot open" in html
    assert f"{reverse('clients:break_glass')}?client={client_record.pk}" in html
    assert "Robert" not in html
    assert "1980-02-03" not in html
    assert reverse("clients:detail", args=[client_record.pk]) not in html


def test_an_outsider_sees_nothing_of_another_agency(as_outsider, client_record, case):
    response = as_outsider.post(PANEL, _typed(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No existing client looks like this person." in html
    assert "cannot open" not in html


def test_too_little_typed_looks_nothing_up(as_worker, client_record, case):
    response = as_worker.post(PANEL, {"legal_first_name": "Bob", "date_of_birth": "not a date"})
    assert response.status_code == 200
    assert "Type the last name" in response.content.decode()
    assert not AuditEvent.objects.filter(action="client.match").exists()


def test_junk_input_in_the_panel_is_harmless(as_worker, client_record, case):
    junk = {
        "legal_first_name": "x" * 5000,
        "legal_last_name": "王小明\x00",
        "date_of_birth": "9999-99-99",
        "phone": "abc",
        "ssn": "12",
        "identifier-0-value": "y" * 500,
    }
    assert as_worker.post(PANEL, junk).status_code == 200


def test_auditors_get_404(as_auditor, client_record):
    assert as_auditor.post(PANEL, _typed()).status_code == 404
    assert not AuditEvent.objects.filter(action="client.match").exists()


def test_the_panel_only_answers_posts(as_worker):
    assert as_worker.get(PANEL).status_code == 405


def test_registering_a_certain_match_asks_for_a_reason(as_worker, client_record, case):
    before = Client.objects.count()
    response = as_worker.post(CREATE, _registration())
    assert response.status_code == 200
    html = response.content.decode()
    assert "This person matches an existing client" in html
    assert "Robert Smith" in html
    assert Client.objects.count() == before


def test_a_short_reason_is_not_enough(as_worker, client_record, case):
    before = Client.objects.count()
    response = as_worker.post(CREATE, _registration(duplicate_reason="twin"))
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    assert Client.objects.count() == before


def test_registering_anyway_records_the_reason(as_worker, client_record, case):
    reason = "Twin brother, confirmed with his state ID"
    response = as_worker.post(CREATE, _registration(duplicate_reason=reason))
    assert response.status_code == 302
    new = Client.objects.exclude(pk=client_record.pk).get()
    event = AuditEvent.objects.get(action="client.create", object_id=str(new.pk))
    assert event.reason == reason
    assert event.changes["certain_matches"] == [None, [client_record.pk]]


def test_a_colleague_is_also_asked_for_a_match_they_cannot_open(as_colleague, client_record, case):
    response = as_colleague.post(CREATE, _registration())
    assert response.status_code == 200
    html = response.content.decode()
    assert "A record exists that you cannot open" in html
    assert "Robert" not in html.split("Register anyway?")[0].split("possible-matches")[1]


def test_a_different_person_registers_without_questions(as_worker, client_record, case):
    response = as_worker.post(CREATE, _registration(legal_first_name="Alice", sex="female"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="client.create")
    assert event.reason == ""
    assert "certain_matches" not in event.changes
