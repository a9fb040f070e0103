"""The care-plan API for the worker, a colleague on another team and an outsider; versions and ETags;
approval; goals and progress; action steps; the FHIR export validated with fhir.resources.R4B."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from casework.audit.models import AuditEvent
from casework.careplans.models import GoalProgress, Plan, RevisionStatus
from casework.careplans.tests.helpers import (
    draft_plan,
    food_suggestion,
    fresh,
    future,
    published_plan,
    require_approval,
)
from casework.core.api import submission_key
from casework.needs.models import SuggestedNeedStatus
from casework.testing import CaseFactory, audited_writes_after, last_audit_id, twin_request_unseen_until_insert

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _others():
    return pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])


@_others()
def test_others_get_404_on_every_endpoint_and_change_nothing(request, who, worker, case):
    http = request.getfixturevalue(who)
    plan = published_plan(worker, case)
    goal = plan.active_revision.goals.get()
    step = plan.active_revision.interventions.get()
    before = AuditEvent.objects.count()
    reads = [
        f"/api/v1/cases/{case.pk}/plans",
        f"/api/v1/plans/{plan.pk}",
        f"/api/v1/plans/{plan.pk}/revisions",
        f"/api/v1/plans/{plan.pk}/fhir",
        f"/api/v1/goals/{goal.pk}",
        f"/api/v1/interventions/{step.pk}",
    ]
    for url in reads:
        assert http.get(url).status_code == 404, url
    writes = [
        ("post", f"/api/v1/cases/{case.pk}/plans", {"title": "x"}),
        ("patch", f"/api/v1/plans/{plan.pk}", {"title": "x", "version": plan.version}),
        ("post", f"/api/v1/plans/{plan.pk}/revisions", {"version": plan.version}),
        ("post", f"/api/v1/plans/{plan.pk}/approve", {"version": plan.version}),
        ("post", f"/api/v1/goals/{goal.pk}/progress", {"comment": "x"}),
        ("patch", f"/api/v1/interventions/{step.pk}", {"status": "done", "version": plan.version}),
    ]
    for method, url, body in writes:
        assert getattr(http, method)(url, body, content_type=JSON).status_code == 404, url
    assert AuditEvent.objects.count() == before
    assert fresh(plan).version == plan.version and Plan.objects.count() == 1


def test_build_a_plan_through_the_api(as_worker, worker, case):
    suggestion = food_suggestion(case)
    created = as_worker.post(f"/api/v1/cases/{case.pk}/plans", {"title": "Care plan"}, content_type=JSON)
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["open_status"] == "draft" and plan["draft"]["number"] == 1
    etag = created["ETag"]
    need = as_worker.post(
        f"/api/v1/plans/{plan['id']}/needs",
        {"suggested_need_id": suggestion.pk},
        content_type=JSON,
        HTTP_IF_MATCH=etag,
    )
    assert need.status_code == 201 and need.json()["domain"] == "food"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestedNeedStatus.ACCEPTED
    stale = as_worker.post(
        f"/api/v1/plans/{plan['id']}/goals", {"description": "Eat well"}, content_type=JSON, HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412 and stale.json()["changes"][0]["field"] == "item"
    current = as_worker.get(f"/api/v1/plans/{plan['id']}")["ETag"]
    past = as_worker.post(
        f"/api/v1/plans/{plan['id']}/goals",
        {"description": "Eat well", "target_date": "2001-01-01"},
        content_type=JSON,
        HTTP_IF_MATCH=current,
    )
    assert past.status_code == 422 and "target_date" in past.json()["errors"]
    empty = as_worker.post(
        f"/api/v1/plans/{plan['id']}/goals", {"description": ""}, content_type=JSON, HTTP_IF_MATCH=current
    )
    assert empty.status_code == 422 and "description" in empty.json()["errors"]
    goal = as_worker.post(
        f"/api/v1/plans/{plan['id']}/goals",
        {"description": "Eat well", "need_id": need.json()["id"], "target_date": future(30).isoformat()},
        content_type=JSON,
        HTTP_IF_MATCH=current,
    )
    assert goal.status_code == 201, goal.json()
    version = as_worker.get(f"/api/v1/plans/{plan['id']}").json()["version"]
    step = as_worker.post(
        f"/api/v1/goals/{goal.json()['id']}/interventions",
        {"description": "Food bank referral", "responsible_party": "case_manager", "version": version},
        content_type=JSON,
    )
    assert step.status_code == 201 and step.json()["responsible"] == "Case manager"
    version = as_worker.get(f"/api/v1/plans/{plan['id']}").json()["version"]
    submitted = as_worker.post(f"/api/v1/plans/{plan['id']}/submit", {"version": version}, content_type=JSON)
    assert submitted.status_code == 200 and submitted.json()["active"]["number"] == 1
    no_version = as_worker.patch(f"/api/v1/plans/{plan['id']}", {"title": "x"}, content_type=JSON)
    assert no_version.status_code == 428


def test_approval_through_the_api(as_worker, as_supervisor, worker, supervisor, case):
    require_approval(case.program)
    plan = draft_plan(worker, case)
    as_worker.post(f"/api/v1/plans/{plan.pk}/submit", {"version": plan.version}, content_type=JSON)
    plan = fresh(plan)
    assert plan.open_revision.status == RevisionStatus.SUBMITTED
    own = as_worker.post(f"/api/v1/plans/{plan.pk}/approve", {"version": plan.version}, content_type=JSON)
    assert own.status_code == 403
    missing = as_supervisor.post(f"/api/v1/plans/{plan.pk}/return", {"version": plan.version}, content_type=JSON)
    assert missing.status_code == 422 and "comment" in missing.json()["errors"]
    approved = as_supervisor.post(
        f"/api/v1/plans/{plan.pk}/approve", {"version": plan.version, "comment": "Fine"}, content_type=JSON
    )
    assert approved.status_code == 200
    assert approved.json()["active"]["approved_by"]["email"] == supervisor.email
    assert approved.json()["active"]["decisions"][0]["comment"] == "Fine"


def test_goals_progress_and_steps(as_worker, worker, case):
    plan = published_plan(worker, case)
    goal = plan.active_revision.goals.get()
    step = plan.active_revision.interventions.get()
    edit = as_worker.patch(
        f"/api/v1/goals/{goal.pk}", {"description": "Changed", "version": plan.version}, content_type=JSON
    )
    assert edit.status_code == 422 and "no draft" in edit.json()["detail"]
    progress = as_worker.post(
        f"/api/v1/goals/{goal.pk}/progress",
        {"achievement_status": "improving", "comment": "Better"},
        content_type=JSON,
    )
    assert progress.status_code == 201 and progress.json()["previous_achievement_status"] == "in-progress"
    read = as_worker.get(f"/api/v1/goals/{goal.pk}").json()
    assert read["achievement_status"] == "improving" and read["history"][0]["comment"] == "Better"
    assert GoalProgress.objects.count() == 1
    plan = fresh(plan)
    description = as_worker.patch(
        f"/api/v1/interventions/{step.pk}", {"description": "x", "version": plan.version}, content_type=JSON
    )
    assert description.status_code == 422
    done = as_worker.patch(
        f"/api/v1/interventions/{step.pk}", {"status": "done", "version": plan.version}, content_type=JSON
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    revisions = as_worker.get(f"/api/v1/plans/{plan.pk}/revisions").json()
    assert [r["status"] for r in revisions] == ["active"]
    listed = as_worker.get(f"/api/v1/cases/{case.pk}/plans").json()
    assert listed["count"] == 1 and listed["items"][0]["active_version"] == 1


def test_the_fhir_bundle_validates_and_is_audited_as_a_disclosure(as_worker, worker, case):
    plan = published_plan(worker, case)
    response = as_worker.get(f"/api/v1/plans/{plan.pk}/fhir")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    data = response.json()
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds == ["CarePlan", "Condition", "Goal"]
    for entry in data["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    care_plan, condition, goal = (entry["resource"] for entry in data["entry"])
    assert care_plan["status"] == "active" and care_plan["intent"] == "plan"
    assert care_plan["subject"]["reference"] == f"Patient/{case.client_id}"
    assert care_plan["goal"][0]["reference"] == data["entry"][2]["fullUrl"]
    assert care_plan["addresses"][0]["reference"] == data["entry"][1]["fullUrl"]
    assert care_plan["activity"][0]["detail"]["status"] == "not-started"
    assert goal["lifecycleStatus"] == "active"  # proposed in the draft, active once published
    assert goal["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert goal["target"][0]["dueDate"] == (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert goal["addresses"][0]["reference"] == data["entry"][1]["fullUrl"]
    assert condition["category"][0]["coding"][0]["code"] == "health-concern"
    event = AuditEvent.objects.filter(action="careplan.export_fhir").get()
    assert event.client_id == case.client_id and event.changes["format"] == [None, "FHIR R4 Bundle"]


def test_a_draft_exports_as_a_draft_careplan(as_worker, worker, case):
    plan = draft_plan(worker, case)
    data = as_worker.get(f"/api/v1/plans/{plan.pk}/fhir").json()
    Bundle.model_validate(data)
    assert data["entry"][0]["resource"]["status"] == "draft"


def test_same_idempotency_key_starts_one_plan(as_worker, case):
    url, headers = f"/api/v1/cases/{case.pk}/plans", {"Idempotency-Key": "plan-1"}
    first = as_worker.post(url, {"title": "Care plan"}, content_type=JSON, headers=headers)
    second = as_worker.post(url, {"title": "Care plan"}, content_type=JSON, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Plan.objects.count() == 1


def test_twin_requests_with_one_key_at_once_start_one_plan(as_worker, worker, case):
    url, headers = f"/api/v1/cases/{case.pk}/plans", {"Idempotency-Key": "plan-twin"}
    first = as_worker.post(url, {"title": "Care plan"}, content_type=JSON, headers=headers)
    assert first.status_code == 201
    last = last_audit_id()
    with twin_request_unseen_until_insert(Plan, submission_key(worker, "plan-twin", scope=f"case:{case.pk}")):
        second = as_worker.post(url, {"title": "Care plan"}, content_type=JSON, headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert second["ETag"] == first["ETag"]
    assert Plan.objects.count() == 1
    assert audited_writes_after(last) == []


def test_one_idempotency_key_on_two_cases_starts_a_plan_on_each(as_worker, worker, case):
    other = CaseFactory.create(client=case.client, program=case.program, primary_worker=worker, team=worker.team)
    headers = {"Idempotency-Key": "plan-k"}
    first = as_worker.post(f"/api/v1/cases/{case.pk}/plans", {"title": "A"}, content_type=JSON, headers=headers)
    second = as_worker.post(f"/api/v1/cases/{other.pk}/plans", {"title": "B"}, content_type=JSON, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert sorted(Plan.objects.values_list("case_id", flat=True)) == sorted([case.pk, other.pk])
