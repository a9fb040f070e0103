"""A plan as FHIR R4: a Bundle (collection) of a CarePlan, its Goals and the Conditions (needs) they address.

Plain dictionaries (no FHIR library at run time); the tests validate them with `fhir.resources.R4B`.
The version exported is the active one, or the draft (CarePlan.status "draft") of a plan never
published. Goal lifecycle and achievement values are FHIR's own (REFERENCE.md).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone

from casework.careplans import selectors
from casework.careplans.models import InterventionStatus, Plan, PlanRevision, RevisionStatus

GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
NEED_DOMAIN = "urn:casework:need-domain"
_NAMESPACE = uuid.UUID("2d8f6a4e-1c3b-4f5a-9e7d-8b6c5a4f3e2d")

STEP_STATUS: dict[str, str] = {
    InterventionStatus.PLANNED: "not-started",
    InterventionStatus.IN_PROGRESS: "in-progress",
    InterventionStatus.DONE: "completed",
    InterventionStatus.NOT_DONE: "stopped",
    InterventionStatus.CANCELLED: "cancelled",
}


def _id(kind: str, value: Any) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{value}"))


def _url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def exported_revision(plan: Plan) -> PlanRevision | None:
    return plan.active_revision or plan.open_revision


def _date(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).date().isoformat() if value else None


def plan_bundle(plan: Plan, revision: PlanRevision) -> dict[str, Any]:
    """The Bundle for one version of a plan (the caller authorised the plan)."""
    content = selectors.revision_content(revision)
    subject = {"reference": f"Patient/{plan.client_id}"}
    conditions: dict[int, dict[str, Any]] = {}
    resource: dict[str, Any]
    entries: list[dict[str, Any]] = []
    for need in content.needs:
        resource_id = _id("need", need.key)
        resource = {
            "resourceType": "Condition",
            "id": resource_id,
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
            "category": [
                {"coding": [{"system": CONDITION_CATEGORY, "code": "health-concern", "display": "Health Concern"}]},
                {"coding": [{"system": NEED_DOMAIN, "code": need.domain, "display": str(need.get_domain_display())}]},
            ],
            "code": {"text": f"{need.get_domain_display()}: {need.description}"},
            "subject": subject,
        }
        conditions[need.pk] = resource
        entries.append({"fullUrl": _url(resource_id), "resource": resource})
    goal_refs = []
    activities = []
    for goal in content.goals:
        resource_id = _id("goal", goal.key)
        resource = {
            "resourceType": "Goal",
            "id": resource_id,
            "lifecycleStatus": goal.lifecycle_status,
            "achievementStatus": {
                "coding": [
                    {
                        "system": GOAL_ACHIEVEMENT,
                        "code": goal.achievement_status,
                        "display": str(goal.get_achievement_status_display()),
                    }
                ]
            },
            "description": {"text": goal.description},
            "subject": subject,
        }
        target: dict[str, Any] = {}
        if goal.measurable_target:
            target["detailString"] = goal.measurable_target
        if goal.target_date:
            target["dueDate"] = goal.target_date.isoformat()
        if target:
            resource["target"] = [target]
        if goal.need_id and goal.need_id in conditions:
            resource["addresses"] = [{"reference": _url(conditions[goal.need_id]["id"])}]
        if goal.client_words:
            resource["note"] = [{"text": f"In the client's words: {goal.client_words}"}]
        entries.append({"fullUrl": _url(resource_id), "resource": resource})
        goal_refs.append({"reference": _url(resource_id)})
        for step in goal.interventions.all():
            detail: dict[str, Any] = {
                "status": STEP_STATUS.get(step.status, "unknown"),
                "description": step.description,
                "goal": [{"reference": _url(resource_id)}],
                "performer": [{"display": selectors.responsible_label(step)}],
            }
            if step.due_date:
                detail["scheduledPeriod"] = {"end": step.due_date.isoformat()}
            activities.append({"detail": detail})
    status = {
        RevisionStatus.ACTIVE: "active",
        RevisionStatus.SUPERSEDED: "revoked",
    }.get(revision.status, "draft")  # type: ignore[call-overload]
    care_plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": _id("plan", f"{plan.pk}:{revision.number}"),
        "identifier": [{"system": "urn:casework:plan", "value": f"{plan.pk}-v{revision.number}"}],
        "status": status,
        "intent": "plan",
        "title": plan.title,
        "subject": subject,
        "created": _date(revision.created_at),
        "addresses": [{"reference": _url(c["id"])} for c in conditions.values()],
        "goal": goal_refs,
        "activity": activities,
    }
    if revision.summary:
        care_plan["description"] = revision.summary
    if revision.published_at:
        care_plan["period"] = {"start": _date(revision.published_at)}
    care_plan = {key: value for key, value in care_plan.items() if value not in ([], None)}
    entries.insert(0, {"fullUrl": _url(care_plan["id"]), "resource": care_plan})
    return {
        "resourceType": "Bundle",
        "id": _id("bundle", f"{plan.pk}:{revision.number}:{plan.version}"),
        "type": "collection",
        "timestamp": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "entry": entries,
    }
