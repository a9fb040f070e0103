"""Reading care plans: access through the case, a revision's content, goal history, versions compared."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.careplans.models import (
    Goal,
    GoalProgress,
    Intervention,
    Plan,
    PlanNeed,
    PlanRevision,
    PlanStatement,
    PlanTemplate,
    RevisionStatus,
    StatementKind,
)
from casework.cases.models import Case
from casework.core.errors import NotFound


def _authorise(user: User, plan: Plan, *, action: str, audit: bool) -> Plan:
    """Authorise through the case (and so the client); audit the read on the plan."""
    from casework.audit.services import audit_record
    from casework.cases.selectors import case_get_for_user

    case = case_get_for_user(user=user, case_id=plan.case_id, audit=False)
    if audit:
        audit_record(
            actor=user,
            action=action,
            client_id=plan.client_id,
            obj=plan,
            flagged=getattr(case.client, "accessed_by_break_glass", False),
        )
    plan.case = case
    plan.client = case.client
    return plan


def _plans() -> QuerySet[Plan]:
    return Plan.objects.select_related("active_revision", "open_revision", "template", "created_by")


def plan_get_for_user(*, user: User, plan_id: int, action: str = "careplan.view", audit: bool = True) -> Plan:
    """A plan of a case the user may see, its read audited; NotFound otherwise."""
    plan = _plans().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return _authorise(user, plan, action=action, audit=audit)


def revision_get_for_user(*, user: User, revision_id: int, audit: bool = True) -> PlanRevision:
    """One version of a plan the user may see; NotFound otherwise."""
    revision = PlanRevision.objects.filter(pk=revision_id).select_related("created_by", "submitted_by").first()
    if revision is None:
        raise NotFound()
    revision.plan = plan_get_for_user(user=user, plan_id=revision.plan_id, audit=audit)
    return revision


def goal_get_for_user(*, user: User, goal_id: int, audit: bool = True) -> Goal:
    """A goal (of any version) of a plan the user may see; NotFound otherwise."""
    goal = Goal.objects.filter(pk=goal_id).select_related("revision", "need").first()
    if goal is None:
        raise NotFound()
    goal.revision.plan = plan_get_for_user(user=user, plan_id=goal.revision.plan_id, audit=audit)
    return goal


def intervention_get_for_user(*, user: User, intervention_id: int, audit: bool = True) -> Intervention:
    """An action step of a plan the user may see; NotFound otherwise."""
    intervention = (
        Intervention.objects.filter(pk=intervention_id).select_related("revision", "goal", "team_member__user").first()
    )
    if intervention is None:
        raise NotFound()
    intervention.revision.plan = plan_get_for_user(user=user, plan_id=intervention.revision.plan_id, audit=audit)
    return intervention


def need_get_for_user(*, user: User, need_id: int) -> PlanNeed:
    need = PlanNeed.objects.filter(pk=need_id).select_related("revision").first()
    if need is None:
        raise NotFound()
    need.revision.plan = plan_get_for_user(user=user, plan_id=need.revision.plan_id, audit=False)
    return need


def statement_get_for_user(*, user: User, statement_id: int) -> PlanStatement:
    statement = PlanStatement.objects.filter(pk=statement_id).select_related("revision").first()
    if statement is None:
        raise NotFound()
    statement.revision.plan = plan_get_for_user(user=user, plan_id=statement.revision.plan_id, audit=False)
    return statement


def plans_for_case(*, case: Case) -> QuerySet[Plan]:
    """A case's plans (the caller authorised the case), newest first, with their current versions."""
    return _plans().filter(case=case).order_by("-created_at", "-id")


def templates_for_case(*, case: Case) -> QuerySet[PlanTemplate]:
    """The active templates of the case's program."""
    return PlanTemplate.objects.filter(program_id=case.program_id, is_active=True).order_by("name")


def revisions_for_plan(*, plan: Plan) -> QuerySet[PlanRevision]:
    """A plan's versions, newest first, with who wrote, submitted, approved and published them."""
    return (
        PlanRevision.objects.filter(plan=plan)
        .select_related("created_by", "submitted_by", "approved_by", "published_by")
        .prefetch_related("decisions__decided_by", "acknowledgements__recorded_by")
        .order_by("-number")
    )


@dataclass
class RevisionContent:
    """Everything one version says, ready to show (a fixed number of queries)."""

    revision: PlanRevision
    needs: list[PlanNeed]
    strengths: list[PlanStatement]
    barriers: list[PlanStatement]
    goals: list[Goal]
    unlinked_goals: list[Goal] = field(default_factory=list)

    @property
    def interventions(self) -> list[Intervention]:
        return [step for goal in self.goals for step in goal.interventions.all()]


def revision_content(revision: PlanRevision) -> RevisionContent:
    """A version's needs, strengths, barriers, goals and their action steps (four queries)."""
    needs = list(revision.needs.select_related("suggested_need").order_by("position", "id"))
    statements = list(revision.statements.order_by("position", "id"))
    steps = Intervention.objects.select_related("team_member__user", "appointment").order_by("position", "id")
    goals = list(revision.goals.prefetch_related(Prefetch("interventions", queryset=steps)).order_by("position", "id"))
    by_need = {need.pk: need for need in needs}
    for goal in goals:
        goal.need = by_need.get(goal.need_id) if goal.need_id else None  # type: ignore[assignment]
    return RevisionContent(
        revision=revision,
        needs=needs,
        strengths=[s for s in statements if s.kind == StatementKind.STRENGTH],
        barriers=[s for s in statements if s.kind == StatementKind.BARRIER],
        goals=goals,
        unlinked_goals=[goal for goal in goals if goal.need_id is None],
    )


def goal_history(*, plan: Plan, goal_key: uuid.UUID) -> QuerySet[GoalProgress]:
    """Every progress entry of a goal across the plan's versions, newest first."""
    return (
        GoalProgress.objects.filter(plan=plan, goal_key=goal_key)
        .select_related("author", "note", "goal__revision")
        .order_by("-recorded_on", "-id")
    )


def goal_versions(*, plan: Plan, goal_key: uuid.UUID) -> QuerySet[Goal]:
    """The goal as each version of the plan had it, newest first."""
    return (
        Goal.objects.filter(revision__plan=plan, key=goal_key).select_related("revision").order_by("-revision__number")
    )


def active_goals_for_case(*, case: Case) -> list[Goal]:
    """The goals of a case's active plans, for ticking on a progress note (one query)."""
    return list(
        Goal.objects.filter(revision__plan__case=case, revision__status=RevisionStatus.ACTIVE)
        .select_related("revision__plan")
        .order_by("revision__plan_id", "position", "id")
    )


# --- Comparing versions ----------------------------------------------------------------------------


@dataclass
class DiffRow:
    """One item compared between two versions: added, removed, changed or the same."""

    kind: str
    change: str
    old: dict[str, str] | None
    new: dict[str, str] | None
    changed_fields: list[str]

    @property
    def label(self) -> str:
        side = self.new or self.old or {}
        return side.get(_("Description"), "") or side.get(_("Text"), "")


def _need_fields(need: PlanNeed) -> dict[str, str]:
    return {_("Domain"): str(need.get_domain_display()), _("Description"): need.description}


def _statement_fields(statement: PlanStatement) -> dict[str, str]:
    return {_("Text"): statement.text}


def _goal_fields(goal: Goal) -> dict[str, str]:
    return {
        _("Description"): goal.description,
        _("Term"): str(goal.get_term_display()),
        _("In the client's words"): goal.client_words,
        _("Measurable target"): goal.measurable_target,
        _("Target date"): goal.target_date.isoformat() if goal.target_date else "",
        _("Status"): str(goal.get_lifecycle_status_display()),
        _("Achievement"): str(goal.get_achievement_status_display()),
    }


def responsible_label(step: Intervention) -> str:
    """Who is responsible for an action step, in words."""
    party = str(step.get_responsible_party_display())
    if step.team_member_id and step.team_member is not None:
        return f"{party}: {step.team_member.display_name}"
    if step.responsible_name:
        return f"{party}: {step.responsible_name}"
    return party


def _step_fields(step: Intervention) -> dict[str, str]:
    return {
        _("Description"): step.description,
        _("Responsible"): responsible_label(step),
        _("Due"): step.due_date.isoformat() if step.due_date else "",
        _("Status"): str(step.get_status_display()),
    }


def _compare(kind: str, old_items: list[Any], new_items: list[Any], describe: Any) -> list[DiffRow]:
    old_by_key = {item.key: item for item in old_items}
    new_keys = {item.key for item in new_items}
    rows: list[DiffRow] = []
    for item in new_items:
        new_fields = describe(item)
        before = old_by_key.get(item.key)
        if before is None:
            rows.append(DiffRow(kind, "added", None, new_fields, list(new_fields)))
            continue
        old_fields = describe(before)
        changed = [name for name in new_fields if old_fields.get(name) != new_fields[name]]
        rows.append(DiffRow(kind, "changed" if changed else "same", old_fields, new_fields, changed))
    for item in old_items:
        if item.key not in new_keys:
            old_fields = describe(item)
            rows.append(DiffRow(kind, "removed", old_fields, None, list(old_fields)))
    return rows


def revisions_compare(old: PlanRevision, new: PlanRevision) -> dict[str, Any]:
    """Two versions side by side: each item added, removed, changed (which fields) or the same."""
    before, after = revision_content(old), revision_content(new)
    sections = [
        (_("Needs"), _compare("need", before.needs, after.needs, _need_fields)),
        (_("Strengths"), _compare("strength", before.strengths, after.strengths, _statement_fields)),
        (_("Barriers"), _compare("barrier", before.barriers, after.barriers, _statement_fields)),
        (_("Goals"), _compare("goal", before.goals, after.goals, _goal_fields)),
        (_("Action steps"), _compare("intervention", before.interventions, after.interventions, _step_fields)),
    ]
    return {
        "summary_changed": old.summary != new.summary,
        "old_summary": old.summary,
        "new_summary": new.summary,
        "sections": sections,
        "change_count": sum(1 for _title, rows in sections for row in rows if row.change != "same")
        + (1 if old.summary != new.summary else 0),
    }


def intervention_of_case(*, case_id: int, intervention_id: object) -> Intervention | None:
    """An action step of one of the case's plans, by id as typed in a URL (None when it is not one)."""
    try:
        pk = int(str(intervention_id))
    except ValueError:
        return None
    return (
        Intervention.objects.filter(pk=pk, revision__plan__case_id=case_id)
        .select_related("revision__plan", "goal")
        .first()
    )
