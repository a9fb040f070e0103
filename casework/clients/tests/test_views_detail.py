"""The client page: who may see it, what it shows, and a query count that does not grow."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import CaseAssignment, CaseStatus, CaseStatusChange
from casework.clients.models import AccessGrant, ClientIdentifier, SupportContact
from casework.core import crypto
from casework.notes.models import NoteAddendum, NoteStatus
from casework.testing import CaseFactory, NoteFactory, ProgramFactory, UserFactory, count_queries


def _url(client):
    return reverse("clients:detail", args=[client.pk])


@pytest.fixture
def with_ssn(client_record):
    client_record.ssn_encrypted = crypto.encrypt("501234589")
    client_record.ssn_last4 = "4589"
    client_record.save()
    return client_record


def test_worker_sees_the_client_page(as_worker, worker, client_record, case):
    client_record.pronouns = "he/him"
    client_record.interpreter_needed = True
    client_record.primary_language = "Polish"
    client_record.save()
    SupportContact.objects.create(
        client=client_record, name="Anna Smith", relationship="sibling", phone="555-000-1111", is_emergency_contact=True
    )

    response = as_worker.get(_url(client_record))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Robert Smith" in html
    assert "he/him" in html
    assert "Interpreter needed: Polish" in html
    assert "1980-02-03" in html
    assert "Anna Smith" in html and "Sibling" in html and "Emergency contact" in html
    assert reverse("cases:detail", args=[case.pk]) in html
    assert case.program.name in html
    assert "Emergency access" not in html.split("<main", 1)[1].split("page-header", 1)[0]
    event = AuditEvent.objects.get(action="client.view", actor=worker)
    assert event.client_id == client_record.pk
    assert event.flagged is False


def test_ssn_is_shown_masked(as_worker, with_ssn, case):
    html = as_worker.get(_url(with_ssn)).content.decode()

    assert "***-**-4589" in html
    assert "501-23-4589" not in html
    assert "501234589" not in html
    assert "Show full SSN" in html


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_users_without_a_relationship_get_404_and_no_view_is_recorded(request, fixture_name, client_record, case):
    http = request.getfixturevalue(fixture_name)

    response = http.get(_url(client_record))

    assert response.status_code == 404
    assert "Robert" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="client.view").exists()


@pytest.mark.parametrize("fixture_name", ["auditor", "admin_user"])
def test_auditors_and_administrators_get_404_on_client_pages(login, request, fixture_name, client_record, case):
    http = login(request.getfixturevalue(fixture_name))

    for url in [_url(client_record), reverse("clients:edit", args=[client_record.pk])]:
        assert http.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="client.view").exists()


def test_unknown_client_is_404(as_worker, db):
    assert as_worker.get(reverse("clients:detail", args=[999999])).status_code == 404


def test_timeline_shows_notes_addenda_voided_notes_and_case_events(as_worker, worker, supervisor, client_record, case):
    signed: Any = NoteFactory(
        case=case,
        sections={"data": "Discussed the rent arrears.", "assessment": "Worried.", "plan": "Call landlord."},
        status=NoteStatus.SIGNED,
        signed_by=worker,
        signed_at=timezone.now(),
        duration_minutes=45,
    )
    NoteAddendum.objects.create(note=signed, author=worker, text="Landlord agreed to a payment plan.")
    NoteFactory(
        case=case,
        sections={"data": "Wrong client, entered in error.", "assessment": "", "plan": ""},
        status=NoteStatus.VOIDED,
        voided_by=worker,
        voided_at=timezone.now(),
        void_reason="Written on the wrong record",
    )
    CaseStatusChange.objects.create(
        case=case,
        from_status=CaseStatus.INTAKE,
        to_status=CaseStatus.ACTIVE,
        changed_by=supervisor,
        reason="Assessment complete",
    )
    other: Any = UserFactory(agency=worker.agency, team=worker.team, full_name="Pat Previous")
    CaseAssignment.objects.create(
        case=case, from_worker=other, to_worker=worker, assigned_by=supervisor, reason="Pat left the agency"
    )

    html = as_worker.get(_url(client_record)).content.decode()

    assert "Discussed the rent arrears." in html
    assert "badge-signed" in html and "DAP" in html and "45 minutes" in html
    assert "Landlord agreed to a payment plan." in html
    assert 'class="note voided"' in html
    assert "Written on the wrong record" in html
    assert "Assessment complete" in html and "Sam Supervisor" in html
    assert "Pat left the agency" in html and "Pat Previous" in html


def _assessment(case, code, *, days_ago, status="completed", score=None, band="", amends=None, reason=""):
    """An administered assessment (answers do not matter for the timeline)."""
    from casework.assessments.models import Assessment, Instrument

    when = timezone.now() - datetime.timedelta(days=days_ago)
    version = Instrument.objects.get(code=code).current_version()
    assert version is not None
    return Assessment.objects.create(
        case=case,
        client_id=case.client_id,
        instrument_version=version,
        status=status,
        administered_by=case.primary_worker,
        administered_at=when,
        completed_at=None if status == "draft" else when,
        method="in_person",
        total_score=score,
        band=band,
        amends=amends,
        amend_reason=reason,
    )


def test_timeline_lists_assessments_given_and_their_amendments(as_worker, client_record, case):
    original = _assessment(case, "phq9", days_ago=10, status="amended", score=19, band="moderately_severe")
    correction = _assessment(
        case, "phq9", days_ago=9, score=14, band="moderate", amends=original, reason="Item 4 was misread"
    )
    _assessment(case, "gad7", days_ago=1, status="draft")

    response = as_worker.get(_url(client_record))

    html = response.content.decode()
    kinds = [entry.kind for entry in response.context["timeline"]]
    assert kinds.count("assessment") == 2  # the draft is work in progress, not history
    assert reverse("assessments:detail", args=[correction.pk]) in html
    assert reverse("assessments:detail", args=[original.pk]) in html
    assert "PHQ-9 (Patient Health Questionnaire, depression) given" in html
    assert "<strong>14</strong>" in html and "Moderate" in html
    assert "Corrected by a later amendment" in html and "Amendment of an earlier administration" in html
    assert "Item 4 was misread" in html and "GAD-7 (Generalized Anxiety Disorder scale) given" not in html


def test_supervisor_sees_the_grant_access_form_and_worker_does_not(as_supervisor, as_worker, client_record, case):
    assert "Grant a colleague access" in as_supervisor.get(_url(client_record)).content.decode()
    assert "Grant a colleague access" not in as_worker.get(_url(client_record)).content.decode()


def _rich_history(case, *, notes, author):
    """Notes with addenda, voided notes, status changes and an extra case in another program."""
    for index in range(notes):
        note: Any = NoteFactory(
            case=case,
            contact_date=datetime.date.today() - datetime.timedelta(days=index + 1),
            status=NoteStatus.SIGNED,
            signed_by=author,
            signed_at=timezone.now(),
        )
        NoteAddendum.objects.create(note=note, author=author, text=f"Addendum {index}")
        CaseStatusChange.objects.create(case=case, from_status="intake", to_status="active", changed_by=author)
        _assessment(case, "phq9", days_ago=index + 1, score=index, band="minimal")
    extra = CaseFactory(
        client=case.client, program=ProgramFactory(agency=case.client.agency), primary_worker=author, team=author.team
    )
    NoteFactory(case=extra, status=NoteStatus.VOIDED, voided_by=author, voided_at=timezone.now(), void_reason="Error")
    SupportContact.objects.create(client=case.client, name=f"Contact {notes}", relationship="friend")
    ClientIdentifier.objects.create(client=case.client, kind="mrn", value=f"MRN{notes}", value_key=f"MRN{notes}")


@pytest.mark.parametrize("fixture_name", ["as_worker", "as_supervisor"])
def test_client_page_query_count_does_not_grow_with_notes_and_cases(request, fixture_name, worker, client_record, case):
    http = request.getfixturevalue(fixture_name)
    _rich_history(case, notes=2, author=worker)
    http.get(_url(client_record))  # warm the session
    with count_queries() as few:
        response = http.get(_url(client_record))
    assert len(response.context["timeline"]) >= 4

    _rich_history(case, notes=8, author=worker)
    with count_queries() as many:
        response = http.get(_url(client_record))
    assert len(response.context["timeline"]) >= 20
    assert len(response.context["cases"]) == 3

    assert len(many.captured_queries) == len(few.captured_queries)


# --- Show the full SSN ----------------------------------------------------------------------


def test_worker_reveals_the_ssn_with_a_reason(as_worker, worker, with_ssn, case):
    response = as_worker.post(reverse("clients:reveal_ssn", args=[with_ssn.pk]), {"ssn-reason": "Medicaid application"})

    assert response.status_code == 200
    assert "501-23-4589" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="client.reveal_ssn")
    assert event.actor == worker
    assert event.reason == "Medicaid application"


def test_revealing_the_ssn_with_htmx_returns_the_fragment(as_worker, with_ssn, case):
    response = as_worker.post(
        reverse("clients:reveal_ssn", args=[with_ssn.pk]),
        {"ssn-reason": "Benefits form"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="ssn"' in html and "501-23-4589" in html


def test_revealing_the_ssn_needs_a_reason(as_worker, with_ssn, case):
    response = as_worker.post(reverse("clients:reveal_ssn", args=[with_ssn.pk]), {"ssn-reason": "  "})

    html = response.content.decode()
    assert "501-23-4589" not in html
    assert "This field is required." in html
    assert not AuditEvent.objects.filter(action="client.reveal_ssn").exists()


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_others_cannot_reveal_the_ssn(request, fixture_name, with_ssn, case):
    http = request.getfixturevalue(fixture_name)

    response = http.post(reverse("clients:reveal_ssn", args=[with_ssn.pk]), {"ssn-reason": "Curious"})

    assert response.status_code == 404
    assert "4589" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="client.reveal_ssn").exists()


# --- Identifiers ----------------------------------------------------------------------------


def test_worker_adds_an_identifier(as_worker, client_record, case):
    response = as_worker.post(
        reverse("clients:identifier_add", args=[client_record.pk]),
        {"identifier-kind": "mrn", "identifier-value": "A-1002", "identifier-issuer": "County Hospital"},
    )

    assert response.status_code == 302
    assert list(client_record.identifiers.values_list("kind", "value", "issuer")) == [
        ("mrn", "A-1002", "County Hospital")
    ]
    assert "A-1002" in as_worker.get(_url(client_record)).content.decode()


def test_a_malformed_identifier_shows_the_message_and_saves_nothing(as_worker, client_record, case):
    response = as_worker.post(
        reverse("clients:identifier_add", args=[client_record.pk]),
        {"identifier-kind": "mrn", "identifier-value": "<x>"},
    )

    assert response.status_code == 200
    assert "Use letters, digits, spaces, - . or /." in response.content.decode()
    assert not client_record.identifiers.exists()


def test_a_duplicate_identifier_is_refused_next_to_the_field(as_worker, client_record, case):
    url = reverse("clients:identifier_add", args=[client_record.pk])
    as_worker.post(url, {"identifier-kind": "mrn", "identifier-value": "A-1002"})

    response = as_worker.post(url, {"identifier-kind": "mrn", "identifier-value": "a-1002"})

    assert "This client already has that identifier." in response.content.decode()
    assert client_record.identifiers.count() == 1


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_others_cannot_add_identifiers(request, fixture_name, client_record, case):
    http = request.getfixturevalue(fixture_name)

    response = http.post(
        reverse("clients:identifier_add", args=[client_record.pk]), {"identifier-kind": "mrn", "identifier-value": "X1"}
    )

    assert response.status_code == 404
    assert not client_record.identifiers.exists()


@pytest.fixture
def identifier(client_record):
    return ClientIdentifier.objects.create(client=client_record, kind="mrn", value="A-1002", value_key="A1002")


def test_worker_removes_an_identifier_with_a_reason(as_worker, client_record, case, identifier):
    response = as_worker.post(
        reverse("clients:identifier_remove", args=[client_record.pk, identifier.pk]), {"remove-reason": "Typo"}
    )

    assert response.status_code == 302
    assert not client_record.identifiers.exists()
    assert AuditEvent.objects.get(action="client.identifier_remove").reason == "Typo"


def test_removing_an_identifier_needs_a_reason(as_worker, client_record, case, identifier):
    response = as_worker.post(
        reverse("clients:identifier_remove", args=[client_record.pk, identifier.pk]), {"remove-reason": ""}
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert client_record.identifiers.count() == 1


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_others_cannot_remove_identifiers(request, fixture_name, client_record, case, identifier):
    http = request.getfixturevalue(fixture_name)

    response = http.post(
        reverse("clients:identifier_remove", args=[client_record.pk, identifier.pk]), {"remove-reason": "Typo"}
    )

    assert response.status_code == 404
    assert client_record.identifiers.count() == 1


# --- Support network ------------------------------------------------------------------------


def _contact_data(**overrides):
    data = {
        "contact-name": "Dr. Lee",
        "contact-relationship": "professional",
        "contact-phone": "555-400-2222",
        "contact-email": "lee@clinic.example.org",
        "contact-notes": "Primary care physician",
        "contact-is_emergency_contact": "",
    }
    data.update(overrides)
    return data


def test_worker_adds_a_support_contact(as_worker, client_record, case):
    response = as_worker.post(reverse("clients:contact_add", args=[client_record.pk]), _contact_data())

    assert response.status_code == 302
    contact = client_record.support_contacts.get()
    assert (contact.name, contact.relationship, contact.is_emergency_contact) == ("Dr. Lee", "professional", False)
    assert "Primary care physician" in as_worker.get(_url(client_record)).content.decode()


def test_a_bad_support_contact_shows_the_message_and_saves_nothing(as_worker, client_record, case):
    response = as_worker.post(
        reverse("clients:contact_add", args=[client_record.pk]), _contact_data(**{"contact-phone": "not a phone"})
    )

    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    assert not client_record.support_contacts.exists()


@pytest.fixture
def contact(client_record):
    return SupportContact.objects.create(client=client_record, name="Anna Smith", relationship="sibling")


def test_worker_edits_a_support_contact(as_worker, client_record, case, contact):
    url = reverse("clients:contact_edit", args=[client_record.pk, contact.pk])
    assert "Anna Smith" in as_worker.get(url).content.decode()

    response = as_worker.post(
        url,
        _contact_data(
            **{"contact-name": "Anna Smith", "contact-relationship": "caregiver", "contact-is_emergency_contact": "on"}
        ),
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.relationship == "caregiver"
    assert contact.is_emergency_contact is True
    assert AuditEvent.objects.filter(action="client.contact_update").exists()


def test_worker_removes_a_support_contact_and_it_is_kept_inactive(as_worker, client_record, case, contact):
    response = as_worker.post(reverse("clients:contact_edit", args=[client_record.pk, contact.pk]), {"remove": "1"})

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.is_active is False
    assert as_worker.get(_url(client_record)).context["contacts"] == []


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_others_cannot_see_or_change_the_support_network(request, fixture_name, client_record, case, contact):
    http = request.getfixturevalue(fixture_name)
    edit_url = reverse("clients:contact_edit", args=[client_record.pk, contact.pk])

    assert http.get(edit_url).status_code == 404
    assert http.post(edit_url, _contact_data()).status_code == 404
    assert http.post(edit_url, {"remove": "1"}).status_code == 404
    assert http.post(reverse("clients:contact_add", args=[client_record.pk]), _contact_data()).status_code == 404
    contact.refresh_from_db()
    assert (contact.name, contact.relationship, contact.is_active) == ("Anna Smith", "sibling", True)
    assert client_record.support_contacts.count() == 1


def test_a_contact_of_another_client_is_404(as_worker, client_record, case, agency, supervisor):
    from casework.testing import ClientFactory

    stranger: Any = ClientFactory(agency=agency)
    foreign = SupportContact.objects.create(client=stranger, name="Someone", relationship="friend")

    response = as_worker.get(reverse("clients:contact_edit", args=[client_record.pk, foreign.pk]))

    assert response.status_code == 404


# --- Grant access ---------------------------------------------------------------------------


def test_supervisor_grants_a_colleague_access(as_supervisor, as_colleague, supervisor, colleague, client_record, case):
    until = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()

    response = as_supervisor.post(
        reverse("clients:grant_access", args=[client_record.pk]),
        {"grant-user": colleague.pk, "grant-reason": "Covering while Wanda is on leave", "grant-until": until},
    )

    assert response.status_code == 302
    grant = AccessGrant.objects.get()
    assert (grant.user, grant.granted_by) == (colleague, supervisor)
    assert grant.expires_at is not None and grant.expires_at > timezone.now() + datetime.timedelta(days=6)
    assert as_colleague.get(_url(client_record)).status_code == 200


def test_grant_needs_a_reason_and_a_colleague_of_the_agency(as_supervisor, outsider, client_record, case):
    response = as_supervisor.post(
        reverse("clients:grant_access", args=[client_record.pk]), {"grant-user": outsider.pk, "grant-reason": ""}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert "This field is required." in html
    assert not AccessGrant.objects.exists()


def test_a_case_manager_cannot_grant_access(as_worker, colleague, client_record, case):
    response = as_worker.post(
        reverse("clients:grant_access", args=[client_record.pk]), {"grant-user": colleague.pk, "grant-reason": "Help"}
    )

    assert response.status_code == 403
    assert not AccessGrant.objects.exists()


@pytest.mark.parametrize("fixture_name", ["supervisor_b", "outsider"])
def test_a_supervisor_without_a_relationship_gets_404_when_granting(
    login, request, fixture_name, colleague, client_record, case
):
    http = login(request.getfixturevalue(fixture_name))

    response = http.post(
        reverse("clients:grant_access", args=[client_record.pk]), {"grant-user": colleague.pk, "grant-reason": "Help"}
    )

    assert response.status_code == 404
    assert not AccessGrant.objects.exists()
