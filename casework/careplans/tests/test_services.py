"""Care-plan services: versions, approval rules, bad input, progress, acknowledgement."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.careplans import selectors, services
from casework.careplans.models import (
    Goal,
    GoalProgress,
    Intervention,
    Plan,
    PlanRevision,
    PlanTemplate,
    RevisionStatus,
)
from casework.careplans.tests.helpers import (
    draft_plan,
    food_suggestion,
    fresh,
    future,
    published_plan,
    require_approval,
)
from casework.cases.models import CaseTeamMember, TeamRole
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.needs.models import SuggestedNeedStatus
from casework.notes.models import ProgressNote
from casework.testing import UserFactory, audited_writes_after, last_audit_id, twin_request_unseen_until_insert

pytestmark = pytest.mark.django_db


def test_a_new_plan_has_a_first_draft_and_is_audited(worker, case):
    plan = services.plan_create(actor=worker, case=case, title="Care plan")
    assert plan.open_revision is not None and plan.open_revision.status == RevisionStatus.DRAFT
    assert plan.open_revision.number == 1 and plan.active_revision is None
    assert AuditEvent.objects.filter(action="careplan.create", client_id=case.client_id).count() == 1


def test_outsiders_and_other_teams_cannot_start_a_plan(colleague, case):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=colleague, case=case)
    assert not case.plans.exists()
    assert not AuditEvent.objects.filter(action="careplan.create").exists()


def test_a_template_prefills_the_draft(worker, case):
    template = PlanTemplate.objects.create(
        program=case.program,
        name="Individual Plan for Employment",
        kind="employment",
        sections={
            "summary": "Work towards a job",
            "needs": [{"domain": "employment", "description": "Out of work"}],
            "strengths": ["Reliable"],
            "barriers": ["No transport"],
            "goals": [
                {
                    "domain": "employment",
                    "description": "Get a part-time job",
                    "term": "long",
                    "interventions": [
                        {
                            "description": "Vocational assessment",
                            "responsible_party": "external_provider",
                            "responsible_name": "VR office",
                        }
                    ],
                }
            ],
        },
    )
    plan = services.plan_create(actor=worker, case=case, template=template)
    content = selectors.revision_content(fresh(plan).open_revision)
    assert plan.kind == "employment" and plan.title == "Individual Plan for Employment"
    assert content.revision.summary == "Work towards a job"
    assert [n.domain for n in content.needs] == ["employment"]
    assert [s.text for s in content.strengths] == ["Reliable"] and [b.text for b in content.barriers] == [
        "No transport"
    ]
    assert content.goals[0].need == content.needs[0] and content.goals[0].term == "long"
    assert content.interventions[0].responsible_name == "VR office"


def test_accepting_a_suggested_need_links_it_and_marks_it_accepted(worker, case):
    suggestion = food_suggestion(case)
    plan = services.plan_create(actor=worker, case=case)
    need = services.need_add(actor=worker, plan=plan, expected_version=fresh(plan).version, suggested_need=suggestion)
    suggestion.refresh_from_db()
    assert need.suggested_need == suggestion and need.domain == "food"
    assert need.description == "Food insecurity (AHC HRSN)"
    assert suggestion.status == SuggestedNeedStatus.ACCEPTED and suggestion.decided_by == worker
    with pytest.raises(ValidationFailed, match="already accepted"):
        services.need_add(actor=worker, plan=plan, expected_version=fresh(plan).version, suggested_need=suggestion)


def test_a_goal_needs_a_description_and_a_target_date_not_in_the_past(worker, case):
    plan = services.plan_create(actor=worker, case=case)
    with pytest.raises(ValidationFailed) as empty:
        services.goal_add(actor=worker, plan=plan, expected_version=fresh(plan).version, data={"description": "  "})
    assert "description" in empty.value.errors
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationFailed) as past:
        services.goal_add(
            actor=worker,
            plan=plan,
            expected_version=fresh(plan).version,
            data={"description": "Housing", "target_date": yesterday},
        )
    assert "past" in past.value.errors["target_date"][0]
    assert not Goal.objects.exists() and fresh(plan).version == 1


def test_an_intervention_cannot_name_someone_who_left_the_case_team(worker, case, supervisor):
    nurse = CaseTeamMember.objects.create(case=case, role=TeamRole.NURSE, name="Nora Nurse", added_by=worker)
    plan = draft_plan(worker, case, with_step=False)
    goal = plan.open_revision.goals.get()
    step = services.intervention_add(
        actor=worker,
        plan=plan,
        expected_version=plan.version,
        data={
            "goal": goal.pk,
            "description": "Check blood pressure",
            "responsible_party": "team_member",
            "team_member": nurse.pk,
        },
    )
    nurse.removed_at = timezone.now()
    nurse.save()
    with pytest.raises(ValidationFailed, match="left the case team") as refused:
        services.plan_submit(actor=worker, plan=fresh(plan), expected_version=fresh(plan).version)
    assert "interventions" in refused.value.errors
    with pytest.raises(ValidationFailed, match="left the case team"):
        services.intervention_add(
            actor=worker,
            plan=plan,
            expected_version=fresh(plan).version,
            data={"goal": goal.pk, "description": "Other", "responsible_party": "team_member", "team_member": nurse.pk},
        )
    assert fresh(plan).open_revision.status == RevisionStatus.DRAFT
    assert Intervention.objects.filter(pk=step.pk).exists()


def test_without_approval_submitting_publishes_and_schedules_the_review(worker, case):
    plan = published_plan(worker, case)
    assert plan.open_revision is None and plan.active_revision.status == RevisionStatus.ACTIVE
    assert plan.review_due_date == timezone.localdate() + datetime.timedelta(days=90)
    assert plan.active_revision.goals.get().lifecycle_status == "active"  # was proposed in the draft


def test_approval_required_submit_then_supervisor_approves(worker, supervisor, case):
    require_approval(case.program, interval=30)
    plan = draft_plan(worker, case)
    services.plan_submit(actor=worker, plan=plan, expected_version=plan.version)
    plan = fresh(plan)
    assert plan.open_revision.status == RevisionStatus.SUBMITTED and plan.active_revision is None
    with pytest.raises(ValidationFailed, match="waiting for approval"):
        services.goal_add(actor=worker, plan=plan, expected_version=plan.version, data={"description": "More"})
    services.plan_approve(actor=supervisor, plan=plan, expected_version=plan.version, comment="Good plan")
    plan = fresh(plan)
    assert plan.active_revision.approved_by == supervisor
    assert plan.review_due_date == timezone.localdate() + datetime.timedelta(days=30)
    assert plan.active_revision.decisions.get().decision == "approved"
    assert AuditEvent.objects.filter(action="careplan.approve", actor=supervisor).exists()


def test_approving_your_own_plan_is_refused(worker, supervisor, case):
    require_approval(case.program)
    plan = draft_plan(supervisor, case)
    services.plan_submit(actor=supervisor, plan=plan, expected_version=plan.version)
    plan = fresh(plan)
    with pytest.raises(PermissionDenied, match="you wrote or submitted"):
        services.plan_approve(actor=supervisor, plan=plan, expected_version=plan.version)
    assert fresh(plan).open_revision.status == RevisionStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="careplan.approve").exists()


def test_a_case_manager_cannot_approve(worker, case):
    require_approval(case.program)
    other: Any = UserFactory(agency=case.program.agency, team=worker.team)
    CaseTeamMember.objects.create(case=case, user=other, role=TeamRole.SECONDARY_WORKER, added_by=worker)
    plan = draft_plan(other, case)
    services.plan_submit(actor=worker, plan=plan, expected_version=plan.version)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=worker, plan=fresh(plan), expected_version=fresh(plan).version)


def test_returning_needs_comments_and_the_draft_can_be_changed_and_resubmitted(worker, supervisor, case):
    require_approval(case.program)
    plan = draft_plan(worker, case)
    services.plan_submit(actor=worker, plan=plan, expected_version=plan.version)
    with pytest.raises(ValidationFailed, match="what needs to change"):
        services.plan_return(actor=supervisor, plan=fresh(plan), expected_version=fresh(plan).version, comment=" ")
    services.plan_return(
        actor=supervisor, plan=fresh(plan), expected_version=fresh(plan).version, comment="Add a housing goal"
    )
    plan = fresh(plan)
    assert plan.open_revision.status == RevisionStatus.RETURNED
    services.goal_add(actor=worker, plan=plan, expected_version=plan.version, data={"description": "Find housing"})
    services.plan_submit(actor=worker, plan=fresh(plan), expected_version=fresh(plan).version)
    assert fresh(plan).open_revision.status == RevisionStatus.SUBMITTED


def test_published_versions_are_never_edited_and_a_new_draft_copies_the_active_one(worker, case):
    plan = published_plan(worker, case)
    active = plan.active_revision
    goal = active.goals.get()
    with pytest.raises(ValidationFailed, match="no draft"):
        services.goal_update(actor=worker, goal=goal, expected_version=plan.version, data={"description": "Changed"})
    draft = services.revision_start(actor=worker, plan=plan, expected_version=plan.version)
    plan = fresh(plan)
    assert draft.number == 2 and draft.based_on == active
    copy: Any = draft.goals.get()
    assert copy.key == goal.key and copy.description == goal.description and copy.need.key == goal.need.key
    assert draft.interventions.get().goal == copy
    with pytest.raises(ValidationFailed, match="published version"):
        services.goal_update(actor=worker, goal=goal, expected_version=plan.version, data={"description": "Changed"})
    services.goal_update(actor=worker, goal=copy, expected_version=plan.version, data={"description": "Changed"})
    goal.refresh_from_db()
    assert goal.description == "Enough food every week"
    services.plan_submit(actor=worker, plan=fresh(plan), expected_version=fresh(plan).version)
    active.refresh_from_db()
    assert active.status == RevisionStatus.SUPERSEDED and fresh(plan).active_revision == draft
    comparison = selectors.revisions_compare(PlanRevision.objects.get(pk=active.pk), draft)
    goals = dict(comparison["sections"])["Goals"]
    assert goals[0].change == "changed" and goals[0].changed_fields == ["Description"]


def test_concurrent_edits_of_the_same_draft_are_refused_with_what_changed(worker, supervisor, case):
    plan = draft_plan(worker, case)
    opened_at = plan.version
    goal = plan.open_revision.goals.get()
    services.goal_update(actor=supervisor, goal=goal, expected_version=opened_at, data={"target_date": future(90)})
    with pytest.raises(VersionConflict) as conflict:
        services.goal_update(actor=worker, goal=goal, expected_version=opened_at, data={"description": "Mine"})
    assert conflict.value.current_version == opened_at + 1
    fields = {change["field"]: change for change in conflict.value.changes}
    assert fields["target_date"]["new"] == future(90).isoformat()
    assert fields["target_date"]["by"] == supervisor.email
    goal.refresh_from_db()
    assert goal.description == "Enough food every week"


def test_progress_from_a_note_shows_in_the_goal_history(worker, case):
    plan = published_plan(worker, case)
    goal = plan.active_revision.goals.get()
    note = ProgressNote.objects.create(
        case=case,
        client_id=case.client_id,
        author=worker,
        contact_type="phone",
        contact_date=timezone.localdate(),
        duration_minutes=20,
        sections={"data": "Talked"},
    )
    services.goals_progress_from_note(
        actor=worker,
        note=note,
        updates=[
            {"goal": goal, "lifecycle_status": "active", "achievement_status": "improving", "comment": "Got SNAP"}
        ],
    )
    goal.refresh_from_db()
    assert (goal.lifecycle_status, goal.achievement_status) == ("active", "improving")
    history = list(selectors.goal_history(plan=plan, goal_key=goal.key))
    assert len(history) == 1 and history[0].note == note and history[0].previous_achievement_status == "in-progress"
    # The history follows the goal into the next version, and the new draft has the current status.
    draft = services.revision_start(actor=worker, plan=fresh(plan), expected_version=fresh(plan).version)
    assert draft.goals.get().achievement_status == "improving"
    services.goal_progress_record(actor=worker, goal=goal, achievement_status="achieved", lifecycle_status="completed")
    assert draft.goals.get().lifecycle_status == "completed"
    assert GoalProgress.objects.filter(goal_key=goal.key).count() == 2


def test_progress_only_on_the_active_version(worker, case):
    plan = draft_plan(worker, case)
    with pytest.raises(ValidationFailed, match="active plan"):
        services.goal_progress_record(actor=worker, goal=plan.open_revision.goals.get(), comment="x")


def test_acknowledgement_needs_a_signature_unless_refused(worker, case):
    plan = published_plan(worker, case)
    with pytest.raises(ValidationFailed, match="signature"):
        services.plan_acknowledge(actor=worker, plan=plan, method="in_person", signature="")
    ack = services.plan_acknowledge(actor=worker, plan=plan, method="refused")
    assert ack.signature == "" and ack.revision == plan.active_revision
    ack = services.plan_acknowledge(actor=worker, plan=plan, method="phone", signature="Robert Smith")
    assert ack.signed_on == timezone.localdate()
    with pytest.raises(ValidationFailed, match="future"):
        services.plan_acknowledge(actor=worker, plan=plan, method="phone", signature="R", signed_on=future(2))


def test_active_version_step_status_can_be_updated_but_nothing_else(worker, case):
    plan = published_plan(worker, case)
    step = plan.active_revision.interventions.get()
    with pytest.raises(ValidationFailed, match="never edited"):
        services.intervention_update(
            actor=worker, intervention=step, expected_version=plan.version, data={"description": "x"}
        )
    services.intervention_update(
        actor=worker, intervention=step, expected_version=plan.version, data={"status": "done"}
    )
    step.refresh_from_db()
    assert step.status == "done"


def test_audit_keeps_free_text_out(worker, case):
    draft_plan(worker, case)
    event = AuditEvent.objects.filter(action="careplan.item_add").order_by("-id")[0]
    assert "Apply for SNAP" not in str(event.changes)


def test_program_plan_rules_are_set_by_its_director_only(worker, director, case):
    from casework.careplans.models import PlanSettings

    with pytest.raises(PermissionDenied):
        services.plan_settings_update(
            actor=worker, program=case.program, approval_required=True, review_interval_days=30
        )
    assert not PlanSettings.objects.exists()
    with pytest.raises(ValidationFailed):
        services.plan_settings_update(
            actor=director, program=case.program, approval_required=True, review_interval_days=1
        )
    row = services.plan_settings_update(
        actor=director, program=case.program, approval_required=True, review_interval_days=30
    )
    assert row.approval_required and services.plan_settings_for(case.program).review_interval_days == 30
    assert AuditEvent.objects.filter(action="careplan.settings_update").count() == 1


def test_removing_an_accepted_need_from_the_draft_puts_the_suggestion_back(worker, case):
    suggestion = food_suggestion(case)
    plan = services.plan_create(actor=worker, case=case)
    need = services.need_add(actor=worker, plan=plan, expected_version=fresh(plan).version, suggested_need=suggestion)
    services.need_remove(actor=worker, need=need, expected_version=fresh(plan).version)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestedNeedStatus.SUGGESTED and suggestion.decided_by is None
    assert AuditEvent.objects.filter(action="suggested_need.reopen", object_id=str(suggestion.pk)).exists()


def test_two_plan_creates_with_one_key_at_once_start_one_plan(worker, case):
    """The second misses the first one's plan until its own insert fails on the key: it gets the first."""
    first = services.plan_create(actor=worker, case=case, title="Care plan", submission_key="plan-twin")
    last = last_audit_id()
    with twin_request_unseen_until_insert(Plan, "plan-twin"):
        second = services.plan_create(actor=worker, case=case, title="Care plan", submission_key="plan-twin")
    assert second.pk == first.pk
    assert Plan.objects.filter(case=case).count() == 1
    assert PlanRevision.objects.filter(plan__case=case).count() == 1
    assert audited_writes_after(last) == []
