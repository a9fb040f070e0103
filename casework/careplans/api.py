"""The care-plan API: a case's plans, one plan (ETag / version), its versions, approval, goals, progress,
action steps and the FHIR export. Full paths (mounted at the API root)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router
from ninja.responses import Status

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.careplans import fhir, selectors, services
from casework.careplans.models import Plan, PlanTemplate
from casework.careplans.schemas import (
    AcknowledgementCreate,
    AcknowledgementOut,
    Decision,
    GoalRead,
    GoalWrite,
    InterventionRead,
    InterventionWrite,
    NeedCreate,
    NeedOut,
    PlanCreate,
    PlanPage,
    PlanRead,
    PlanUpdate,
    ProgressCreate,
    ProgressOut,
    RevisionRead,
    VersionOnly,
    goal_out,
    revision_out,
)
from casework.cases.selectors import case_get_for_user
from casework.core.api import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    IdempotentCreate,
    PageParams,
    expected_version,
    paginate,
    precondition,
    request_user,
    submission_key,
    with_etag,
)
from casework.core.errors import NotFound, ValidationFailed
from casework.needs.models import SuggestedNeed

router = Router(tags=["care plans"])


def _plan(user: User, plan_id: int, *, audit: bool = True) -> Plan:
    return selectors.plan_get_for_user(user=user, plan_id=plan_id, audit=audit)


def _version(plan: Plan, if_match: str | None, version: int | None) -> tuple[int, bool]:
    return expected_version(if_match=if_match, version=version, current=plan.version)


def _plan_response(user: User, plan_id: int, response: HttpResponse) -> Plan:
    """The plan after a write (the service audited it), with its new ETag."""
    return with_etag(_plan(user, plan_id, audit=False), response)


# --- A case's plans -------------------------------------------------------------------------------


@router.get("/cases/{int:case_id}/plans", response={200: PlanPage, **READ_ERRORS}, summary="List a case's plans")
def list_plans(request: HttpRequest, case_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """A case's plans, newest first, with their active and in-progress version numbers."""
    user = request_user(request)
    case = case_get_for_user(user=user, case_id=case_id, action="careplan.list")
    return paginate(selectors.plans_for_case(case=case), page)


@router.post(
    "/cases/{int:case_id}/plans",
    response={201: PlanRead, 200: PlanRead, **WRITE_ERRORS},
    summary="Start a plan (first draft)",
)
def create_plan(
    request: HttpRequest,
    case_id: int,
    payload: PlanCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Plan]:
    """A plan with a first draft, prefilled from a template of the case's program.

    The same Idempotency-Key on this case returns the first plan (200).
    """
    user = request_user(request)
    case = case_get_for_user(user=user, case_id=case_id, audit=False)
    key = submission_key(user, idempotency_key, scope=f"case:{case.pk}")
    once = IdempotentCreate(
        key=key,
        find=lambda: Plan.objects.filter(submission_key=key, created_by=user).first(),
        failure=_("The plan could not be saved; please try again."),
    )
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, with_etag(_plan(user, earlier.pk), response))
    template = None
    if payload.template_id is not None:
        template = PlanTemplate.objects.filter(pk=payload.template_id, program_id=case.program_id).first()
        if template is None:
            raise ValidationFailed(_("Choose a template of this case's program."), field="template_id")
    plan, created = once.create(
        lambda: services.plan_create(actor=user, case=case, title=payload.title, template=template, submission_key=key)
    )
    if not created:
        return Status(200, with_etag(_plan(user, plan.pk), response))
    response["Location"] = f"/api/v1/plans/{plan.pk}"
    return Status(201, _plan_response(user, plan.pk, response))


# --- One plan -------------------------------------------------------------------------------------


@router.get("/plans/{int:plan_id}", response={200: PlanRead, **READ_ERRORS}, summary="Read a plan")
def get_plan(request: HttpRequest, plan_id: int, response: HttpResponse) -> Plan:
    """A plan with its active version and the one in progress; the ETag carries its version."""
    return with_etag(_plan(request_user(request), plan_id), response)


@router.patch(
    "/plans/{int:plan_id}", response={200: PlanRead, **EDIT_ERRORS}, summary="Edit the draft's title and summary"
)
def update_plan(
    request: HttpRequest,
    plan_id: int,
    payload: PlanUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Plan:
    """Title and plain-language summary of the draft. Send the version (or If-Match); a stale one is a 409/412."""
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    version, used_if_match = _version(plan, if_match, payload.version)
    with precondition(used_if_match):
        services.plan_update(
            actor=user, plan=plan, expected_version=version, title=payload.title, summary=payload.summary
        )
    return _plan_response(user, plan.pk, response)


@router.get(
    "/plans/{int:plan_id}/revisions", response={200: list[RevisionRead], **READ_ERRORS}, summary="A plan's versions"
)
def list_revisions(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Every version, newest first, each with its content, decisions and acknowledgements."""
    plan = _plan(request_user(request), plan_id)
    return [revision_out(revision) for revision in selectors.revisions_for_plan(plan=plan)]


@router.post("/plans/{int:plan_id}/revisions", response={201: PlanRead, **EDIT_ERRORS}, summary="Start a new version")
def start_revision(
    request: HttpRequest,
    plan_id: int,
    payload: VersionOnly,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Status[Plan]:
    """A new draft copying the active version; the active one stays in force until the draft is published."""
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    version, used_if_match = _version(plan, if_match, payload.version)
    with precondition(used_if_match):
        services.revision_start(actor=user, plan=plan, expected_version=version)
    return Status(201, _plan_response(user, plan.pk, response))


def _act(
    request: HttpRequest,
    plan_id: int,
    version_field: int | None,
    if_match: str | None,
    response: HttpResponse,
    action: Any,
) -> Plan:
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    version, used_if_match = _version(plan, if_match, version_field)
    with precondition(used_if_match):
        action(user, plan, version)
    return _plan_response(user, plan.pk, response)


@router.post("/plans/{int:plan_id}/submit", response={200: PlanRead, **EDIT_ERRORS}, summary="Submit the draft")
def submit_plan(
    request: HttpRequest,
    plan_id: int,
    payload: VersionOnly,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Plan:
    """For approval where the program requires it; otherwise the draft becomes the active plan at once."""
    return _act(
        request,
        plan_id,
        payload.version,
        if_match,
        response,
        lambda user, plan, version: services.plan_submit(actor=user, plan=plan, expected_version=version),
    )


@router.post("/plans/{int:plan_id}/approve", response={200: PlanRead, **EDIT_ERRORS}, summary="Approve")
def approve_plan(
    request: HttpRequest,
    plan_id: int,
    payload: Decision,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Plan:
    """The case team's supervisor or the program director approves the submitted version (not its author)."""
    return _act(
        request,
        plan_id,
        payload.version,
        if_match,
        response,
        lambda user, plan, version: services.plan_approve(
            actor=user, plan=plan, expected_version=version, comment=payload.comment
        ),
    )


@router.post("/plans/{int:plan_id}/return", response={200: PlanRead, **EDIT_ERRORS}, summary="Return for changes")
def return_plan(
    request: HttpRequest,
    plan_id: int,
    payload: Decision,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Plan:
    """Send the submitted version back with comments (required)."""
    return _act(
        request,
        plan_id,
        payload.version,
        if_match,
        response,
        lambda user, plan, version: services.plan_return(
            actor=user, plan=plan, expected_version=version, comment=payload.comment
        ),
    )


@router.post(
    "/plans/{int:plan_id}/acknowledgements",
    response={201: AcknowledgementOut, **WRITE_ERRORS},
    summary="Record the client's acknowledgement",
)
def acknowledge_plan(request: HttpRequest, plan_id: int, payload: AcknowledgementCreate) -> Status[Any]:
    """Typed signature, date and method (in person, by phone, refused) for the active version."""
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    ack = services.plan_acknowledge(
        actor=user,
        plan=plan,
        method=str(payload.method),
        signature=payload.signature,
        signed_on=payload.signed_on,
        comment=payload.comment,
    )
    return Status(201, ack)


# --- Needs, goals and action steps of the draft -------------------------------------------------------


@router.post("/plans/{int:plan_id}/needs", response={201: NeedOut, **EDIT_ERRORS}, summary="Add a need")
def add_need(
    request: HttpRequest, plan_id: int, payload: NeedCreate, if_match: str | None = Header(None, alias="If-Match")
) -> Status[Any]:
    """A need in the draft; with `suggested_need_id` a suggestion from a positive screen is taken up (accepted)."""
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    suggestion = None
    if payload.suggested_need_id is not None:
        suggestion = SuggestedNeed.objects.filter(pk=payload.suggested_need_id, client_id=plan.client_id).first()
        if suggestion is None:
            raise ValidationFailed(_("No such suggested need for this client."), field="suggested_need_id")
    version, used_if_match = _version(plan, if_match, payload.version)
    with precondition(used_if_match):
        need = services.need_add(
            actor=user,
            plan=plan,
            expected_version=version,
            domain=str(payload.domain or ""),
            description=payload.description,
            suggested_need=suggestion,
        )
    return Status(
        201,
        {
            "id": need.pk,
            "key": str(need.key),
            "domain": need.domain,
            "description": need.description,
            "suggested_need_id": need.suggested_need_id,
        },
    )


def _goal_read(user: User, goal_id: int, *, audit: bool) -> dict[str, Any]:
    goal = selectors.goal_get_for_user(user=user, goal_id=goal_id, audit=False)
    plan = goal.revision.plan
    if audit:
        audit_record(actor=user, action="careplan.goal_view", client_id=plan.client_id, obj=goal)
    steps = list(goal.interventions.select_related("team_member__user").order_by("position", "id"))
    return {
        **goal_out(goal, steps),
        "plan_id": plan.pk,
        "revision_number": goal.revision.number,
        "revision_status": goal.revision.status,
        "history": list(selectors.goal_history(plan=plan, goal_key=goal.key)),
    }


@router.post("/plans/{int:plan_id}/goals", response={201: GoalRead, **EDIT_ERRORS}, summary="Add a goal")
def add_goal(
    request: HttpRequest, plan_id: int, payload: GoalWrite, if_match: str | None = Header(None, alias="If-Match")
) -> Status[Any]:
    """A goal in the draft: a description is required; a target date cannot be in the past."""
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    version, used_if_match = _version(plan, if_match, payload.version)
    with precondition(used_if_match):
        goal = services.goal_add(actor=user, plan=plan, expected_version=version, data=payload.service_data())
    return Status(201, _goal_read(user, goal.pk, audit=False))


@router.get("/goals/{int:goal_id}", response={200: GoalRead, **READ_ERRORS}, summary="A goal and its history")
def get_goal(request: HttpRequest, goal_id: int) -> dict[str, Any]:
    """A goal of one version with its action steps and its progress history across versions."""
    return _goal_read(request_user(request), goal_id, audit=True)


@router.patch("/goals/{int:goal_id}", response={200: GoalRead, **EDIT_ERRORS}, summary="Edit a goal of the draft")
def update_goal(
    request: HttpRequest, goal_id: int, payload: GoalWrite, if_match: str | None = Header(None, alias="If-Match")
) -> dict[str, Any]:
    """Only goals of the draft; published versions are never edited (record progress instead)."""
    user = request_user(request)
    goal = selectors.goal_get_for_user(user=user, goal_id=goal_id, audit=False)
    version, used_if_match = _version(goal.revision.plan, if_match, payload.version)
    with precondition(used_if_match):
        services.goal_update(actor=user, goal=goal, expected_version=version, data=payload.service_data())
    return _goal_read(user, goal.pk, audit=False)


@router.post(
    "/goals/{int:goal_id}/progress", response={201: ProgressOut, **WRITE_ERRORS}, summary="Record progress on a goal"
)
def record_progress(request: HttpRequest, goal_id: int, payload: ProgressCreate) -> Status[Any]:
    """A status change and/or comment on a goal of the active plan; it joins the goal's history."""
    user = request_user(request)
    goal = selectors.goal_get_for_user(user=user, goal_id=goal_id, audit=False)
    entry = services.goal_progress_record(
        actor=user,
        goal=goal,
        lifecycle_status=payload.lifecycle_status and str(payload.lifecycle_status),
        achievement_status=payload.achievement_status and str(payload.achievement_status),
        comment=payload.comment,
        recorded_on=payload.recorded_on,
    )
    return Status(201, selectors.goal_history(plan=goal.revision.plan, goal_key=goal.key).get(pk=entry.pk))


@router.post(
    "/goals/{int:goal_id}/interventions",
    response={201: InterventionRead, **EDIT_ERRORS},
    summary="Add an action step to a goal of the draft",
)
def add_intervention(
    request: HttpRequest,
    goal_id: int,
    payload: InterventionWrite,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Status[Any]:
    """Who is responsible must be on the case team now (or a named family member / provider)."""
    user = request_user(request)
    goal = selectors.goal_get_for_user(user=user, goal_id=goal_id, audit=False)
    plan = goal.revision.plan
    version, used_if_match = _version(plan, if_match, payload.version)
    with precondition(used_if_match):
        step = services.intervention_add(
            actor=user, plan=plan, expected_version=version, data={**payload.service_data(), "goal": goal.pk}
        )
    return Status(201, _intervention_read(user, step.pk, audit=False))


def _intervention_read(user: User, intervention_id: int, *, audit: bool) -> dict[str, Any]:
    from casework.careplans.schemas import _step

    step = selectors.intervention_get_for_user(user=user, intervention_id=intervention_id, audit=audit)
    return {
        **_step(step),
        "plan_id": step.revision.plan_id,
        "revision_number": step.revision.number,
        "revision_status": step.revision.status,
    }


@router.get(
    "/interventions/{int:intervention_id}", response={200: InterventionRead, **READ_ERRORS}, summary="An action step"
)
def get_intervention(request: HttpRequest, intervention_id: int) -> dict[str, Any]:
    return _intervention_read(request_user(request), intervention_id, audit=True)


@router.patch(
    "/interventions/{int:intervention_id}",
    response={200: InterventionRead, **EDIT_ERRORS},
    summary="Edit an action step (its status only, in the active version)",
)
def update_intervention(
    request: HttpRequest,
    intervention_id: int,
    payload: InterventionWrite,
    if_match: str | None = Header(None, alias="If-Match"),
) -> dict[str, Any]:
    """Anything in a draft; in the active version only `status` (the rest needs a new version)."""
    user = request_user(request)
    step = selectors.intervention_get_for_user(user=user, intervention_id=intervention_id, audit=False)
    version, used_if_match = _version(step.revision.plan, if_match, payload.version)
    with precondition(used_if_match), transaction.atomic():
        services.intervention_update(
            actor=user, intervention=step, expected_version=version, data=payload.service_data()
        )
    return _intervention_read(user, step.pk, audit=False)


# --- FHIR -------------------------------------------------------------------------------------------


@router.get("/plans/{int:plan_id}/fhir", response={200: dict[str, Any], **READ_ERRORS}, summary="A plan as FHIR R4")
def export_fhir(request: HttpRequest, plan_id: int, response: HttpResponse) -> dict[str, Any]:
    """A Bundle (collection) of the CarePlan, its Goals and the Conditions (needs) they address.

    Audited as a disclosure."""
    user = request_user(request)
    plan = _plan(user, plan_id, audit=False)
    revision = fhir.exported_revision(plan)
    if revision is None:
        raise NotFound()
    bundle = fhir.plan_bundle(plan, revision)
    audit_record(
        actor=user,
        action="careplan.export_fhir",
        client_id=plan.client_id,
        obj=plan,
        flagged=getattr(plan.client, "accessed_by_break_glass", False),
        changes={
            "format": [None, "FHIR R4 Bundle"],
            "revision": [None, revision.number],
            "resources": [None, [entry["resource"]["resourceType"] for entry in bundle["entry"]]],
        },
    )
    response["Content-Type"] = "application/fhir+json"
    return bundle
