"""API schemas for consents, referrals and the partner inbox."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from casework.clients.models import ConsentMethod, SharedInformation
from casework.core.api import InputSchema, IsoDate, RecordId
from casework.referrals.models import ReferralStatus, Urgency

SharedItem = Literal["name", "date_of_birth", "phone", "address", "needs", "summary"]
assert set(SharedItem.__args__) == set(SharedInformation.values)  # type: ignore[attr-defined]
StatusValue = Literal[
    "draft", "requested", "accepted", "rejected", "in_progress", "on_hold", "completed", "failed", "cancelled"
]
assert set(StatusValue.__args__) == set(ReferralStatus.values)  # type: ignore[attr-defined]


class ConsentCreate(InputSchema):
    recipient_organization: uuid.UUID | None = Field(None, description="A directory organization; null for any.")
    purpose: str = Field(..., max_length=300)
    information: list[SharedItem] = Field(..., min_length=1)
    given_on: IsoDate
    method: ConsentMethod
    expires_on: IsoDate | None = None


class ConsentRevoke(InputSchema):
    reason: str = Field(..., max_length=2000)
    revoked_on: IsoDate | None = None
    version: int | None = Field(None, ge=1)


class ConsentRead(Schema):
    id: int
    client_id: int
    recipient_organization_id: uuid.UUID | None
    purpose: str
    information: list[str]
    given_on: datetime.date
    method: str
    expires_on: datetime.date | None
    revoked_on: datetime.date | None
    revocation_reason: str
    status: str
    version: int


class ReferralCreate(InputSchema):
    service: uuid.UUID
    reason: str = Field(..., max_length=2000)
    urgency: Urgency = Urgency.ROUTINE
    due_date: IsoDate | None = None
    shared_information: list[SharedItem] = Field(..., min_length=1)
    summary: str = Field("", max_length=2000)
    consent: RecordId | None = None
    need_domain: str = Field("", max_length=20)
    # The case's care-plan action step the referral carries out (GET /plans/{id} lists them).
    intervention: RecordId | None = None


class ReferralUpdate(InputSchema):
    """Draft fields to change (only those sent); the version it was edited against."""

    reason: str | None = Field(None, max_length=2000)
    urgency: Urgency | None = None
    due_date: IsoDate | None = None
    shared_information: list[SharedItem] | None = Field(None, min_length=1)
    summary: str | None = Field(None, max_length=2000)
    consent: RecordId | None = None
    need_domain: str | None = Field(None, max_length=20)
    version: int | None = Field(None, ge=1)


class StatusChange(InputSchema):
    status: StatusValue
    reason: str = Field("", max_length=2000)
    outcome: str = Field("", max_length=2000)
    version: int | None = Field(None, ge=1)


class HistoryRead(Schema):
    from_status: str
    to_status: str
    side: str
    changed_at: datetime.datetime
    reason: str


class ReferralRead(Schema):
    id: int
    case_id: int
    client_id: int
    service_id: uuid.UUID
    service_name: str = Field(..., alias="service.name")
    organization_id: uuid.UUID
    organization_name: str = Field(..., alias="organization.name")
    consent_id: int | None
    intervention_id: int | None
    need_domain: str
    reason: str
    urgency: str
    due_date: datetime.date | None
    shared_information: list[str]
    summary: str
    shared_data: dict[str, Any]
    status: str
    status_reason: str
    outcome: str
    referred_by_id: int
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    version: int
    history: list[HistoryRead] = Field(default_factory=list, alias="status_changes")


class ReferralPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReferralRead]


class PartnerReferralRead(Schema):
    """What the receiving organization sees: the request and exactly the information shared."""

    id: int
    service_id: uuid.UUID
    service_name: str = Field(..., alias="service.name")
    reason: str
    urgency: str
    due_date: datetime.date | None
    shared_data: dict[str, Any]
    status: str
    sent_at: datetime.datetime | None
    version: int


class PartnerReferralPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PartnerReferralRead]
