"""The case page and its forms: status transitions, case team, edits; opening a case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.accounts.models import Program
from casework.audit.models import AuditEvent
from casework.cases import services
from casework.cases.models import Acuity, Case, CaseStatus, CaseStatusChange, CaseTeamMember, ClosureReason, TeamRole
from casework.testing import ProgramFactory, audited_writes_after, last_audit_id, twin_request_unseen_until_insert


def _detail(case):
    return reverse("cases:detail", args=[case.pk])


def _transition(case):
    return reverse("cases:transition", args=[case.pk])


def _unchanged(case):
    before = Case.objects.get(pk=case.pk)
    return (before.status, before.version, before.acuity, before.primary_worker_id, before.closure_reason)


# --- The page ------------------------------------------------------------------------------------


def test_worker_sees_the_case_page(as_worker, worker, case, note):
    services.case_team_member_add(
        actor=worker,
        case=case,
        data={
            "role": TeamRole.PROBATION_OFFICER,
            "name": "Pat Parole",
            "organization": "County Probation",
            "phone": "555-300-4000",
            "email": "pat@county.example",
        },
    )

    response = as_worker.get(_detail(case))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("clients:detail", args=[case.client_id]) in html
    assert "Adult Mental Health" in html
    assert "badge-active" in html
    assert "Wanda Worker" in html and "North team" in html
    assert "Pat Parole" in html and "County Probation" in html and "555-300-4000" in html
    assert "Probation / parole officer" in html
    assert reverse("notes:create", args=[case.pk]) in html
    assert reverse("notes:detail", args=[note.pk]) in html
    assert 'name="to_status"' in html
    assert AuditEvent.objects.filter(action="case.view", actor=worker, client_id=case.client_id).count() == 1


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_case_page_is_not_found_without_a_relationship(who, request, case):
    http = request.getfixturevalue(who)

    response = http.get(_detail(case))

    assert response.status_code == 404
    assert "Robert Smith" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_unknown_case_is_not_found(as_worker):
    assert as_worker.get(reverse("cases:detail", args=[999999])).status_code == 404


def test_supervisor_sees_the_case_and_its_forms(as_supervisor, case):
    html = as_supervisor.get(_detail(case)).content.decode()

    assert 'name="to_status"' in html


def test_status_history_lists_who_when_and_why(as_worker, worker, case):
    services.case_transition(actor=worker, case=case, to_status=CaseStatus.PLANNING, reason="Plan needs revision")

    html = as_worker.get(_detail(case)).content.decode()

    assert "Plan needs revision" in html
    assert "Active → Planning" in html


# --- Status transitions --------------------------------------------------------------------------


def test_worker_moves_the_case_forward(as_worker, worker, case):
    response = as_worker.post(_transition(case), {"to_status": "transition", "version": case.version})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSITION
    change = CaseStatusChange.objects.filter(case=case).latest("changed_at")
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "transition", worker)


def test_closing_without_closure_reason_is_refused_next_to_the_field(as_worker, case):
    before = _unchanged(case)

    response = as_worker.post(_transition(case), {"to_status": "closed", "version": case.version})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose why the case is closed." in html
    assert 'id="id_closure_reason_error"' in html
    assert _unchanged(case) == before


def test_closing_with_a_closure_reason_closes_the_case(as_worker, case):
    response = as_worker.post(
        _transition(case), {"to_status": "closed", "closure_reason": ClosureReason.GOALS_MET, "version": case.version}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "goals_met" and case.closed_at
    html = as_worker.get(_detail(case)).content.decode()
    assert "Goals met" in html
    assert reverse("notes:create", args=[case.pk]) not in html  # closed cases take no new notes


def test_reopening_needs_a_reason(as_worker, worker, case):
    case = services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="moved")

    refused = as_worker.post(_transition(case), {"to_status": "active", "version": case.version})
    case.refresh_from_db()
    assert refused.status_code == 422
    assert "Say why the case is reopened." in refused.content.decode()
    assert case.status == CaseStatus.CLOSED

    accepted = as_worker.post(
        _transition(case), {"to_status": "active", "reason": "Moved back to the county", "version": case.version}
    )
    case.refresh_from_db()
    assert accepted.status_code == 302
    assert case.status == CaseStatus.ACTIVE and case.closure_reason == ""


def test_a_stale_status_change_shows_the_conflict_and_changes_nothing(as_worker, worker, case):
    stale_version = case.version
    services.case_update(actor=worker, case=case, expected_version=stale_version, data={"acuity": Acuity.HIGH})
    before = _unchanged(case)

    response = as_worker.post(_transition(case), {"to_status": "transition", "version": stale_version})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone changed this case after you opened it." in html
    assert "acuity" in html
    assert f'name="version" value="{stale_version + 1}"' in html
    assert _unchanged(case) == before


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_status_change_without_a_relationship_is_not_found(who, request, case):
    before = _unchanged(case)

    response = request.getfixturevalue(who).post(
        _transition(case), {"to_status": "closed", "closure_reason": "moved", "version": case.version}
    )

    assert response.status_code == 404
    assert _unchanged(case) == before
    assert not CaseStatusChange.objects.filter(case=case, to_status="closed").exists()


def test_choosing_a_status_rerenders_the_form_showing_closure_reason_only_when_closing(as_worker, case):
    headers = {"HX-Request": "true"}
    closing = as_worker.get(_transition(case), {"to_status": "closed", "version": case.version}, headers=headers)
    moving = as_worker.get(_transition(case), {"to_status": "transition", "version": case.version}, headers=headers)

    assert closing.status_code == moving.status_code == 200
    assert "<html" not in closing.content.decode()
    assert 'id="closure-reason-field" hidden' not in closing.content.decode()
    assert 'id="closure-reason-field" hidden' in moving.content.decode()


def test_without_javascript_the_closure_reason_is_visible(as_worker, case):
    html = as_worker.get(_detail(case)).content.decode()

    assert 'id="closure-reason-field"' in html
    assert 'id="closure-reason-field" hidden' not in html


def test_transition_form_partial_is_not_found_for_colleague(as_colleague, case):
    response = as_colleague.get(_transition(case), {"to_status": "closed"}, headers={"HX-Request": "true"})

    assert response.status_code == 404


# --- Edit acuity / referral reason ---------------------------------------------------------------


def test_worker_edits_acuity_and_referral_reason(as_worker, case):
    response = as_worker.post(
        reverse("cases:edit", args=[case.pk]),
        {"acuity": Acuity.HIGH, "reason_for_referral": "Eviction notice", "version": case.version},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.acuity == Acuity.HIGH and case.reason_for_referral == "Eviction notice"


def test_stale_edit_shows_the_conflict_and_keeps_the_input(as_worker, worker, case):
    stale_version = case.version
    services.case_update(actor=worker, case=case, expected_version=stale_version, data={"reason_for_referral": "A"})

    response = as_worker.post(
        reverse("cases:edit", args=[case.pk]),
        {"acuity": Acuity.LOW, "reason_for_referral": "My careful wording", "version": stale_version},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone changed this case after you opened it." in html
    assert "My careful wording" in html
    case.refresh_from_db()
    assert case.reason_for_referral == "A" and case.acuity == Acuity.MODERATE


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_edit_without_a_relationship_is_not_found(who, request, case):
    before = _unchanged(case)

    response = request.getfixturevalue(who).post(
        reverse("cases:edit", args=[case.pk]), {"acuity": Acuity.HIGH, "version": case.version}
    )

    assert response.status_code == 404
    assert _unchanged(case) == before


# --- Case team -----------------------------------------------------------------------------------


def test_worker_adds_an_outside_professional(as_worker, case):
    response = as_worker.post(
        reverse("cases:team_member_add", args=[case.pk]),
        {
            "role": TeamRole.PHYSICIAN,
            "name": "Dr. Jane Lee",
            "organization": "Riverside Clinic",
            "phone": "555-111-2222",
            "email": "jlee@clinic.example",
        },
    )

    assert response.status_code == 302
    member = CaseTeamMember.objects.get(case=case)
    assert member.is_external and member.name == "Dr. Jane Lee" and member.organization == "Riverside Clinic"


def test_worker_adds_a_member_of_staff(as_worker, case, supervisor):
    response = as_worker.post(
        reverse("cases:team_member_add", args=[case.pk]), {"user": supervisor.pk, "role": TeamRole.SECONDARY_WORKER}
    )

    assert response.status_code == 302
    assert CaseTeamMember.objects.get(case=case).user == supervisor


def test_adding_a_member_without_name_or_staff_is_refused(as_worker, case):
    response = as_worker.post(reverse("cases:team_member_add", args=[case.pk]), {"role": TeamRole.THERAPIST})

    assert response.status_code == 422
    assert "Give the professional&#x27;s name, or choose a member of staff." in response.content.decode()
    assert not CaseTeamMember.objects.filter(case=case).exists()


def test_staff_of_another_agency_cannot_be_added(as_worker, case, outsider):
    response = as_worker.post(
        reverse("cases:team_member_add", args=[case.pk]), {"user": outsider.pk, "role": TeamRole.SECONDARY_WORKER}
    )

    assert response.status_code == 422
    assert not CaseTeamMember.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_case_team_changes_without_a_relationship_are_not_found(who, request, worker, case):
    member = services.case_team_member_add(actor=worker, case=case, data={"role": "therapist", "name": "Tom Th"})
    http = request.getfixturevalue(who)

    added = http.post(reverse("cases:team_member_add", args=[case.pk]), {"role": "attorney", "name": "Al Law"})
    removed = http.post(reverse("cases:team_member_remove", args=[case.pk, member.pk]))

    assert added.status_code == removed.status_code == 404
    assert list(CaseTeamMember.objects.filter(case=case, removed_at__isnull=True)) == [member]


def test_worker_removes_a_member_who_is_kept_with_an_end_date(as_worker, worker, case):
    member = services.case_team_member_add(actor=worker, case=case, data={"role": "therapist", "name": "Tom Th"})

    response = as_worker.post(reverse("cases:team_member_remove", args=[case.pk, member.pk]))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.removed_at is not None
    page = as_worker.get(_detail(case)).content.decode()
    assert "Tom Th is no longer on the case team." in page
    assert "<strong>Tom Th</strong>" not in page


def test_removing_a_member_of_another_case_is_not_found(as_worker, worker, case, client_record, agency):
    other_program = Program.objects.create(agency=agency, name="Housing")
    other_case = services.case_open(actor=worker, client=client_record, program=other_program, primary_worker=worker)
    member = services.case_team_member_add(actor=worker, case=other_case, data={"role": "therapist", "name": "T"})

    response = as_worker.post(reverse("cases:team_member_remove", args=[case.pk, member.pk]))

    assert response.status_code == 404
    member.refresh_from_db()
    assert member.removed_at is None


# --- Open a case ---------------------------------------------------------------------------------


@pytest.fixture
def home_care(agency):
    return ProgramFactory(agency=agency, name="Older Adults Home Care")


def _open_url(client):
    return reverse("cases:open") + f"?client={client.pk}"


def test_open_case_form_defaults_to_the_current_worker(as_worker, worker, client_record, case, home_care):
    response = as_worker.get(_open_url(client_record))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{worker.pk}" selected>' in html
    assert "Older Adults Home Care" in html
    assert 'name="submission_key"' in html


def test_worker_opens_a_case_and_lands_on_it(as_worker, worker, client_record, case, home_care):
    response = as_worker.post(
        _open_url(client_record),
        {
            "program": home_care.pk,
            "primary_worker": worker.pk,
            "status": "referred",
            "acuity": 3,
            "reason_for_referral": "Falls at home",
            "submission_key": "k-open-1",
        },
    )

    opened = Case.objects.get(program=home_care)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[opened.pk])
    assert (opened.status, opened.acuity, opened.reason_for_referral) == ("referred", 3, "Falls at home")


def test_double_submit_of_the_open_form_opens_one_case(as_worker, worker, client_record, case, home_care):
    data = {
        "program": home_care.pk,
        "primary_worker": worker.pk,
        "status": "intake",
        "acuity": 2,
        "submission_key": "same-key",
    }

    first = as_worker.post(_open_url(client_record), data)
    second = as_worker.post(_open_url(client_record), data)

    assert first["Location"] == second["Location"]
    assert Case.objects.filter(program=home_care).count() == 1


def test_two_submits_of_the_open_form_at_once_open_one_case(as_worker, worker, client_record, case, home_care):
    """The second submit misses the first one's case until its own insert fails on the key."""
    data = {
        "program": home_care.pk,
        "primary_worker": worker.pk,
        "status": "intake",
        "acuity": 2,
        "submission_key": "twin-key",
    }
    first = as_worker.post(_open_url(client_record), data)
    assert first.status_code == 302
    last = last_audit_id()

    with twin_request_unseen_until_insert(Case, "twin-key"):
        second = as_worker.post(_open_url(client_record), data)

    assert second.status_code == 302, second.content
    assert second["Location"] == first["Location"]
    assert Case.objects.filter(program=home_care).count() == 1
    assert CaseStatusChange.objects.filter(case__program=home_care).count() == 1
    assert audited_writes_after(last) == []


def test_a_second_open_case_in_the_same_program_is_refused_next_to_program(as_worker, worker, client_record, case):
    response = as_worker.post(
        _open_url(client_record),
        {
            "program": case.program_id,
            "primary_worker": worker.pk,
            "status": "intake",
            "acuity": 2,
            "submission_key": "k2",
        },
    )

    assert response.status_code == 422
    assert 'id="id_program_error"' in response.content.decode()
    assert Case.objects.filter(client=client_record).count() == 1


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_opening_a_case_for_an_unseen_client_is_not_found(who, request, worker, client_record, case, home_care):
    http = request.getfixturevalue(who)

    page = http.get(_open_url(client_record))
    post = http.post(
        _open_url(client_record),
        {"program": home_care.pk, "primary_worker": worker.pk, "status": "intake", "acuity": 2, "submission_key": "k3"},
    )

    assert page.status_code == post.status_code == 404
    assert Case.objects.filter(client=client_record).count() == 1


@pytest.mark.parametrize("query", ["", "?client=", "?client=abc", "?client=999999"])
def test_open_case_without_a_valid_client_is_not_found(as_worker, query):
    assert as_worker.get(reverse("cases:open") + query).status_code == 404


def test_the_case_page_lists_notes_with_voided_struck_through(as_worker, worker, case, note):
    from casework.notes import services as note_services

    signed = note_services.note_sign(actor=worker, note=note)
    note_services.note_void(actor=worker, note=signed, reason="Wrong client")

    html = as_worker.get(_detail(case)).content.decode()

    assert f'id="note-{note.pk}" class="voided"' in html
    assert "Wrong client" in html
