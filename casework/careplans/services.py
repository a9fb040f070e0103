"""Writing care plans: create, edit the open draft, submit, approve or return, publish, acknowledge, progress.

Every change to a plan or its open revision takes the plan's row lock, checks the version the user
edited against, bumps it and writes one audit event on the plan (so `changes_since` can tell a
user whose save was refused what others changed). Free text stays out of the audit log: events
say which item and field changed, not what was written.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Program, Role, User
from casework.audit.selectors import changes_since
from casework.audit.services import REDACTED, audit_record
from casework.careplans.models import (
    DEFAULT_REVIEW_INTERVAL_DAYS,
    EDITABLE_REVISION_STATUSES,
    AcknowledgementMethod,
    Decision,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalProgress,
    GoalTerm,
    Intervention,
    InterventionStatus,
    Plan,
    PlanAcknowledgement,
    PlanKind,
    PlanNeed,
    PlanRevision,
    PlanSettings,
    PlanStatement,
    PlanTemplate,
    ResponsibleParty,
    RevisionDecision,
    RevisionStatus,
    StatementKind,
)
from casework.careplans.permissions import can_approve_plans, can_edit_plan, is_own_revision
from casework.cases.models import Case, CaseStatus, CaseTeamMember
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.core.submissions import insert_once
from casework.core.validation import clean_or_raise, require_text
from casework.needs.models import NeedDomain, SuggestedNeed, SuggestedNeedStatus

# Audit actions that bump a plan's version: exactly one event per version, on the plan.
PLAN_EDIT_ACTIONS = [
    "careplan.update",
    "careplan.item_add",
    "careplan.item_update",
    "careplan.item_remove",
    "careplan.draft_start",
    "careplan.submit",
    "careplan.approve",
    "careplan.return",
    "careplan.publish",
    "careplan.goal_progress",
    "careplan.intervention_status",
    "careplan.intervention_link",
    "careplan.acknowledge",
]
TEXT_FIELDS = {"summary", "description", "client_words", "text", "comment", "signature", "responsible_name"}
ITEM_LABELS = {"need": _("need"), "strength": _("strength"), "barrier": _("barrier")}


# --- Settings and templates ----------------------------------------------------------------------


def plan_settings_for(program: Program) -> PlanSettings:
    """The program's plan settings, or the defaults (not saved) when it has none."""
    found = PlanSettings.objects.filter(program=program).first()
    return found or PlanSettings(program=program, review_interval_days=DEFAULT_REVIEW_INTERVAL_DAYS)


@transaction.atomic
def plan_settings_update(
    *, actor: User, program: Program, approval_required: bool, review_interval_days: int
) -> PlanSettings:
    """Set a program's plan rules (its director or an administrator)."""
    if not (actor.role == Role.ADMINISTRATOR or program.director_id == actor.pk):
        raise PermissionDenied(_("Only the program's director or an administrator sets its plan rules."))
    settings_row, _created = PlanSettings.objects.select_for_update().get_or_create(program=program)
    before = {
        "approval_required": settings_row.approval_required,
        "review_interval_days": settings_row.review_interval_days,
    }
    settings_row.approval_required = approval_required
    settings_row.review_interval_days = review_interval_days
    clean_or_raise(settings_row, exclude=["program"])
    settings_row.save()
    after = {"approval_required": approval_required, "review_interval_days": review_interval_days}
    audit_record(
        actor=actor,
        action="careplan.settings_update",
        obj=settings_row,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return settings_row


# --- Helpers ---------------------------------------------------------------------------------------


def _redacted(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, (old, new) in changes.items():
        if field in TEXT_FIELDS:
            out[field] = [REDACTED if old else old, REDACTED if new else new]
        else:
            out[field] = [old, new]
    return out


def _lock(plan: Plan, expected_version: int | None) -> Plan:
    """The plan under a row lock; a stale expected version is a VersionConflict saying what changed."""
    locked = Plan.objects.select_for_update().select_related("case__team", "case__program").get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            _(
                "This plan was changed by someone else after you opened it. "
                "Your input is kept below: check it and save again."
            ),
            current_version=locked.version,
            changes=changes_since(obj=locked, actions=PLAN_EDIT_ACTIONS, versions=locked.version - expected_version),
        )
    return locked


def _bump(actor: User, plan: Plan, action: str, changes: Mapping[str, Any], *, fields: Sequence[str] = ()) -> Plan:
    """Count one change of the plan (saving `fields` of it too) and record it: one audit event per version."""
    plan.version += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["version", "updated_at", *fields])
    audit_record(actor=actor, action=action, client_id=plan.client_id, obj=plan, changes=_redacted(changes))
    return plan


def _require_editor(actor: User, plan: Plan) -> None:
    if not can_edit_plan(actor, plan):
        raise PermissionDenied(_("Only the case team and its supervisors can change this plan."))
    if plan.case.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("This case is closed; reopen it to change its plan."), field="case")


def _editable_revision(plan: Plan) -> PlanRevision:
    """The plan's draft (or returned) revision; published and submitted revisions are refused."""
    revision = PlanRevision.objects.filter(pk=plan.open_revision_id).first() if plan.open_revision_id else None
    if revision is None:
        raise ValidationFailed(
            _("This plan has no draft. Start a new version to make changes; the published version is never edited."),
            field="revision",
        )
    if revision.status == RevisionStatus.SUBMITTED:
        raise ValidationFailed(
            _(
                "This version is waiting for approval; "
                "it cannot be changed until the supervisor approves or returns it."
            ),
            field="revision",
        )
    if revision.status not in EDITABLE_REVISION_STATUSES:
        raise ValidationFailed(_("A published version is never edited; start a new version."), field="revision")
    return revision


def _item_revision_check(plan: Plan, revision_id: int) -> PlanRevision:
    revision = _editable_revision(plan)
    if revision.pk != revision_id:
        raise ValidationFailed(
            _("This item belongs to a published version, which is never edited; change it in the draft."),
            field="revision",
        )
    return revision


def _next_position(model: type[Any], revision: PlanRevision) -> int:
    current = model.objects.filter(revision=revision).aggregate(m=Max("position"))["m"]
    return (current or 0) + 1


def _check_target_date(value: Any, *, field: str = "target_date") -> None:
    if value is not None and value < timezone.localdate():
        raise ValidationFailed(_("The target date is in the past; choose today or a later date."), field=field)


def _due_date_check(value: Any) -> None:
    if value is not None and value < timezone.localdate():
        raise ValidationFailed(_("The due date is in the past; choose today or a later date."), field="due_date")


def _text(value: Any, *, field: str, message: str, max_length: int = 2000) -> str:
    return require_text(value if isinstance(value, str) else None, field=field, message=message, max_length=max_length)


def _optional_text(value: Any, *, field: str, max_length: int = 2000) -> str:
    cleaned = (value or "").strip() if isinstance(value, str) else ""
    if len(cleaned) > max_length:
        raise ValidationFailed(_("Keep this under %(n)s characters.") % {"n": max_length}, field=field)
    return cleaned


# --- Create a plan and its first draft -------------------------------------------------------------


def _prefill(actor: User, revision: PlanRevision, template: PlanTemplate) -> None:
    """Copy a template's sections into a new draft (target dates are left to the worker)."""
    sections = template.sections or {}
    revision.summary = str(sections.get("summary", ""))[:4000]
    revision.save(update_fields=["summary"])
    needs_by_domain: dict[str, PlanNeed] = {}
    for position, row in enumerate(sections.get("needs", []), start=1):
        if row.get("domain") not in NeedDomain.values:
            continue
        need = PlanNeed.objects.create(
            revision=revision,
            domain=row["domain"],
            description=str(row.get("description", ""))[:2000],
            position=position,
        )
        needs_by_domain.setdefault(need.domain, need)
    for kind in (StatementKind.STRENGTH, StatementKind.BARRIER):
        for position, text in enumerate(sections.get(f"{kind}s", []), start=1):
            PlanStatement.objects.create(revision=revision, kind=kind, text=str(text)[:2000], position=position)
    for position, row in enumerate(sections.get("goals", []), start=1):
        goal = Goal.objects.create(
            revision=revision,
            need=needs_by_domain.get(row.get("domain", "")),
            term=row.get("term") if row.get("term") in GoalTerm.values else GoalTerm.SHORT,
            description=str(row.get("description", ""))[:2000],
            measurable_target=str(row.get("measurable_target", ""))[:500],
            position=position,
        )
        for step, action in enumerate(row.get("interventions", []), start=1):
            party = action.get("responsible_party")
            Intervention.objects.create(
                revision=revision,
                goal=goal,
                description=str(action.get("description", ""))[:2000],
                responsible_party=party if party in ResponsibleParty.values else ResponsibleParty.CASE_MANAGER,
                responsible_name=str(action.get("responsible_name", ""))[:200],
                position=step,
            )


@transaction.atomic
def plan_create(
    *,
    actor: User,
    case: Case,
    title: str = "",
    template: PlanTemplate | None = None,
    submission_key: str | None = None,
) -> Plan:
    """Start a plan for a case with a first draft, prefilled from a template when one is chosen."""

    def earlier() -> Plan | None:
        return Plan.objects.filter(submission_key=submission_key, created_by=actor).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    if not can_edit_plan(actor, Plan(case=case)):
        raise PermissionDenied(_("Only the case team and its supervisors can start a plan."))
    if case.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("This case is closed; reopen it to start a plan."), field="case")
    if template is not None and (template.program_id != case.program_id or not template.is_active):
        raise ValidationFailed(_("Choose a template of this case's program."), field="template")
    kind = template.kind if template is not None else PlanKind.CARE
    title = (title or "").strip() or (template.name if template is not None else str(PlanKind(kind).label))
    plan = Plan(
        case=case,
        client_id=case.client_id,
        kind=kind,
        title=title[:200],
        template=template,
        created_by=actor,
        submission_key=submission_key or None,
    )
    clean_or_raise(plan, exclude=["case", "client", "template", "created_by", "active_revision", "open_revision"])
    plan, inserted = insert_once(plan, key=submission_key, earlier=earlier)
    if not inserted:
        return plan
    revision = PlanRevision.objects.create(plan=plan, number=1, created_by=actor)
    if template is not None:
        _prefill(actor, revision, template)
    plan.open_revision = revision
    plan.save(update_fields=["open_revision"])
    audit_record(
        actor=actor,
        action="careplan.create",
        client_id=plan.client_id,
        obj=plan,
        changes={"case": [None, case.pk], "kind": [None, kind], "template": [None, template.pk if template else None]},
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor: User, plan: Plan, expected_version: int, title: str | None = None, summary: str | None = None
) -> Plan:
    """Change the plan's title and its draft's plain-language summary."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    revision = _editable_revision(locked)
    changes: dict[str, Any] = {}
    if title is not None:
        new_title = _text(title, field="title", message=_("Give the plan a title."), max_length=200)
        if new_title != locked.title:
            changes["title"] = [locked.title, new_title]
            locked.title = new_title
    if summary is not None:
        new_summary = _optional_text(summary, field="summary", max_length=4000)
        if new_summary != revision.summary:
            changes["summary"] = [revision.summary, new_summary]
            revision.summary = new_summary
            revision.save(update_fields=["summary"])
    if not changes:
        return locked
    return _bump(actor, locked, "careplan.update", changes, fields=["title"])


# --- Needs -----------------------------------------------------------------------------------------


@transaction.atomic
def need_add(
    *,
    actor: User,
    plan: Plan,
    expected_version: int,
    domain: str = "",
    description: str = "",
    suggested_need: SuggestedNeed | None = None,
) -> PlanNeed:
    """Add a need to the draft; accepting a suggested need links it and marks the suggestion accepted."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    revision = _editable_revision(locked)
    if suggested_need is not None:
        suggestion = SuggestedNeed.objects.select_for_update().get(pk=suggested_need.pk)
        if suggestion.client_id != locked.client_id:
            raise ValidationFailed(_("That suggested need is not this client's."), field="suggested_need")
        if suggestion.status != SuggestedNeedStatus.SUGGESTED:
            raise ValidationFailed(
                _("This need was already %(status)s.") % {"status": suggestion.get_status_display().lower()},
                field="suggested_need",
            )
        domain = suggestion.domain
        description = (description or "").strip() or suggestion.reason
        suggestion.status = SuggestedNeedStatus.ACCEPTED
        suggestion.decided_at = timezone.now()
        suggestion.decided_by = actor
        suggestion.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            action="suggested_need.accept",
            client_id=suggestion.client_id,
            obj=suggestion,
            changes={
                "status": [SuggestedNeedStatus.SUGGESTED, SuggestedNeedStatus.ACCEPTED],
                "plan": [None, locked.pk],
            },
        )
    if domain not in NeedDomain.values:
        raise ValidationFailed(_("Choose the need's domain."), field="domain")
    description = _text(description, field="description", message=_("Describe the need."))
    need = PlanNeed(
        revision=revision,
        domain=domain,
        description=description,
        suggested_need=suggested_need,
        position=_next_position(PlanNeed, revision),
    )
    clean_or_raise(need, exclude=["revision", "suggested_need"])
    need.save()
    _bump(
        actor,
        locked,
        "careplan.item_add",
        {
            "item": [None, f"need {need.pk}"],
            "domain": [None, domain],
            "description": [None, description],
            "suggested_need": [None, suggested_need.pk if suggested_need else None],
        },
    )
    return need


@transaction.atomic
def need_update(*, actor: User, need: PlanNeed, expected_version: int, domain: str, description: str) -> PlanNeed:
    """Change a need of the draft."""
    locked = _lock(need.revision.plan, expected_version)
    _require_editor(actor, locked)
    _item_revision_check(locked, need.revision_id)
    need = PlanNeed.objects.get(pk=need.pk)
    if domain not in NeedDomain.values:
        raise ValidationFailed(_("Choose the need's domain."), field="domain")
    description = _text(description, field="description", message=_("Describe the need."))
    changes = {
        k: [getattr(need, k), v]
        for k, v in {"domain": domain, "description": description}.items()
        if getattr(need, k) != v
    }
    if not changes:
        return need
    need.domain, need.description = domain, description
    need.save(update_fields=["domain", "description"])
    _bump(actor, locked, "careplan.item_update", {"item": [None, f"need {need.pk}"], **changes})
    return need


@transaction.atomic
def need_remove(*, actor: User, need: PlanNeed, expected_version: int) -> None:
    """Take a need out of the draft (published versions keep it); its goals stay, without a need."""
    locked = _lock(need.revision.plan, expected_version)
    _require_editor(actor, locked)
    _item_revision_check(locked, need.revision_id)
    Goal.objects.filter(need=need).update(need=None)
    if need.suggested_need_id:
        # Taken out of a plan never published with it: the suggestion waits again rather than being lost.
        reopened = (
            SuggestedNeed.objects.filter(pk=need.suggested_need_id, status=SuggestedNeedStatus.ACCEPTED)
            .exclude(plan_needs__revision__status__in=["active", "superseded"])
            .update(status=SuggestedNeedStatus.SUGGESTED, decided_at=None, decided_by=None)
        )
        if reopened:
            audit_record(
                actor=actor,
                action="suggested_need.reopen",
                client_id=locked.client_id,
                object_type="needs.suggestedneed",
                object_id=need.suggested_need_id,
                changes={"status": [SuggestedNeedStatus.ACCEPTED, SuggestedNeedStatus.SUGGESTED]},
            )
    pk, domain = need.pk, need.domain
    need.delete()
    _bump(actor, locked, "careplan.item_remove", {"item": [f"need {pk}", None], "domain": [domain, None]})


# --- Strengths and barriers -------------------------------------------------------------------------


@transaction.atomic
def statement_add(*, actor: User, plan: Plan, expected_version: int, kind: str, text: str) -> PlanStatement:
    """Add a strength or a barrier to the draft."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    revision = _editable_revision(locked)
    if kind not in StatementKind.values:
        raise ValidationFailed(_("Choose strength or barrier."), field="kind")
    text = _text(text, field="text", message=_("Write the strength or barrier."))
    statement = PlanStatement.objects.create(
        revision=revision, kind=kind, text=text, position=_next_position(PlanStatement, revision)
    )
    _bump(actor, locked, "careplan.item_add", {"item": [None, f"{kind} {statement.pk}"], "text": [None, text]})
    return statement


@transaction.atomic
def statement_update(*, actor: User, statement: PlanStatement, expected_version: int, text: str) -> PlanStatement:
    """Change a strength or barrier of the draft."""
    locked = _lock(statement.revision.plan, expected_version)
    _require_editor(actor, locked)
    _item_revision_check(locked, statement.revision_id)
    text = _text(text, field="text", message=_("Write the strength or barrier."))
    if text == statement.text:
        return statement
    old = statement.text
    statement.text = text
    statement.save(update_fields=["text"])
    _bump(
        actor, locked, "careplan.item_update", {"item": [None, f"{statement.kind} {statement.pk}"], "text": [old, text]}
    )
    return statement


@transaction.atomic
def statement_remove(*, actor: User, statement: PlanStatement, expected_version: int) -> None:
    """Take a strength or barrier out of the draft (published versions keep it)."""
    locked = _lock(statement.revision.plan, expected_version)
    _require_editor(actor, locked)
    _item_revision_check(locked, statement.revision_id)
    label = f"{statement.kind} {statement.pk}"
    statement.delete()
    _bump(actor, locked, "careplan.item_remove", {"item": [label, None]})


# --- Goals -----------------------------------------------------------------------------------------

GOAL_FIELDS = [
    "need",
    "term",
    "description",
    "client_words",
    "measurable_target",
    "target_date",
    "lifecycle_status",
    "achievement_status",
]


def _goal_values(revision: PlanRevision, data: Mapping[str, Any], current: Goal | None) -> dict[str, Any]:
    """Validated goal fields from input (missing keys keep the current values)."""

    def get(name: str, default: Any) -> Any:
        return data[name] if name in data else (getattr(current, name) if current is not None else default)

    description = _text(
        get("description", ""), field="description", message=_("Describe the goal: what the client wants to achieve.")
    )
    need_id = data.get("need", current.need_id if current is not None else None)
    if isinstance(need_id, PlanNeed):
        need_id = need_id.pk
    if need_id in ("", 0):
        need_id = None
    if need_id is not None and not PlanNeed.objects.filter(pk=need_id, revision=revision).exists():
        raise ValidationFailed(_("Choose one of this plan's needs."), field="need")
    term = get("term", GoalTerm.SHORT)
    if term not in GoalTerm.values:
        raise ValidationFailed(_("Choose short or long term."), field="term")
    lifecycle = get("lifecycle_status", GoalLifecycle.PROPOSED)
    if lifecycle not in GoalLifecycle.values:
        raise ValidationFailed(_("Choose the goal's status."), field="lifecycle_status")
    achievement = get("achievement_status", GoalAchievement.IN_PROGRESS)
    if achievement not in GoalAchievement.values:
        raise ValidationFailed(_("Choose how the goal is going."), field="achievement_status")
    target_date = get("target_date", None)
    if target_date is not None and not isinstance(target_date, datetime.date):
        raise ValidationFailed(_("Enter the target date as YYYY-MM-DD."), field="target_date")
    if target_date is not None and (current is None or target_date != current.target_date):
        _check_target_date(target_date)
    return {
        "need_id": need_id,
        "term": term,
        "description": description,
        "client_words": _optional_text(get("client_words", ""), field="client_words"),
        "measurable_target": _optional_text(get("measurable_target", ""), field="measurable_target", max_length=500),
        "target_date": target_date,
        "lifecycle_status": lifecycle,
        "achievement_status": achievement,
    }


@transaction.atomic
def goal_add(*, actor: User, plan: Plan, expected_version: int, data: Mapping[str, Any]) -> Goal:
    """Add a goal to the draft: description required, target date today or later."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    revision = _editable_revision(locked)
    values = _goal_values(revision, data, None)
    goal = Goal(revision=revision, position=_next_position(Goal, revision), **values)
    clean_or_raise(goal, exclude=["revision", "need"])
    goal.save()
    changes = {k.removesuffix("_id"): [None, v] for k, v in values.items() if v not in (None, "")}
    _bump(actor, locked, "careplan.item_add", {"item": [None, f"goal {goal.pk}"], **changes})
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, expected_version: int, data: Mapping[str, Any]) -> Goal:
    """Change a goal of the draft (a published version's goals change only through progress)."""
    locked = _lock(goal.revision.plan, expected_version)
    _require_editor(actor, locked)
    revision = _item_revision_check(locked, goal.revision_id)
    goal = Goal.objects.get(pk=goal.pk)
    values = _goal_values(revision, data, goal)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if getattr(goal, name) != value:
            changes[name.removesuffix("_id")] = [getattr(goal, name), value]
            setattr(goal, name, value)
    if not changes:
        return goal
    clean_or_raise(goal, exclude=["revision", "need"])
    goal.save()
    _bump(actor, locked, "careplan.item_update", {"item": [None, f"goal {goal.pk}"], **changes})
    return goal


@transaction.atomic
def goal_remove(*, actor: User, goal: Goal, expected_version: int) -> None:
    """Take a goal (and its action steps) out of the draft; published versions keep them."""
    locked = _lock(goal.revision.plan, expected_version)
    _require_editor(actor, locked)
    _item_revision_check(locked, goal.revision_id)
    if GoalProgress.objects.filter(goal=goal).exists():
        raise ValidationFailed(_("Progress was recorded on this goal; set it to cancelled instead."), field="goal")
    Intervention.objects.filter(goal=goal).delete()
    pk = goal.pk
    goal.delete()
    _bump(actor, locked, "careplan.item_remove", {"item": [f"goal {pk}", None]})


# --- Interventions ---------------------------------------------------------------------------------


def _intervention_values(
    plan: Plan, revision: PlanRevision, data: Mapping[str, Any], current: Intervention | None
) -> dict[str, Any]:
    def get(name: str, default: Any) -> Any:
        return data[name] if name in data else (getattr(current, name) if current is not None else default)

    goal_id = data.get("goal", current.goal_id if current is not None else None)
    if isinstance(goal_id, Goal):
        goal_id = goal_id.pk
    if not goal_id or not Goal.objects.filter(pk=goal_id, revision=revision).exists():
        raise ValidationFailed(_("Choose the goal this action step serves."), field="goal")
    description = _text(get("description", ""), field="description", message=_("Describe the action step."))
    party = get("responsible_party", "")
    if party not in ResponsibleParty.values:
        raise ValidationFailed(_("Choose who is responsible."), field="responsible_party")
    member_id = data.get("team_member", current.team_member_id if current else None)
    if isinstance(member_id, CaseTeamMember):
        member_id = member_id.pk
    member_id = member_id or None
    name = _optional_text(get("responsible_name", ""), field="responsible_name", max_length=200)
    if party == ResponsibleParty.TEAM_MEMBER and member_id is None:
        raise ValidationFailed(_("Choose the case-team member who is responsible."), field="team_member")
    if party in (ResponsibleParty.CLIENT, ResponsibleParty.CASE_MANAGER):
        member_id, name = None, ""
    if member_id is not None:
        member = CaseTeamMember.objects.filter(pk=member_id, case_id=plan.case_id).first()
        if member is None:
            raise ValidationFailed(_("Choose a member of this case's team."), field="team_member")
        changed_member = current is None or current.team_member_id != member_id
        if member.removed_at is not None and changed_member:
            raise ValidationFailed(
                _("%(name)s has left the case team; choose someone on the team now.") % {"name": member.display_name},
                field="team_member",
            )
    if party in (ResponsibleParty.FAMILY_MEMBER, ResponsibleParty.EXTERNAL_PROVIDER) and member_id is None and not name:
        raise ValidationFailed(_("Give the name of who is responsible."), field="responsible_name")
    due_date = get("due_date", None)
    if due_date is not None and not isinstance(due_date, datetime.date):
        raise ValidationFailed(_("Enter the due date as YYYY-MM-DD."), field="due_date")
    if due_date is not None and (current is None or due_date != current.due_date):
        _due_date_check(due_date)
    status = get("status", InterventionStatus.PLANNED)
    if status not in InterventionStatus.values:
        raise ValidationFailed(_("Choose the action step's status."), field="status")
    return {
        "goal_id": goal_id,
        "description": description,
        "responsible_party": party,
        "team_member_id": member_id,
        "responsible_name": name,
        "due_date": due_date,
        "status": status,
    }


@transaction.atomic
def intervention_add(*, actor: User, plan: Plan, expected_version: int, data: Mapping[str, Any]) -> Intervention:
    """Add an action step under a goal of the draft."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    revision = _editable_revision(locked)
    values = _intervention_values(locked, revision, data, None)
    intervention = Intervention(revision=revision, position=_next_position(Intervention, revision), **values)
    clean_or_raise(intervention, exclude=["revision", "goal", "team_member", "appointment"])
    intervention.save()
    changes = {k.removesuffix("_id"): [None, v] for k, v in values.items() if v not in (None, "")}
    _bump(actor, locked, "careplan.item_add", {"item": [None, f"intervention {intervention.pk}"], **changes})
    return intervention


@transaction.atomic
def intervention_update(
    *, actor: User, intervention: Intervention, expected_version: int, data: Mapping[str, Any]
) -> Intervention:
    """Change an action step: anything in a draft; only its status in the active version (tracking)."""
    locked = _lock(intervention.revision.plan, expected_version)
    _require_editor(actor, locked)
    intervention = Intervention.objects.select_related("revision").get(pk=intervention.pk)
    if intervention.revision.status == RevisionStatus.ACTIVE:
        extra = set(data) - {"status"}
        if extra:
            raise ValidationFailed(
                _(
                    "A published version is never edited; only an action step's status can be updated. "
                    "Start a new version to change the rest."
                ),
                field=sorted(extra)[0],
            )
        return _intervention_status(actor, locked, intervention, data.get("status", ""))
    revision = _item_revision_check(locked, intervention.revision_id)
    values = _intervention_values(locked, revision, data, intervention)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if getattr(intervention, name) != value:
            changes[name.removesuffix("_id")] = [getattr(intervention, name), value]
            setattr(intervention, name, value)
    if not changes:
        return intervention
    clean_or_raise(intervention, exclude=["revision", "goal", "team_member", "appointment"])
    intervention.save()
    _bump(actor, locked, "careplan.item_update", {"item": [None, f"intervention {intervention.pk}"], **changes})
    return intervention


def _intervention_status(actor: User, plan: Plan, intervention: Intervention, status: str) -> Intervention:
    if status not in InterventionStatus.values:
        raise ValidationFailed(_("Choose the action step's status."), field="status")
    if status == intervention.status:
        return intervention
    old = intervention.status
    intervention.status = status
    intervention.save(update_fields=["status"])
    # The open draft's copy follows, so publishing it does not undo the update.
    if plan.open_revision_id:
        Intervention.objects.filter(revision_id=plan.open_revision_id, key=intervention.key, status=old).update(
            status=status
        )
    _bump(
        actor,
        plan,
        "careplan.intervention_status",
        {"item": [None, f"intervention {intervention.pk}"], "status": [old, status]},
    )
    return intervention


@transaction.atomic
def intervention_link_appointment(*, actor: User, intervention: Intervention, appointment: Any) -> Intervention:
    """Record the appointment that carries out an action step (scheduled from the step on the plan).

    Like a status update, this is tracking, allowed on the active version; the open draft's copy of
    the step follows so publishing it keeps the link.
    """
    plan = _lock(intervention.revision.plan, None)
    _require_editor(actor, plan)
    if appointment.case_id != plan.case_id:
        raise ValidationFailed(_("That appointment is not in this plan's case."), field="appointment")
    intervention.appointment = appointment
    intervention.save(update_fields=["appointment"])
    if plan.open_revision_id:
        Intervention.objects.filter(revision_id=plan.open_revision_id, key=intervention.key).update(
            appointment=appointment
        )
    _bump(
        actor,
        plan,
        "careplan.intervention_link",
        {"item": [None, f"intervention {intervention.pk}"], "appointment": [None, appointment.pk]},
    )
    return intervention


@transaction.atomic
def intervention_remove(*, actor: User, intervention: Intervention, expected_version: int) -> None:
    """Take an action step out of the draft (published versions keep it)."""
    locked = _lock(intervention.revision.plan, expected_version)
    _require_editor(actor, locked)
    _item_revision_check(locked, intervention.revision_id)
    pk = intervention.pk
    intervention.delete()
    _bump(actor, locked, "careplan.item_remove", {"item": [f"intervention {pk}", None]})


# --- Versions: new draft, submit, approve / return, publish ---------------------------------------


@transaction.atomic
def revision_start(*, actor: User, plan: Plan, expected_version: int) -> PlanRevision:
    """Open a new draft copying the active version (its items keep their keys)."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    if locked.open_revision_id:
        raise ValidationFailed(_("This plan already has a version in progress."), field="revision")
    active = PlanRevision.objects.filter(pk=locked.active_revision_id).first() if locked.active_revision_id else None
    if active is None:
        raise ValidationFailed(_("This plan has no published version to revise."), field="revision")
    number = (PlanRevision.objects.filter(plan=locked).aggregate(m=Max("number"))["m"] or 0) + 1
    draft = PlanRevision.objects.create(
        plan=locked, number=number, summary=active.summary, based_on=active, created_by=actor
    )
    needs: dict[int, PlanNeed] = {}
    for need in active.needs.all():
        needs[need.pk] = PlanNeed.objects.create(
            revision=draft,
            key=need.key,
            domain=need.domain,
            description=need.description,
            suggested_need_id=need.suggested_need_id,
            position=need.position,
        )
    PlanStatement.objects.bulk_create(
        [
            PlanStatement(revision=draft, key=s.key, kind=s.kind, text=s.text, position=s.position)
            for s in active.statements.all()
        ]
    )
    goals: dict[int, Goal] = {}
    for goal in active.goals.all():
        copy = Goal.objects.create(
            revision=draft,
            key=goal.key,
            need=needs.get(goal.need_id) if goal.need_id else None,
            **{name: getattr(goal, name) for name in GOAL_FIELDS if name != "need"},
            position=goal.position,
        )
        goals[goal.pk] = copy
    Intervention.objects.bulk_create(
        [
            Intervention(
                revision=draft,
                goal=goals[i.goal_id],
                key=i.key,
                description=i.description,
                responsible_party=i.responsible_party,
                team_member_id=i.team_member_id,
                responsible_name=i.responsible_name,
                due_date=i.due_date,
                status=i.status,
                appointment_id=i.appointment_id,
                position=i.position,
            )
            for i in active.interventions.all()
        ]
    )
    locked.open_revision = draft
    _bump(
        actor,
        locked,
        "careplan.draft_start",
        {"revision": [None, number], "based_on": [None, active.number]},
        fields=["open_revision"],
    )
    return draft


def _check_ready(plan: Plan, revision: PlanRevision) -> None:
    """What must hold before a version is submitted or published, with every problem named."""
    errors: dict[str, list[str]] = {}
    goals = list(revision.goals.all())
    if not goals:
        errors.setdefault("goals", []).append(_("Add at least one goal before submitting the plan."))
    for goal in goals:
        if not goal.description.strip():
            errors.setdefault("goals", []).append(_("Every goal needs a description."))
    left = (
        Intervention.objects.filter(revision=revision, team_member__removed_at__isnull=False)
        .exclude(status__in=[InterventionStatus.DONE, InterventionStatus.CANCELLED, InterventionStatus.NOT_DONE])
        .select_related("team_member__user")
    )
    for intervention in left:
        errors.setdefault("interventions", []).append(
            _("“%(step)s”: %(name)s has left the case team; choose someone else.")
            % {"step": intervention.description[:60], "name": intervention.team_member.display_name}  # type: ignore[union-attr]
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)


PUBLISH_FIELDS = ["active_revision", "open_revision", "last_reviewed_on", "review_due_date"]


def _publish(actor: User, plan: Plan, revision: PlanRevision, *, approved_by: User | None) -> None:
    """Make the revision the active one (the previous active is superseded); the caller bumps the plan."""
    now = timezone.now()
    previous = PlanRevision.objects.filter(pk=plan.active_revision_id).first() if plan.active_revision_id else None
    if previous is not None:
        previous.status = RevisionStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
    # Goals agreed in the published plan are no longer proposals.
    Goal.objects.filter(revision=revision, lifecycle_status=GoalLifecycle.PROPOSED).update(
        lifecycle_status=GoalLifecycle.ACTIVE
    )
    revision.status = RevisionStatus.ACTIVE
    revision.published_at = now
    revision.published_by = actor
    revision.approved_by = approved_by
    revision.save(update_fields=["status", "published_at", "published_by", "approved_by"])
    interval = plan_settings_for(plan.case.program).review_interval_days
    today = timezone.localdate()
    plan.active_revision = revision
    plan.open_revision = None
    plan.last_reviewed_on = today
    plan.review_due_date = today + datetime.timedelta(days=interval)


@transaction.atomic
def plan_submit(*, actor: User, plan: Plan, expected_version: int) -> Plan:
    """Submit the draft: for approval when the program requires it, otherwise it becomes active at once."""
    locked = _lock(plan, expected_version)
    _require_editor(actor, locked)
    revision = _editable_revision(locked)
    _check_ready(locked, revision)
    if plan_settings_for(locked.case.program).approval_required:
        revision.status = RevisionStatus.SUBMITTED
        revision.submitted_by = actor
        revision.submitted_at = timezone.now()
        revision.save(update_fields=["status", "submitted_by", "submitted_at"])
        return _bump(
            actor, locked, "careplan.submit", {"revision": [None, revision.number], "status": ["draft", "submitted"]}
        )
    revision.submitted_by = actor
    revision.submitted_at = timezone.now()
    revision.save(update_fields=["submitted_by", "submitted_at"])
    _publish(actor, locked, revision, approved_by=None)
    return _bump(
        actor,
        locked,
        "careplan.publish",
        {"revision": [None, revision.number], "status": ["draft", "active"]},
        fields=PUBLISH_FIELDS,
    )


def _submitted_revision(plan: Plan) -> PlanRevision:
    revision = PlanRevision.objects.filter(pk=plan.open_revision_id).first() if plan.open_revision_id else None
    if revision is None or revision.status != RevisionStatus.SUBMITTED:
        raise ValidationFailed(_("This plan has no version waiting for approval."), field="revision")
    return revision


def _require_approver(actor: User, plan: Plan, revision: PlanRevision) -> None:
    if not can_approve_plans(actor, plan):
        raise PermissionDenied(_("Only the supervisor of the case's team or the program's director approves plans."))
    if is_own_revision(actor, revision):
        raise PermissionDenied(
            _("You cannot approve or return a plan you wrote or submitted; another supervisor must.")
        )


@transaction.atomic
def plan_approve(*, actor: User, plan: Plan, expected_version: int, comment: str = "") -> Plan:
    """Approve the submitted version: it becomes the active plan (not by its author)."""
    locked = _lock(plan, expected_version)
    revision = _submitted_revision(locked)
    _require_approver(actor, locked, revision)
    comment = _optional_text(comment, field="comment", max_length=4000)
    _check_ready(locked, revision)
    RevisionDecision.objects.create(revision=revision, decision=Decision.APPROVED, comment=comment, decided_by=actor)
    _publish(actor, locked, revision, approved_by=actor)
    return _bump(
        actor,
        locked,
        "careplan.approve",
        {"revision": [None, revision.number], "status": ["submitted", "active"], "comment": [None, comment]},
        fields=PUBLISH_FIELDS,
    )


@transaction.atomic
def plan_return(*, actor: User, plan: Plan, expected_version: int, comment: str) -> Plan:
    """Return the submitted version to its author with comments; it can be changed and submitted again."""
    locked = _lock(plan, expected_version)
    revision = _submitted_revision(locked)
    _require_approver(actor, locked, revision)
    comment = _text(comment, field="comment", message=_("Say what needs to change."), max_length=4000)
    RevisionDecision.objects.create(revision=revision, decision=Decision.RETURNED, comment=comment, decided_by=actor)
    revision.status = RevisionStatus.RETURNED
    revision.save(update_fields=["status"])
    return _bump(
        actor,
        locked,
        "careplan.return",
        {"revision": [None, revision.number], "status": ["submitted", "returned"], "comment": [None, comment]},
    )


# --- Acknowledgement -------------------------------------------------------------------------------


@transaction.atomic
def plan_acknowledge(
    *,
    actor: User,
    plan: Plan,
    method: str,
    signature: str = "",
    signed_on: datetime.date | None = None,
    comment: str = "",
) -> PlanAcknowledgement:
    """Record the client's acknowledgement of the active version (typed signature, date, method)."""
    locked = _lock(plan, None)
    _require_editor(actor, locked)
    revision = PlanRevision.objects.filter(pk=locked.active_revision_id).first() if locked.active_revision_id else None
    if revision is None:
        raise ValidationFailed(_("Only a published plan can be acknowledged."), field="revision")
    if method not in AcknowledgementMethod.values:
        raise ValidationFailed(_("Choose how the client acknowledged the plan."), field="method")
    signature = _optional_text(signature, field="signature", max_length=200)
    if method != AcknowledgementMethod.REFUSED and not signature:
        raise ValidationFailed(_("Type the client's name as their signature."), field="signature")
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate():
        raise ValidationFailed(_("The date cannot be in the future."), field="signed_on")
    if revision.published_at and signed_on < timezone.localtime(revision.published_at).date():
        raise ValidationFailed(_("The date is before this version was published."), field="signed_on")
    ack = PlanAcknowledgement(
        revision=revision,
        method=method,
        signature=signature,
        signed_on=signed_on,
        comment=_optional_text(comment, field="comment"),
        recorded_by=actor,
    )
    clean_or_raise(ack, exclude=["revision", "recorded_by"])
    ack.save()
    _bump(
        actor,
        locked,
        "careplan.acknowledge",
        {
            "revision": [None, revision.number],
            "method": [None, method],
            "signature": [None, signature],
            "signed_on": [None, signed_on],
        },
    )
    return ack


# --- Goal progress ---------------------------------------------------------------------------------


def _progress(
    actor: User,
    plan: Plan,
    goal: Goal,
    *,
    lifecycle_status: str | None,
    achievement_status: str | None,
    comment: str,
    note: Any = None,
    recorded_on: datetime.date | None = None,
) -> GoalProgress:
    if goal.revision.status != RevisionStatus.ACTIVE:
        raise ValidationFailed(_("Progress is recorded on the goals of the active plan."), field="goal")
    lifecycle = lifecycle_status or goal.lifecycle_status
    achievement = achievement_status or goal.achievement_status
    if lifecycle not in GoalLifecycle.values:
        raise ValidationFailed(_("Choose the goal's status."), field="lifecycle_status")
    if achievement not in GoalAchievement.values:
        raise ValidationFailed(_("Choose how the goal is going."), field="achievement_status")
    comment = _optional_text(comment, field="comment")
    recorded_on = recorded_on or timezone.localdate()
    if recorded_on > timezone.localdate():
        raise ValidationFailed(_("Progress cannot be recorded in the future."), field="recorded_on")
    if (lifecycle, achievement) == (goal.lifecycle_status, goal.achievement_status) and not comment and note is None:
        raise ValidationFailed(_("Change the status or write a comment."), field="comment")
    entry = GoalProgress.objects.create(
        goal=goal,
        goal_key=goal.key,
        plan=plan,
        lifecycle_status=lifecycle,
        achievement_status=achievement,
        previous_lifecycle_status=goal.lifecycle_status,
        previous_achievement_status=goal.achievement_status,
        comment=comment,
        note=note,
        recorded_on=recorded_on,
        author=actor,
    )
    old = (goal.lifecycle_status, goal.achievement_status)
    # Tracking fields of the active version (not its content) and of the draft's copy follow.
    Goal.objects.filter(pk=goal.pk).update(lifecycle_status=lifecycle, achievement_status=achievement)
    if plan.open_revision_id:
        Goal.objects.filter(
            revision_id=plan.open_revision_id,
            key=goal.key,
            lifecycle_status=old[0],
            achievement_status=old[1],
        ).update(lifecycle_status=lifecycle, achievement_status=achievement)
    goal.lifecycle_status, goal.achievement_status = lifecycle, achievement
    _bump(
        actor,
        plan,
        "careplan.goal_progress",
        {
            "item": [None, f"goal {goal.pk}"],
            "lifecycle_status": [old[0], lifecycle],
            "achievement_status": [old[1], achievement],
            "comment": [None, comment],
            "note": [None, note.pk if note is not None else None],
        },
    )
    return entry


@transaction.atomic
def goal_progress_record(
    *,
    actor: User,
    goal: Goal,
    lifecycle_status: str | None = None,
    achievement_status: str | None = None,
    comment: str = "",
    recorded_on: datetime.date | None = None,
) -> GoalProgress:
    """Record progress on a goal of the active plan: a status change and/or a comment."""
    locked = _lock(goal.revision.plan, None)
    _require_editor(actor, locked)
    goal = Goal.objects.select_related("revision").get(pk=goal.pk)
    return _progress(
        actor,
        locked,
        goal,
        lifecycle_status=lifecycle_status,
        achievement_status=achievement_status,
        comment=comment,
        recorded_on=recorded_on,
    )


def goals_progress_from_note(*, actor: User, note: Any, updates: Sequence[Mapping[str, Any]]) -> list[GoalProgress]:
    """Progress on the goals a progress note's contact addressed (called in the note's transaction).

    Each update: {"goal": Goal, "lifecycle_status", "achievement_status", "comment"}. Goals must
    belong to the note's case's active plans.
    """
    entries = []
    for update in updates:
        goal = update["goal"]
        locked = _lock(goal.revision.plan, None)
        _require_editor(actor, locked)
        if locked.case_id != note.case_id:
            raise ValidationFailed(_("Choose goals of this case's plan."), field="goals")
        goal = Goal.objects.select_related("revision").get(pk=goal.pk)
        entries.append(
            _progress(
                actor,
                locked,
                goal,
                lifecycle_status=update.get("lifecycle_status") or None,
                achievement_status=update.get("achievement_status") or None,
                comment=str(update.get("comment", "")),
                note=note,
                recorded_on=note.contact_date,
            )
        )
    return entries
