"""Care-plan pages: start a plan, edit its draft inline, submit, approve or return, acknowledge,
versions side by side, goal history and progress, and the client's printable copy and PDF.

Every edit posts a small form carrying the plan version it was made against. A refused edit
re-renders the plan page with that form open, the user's input kept and the reason next to it; a
stale version also shows what others changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.accounts.models import Program, Role, User
from casework.audit.services import audit_record
from casework.careplans import client_copy, selectors, services
from casework.careplans.forms import (
    AcknowledgeForm,
    DecisionForm,
    GoalForm,
    InterventionForm,
    NeedForm,
    PlanCreateForm,
    PlanSettingsForm,
    ProgressForm,
    StatementForm,
    StepStatusForm,
    SummaryForm,
    VersionedForm,
)
from casework.careplans.models import (
    Plan,
    PlanRevision,
    PlanTemplate,
    RevisionStatus,
    StatementKind,
)
from casework.careplans.permissions import can_approve_plans, can_edit_plan, is_own_revision
from casework.cases.forms import new_submission_key
from casework.cases.models import CaseTeamMember
from casework.cases.selectors import case_get_for_user
from casework.cases.views import add_domain_error, describe_changes
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError, NotFound, PermissionDenied, VersionConflict
from casework.needs.models import SuggestedNeed
from casework.needs.selectors import suggested_needs_for_client
from casework.referrals.models import Referral

FormKey = tuple[str, Any]


def _plan_url(plan: Plan, anchor: str = "") -> str:
    return reverse("careplans:detail", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


def _current_members(plan: Plan) -> list[CaseTeamMember]:
    return list(
        CaseTeamMember.objects.filter(case_id=plan.case_id, removed_at__isnull=True)
        .select_related("user")
        .order_by("added_at", "id")
    )


def _editor_forms(
    plan: Plan, content: selectors.RevisionContent, bound: dict[FormKey, forms.Form], members: list[CaseTeamMember]
) -> dict[str, Any]:
    """Attach a form to each item of the draft (the bound one where a save was refused)."""
    version = {"version": plan.version}
    for need in content.needs:
        need.form = bound.get(("need", need.pk)) or NeedForm(  # type: ignore[attr-defined]
            initial={**version, "domain": need.domain, "description": need.description}, prefix=f"need-{need.pk}"
        )
    for statement in content.strengths + content.barriers:
        statement.form = bound.get(("statement", statement.pk)) or StatementForm(  # type: ignore[attr-defined]
            initial={**version, "kind": statement.kind, "text": statement.text}, prefix=f"statement-{statement.pk}"
        )
    for goal in content.goals:
        goal.form = bound.get(("goal", goal.pk)) or GoalForm(  # type: ignore[attr-defined]
            initial={
                **version,
                **{name: getattr(goal, name) for name in services.GOAL_FIELDS if name != "need"},
                "need": str(goal.need_id or ""),
            },
            needs=content.needs,
            prefix=f"goal-{goal.pk}",
        )
        goal.step_form = bound.get(("step", f"new-{goal.pk}")) or InterventionForm(  # type: ignore[attr-defined]
            initial={**version, "goal": goal.pk, "responsible_party": "case_manager"},
            members=members,
            prefix=f"step-new-{goal.pk}",
        )
        for step in goal.interventions.all():
            step.form = bound.get(("step", step.pk)) or InterventionForm(  # type: ignore[attr-defined]
                initial={
                    **version,
                    "goal": step.goal_id,
                    "description": step.description,
                    "responsible_party": step.responsible_party,
                    "team_member": str(step.team_member_id or ""),
                    "responsible_name": step.responsible_name,
                    "due_date": step.due_date,
                    "status": step.status,
                },
                members=members,
                prefix=f"step-{step.pk}",
            )
    new_goal = {**version, "term": "short", "lifecycle_status": "proposed", "achievement_status": "in-progress"}
    return {
        "summary_form": bound.get(("summary", None))
        or SummaryForm(initial={**version, "title": plan.title, "summary": content.revision.summary}),
        "need_form": bound.get(("need", "new")) or NeedForm(initial=version, prefix="need-new"),
        "strength_form": bound.get(("statement", "new-strength"))
        or StatementForm(initial={**version, "kind": StatementKind.STRENGTH}, prefix="strength-new"),
        "barrier_form": bound.get(("statement", "new-barrier"))
        or StatementForm(initial={**version, "kind": StatementKind.BARRIER}, prefix="barrier-new"),
        "goal_form": bound.get(("goal", "new")) or GoalForm(initial=new_goal, needs=content.needs, prefix="goal-new"),
    }


def _render_plan(
    request: AuthenticatedRequest,
    plan: Plan,
    *,
    bound: dict[FormKey, forms.Form] | None = None,
    conflict: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page: the open draft (editable), or the active version with progress and status updates."""
    user = request.user
    bound = bound or {}
    can_edit = can_edit_plan(user, plan) and plan.case.is_open
    open_revision = plan.open_revision
    active = plan.active_revision
    shown = open_revision or active
    assert shown is not None  # a plan always has a draft or an active version
    content = selectors.revision_content(shown)
    editing = bool(can_edit and open_revision is not None and open_revision.is_editable)
    context: dict[str, Any] = {
        "nav": "caseload",
        "plan": plan,
        "case": plan.case,
        "client": plan.client,
        "revision": shown,
        "content": content,
        "editing": editing,
        "can_edit": can_edit,
        "conflict": conflict,
        "version_form": bound.get(("version", None)) or VersionedForm(initial={"version": plan.version}),
        "decisions": list(shown.decisions.select_related("decided_by").order_by("-decided_at")),
    }
    if editing:
        members = _current_members(plan)
        context.update(_editor_forms(plan, content, bound, members))
        taken = {need.suggested_need_id for need in content.needs if need.suggested_need_id}
        context["suggestions"] = [
            s for s in suggested_needs_for_client(client=plan.client, case=plan.case) if s.pk not in taken
        ]
    if open_revision is not None and open_revision.status == RevisionStatus.SUBMITTED:
        context["can_decide"] = can_approve_plans(user, plan) and not is_own_revision(user, open_revision)
        context["decision_form"] = bound.get(("decision", None)) or DecisionForm(initial={"version": plan.version})
    if shown.status == RevisionStatus.ACTIVE and can_edit:
        context["ack_form"] = bound.get(("ack", None)) or AcknowledgeForm(initial={"signed_on": timezone.localdate()})
        for goal in content.goals:
            for step in goal.interventions.all():
                step.status_form = bound.get(("step_status", step.pk)) or StepStatusForm(  # type: ignore[attr-defined]
                    initial={"version": plan.version, "status": step.status}, prefix=f"status-{step.pk}"
                )
    if shown.status == RevisionStatus.ACTIVE:
        context["acknowledgements"] = list(shown.acknowledgements.select_related("recorded_by"))
    _attach_referrals(plan, content, can_refer=bool(can_edit and shown.status == RevisionStatus.ACTIVE))
    return render(request, "careplans/plan.html", context, status=status)


def _attach_referrals(plan: Plan, content: Any, *, can_refer: bool) -> None:
    """Each action step's referrals (made from it in this or an earlier version: steps keep their
    key), and where to refer from it; one query whatever the number of steps."""
    pairs = [(goal, step) for goal in content.goals for step in goal.interventions.all()]
    by_key: dict[Any, list[Referral]] = {}
    if pairs:
        linked = (
            Referral.objects.filter(case_id=plan.case_id, intervention__key__in=[step.key for _goal, step in pairs])
            .select_related("service", "intervention")
            .order_by("created_at", "pk")
        )
        for referral in linked:
            assert referral.intervention is not None  # filtered on its key
            by_key.setdefault(referral.intervention.key, []).append(referral)
    match_url = reverse("directory:match", args=[plan.case_id])
    schedule_url = reverse("appointments:schedule", args=[plan.client_id])
    for goal, step in pairs:
        step.linked_referrals = by_key.get(step.key, [])
        if can_refer:
            domain = goal.need.domain if goal.need is not None else ""
            step.refer_url = f"{match_url}?step={step.pk}" + (f"&domains={domain}" if domain else "")
            step.schedule_url = f"{schedule_url}?case={plan.case_id}&step={step.pk}"


def _submit(
    request: AuthenticatedRequest,
    plan: Plan,
    form: forms.Form,
    key: FormKey,
    action: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    anchor: str = "",
) -> HttpResponse:
    """Validate, call the service, redirect back; on refusal re-render with the form bound and the reason."""
    status = 422
    conflict = None
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except VersionConflict as exc:
            conflict = describe_changes(exc.changes)
            status = exc.status_code
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(exc.current_version)
            form = form.__class__(data, **_form_kwargs(form))
            form.is_valid()
            plan = selectors.plan_get_for_user(user=request.user, plan_id=plan.pk, audit=False)
        except DomainError as exc:
            status = add_domain_error(form, exc)
            if isinstance(exc, PermissionDenied):
                # The form may not be on the page for this user: say it at the top too.
                messages.error(request, exc.message)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(_plan_url(plan, anchor))
    audit_record(actor=request.user, action="careplan.view", client_id=plan.client_id, obj=plan)
    return _render_plan(request, plan, bound={key: form}, conflict=conflict, status=status)


def _form_kwargs(form: forms.Form) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"prefix": form.prefix}
    if isinstance(form, GoalForm):
        kwargs["needs"] = getattr(form, "_needs", None)
    if isinstance(form, InterventionForm):
        kwargs["members"] = getattr(form, "_members", None)
    return kwargs


def _goal_form(plan: Plan, data: Any, prefix: str) -> GoalForm:
    revision = plan.open_revision
    needs = list(revision.needs.all()) if revision is not None else []
    form = GoalForm(data, needs=needs, prefix=prefix)
    form._needs = needs  # type: ignore[attr-defined]
    return form


def _step_form(plan: Plan, data: Any, prefix: str) -> InterventionForm:
    members = _current_members(plan)
    form = InterventionForm(data, members=members, prefix=prefix)
    form._members = members  # type: ignore[attr-defined]
    return form


def _plan_for(request: AuthenticatedRequest, plan_id: int) -> Plan:
    return selectors.plan_get_for_user(user=request.user, plan_id=plan_id, audit=False)


# --- Pages -----------------------------------------------------------------------------------------


@clinical_view
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Start a plan for a case: blank, or from one of the program's templates."""
    user = request.user
    case = case_get_for_user(user=user, case_id=case_id, audit=request.method == "GET")
    templates = list(selectors.templates_for_case(case=case))
    status = 200
    if request.method == "POST":
        form = PlanCreateForm(request.POST, templates=templates)
        status = 422
        if form.is_valid():
            chosen = next((t for t in templates if str(t.pk) == form.cleaned_data["template"]), None)
            try:
                plan = services.plan_create(
                    actor=user,
                    case=case,
                    title=form.cleaned_data["title"],
                    template=chosen,
                    submission_key=form.cleaned_data["submission_key"] or None,
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Plan started. Build it with the client, then submit it."))
                return redirect(_plan_url(plan))
        audit_record(actor=user, action="case.view", client_id=case.client_id, obj=case)
    else:
        form = PlanCreateForm(initial={"submission_key": new_submission_key()}, templates=templates)
    context = {
        "nav": "caseload",
        "case": case,
        "client": case.client,
        "form": form,
        "can_edit": can_edit_plan(user, Plan(case=case)) and case.is_open,
    }
    return render(request, "careplans/create.html", context, status=status)


@clinical_view
@require_GET
def detail(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """The plan: its draft to build (or waiting for approval), or the active version to follow."""
    plan = selectors.plan_get_for_user(user=request.user, plan_id=plan_id)
    return _render_plan(request, plan)


# --- Draft edits -----------------------------------------------------------------------------------


@clinical_view
@require_POST
def summary_update(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    form = SummaryForm(request.POST)
    return _submit(
        request,
        plan,
        form,
        ("summary", None),
        lambda d: services.plan_update(
            actor=request.user, plan=plan, expected_version=d["version"], title=d["title"], summary=d["summary"]
        ),
        success=_("Summary saved."),
        anchor="summary",
    )


@clinical_view
@require_POST
def need_add(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    form = NeedForm(request.POST, prefix="need-new")
    return _submit(
        request,
        plan,
        form,
        ("need", "new"),
        lambda d: services.need_add(
            actor=request.user,
            plan=plan,
            expected_version=d["version"],
            domain=d["domain"],
            description=d["description"],
        ),
        success=_("Need added."),
        anchor="needs",
    )


@clinical_view
@require_POST
def suggestion_accept(request: AuthenticatedRequest, plan_id: int, need_id: int) -> HttpResponse:
    """Take a suggested need from a positive screen into the draft."""
    plan = _plan_for(request, plan_id)
    suggestion = SuggestedNeed.objects.filter(pk=need_id, client_id=plan.client_id).first()
    if suggestion is None:
        raise NotFound()
    form = VersionedForm(request.POST)
    return _submit(
        request,
        plan,
        form,
        ("version", None),
        lambda d: services.need_add(
            actor=request.user, plan=plan, expected_version=d["version"], suggested_need=suggestion
        ),
        success=_("Need taken into the plan: %(domain)s.") % {"domain": suggestion.get_domain_display()},
        anchor="needs",
    )


@clinical_view
@require_POST
def need_update(request: AuthenticatedRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_for_user(user=request.user, need_id=need_id)
    plan = need.revision.plan
    form = NeedForm(request.POST, prefix=f"need-{need.pk}")
    return _submit(
        request,
        plan,
        form,
        ("need", need.pk),
        lambda d: services.need_update(
            actor=request.user,
            need=need,
            expected_version=d["version"],
            domain=d["domain"],
            description=d["description"],
        ),
        success=_("Need saved."),
        anchor=f"need-{need.pk}",
    )


@clinical_view
@require_POST
def need_remove(request: AuthenticatedRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_for_user(user=request.user, need_id=need_id)
    form = VersionedForm(request.POST)
    return _submit(
        request,
        need.revision.plan,
        form,
        ("version", None),
        lambda d: services.need_remove(actor=request.user, need=need, expected_version=d["version"]),
        success=_("Need removed from the draft."),
        anchor="needs",
    )


@clinical_view
@require_POST
def statement_add(request: AuthenticatedRequest, plan_id: int, kind: str) -> HttpResponse:
    if kind not in StatementKind.values:
        raise NotFound()
    plan = _plan_for(request, plan_id)
    form = StatementForm(request.POST, prefix=f"{kind}-new")
    return _submit(
        request,
        plan,
        form,
        ("statement", f"new-{kind}"),
        lambda d: services.statement_add(
            actor=request.user, plan=plan, expected_version=d["version"], kind=kind, text=d["text"]
        ),
        success=_("Strength added.") if kind == StatementKind.STRENGTH else _("Barrier added."),
        anchor=f"{kind}s",
    )


@clinical_view
@require_POST
def statement_update(request: AuthenticatedRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_user(user=request.user, statement_id=statement_id)
    form = StatementForm(request.POST, prefix=f"statement-{statement.pk}")
    return _submit(
        request,
        statement.revision.plan,
        form,
        ("statement", statement.pk),
        lambda d: services.statement_update(
            actor=request.user, statement=statement, expected_version=d["version"], text=d["text"]
        ),
        success=_("Saved."),
        anchor=f"{statement.kind}s",
    )


@clinical_view
@require_POST
def statement_remove(request: AuthenticatedRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_user(user=request.user, statement_id=statement_id)
    form = VersionedForm(request.POST)
    return _submit(
        request,
        statement.revision.plan,
        form,
        ("version", None),
        lambda d: services.statement_remove(actor=request.user, statement=statement, expected_version=d["version"]),
        success=_("Removed from the draft."),
        anchor=f"{statement.kind}s",
    )


@clinical_view
@require_POST
def goal_add(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    form = _goal_form(plan, request.POST, "goal-new")
    return _submit(
        request,
        plan,
        form,
        ("goal", "new"),
        lambda d: services.goal_add(
            actor=request.user, plan=plan, expected_version=d["version"], data=form.service_data()
        ),
        success=_("Goal added."),
        anchor="goals",
    )


@clinical_view
@require_POST
def goal_update(request: AuthenticatedRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_user(user=request.user, goal_id=goal_id, audit=False)
    plan = goal.revision.plan
    form = _goal_form(plan, request.POST, f"goal-{goal.pk}")
    return _submit(
        request,
        plan,
        form,
        ("goal", goal.pk),
        lambda d: services.goal_update(
            actor=request.user, goal=goal, expected_version=d["version"], data=form.service_data()
        ),
        success=_("Goal saved."),
        anchor=f"goal-{goal.pk}",
    )


@clinical_view
@require_POST
def goal_remove(request: AuthenticatedRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_user(user=request.user, goal_id=goal_id, audit=False)
    form = VersionedForm(request.POST)
    return _submit(
        request,
        goal.revision.plan,
        form,
        ("version", None),
        lambda d: services.goal_remove(actor=request.user, goal=goal, expected_version=d["version"]),
        success=_("Goal removed from the draft."),
        anchor="goals",
    )


@clinical_view
@require_POST
def intervention_add(request: AuthenticatedRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_user(user=request.user, goal_id=goal_id, audit=False)
    plan = goal.revision.plan
    form = _step_form(plan, request.POST, f"step-new-{goal.pk}")
    return _submit(
        request,
        plan,
        form,
        ("step", f"new-{goal.pk}"),
        lambda d: services.intervention_add(
            actor=request.user, plan=plan, expected_version=d["version"], data={**form.service_data(), "goal": goal.pk}
        ),
        success=_("Action step added."),
        anchor=f"goal-{goal.pk}",
    )


@clinical_view
@require_POST
def intervention_update(request: AuthenticatedRequest, intervention_id: int) -> HttpResponse:
    step = selectors.intervention_get_for_user(user=request.user, intervention_id=intervention_id, audit=False)
    plan = step.revision.plan
    form = _step_form(plan, request.POST, f"step-{step.pk}")
    return _submit(
        request,
        plan,
        form,
        ("step", step.pk),
        lambda d: services.intervention_update(
            actor=request.user,
            intervention=step,
            expected_version=d["version"],
            data={**form.service_data(), "goal": step.goal_id},
        ),
        success=_("Action step saved."),
        anchor=f"intervention-{step.pk}",
    )


@clinical_view
@require_POST
def intervention_remove(request: AuthenticatedRequest, intervention_id: int) -> HttpResponse:
    step = selectors.intervention_get_for_user(user=request.user, intervention_id=intervention_id, audit=False)
    form = VersionedForm(request.POST)
    return _submit(
        request,
        step.revision.plan,
        form,
        ("version", None),
        lambda d: services.intervention_remove(actor=request.user, intervention=step, expected_version=d["version"]),
        success=_("Action step removed from the draft."),
        anchor=f"goal-{step.goal_id}",
    )


@clinical_view
@require_POST
def intervention_status(request: AuthenticatedRequest, intervention_id: int) -> HttpResponse:
    """Update an action step's status on the active plan (tracking, not an edit of the plan)."""
    step = selectors.intervention_get_for_user(user=request.user, intervention_id=intervention_id, audit=False)
    form = StepStatusForm(request.POST, prefix=f"status-{step.pk}")
    return _submit(
        request,
        step.revision.plan,
        form,
        ("step_status", step.pk),
        lambda d: services.intervention_update(
            actor=request.user, intervention=step, expected_version=d["version"], data={"status": d["status"]}
        ),
        success=_("Action step status updated."),
        anchor=f"intervention-{step.pk}",
    )


# --- Versions, submission, approval ----------------------------------------------------------------


@clinical_view
@require_POST
def revision_start(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    return _submit(
        request,
        plan,
        VersionedForm(request.POST),
        ("version", None),
        lambda d: services.revision_start(actor=request.user, plan=plan, expected_version=d["version"]),
        success=_(
            "New version started from the active plan. The active plan stays in force until this one is published."
        ),
    )


@clinical_view
@require_POST
def submit(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Submit the draft: for approval where the program requires it, else it is published at once."""
    plan = _plan_for(request, plan_id)

    def said(submitted: Plan) -> str:
        if submitted.open_revision_id:
            return _("Plan submitted for approval. It becomes active once approved.")
        return _("Plan published: this version is now the active plan.")

    return _submit(
        request,
        plan,
        VersionedForm(request.POST),
        ("version", None),
        lambda d: services.plan_submit(actor=request.user, plan=plan, expected_version=d["version"]),
        success=said,
    )


@clinical_view
@require_POST
def decide(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Approve the submitted version, or return it with comments (supervisor, not the author)."""
    plan = _plan_for(request, plan_id)
    form = DecisionForm(request.POST)

    def run(d: dict[str, Any]) -> None:
        if d["decision"] == "approve":
            services.plan_approve(actor=request.user, plan=plan, expected_version=d["version"], comment=d["comment"])
        else:
            services.plan_return(actor=request.user, plan=plan, expected_version=d["version"], comment=d["comment"])

    decision = request.POST.get("decision")
    return _submit(
        request,
        plan,
        form,
        ("decision", None),
        run,
        success=_("Plan approved: it is now the active plan.")
        if decision == "approve"
        else _("Plan returned to the case manager with your comments."),
        anchor="approval",
    )


@clinical_view
@require_POST
def acknowledge(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    form = AcknowledgeForm(request.POST)
    return _submit(
        request,
        plan,
        form,
        ("ack", None),
        lambda d: services.plan_acknowledge(
            actor=request.user,
            plan=plan,
            method=d["method"],
            signature=d["signature"],
            signed_on=d["signed_on"],
            comment=d["comment"],
        ),
        success=_("The client's acknowledgement is recorded."),
        anchor="acknowledgement",
    )


@clinical_view
@require_GET
def versions(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Every version of the plan, who wrote, approved and published it; pick two to compare."""
    plan = selectors.plan_get_for_user(user=request.user, plan_id=plan_id)
    revisions = list(selectors.revisions_for_plan(plan=plan))
    context = {"nav": "caseload", "plan": plan, "case": plan.case, "client": plan.client, "revisions": revisions}
    return render(request, "careplans/versions.html", context)


@clinical_view
@require_GET
def revision_detail(request: AuthenticatedRequest, plan_id: int, number: int) -> HttpResponse:
    """One version as it was written (published versions never change)."""
    plan = selectors.plan_get_for_user(user=request.user, plan_id=plan_id)
    revision = PlanRevision.objects.filter(plan=plan, number=number).select_related("created_by").first()
    if revision is None:
        raise NotFound()
    context = {
        "nav": "caseload",
        "plan": plan,
        "case": plan.case,
        "client": plan.client,
        "revision": revision,
        "content": selectors.revision_content(revision),
    }
    return render(request, "careplans/revision.html", context)


@clinical_view
@require_GET
def compare(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Two versions side by side: what was added, removed and changed."""
    plan = selectors.plan_get_for_user(user=request.user, plan_id=plan_id, action="careplan.compare")
    revisions = {r.number: r for r in PlanRevision.objects.filter(plan=plan)}
    try:
        old_number = int(request.GET.get("old", "0"))
        new_number = int(request.GET.get("new", "0"))
    except ValueError:
        old_number = new_number = 0
    if not revisions:
        raise NotFound()
    newest = max(revisions)
    if new_number not in revisions:
        new_number = newest
    if old_number not in revisions:
        old_number = max((n for n in revisions if n < new_number), default=new_number)
    error = ""
    if old_number == new_number and len(revisions) > 1:
        error = _("Choose two different versions.")
    comparison = selectors.revisions_compare(revisions[old_number], revisions[new_number])
    context = {
        "nav": "caseload",
        "plan": plan,
        "case": plan.case,
        "client": plan.client,
        "old": revisions[old_number],
        "new": revisions[new_number],
        "numbers": sorted(revisions),
        "comparison": comparison,
        "error": error,
    }
    return render(request, "careplans/compare.html", context)


# --- Goals ------------------------------------------------------------------------------------------


@clinical_view
@require_http_methods(["GET", "POST"])
def goal_detail(request: AuthenticatedRequest, goal_id: int) -> HttpResponse:
    """A goal, its history across versions and notes, and (on the active plan) a form to record progress."""
    user = request.user
    goal = selectors.goal_get_for_user(user=user, goal_id=goal_id, audit=False)
    plan = goal.revision.plan
    can_record = can_edit_plan(user, plan) and goal.revision.status == RevisionStatus.ACTIVE and plan.case.is_open
    status = 200
    if request.method == "POST":
        form = ProgressForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.goal_progress_record(actor=user, goal=goal, **form.cleaned_data)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Progress recorded."))
                return redirect("careplans:goal", goal_id=goal.pk)
    else:
        form = ProgressForm(
            initial={"lifecycle_status": goal.lifecycle_status, "achievement_status": goal.achievement_status}
        )
    audit_record(actor=user, action="careplan.goal_view", client_id=plan.client_id, obj=goal)
    context = {
        "nav": "caseload",
        "plan": plan,
        "case": plan.case,
        "client": plan.client,
        "goal": goal,
        "history": list(selectors.goal_history(plan=plan, goal_key=goal.key)),
        "goal_versions": list(selectors.goal_versions(plan=plan, goal_key=goal.key)),
        "form": form if can_record else None,
    }
    return render(request, "careplans/goal.html", context, status=status)


# --- The client's copy ------------------------------------------------------------------------------


def _copy_revision(plan: Plan) -> PlanRevision:
    revision = plan.active_revision or plan.open_revision
    if revision is None:
        raise NotFound()
    return revision


@clinical_view
@require_GET
def print_copy(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """The client's copy in plain language, in their language where the template has it (audited as a disclosure)."""
    plan = selectors.plan_get_for_user(user=request.user, plan_id=plan_id, audit=False)
    revision = _copy_revision(plan)
    copy = client_copy.build(plan, revision)
    audit_record(
        actor=request.user,
        action="careplan.print",
        client_id=plan.client_id,
        obj=plan,
        changes={"revision": [None, revision.number], "language": [None, copy.language], "recipient": [None, "client"]},
    )
    return render(request, "careplans/print.html", {"plan": plan, "copy": copy, "revision": revision})


@clinical_view
@require_GET
def pdf_copy(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """The client's copy as a PDF download (audited as a disclosure)."""
    plan = selectors.plan_get_for_user(user=request.user, plan_id=plan_id, audit=False)
    revision = _copy_revision(plan)
    copy = client_copy.build(plan, revision)
    body = client_copy.render_pdf(copy)
    audit_record(
        actor=request.user,
        action="careplan.download_pdf",
        client_id=plan.client_id,
        obj=plan,
        changes={"revision": [None, revision.number], "language": [None, copy.language], "recipient": [None, "client"]},
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="care-plan-{plan.pk}-v{revision.number}.pdf"'
    return response


# --- A program's plan rules -------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def program_settings(request: HttpRequest, program_id: int) -> HttpResponse:
    """A program's care-plan rules (approval, review interval) and its templates: its director or an administrator."""
    user = cast(User, request.user)
    program = Program.objects.filter(pk=program_id, agency_id=user.agency_id or 0).first()
    if program is None or not (user.role == Role.ADMINISTRATOR or program.director_id == user.pk):
        raise NotFound()
    current = services.plan_settings_for(program)
    status = 200
    if request.method == "POST":
        form = PlanSettingsForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.plan_settings_update(actor=user, program=program, **form.cleaned_data)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Care-plan rules saved."))
                return redirect("careplans:program_settings", program_id=program.pk)
    else:
        form = PlanSettingsForm(
            initial={
                "approval_required": current.approval_required,
                "review_interval_days": current.review_interval_days,
            }
        )
    context = {
        "nav": "team",
        "program": program,
        "form": form,
        "templates": list(PlanTemplate.objects.filter(program=program).order_by("name")),
    }
    return render(request, "careplans/program_settings.html", context, status=status)
