"""Opening cases, moving them through their lifecycle, the case team and reassignment."""

import pytest

from casework.accounts.models import Role
from casework.audit.models import AuditEvent
from casework.cases import services
from casework.cases.models import Case, CaseAssignment, CaseStatusChange, CaseTeamMember
from casework.clients.selectors import clients_visible_to
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.testing import CaseFactory, ClientFactory, ProgramFactory, UserFactory


def _last_event():
    return AuditEvent.objects.latest("id")


def _state(case):
    """What a refused action must leave unchanged."""
    case.refresh_from_db()
    return (
        case.status,
        case.version,
        case.primary_worker_id,
        case.team_id,
        case.closure_reason,
        case.status_changes.count(),
        case.assignments.count(),
    )


@pytest.fixture
def new_client(agency, worker):
    return ClientFactory.create(agency=agency, created_by=worker, legal_first_name="Nia", legal_last_name="Okafor")


@pytest.fixture
def teammate(agency, team_a):
    return UserFactory.create(agency=agency, team=team_a, email="teammate@example.org", full_name="Tim Teammate")


# --- Open ----------------------------------------------------------------------------------------


def test_opening_a_case_records_the_status_the_assignment_and_an_audit_event(worker, new_client, program):
    case = services.case_open(
        actor=worker, client=new_client, program=program, primary_worker=worker, reason_for_referral="Housing loss"
    )
    case.refresh_from_db()
    assert (case.status, case.team_id, case.created_by_id, case.version) == ("intake", worker.team_id, worker.pk, 1)
    change = case.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by_id) == ("", "intake", worker.pk)
    assignment = case.assignments.get()
    assert (assignment.from_worker_id, assignment.to_worker_id, assignment.assigned_by_id) == (
        None,
        worker.pk,
        worker.pk,
    )
    event = _last_event()
    assert (event.action, event.client_id, event.object_id) == ("case.open", new_client.pk, str(case.pk))
    assert event.changes["status"] == [None, "intake"]


def test_a_case_in_a_program_of_another_agency_is_refused(worker, new_client):
    foreign = ProgramFactory.create()
    with pytest.raises(ValidationFailed) as failure:
        services.case_open(actor=worker, client=new_client, program=foreign, primary_worker=worker)
    assert "program" in failure.value.errors
    assert not Case.objects.exists()


def test_a_case_in_an_inactive_program_is_refused(worker, new_client, program):
    program.is_active = False
    program.save()
    with pytest.raises(ValidationFailed):
        services.case_open(actor=worker, client=new_client, program=program, primary_worker=worker)
    assert not Case.objects.exists()


def test_a_primary_worker_without_a_team_is_refused(worker, new_client, program, agency):
    loner = UserFactory.create(agency=agency, team=None)
    with pytest.raises(ValidationFailed) as failure:
        services.case_open(actor=worker, client=new_client, program=program, primary_worker=loner)
    assert "primary_worker" in failure.value.errors
    assert not Case.objects.exists()


def test_a_primary_worker_who_cannot_carry_cases_is_refused(worker, new_client, program, auditor, outsider, agency):
    gone = UserFactory.create(agency=agency, team=worker.team, is_active=False)
    for user in (auditor, outsider, gone):
        with pytest.raises(ValidationFailed):
            services.case_open(actor=worker, client=new_client, program=program, primary_worker=user)
    assert not Case.objects.exists()


def test_a_second_open_case_in_the_same_program_is_refused(worker, case, client_record, program):
    with pytest.raises(ValidationFailed) as failure:
        services.case_open(actor=worker, client=client_record, program=program, primary_worker=worker)
    assert "program" in failure.value.errors
    assert Case.objects.count() == 1
    other = ProgramFactory.create(agency=program.agency)
    assert services.case_open(actor=worker, client=client_record, program=other, primary_worker=worker).pk


def test_a_closed_case_does_not_block_a_new_one(worker, case, client_record, program):
    services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="goals_met")
    assert services.case_open(actor=worker, client=client_record, program=program, primary_worker=worker).pk


def test_a_new_case_starts_as_referred_or_at_intake(worker, new_client, program):
    with pytest.raises(ValidationFailed):
        services.case_open(actor=worker, client=new_client, program=program, primary_worker=worker, status="active")
    assert (
        services.case_open(
            actor=worker, client=new_client, program=program, primary_worker=worker, status="referred"
        ).status
        == "referred"
    )


def test_oversized_referral_reason_is_refused(worker, new_client, program):
    with pytest.raises(ValidationFailed) as failure:
        services.case_open(
            actor=worker, client=new_client, program=program, primary_worker=worker, reason_for_referral="x" * 4001
        )
    assert "reason_for_referral" in failure.value.errors
    assert not Case.objects.exists()


def test_auditors_cannot_open_cases(auditor, new_client, program, worker):
    with pytest.raises(PermissionDenied):
        services.case_open(actor=auditor, client=new_client, program=program, primary_worker=worker)
    assert not Case.objects.exists()


def test_a_repeated_open_returns_the_first_case(worker, new_client, program):
    first = services.case_open(
        actor=worker, client=new_client, program=program, primary_worker=worker, submission_key="k1"
    )
    again = services.case_open(
        actor=worker, client=new_client, program=program, primary_worker=worker, submission_key="k1"
    )
    assert first.pk == again.pk
    assert Case.objects.count() == 1


# --- Lifecycle ---------------------------------------------------------------------------------------


def test_every_forward_transition_is_recorded_and_audited(worker, new_client, program):
    case = services.case_open(
        actor=worker, client=new_client, program=program, primary_worker=worker, status="referred"
    )
    path = ["intake", "assessment", "planning", "active", "transition"]
    for status in path:
        case = services.case_transition(actor=worker, case=case, to_status=status)
        event = _last_event()
        assert (event.action, event.changes["status"][1]) == ("case.transition", status)
    case = services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="goals_met")
    changes = list(case.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert changes == [
        ("", "referred", worker.pk),
        ("referred", "intake", worker.pk),
        ("intake", "assessment", worker.pk),
        ("assessment", "planning", worker.pk),
        ("planning", "active", worker.pk),
        ("active", "transition", worker.pk),
        ("transition", "closed", worker.pk),
    ]
    assert all(change.changed_at for change in case.status_changes.all())
    assert case.version == 7
    assert AuditEvent.objects.filter(action="case.transition", object_id=str(case.pk)).count() == 6


def test_going_back_needs_a_reason(worker, case):
    before = _state(case)
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as failure:
            services.case_transition(actor=worker, case=case, to_status="assessment", reason=reason)
        assert "reason" in failure.value.errors
    assert _state(case) == before
    services.case_transition(actor=worker, case=case, to_status="assessment", reason="New information at intake")
    change = case.status_changes.latest("id")
    assert (change.from_status, change.to_status, change.reason) == (
        "active",
        "assessment",
        "New information at intake",
    )
    assert _last_event().reason == "New information at intake"


def test_closing_needs_a_closure_reason(worker, case):
    before = _state(case)
    for closure_reason in ("", "bored"):
        with pytest.raises(ValidationFailed) as failure:
            services.case_transition(actor=worker, case=case, to_status="closed", closure_reason=closure_reason)
        assert "closure_reason" in failure.value.errors
    assert _state(case) == before
    closed = services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="moved")
    assert (closed.status, closed.closure_reason) == ("closed", "moved")
    assert closed.closed_at is not None
    assert _last_event().changes["closure_reason"] == ["", "moved"]


def test_reopening_needs_a_reason_and_clears_the_closure(worker, case):
    services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="lost_contact")
    before = _state(case)
    with pytest.raises(ValidationFailed) as failure:
        services.case_transition(actor=worker, case=case, to_status="active")
    assert "reason" in failure.value.errors
    assert _state(case) == before
    reopened = services.case_transition(actor=worker, case=case, to_status="active", reason="Client called back")
    reopened.refresh_from_db()
    assert (reopened.status, reopened.closure_reason, reopened.closed_at) == ("active", "", None)
    change = reopened.status_changes.latest("id")
    assert (change.from_status, change.to_status, change.reason) == ("closed", "active", "Client called back")
    assert _last_event().changes["closure_reason"] == ["lost_contact", ""]


def test_reopening_is_refused_while_another_case_in_the_program_is_open(worker, case, client_record, program):
    services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="goals_met")
    services.case_open(actor=worker, client=client_record, program=program, primary_worker=worker)
    before = _state(case)
    with pytest.raises(ValidationFailed):
        services.case_transition(actor=worker, case=case, to_status="active", reason="Back again")
    assert _state(case) == before


def test_unknown_or_same_status_is_refused(worker, case):
    before = _state(case)
    for status in ("flying", "active"):
        with pytest.raises(ValidationFailed):
            services.case_transition(actor=worker, case=case, to_status=status)
    assert _state(case) == before


def test_a_transition_over_a_newer_version_is_refused(worker, supervisor, case):
    services.case_transition(actor=supervisor, case=case, to_status="transition")
    before = _state(case)
    with pytest.raises(VersionConflict) as conflict:
        services.case_transition(
            actor=worker, case=case, to_status="closed", closure_reason="goals_met", expected_version=1
        )
    assert conflict.value.current_version == 2
    assert conflict.value.changes[0]["field"] == "status"
    assert conflict.value.changes[0]["by"] == supervisor.email
    assert _state(case) == before


def test_only_the_case_team_and_its_supervisors_change_the_status(
    worker, supervisor, director, colleague, supervisor_b, outsider, auditor, case
):
    before = _state(case)
    for user in (colleague, supervisor_b, outsider, auditor):
        with pytest.raises(PermissionDenied):
            services.case_transition(actor=user, case=case, to_status="transition")
    assert _state(case) == before
    services.case_transition(actor=supervisor, case=case, to_status="transition")
    services.case_transition(actor=director, case=case, to_status="active", reason="Not ready yet")
    assert case.status_changes.latest("id").changed_by == director


def test_case_update_changes_acuity_with_a_version(worker, colleague, case):
    with pytest.raises(PermissionDenied):
        services.case_update(actor=colleague, case=case, expected_version=1, data={"acuity": 3})
    updated = services.case_update(actor=worker, case=case, expected_version=1, data={"acuity": 3})
    assert (updated.acuity, updated.version) == (3, 2)
    with pytest.raises(VersionConflict):
        services.case_update(actor=worker, case=case, expected_version=1, data={"acuity": 1})
    with pytest.raises(ValidationFailed):
        services.case_update(actor=worker, case=case, expected_version=2, data={"acuity": 9})
    case.refresh_from_db()
    assert (case.acuity, case.version) == (3, 2)


# --- Case team -----------------------------------------------------------------------------------------


def test_staff_and_outside_professionals_join_the_case_team(worker, colleague, case, client_record):
    staff = services.case_team_member_add(actor=worker, case=case, data={"user": colleague, "role": "secondary"})
    assert not staff.is_external
    assert clients_visible_to(colleague).filter(pk=client_record.pk).exists()
    external = services.case_team_member_add(
        actor=worker,
        case=case,
        data={
            "name": "Dr. Amara Osei",
            "role": "psychiatrist",
            "organization": "County Clinic",
            "phone": "555-400-1000",
            "email": "osei@clinic.example",
        },
    )
    assert external.is_external
    assert external.display_name == "Dr. Amara Osei"
    assert _last_event().action == "case.team_add"
    assert case.team_members.count() == 2


def test_case_team_member_input_is_validated(worker, colleague, outsider, auditor, admin_user, case, agency):
    services.case_team_member_add(actor=worker, case=case, data={"user": colleague, "role": "secondary"})
    gone = UserFactory.create(agency=agency, is_active=False)
    bad = [
        {"user": colleague, "role": "secondary"},  # already on the team
        {"user": outsider, "role": "secondary"},  # another agency
        {"user": gone, "role": "secondary"},  # left
        {"user": auditor, "role": "other"},  # sees no clinical content
        {"user": admin_user, "role": "other"},
        {"name": "", "role": "physician"},
        {"name": "Dr. X", "role": "wizard"},
        {"name": "Dr. X", "role": "physician", "email": "nope"},
        {"name": "Dr. X", "role": "physician", "phone": "call me"},
    ]
    for data in bad:
        with pytest.raises(ValidationFailed):
            services.case_team_member_add(actor=worker, case=case, data=data)
    assert case.team_members.count() == 1


def test_removing_a_team_member_keeps_the_membership_and_ends_access(worker, colleague, case, client_record):
    member = services.case_team_member_add(actor=worker, case=case, data={"user": colleague, "role": "secondary"})
    services.case_team_member_remove(actor=worker, member=member, reason="Rotation ended")
    member.refresh_from_db()
    assert member.removed_at is not None
    assert CaseTeamMember.objects.filter(pk=member.pk).exists()
    assert not clients_visible_to(colleague).filter(pk=client_record.pk).exists()
    assert (_last_event().action, _last_event().reason) == ("case.team_remove", "Rotation ended")


def test_people_outside_the_case_team_cannot_change_it(worker, colleague, outsider, case):
    for user in (colleague, outsider):
        with pytest.raises(PermissionDenied):
            services.case_team_member_add(actor=user, case=case, data={"user": user, "role": "secondary"})
    member = services.case_team_member_add(actor=worker, case=case, data={"name": "Dr. X", "role": "physician"})
    with pytest.raises(PermissionDenied):
        services.case_team_member_remove(actor=colleague, member=member)
    member.refresh_from_db()
    assert member.removed_at is None


# --- Reassignment -------------------------------------------------------------------------------------


def test_the_supervisor_reassigns_a_case_with_a_reason(supervisor, worker, teammate, case):
    moved = services.case_reassign(actor=supervisor, case=case, to_worker=teammate, reason="Balancing caseloads")
    moved.refresh_from_db()
    assert (moved.primary_worker_id, moved.team_id, moved.version) == (teammate.pk, teammate.team_id, 2)
    assignment = moved.assignments.latest("id")
    assert (assignment.from_worker_id, assignment.to_worker_id, assignment.assigned_by_id, assignment.reason) == (
        worker.pk,
        teammate.pk,
        supervisor.pk,
        "Balancing caseloads",
    )
    event = _last_event()
    assert (event.action, event.reason) == ("case.reassign", "Balancing caseloads")
    assert event.changes["primary_worker"] == [worker.email, teammate.email]


def test_the_program_director_may_reassign(director, colleague, case):
    services.case_reassign(actor=director, case=case, to_worker=colleague, reason="Language match")
    case.refresh_from_db()
    assert case.primary_worker == colleague


def test_reassigning_needs_a_reason(supervisor, teammate, case):
    before = _state(case)
    with pytest.raises(ValidationFailed) as failure:
        services.case_reassign(actor=supervisor, case=case, to_worker=teammate, reason=" ")
    assert "reason" in failure.value.errors
    assert _state(case) == before


def test_only_the_cases_supervisor_or_director_reassign(
    worker, colleague, supervisor_b, outsider, auditor, teammate, case
):
    before = _state(case)
    for user in (worker, colleague, supervisor_b, outsider, auditor):
        with pytest.raises(PermissionDenied):
            services.case_reassign(actor=user, case=case, to_worker=teammate, reason="Because")
    assert _state(case) == before


def test_a_case_goes_only_to_a_worker_who_can_carry_it(supervisor, worker, auditor, outsider, case, agency):
    gone = UserFactory.create(agency=agency, team=worker.team, is_active=False)
    loner = UserFactory.create(agency=agency, team=None)
    director_like = UserFactory.create(agency=agency, team=worker.team, role=Role.ADMINISTRATOR)
    before = _state(case)
    for user in (auditor, outsider, gone, loner, director_like, worker):
        with pytest.raises(ValidationFailed):
            services.case_reassign(actor=supervisor, case=case, to_worker=user, reason="Because")
    assert _state(case) == before


def test_closed_cases_are_not_reassigned(supervisor, worker, teammate, case):
    services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="goals_met")
    before = _state(case)
    with pytest.raises(ValidationFailed):
        services.case_reassign(actor=supervisor, case=case, to_worker=teammate, reason="Because")
    assert _state(case) == before


def test_a_caseload_moves_in_one_action(supervisor, worker, teammate, case, program, agency):
    second = CaseFactory.create(client=ClientFactory.create(agency=agency), program=program, primary_worker=worker)
    closed = CaseFactory.create(
        client=ClientFactory.create(agency=agency), program=program, primary_worker=worker, status="closed"
    )
    moved = services.caseload_reassign(actor=supervisor, from_worker=worker, to_worker=teammate, reason="Leaving")
    assert moved == 2
    assert set(Case.objects.filter(primary_worker=teammate).values_list("pk", flat=True)) == {case.pk, second.pk}
    closed.refresh_from_db()
    assert closed.primary_worker == worker
    assert CaseAssignment.objects.filter(to_worker=teammate, reason="Leaving").count() == 2
    event = _last_event()
    assert (event.action, sorted(event.changes["cases"])) == ("caseload.reassign", sorted([case.pk, second.pk]))


def test_a_caseload_moves_all_or_nothing(supervisor, worker, teammate, case, agency, team_b):
    # One of the worker's cases belongs to another team and program: the supervisor may not move it.
    elsewhere = CaseFactory.create(
        client=ClientFactory.create(agency=agency),
        program=ProgramFactory.create(agency=agency),
        primary_worker=worker,
        team=team_b,
    )
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.caseload_reassign(actor=supervisor, from_worker=worker, to_worker=teammate, reason="Leaving")
    assert set(Case.objects.filter(primary_worker=worker).values_list("pk", flat=True)) == {case.pk, elsewhere.pk}
    assert not CaseAssignment.objects.filter(to_worker=teammate).exists()
    assert AuditEvent.objects.count() == events


def test_a_caseload_is_not_moved_to_someone_who_cannot_carry_it(supervisor, worker, case, agency):
    gone = UserFactory.create(agency=agency, team=worker.team, is_active=False)
    with pytest.raises(ValidationFailed):
        services.caseload_reassign(actor=supervisor, from_worker=worker, to_worker=gone, reason="Leaving")
    case.refresh_from_db()
    assert case.primary_worker == worker


def test_only_supervisors_and_directors_reassign_caseloads(worker, teammate, case):
    with pytest.raises(PermissionDenied):
        services.caseload_reassign(actor=worker, from_worker=worker, to_worker=teammate, reason="Leaving")
    assert CaseStatusChange.objects.filter(case=case).count() == 0
    case.refresh_from_db()
    assert case.primary_worker == worker


def test_case_update_refuses_an_oversized_referral_reason(worker, case):
    with pytest.raises(ValidationFailed) as failure:
        services.case_update(actor=worker, case=case, expected_version=1, data={"reason_for_referral": "x" * 4001})
    assert "reason_for_referral" in failure.value.errors
    case.refresh_from_db()
    assert (case.reason_for_referral, case.version) == ("", 1)
