"""API schemas for cases, their status changes and case team."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from casework.cases import services
from casework.cases.models import Acuity, Case, CaseStatus, ClosureReason, TeamRole
from casework.core.api import InputSchema, RecordId

# --- Out --------------------------------------------------------------------------------------


class Ref(Schema):
    """Another record, by id and name."""

    id: int
    name: str


class ClientRef(Schema):
    id: int
    display_name: str


class StaffRef(Schema):
    id: int
    full_name: str
    email: str


class CaseRead(Schema):
    """A case (episode of care) with where it stands and where it may go next."""

    id: int
    client: ClientRef
    program: Ref
    team: Ref
    primary_worker: StaffRef
    status: str
    acuity: int
    reason_for_referral: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    closure_reason: str
    updated_at: datetime.datetime
    version: int
    allowed_transitions: list[str]

    @staticmethod
    def resolve_allowed_transitions(obj: Case) -> list[str]:
        return services.allowed_transitions(obj)


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseRead]


class TeamMemberOut(Schema):
    """A member of the case team: staff (`user`) or an outside professional (`name`)."""

    id: int
    user: StaffRef | None
    display_name: str
    role: str
    name: str
    organization: str
    phone: str
    email: str
    is_external: bool
    added_at: datetime.datetime
    removed_at: datetime.datetime | None


# --- In ---------------------------------------------------------------------------------------


class CaseCreate(InputSchema):
    """Open a case. The primary worker defaults to the caller."""

    client_id: RecordId
    program_id: RecordId
    primary_worker_id: RecordId | None = None
    status: CaseStatus = CaseStatus.INTAKE
    acuity: Acuity = Acuity.MODERATE
    reason_for_referral: str = Field("", max_length=4000)


class CaseUpdate(InputSchema):
    acuity: Acuity | None = None
    reason_for_referral: str | None = Field(None, max_length=4000)
    version: int | None = Field(None, ge=1, description="The version edited (or send its ETag in If-Match).")


class CaseTransition(InputSchema):
    """Move a case. Going back or reopening needs a reason; closing needs a closure reason."""

    to_status: CaseStatus
    reason: str = Field("", max_length=4000)
    closure_reason: ClosureReason | None = None
    version: int | None = Field(None, ge=1)


class TeamMemberIn(InputSchema):
    """A member of staff (`user_id`) or an outside professional (`name`, contact details)."""

    user_id: RecordId | None = None
    role: TeamRole
    name: str = Field("", max_length=200)
    organization: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)


class TeamMemberRemove(InputSchema):
    reason: str = Field("", max_length=1000)
