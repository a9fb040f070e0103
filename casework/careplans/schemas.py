"""API schemas for care plans, their versions, goals, action steps and progress."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from casework.careplans.models import (
    AcknowledgementMethod,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Intervention,
    InterventionStatus,
    Plan,
    PlanRevision,
    ResponsibleParty,
)
from casework.careplans.selectors import responsible_label, revision_content
from casework.cases.schemas import StaffRef
from casework.core.api import InputSchema, IsoDate, RecordId
from casework.needs.models import NeedDomain

TEXT = 2000


class NeedOut(Schema):
    id: int
    key: str
    domain: str
    description: str
    suggested_need_id: int | None


class StatementOut(Schema):
    id: int
    key: str
    text: str


class InterventionOut(Schema):
    """An action step: who is responsible (party, team member or name), by when, how it stands."""

    id: int
    key: str
    goal_id: int
    description: str
    responsible_party: str
    team_member_id: int | None
    responsible_name: str
    responsible: str = Field(..., description="Who is responsible, in words.")
    due_date: datetime.date | None
    status: str
    appointment_id: int | None


class GoalOut(Schema):
    """A goal; lifecycle_status and achievement_status use FHIR Goal's codes."""

    id: int
    key: str
    need_id: int | None
    term: str
    description: str
    client_words: str
    measurable_target: str
    target_date: datetime.date | None
    lifecycle_status: str
    achievement_status: str
    interventions: list[InterventionOut]


class DecisionOut(Schema):
    decision: str
    comment: str
    decided_by: StaffRef
    decided_at: datetime.datetime


class AcknowledgementOut(Schema):
    method: str
    signature: str
    signed_on: datetime.date
    recorded_by: StaffRef
    recorded_at: datetime.datetime


class RevisionRead(Schema):
    """One version of a plan with everything it says. Published versions (active, superseded) never change."""

    number: int
    status: str
    summary: str
    created_by: StaffRef
    created_at: datetime.datetime
    submitted_by: StaffRef | None
    submitted_at: datetime.datetime | None
    approved_by: StaffRef | None
    published_at: datetime.datetime | None
    needs: list[NeedOut]
    strengths: list[StatementOut]
    barriers: list[StatementOut]
    goals: list[GoalOut]
    decisions: list[DecisionOut]
    acknowledgements: list[AcknowledgementOut]


def _step(step: Intervention) -> dict[str, Any]:
    return {
        "id": step.pk,
        "key": str(step.key),
        "goal_id": step.goal_id,
        "description": step.description,
        "responsible_party": step.responsible_party,
        "team_member_id": step.team_member_id,
        "responsible_name": step.responsible_name,
        "responsible": responsible_label(step),
        "due_date": step.due_date,
        "status": step.status,
        "appointment_id": step.appointment_id,
    }


def goal_out(goal: Goal, steps: list[Intervention]) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "key": str(goal.key),
        "need_id": goal.need_id,
        "term": goal.term,
        "description": goal.description,
        "client_words": goal.client_words,
        "measurable_target": goal.measurable_target,
        "target_date": goal.target_date,
        "lifecycle_status": goal.lifecycle_status,
        "achievement_status": goal.achievement_status,
        "interventions": [_step(step) for step in steps],
    }


def revision_out(revision: PlanRevision) -> dict[str, Any]:
    content = revision_content(revision)
    return {
        "number": revision.number,
        "status": revision.status,
        "summary": revision.summary,
        "created_by": revision.created_by,
        "created_at": revision.created_at,
        "submitted_by": revision.submitted_by,
        "submitted_at": revision.submitted_at,
        "approved_by": revision.approved_by,
        "published_at": revision.published_at,
        "needs": [
            {
                "id": n.pk,
                "key": str(n.key),
                "domain": n.domain,
                "description": n.description,
                "suggested_need_id": n.suggested_need_id,
            }
            for n in content.needs
        ],
        "strengths": [{"id": s.pk, "key": str(s.key), "text": s.text} for s in content.strengths],
        "barriers": [{"id": s.pk, "key": str(s.key), "text": s.text} for s in content.barriers],
        "goals": [goal_out(goal, list(goal.interventions.all())) for goal in content.goals],
        "decisions": list(revision.decisions.select_related("decided_by")),
        "acknowledgements": list(revision.acknowledgements.select_related("recorded_by")),
    }


class PlanSummary(Schema):
    """A plan: its active and in-progress versions, when its review is due; `version` changes with every edit."""

    id: int
    case_id: int
    client_id: int
    kind: str
    title: str
    template_id: int | None
    active_version: int | None
    open_version: int | None
    open_status: str | None = Field(..., description="draft, submitted or returned; null when none is in progress.")
    review_due_date: datetime.date | None
    last_reviewed_on: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    @staticmethod
    def resolve_active_version(obj: Plan) -> int | None:
        return obj.active_revision.number if obj.active_revision else None

    @staticmethod
    def resolve_open_version(obj: Plan) -> int | None:
        return obj.open_revision.number if obj.open_revision else None

    @staticmethod
    def resolve_open_status(obj: Plan) -> str | None:
        return obj.open_revision.status if obj.open_revision else None


class PlanRead(PlanSummary):
    """A plan with its active version and the one in progress, in full."""

    active: RevisionRead | None
    draft: RevisionRead | None

    @staticmethod
    def resolve_active(obj: Plan) -> dict[str, Any] | None:
        return revision_out(obj.active_revision) if obj.active_revision else None

    @staticmethod
    def resolve_draft(obj: Plan) -> dict[str, Any] | None:
        return revision_out(obj.open_revision) if obj.open_revision else None


class PlanPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlanSummary]


class PlanCreate(InputSchema):
    """A new plan with its first draft; a template of the case's program prefills it."""

    title: str = Field("", max_length=200)
    template_id: RecordId | None = None


class PlanUpdate(InputSchema):
    """The draft's title and plain-language summary."""

    title: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=4000)
    version: int | None = Field(None, ge=1, description="The plan version edited (or send its ETag in If-Match).")


class VersionOnly(InputSchema):
    version: int | None = Field(None, ge=1, description="The plan version acted on (or send its ETag in If-Match).")


class Decision(InputSchema):
    comment: str = Field("", max_length=4000, description="Required to return a plan.")
    version: int | None = Field(None, ge=1, description="The plan version decided on (or its ETag in If-Match).")


class NeedCreate(InputSchema):
    """A need in the draft: a domain and description, or a suggested need to take up."""

    domain: NeedDomain | None = None
    description: str = Field("", max_length=TEXT)
    suggested_need_id: RecordId | None = None
    version: int | None = Field(None, ge=1)


class GoalWrite(InputSchema):
    """A goal's fields; on update, only the fields sent change."""

    description: str | None = Field(None, max_length=TEXT)
    client_words: str | None = Field(None, max_length=TEXT)
    measurable_target: str | None = Field(None, max_length=500)
    target_date: IsoDate | None = None
    term: GoalTerm | None = None
    need_id: RecordId | None = None
    lifecycle_status: GoalLifecycle | None = None
    achievement_status: GoalAchievement | None = None
    version: int | None = Field(None, ge=1)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude={"version"})
        if "need_id" in data:
            data["need"] = data.pop("need_id")
        return data


class InterventionWrite(InputSchema):
    """An action step; in the active version only `status` may change."""

    description: str | None = Field(None, max_length=TEXT)
    responsible_party: ResponsibleParty | None = None
    team_member_id: RecordId | None = None
    responsible_name: str | None = Field(None, max_length=200)
    due_date: IsoDate | None = None
    status: InterventionStatus | None = None
    version: int | None = Field(None, ge=1)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude={"version"})
        if "team_member_id" in data:
            data["team_member"] = data.pop("team_member_id")
        return data


class ProgressCreate(InputSchema):
    """Progress on a goal of the active plan: a new status and/or a comment."""

    lifecycle_status: GoalLifecycle | None = None
    achievement_status: GoalAchievement | None = None
    comment: str = Field("", max_length=TEXT)
    recorded_on: IsoDate | None = None


class ProgressOut(Schema):
    id: int
    goal_id: int
    revision_number: int
    lifecycle_status: str
    achievement_status: str
    previous_lifecycle_status: str
    previous_achievement_status: str
    comment: str
    note_id: int | None
    recorded_on: datetime.date
    author: StaffRef
    created_at: datetime.datetime

    @staticmethod
    def resolve_revision_number(obj: Any) -> int:
        return int(obj.goal.revision.number)


class GoalRead(GoalOut):
    """A goal of one version, with its history across all versions of the plan."""

    plan_id: int
    revision_number: int
    revision_status: str
    history: list[ProgressOut]


class InterventionRead(InterventionOut):
    plan_id: int
    revision_number: int
    revision_status: str


class AcknowledgementCreate(InputSchema):
    method: AcknowledgementMethod
    signature: str = Field("", max_length=200)
    signed_on: IsoDate | None = None
    comment: str = Field("", max_length=TEXT)
