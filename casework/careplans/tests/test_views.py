"""Care-plan pages: access for the worker, a colleague on another team and an outsider; editing the draft
inline with bad input kept; approval; acknowledgement; versions; goal history; the client's copy."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casework.audit.models import AuditEvent
from casework.careplans import services
from casework.careplans.models import Goal, Plan, PlanTemplate, RevisionStatus
from casework.careplans.tests.helpers import (
    draft_plan,
    food_suggestion,
    fresh,
    future,
    published_plan,
    require_approval,
)
from casework.needs.models import SuggestedNeedStatus

pytestmark = pytest.mark.django_db


def _pages(plan):
    goal = (plan.open_revision or plan.active_revision).goals.first()
    return [
        reverse("careplans:detail", args=[plan.pk]),
        reverse("careplans:versions", args=[plan.pk]),
        reverse("careplans:revision", args=[plan.pk, 1]),
        reverse("careplans:compare", args=[plan.pk]),
        reverse("careplans:goal", args=[goal.pk]),
        reverse("careplans:print", args=[plan.pk]),
        reverse("careplans:pdf", args=[plan.pk]),
        reverse("careplans:create", args=[plan.case_id]),
    ]


def test_the_worker_sees_every_page_and_others_get_404(as_worker, as_colleague, as_outsider, worker, case):
    plan = published_plan(worker, case)
    for url in _pages(plan):
        assert as_worker.get(url).status_code == 200, url
        before = AuditEvent.objects.count()
        assert as_colleague.get(url).status_code == 404, url
        assert as_outsider.get(url).status_code == 404, url
        assert AuditEvent.objects.count() == before


def test_refused_writes_change_nothing(as_colleague, as_outsider, worker, case):
    plan = draft_plan(worker, case)
    goal = plan.open_revision.goals.get()
    posts = [
        (
            reverse("careplans:goal_add", args=[plan.pk]),
            {"goal-new-description": "x", "goal-new-version": plan.version},
        ),
        (reverse("careplans:goal_update", args=[goal.pk]), {"goal-{goal.pk}-description": "x"}),
        (reverse("careplans:goal_remove", args=[goal.pk]), {"version": plan.version}),
        (reverse("careplans:submit", args=[plan.pk]), {"version": plan.version}),
        (reverse("careplans:need_add", args=[plan.pk]), {"need-new-domain": "food"}),
        (reverse("careplans:create", args=[case.pk]), {"title": "Other"}),
    ]
    for http in (as_colleague, as_outsider):
        before = AuditEvent.objects.count()
        for url, data in posts:
            assert http.post(url, data).status_code == 404, url
        assert AuditEvent.objects.count() == before
    assert fresh(plan).version == plan.version and Plan.objects.count() == 1


def test_the_case_page_links_to_the_plan(as_worker, worker, case):
    response = as_worker.get(reverse("cases:detail", args=[case.pk]))
    assert "Start a care plan" in response.text
    plan = draft_plan(worker, case)
    response = as_worker.get(reverse("cases:detail", args=[case.pk]))
    assert reverse("careplans:detail", args=[plan.pk]) in response.text


def test_start_a_plan_from_a_template(as_worker, worker, case):
    template = PlanTemplate.objects.create(
        program=case.program,
        name="Relapse-prevention plan",
        kind="relapse_prevention",
        sections={"summary": "Stay well"},
    )
    response = as_worker.post(reverse("careplans:create", args=[case.pk]), {"template": template.pk, "title": ""})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("careplans:detail", args=[plan.pk])
    assert plan.kind == "relapse_prevention" and fresh(plan).open_revision.summary == "Stay well"


def test_suggested_needs_are_offered_first_and_can_be_accepted(as_worker, worker, case):
    suggestion = food_suggestion(case)
    plan = services.plan_create(actor=worker, case=case)
    page = as_worker.get(reverse("careplans:detail", args=[plan.pk])).text
    assert page.index("Suggested from screens") < page.index("Add a need")
    response = as_worker.post(
        reverse("careplans:accept", args=[plan.pk, suggestion.pk]), {"version": fresh(plan).version}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestedNeedStatus.ACCEPTED
    assert "Suggested from screens" not in as_worker.get(reverse("careplans:detail", args=[plan.pk])).text


def test_a_goal_with_a_past_target_date_is_refused_and_the_input_kept(as_worker, worker, case):
    plan = draft_plan(worker, case)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = as_worker.post(
        reverse("careplans:goal_add", args=[plan.pk]),
        {
            "goal-new-version": plan.version,
            "goal-new-description": "Move into my own flat",
            "goal-new-target_date": yesterday.isoformat(),
            "goal-new-term": "long",
            "goal-new-lifecycle_status": "proposed",
            "goal-new-achievement_status": "in-progress",
        },
    )
    assert response.status_code == 422
    assert "The target date is in the past" in response.text
    assert "Move into my own flat" in response.text
    assert Goal.objects.count() == 1


def test_a_goal_without_description_is_refused(as_worker, worker, case):
    plan = draft_plan(worker, case)
    response = as_worker.post(
        reverse("careplans:goal_add", args=[plan.pk]),
        {
            "goal-new-version": plan.version,
            "goal-new-description": "",
            "goal-new-measurable_target": "3 applications a week",
            "goal-new-term": "short",
            "goal-new-lifecycle_status": "proposed",
            "goal-new-achievement_status": "in-progress",
        },
    )
    assert response.status_code == 422
    assert "Describe the goal" in response.text and "3 applications a week" in response.text


def test_a_stale_edit_shows_what_changed_and_keeps_the_input(as_worker, worker, supervisor, case):
    plan = draft_plan(worker, case)
    goal = plan.open_revision.goals.get()
    services.goal_update(actor=supervisor, goal=goal, expected_version=plan.version, data={"target_date": future(100)})
    response = as_worker.post(
        reverse("careplans:goal_update", args=[goal.pk]),
        {
            f"goal-{goal.pk}-version": plan.version,
            f"goal-{goal.pk}-description": "My better wording",
            f"goal-{goal.pk}-term": "short",
            f"goal-{goal.pk}-lifecycle_status": "proposed",
            f"goal-{goal.pk}-achievement_status": "in-progress",
        },
    )
    assert response.status_code == 409
    assert "Someone else saved a change" in response.text
    assert future(100).isoformat() in response.text and "sup@example.org" in response.text
    assert "My better wording" in response.text
    assert f'value="{plan.version + 1}"' in response.text
    goal.refresh_from_db()
    assert goal.description == "Enough food every week"


def test_submit_approve_and_acknowledge(as_worker, as_supervisor, worker, case):
    require_approval(case.program)
    plan = draft_plan(worker, case)
    response = as_worker.post(reverse("careplans:submit", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 302
    plan = fresh(plan)
    assert plan.open_revision.status == RevisionStatus.SUBMITTED
    page = as_worker.get(reverse("careplans:detail", args=[plan.pk])).text
    assert "another supervisor approves it" in page and 'value="approve"' not in page
    page = as_supervisor.get(reverse("careplans:detail", args=[plan.pk])).text
    assert 'value="approve"' in page
    response = as_supervisor.post(
        reverse("careplans:decide", args=[plan.pk]), {"version": plan.version, "decision": "return", "comment": ""}
    )
    assert response.status_code == 422 and "Say what needs to change" in response.text
    response = as_supervisor.post(
        reverse("careplans:decide", args=[plan.pk]), {"version": plan.version, "decision": "approve", "comment": "OK"}
    )
    assert response.status_code == 302
    plan = fresh(plan)
    assert plan.active_revision.approved_by.role == "supervisor"
    response = as_worker.post(
        reverse("careplans:acknowledge", args=[plan.pk]),
        {"method": "in_person", "signature": "", "signed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 422 and "Type the client" in response.text
    response = as_worker.post(
        reverse("careplans:acknowledge", args=[plan.pk]),
        {"method": "in_person", "signature": "Robert Smith", "signed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert "Robert Smith" in as_worker.get(reverse("careplans:detail", args=[plan.pk])).text


def test_approving_your_own_plan_is_refused_on_the_page(as_supervisor, supervisor, case):
    require_approval(case.program)
    plan = draft_plan(supervisor, case)
    services.plan_submit(actor=supervisor, plan=plan, expected_version=plan.version)
    plan = fresh(plan)
    response = as_supervisor.post(
        reverse("careplans:decide", args=[plan.pk]), {"version": plan.version, "decision": "approve", "comment": ""}
    )
    assert response.status_code == 403 and "you wrote or submitted" in response.text
    assert fresh(plan).open_revision.status == RevisionStatus.SUBMITTED


def test_revise_compare_and_goal_history(as_worker, worker, case):
    plan = published_plan(worker, case)
    response = as_worker.post(reverse("careplans:revision_start", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 302
    plan = fresh(plan)
    goal = plan.open_revision.goals.get()
    services.goal_update(
        actor=worker, goal=goal, expected_version=plan.version, data={"measurable_target": "Two meals"}
    )
    page = as_worker.get(reverse("careplans:compare", args=[plan.pk]) + "?old=1&new=2").text
    assert "Two meals" in page and "No skipped meals for 4 weeks" in page and "field-changed" in page
    active_goal = plan.active_revision.goals.get()
    response = as_worker.post(
        reverse("careplans:goal", args=[active_goal.pk]),
        {"lifecycle_status": "active", "achievement_status": "improving", "comment": "Signed up for SNAP"},
    )
    assert response.status_code == 302
    page = as_worker.get(reverse("careplans:goal", args=[goal.pk])).text
    assert "Signed up for SNAP" in page and "Improving" in page


def test_the_plan_page_runs_a_fixed_number_of_queries(as_worker, worker, case, django_assert_max_num_queries):
    plan = draft_plan(worker, case)
    url = reverse("careplans:detail", args=[plan.pk])
    as_worker.get(url)
    with django_assert_max_num_queries(40) as few:
        as_worker.get(url)
    for _ in range(5):
        goal = services.goal_add(
            actor=worker, plan=plan, expected_version=fresh(plan).version, data={"description": "Another"}
        )
        services.intervention_add(
            actor=worker,
            plan=plan,
            expected_version=fresh(plan).version,
            data={"goal": goal.pk, "description": "Step", "responsible_party": "client"},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_worker.get(url)


def test_print_and_pdf_are_audited_as_disclosures_in_the_clients_language(as_worker, worker, case):
    from casework.careplans.client_copy import SPANISH

    template = PlanTemplate.objects.create(
        program=case.program, name="Care plan", translations={"es": {**SPANISH, "name": "Plan de cuidado"}}
    )
    case.client.primary_language = "Spanish"
    case.client.save()
    plan = services.plan_create(actor=worker, case=case, template=template)
    services.goal_add(actor=worker, plan=plan, expected_version=fresh(plan).version, data={"description": "Comer bien"})
    services.plan_submit(actor=worker, plan=fresh(plan), expected_version=fresh(plan).version)
    page = as_worker.get(reverse("careplans:print", args=[plan.pk]))
    assert 'lang="es"' in page.text and "Sus metas" in page.text and "Comer bien" in page.text
    pdf = as_worker.get(reverse("careplans:pdf", args=[plan.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Plan de cuidado" in text and "Comer bien" in text and "Sus metas" in text
    actions = list(AuditEvent.objects.filter(client_id=case.client_id).values_list("action", flat=True))
    assert "careplan.print" in actions and "careplan.download_pdf" in actions


def test_a_progress_note_records_goal_progress_in_the_same_transaction(as_worker, worker, case):
    from casework.careplans.models import GoalProgress
    from casework.notes.models import ProgressNote

    plan = published_plan(worker, case)
    goal = plan.active_revision.goals.get()
    form = as_worker.get(reverse("notes:create", args=[case.pk])).text
    assert "Care-plan goals this contact addressed" in form and goal.description in form
    data = {
        "format": "dap",
        "contact_type": "phone",
        "contact_date": timezone.localdate().isoformat(),
        "duration_minutes": "20",
        "dap_data": "Talked about food",
        "submission_key": "note-goal-1",
        "action": "draft",
        f"goal_{goal.pk}_addressed": "on",
        f"goal_{goal.pk}_lifecycle_status": "active",
        f"goal_{goal.pk}_achievement_status": "improving",
        f"goal_{goal.pk}_comment": "Food bank twice",
    }
    bad = {**data, "contact_date": "2999-01-01", "submission_key": "note-goal-0"}
    assert as_worker.post(reverse("notes:create", args=[case.pk]), bad).status_code == 422
    assert not GoalProgress.objects.exists()
    response = as_worker.post(reverse("notes:create", args=[case.pk]), data)
    assert response.status_code == 302
    note = ProgressNote.objects.get()
    entry = GoalProgress.objects.get()
    assert entry.note == note and entry.achievement_status == "improving" and entry.recorded_on == note.contact_date
    page = as_worker.get(reverse("careplans:goal", args=[goal.pk])).text
    assert "Food bank twice" in page and reverse("notes:detail", args=[note.pk]) in page


def test_the_director_sets_the_programs_plan_rules(director, as_worker, as_colleague, as_outsider, case):
    from django.test import Client as HttpClient

    from casework.careplans.models import PlanSettings

    url = reverse("careplans:program_settings", args=[case.program_id])
    for http in (as_worker, as_colleague, as_outsider):
        assert http.get(url).status_code == 404
        assert http.post(url, {"approval_required": "on", "review_interval_days": "30"}).status_code == 404
    assert not PlanSettings.objects.exists()
    http = HttpClient()
    http.force_login(director, backend="casework.accounts.backends.EmailBackend")
    assert http.get(url).status_code == 200
    bad = http.post(url, {"approval_required": "on", "review_interval_days": "3"})
    assert bad.status_code == 422 and not PlanSettings.objects.exists()
    assert http.post(url, {"approval_required": "on", "review_interval_days": "30"}).status_code == 302
    saved = PlanSettings.objects.get()
    assert saved.approval_required and saved.review_interval_days == 30
    assert url in http.get(reverse("cases:team")).text
