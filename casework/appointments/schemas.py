"""API schemas for appointments and transport requests."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from casework.appointments.models import AppointmentKind, TransportMode, TransportStatus
from casework.core.api import InputSchema, IsoDate, RecordId

MIN_YEAR = 1900
MAX_YEAR = 2200


def _iso_datetime(value: Any) -> Any:
    """Times arrive as ISO 8601 strings; without an offset they are read in the agency's zone.

    Numbers are not read as timestamps, and years far outside a working life are refused
    (converting them between zones would overflow).
    """
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                "Enter a date and time as YYYY-MM-DDTHH:MM (with an offset, or in the agency's zone)."
            ) from None
    else:
        raise ValueError("Enter a date and time as YYYY-MM-DDTHH:MM.")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"Enter a year between {MIN_YEAR} and {MAX_YEAR}.")
    return parsed


IsoDateTime = Annotated[datetime.datetime, BeforeValidator(_iso_datetime)]


class StaffRef(Schema):
    id: int
    full_name: str


class ExternalRef(Schema):
    id: int
    name: str
    role: str
    organization: str


class ClientRef(Schema):
    id: int
    display_name: str


class AppointmentRead(Schema):
    """An appointment; times in UTC (ISO 8601 with offset)."""

    id: int
    client: ClientRef
    case_id: int | None
    kind: str
    title: str
    notes: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    address: str
    travel_notes: str
    video_link: str
    provider_name: str
    provider_address: str
    organiser: StaffRef
    staff: list[StaffRef]
    external_members: list[ExternalRef]
    externals: str
    outcome: str
    outcome_at: datetime.datetime | None
    outcome_reason: str
    rescheduled_to_id: int | None
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_staff(obj: Any) -> list[Any]:
        return list(obj.staff.all())

    @staticmethod
    def resolve_external_members(obj: Any) -> list[Any]:
        return list(obj.external_members.all())


class AppointmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AppointmentRead]


class AppointmentCreate(InputSchema):
    """Schedule an appointment; the caller organises it. Times without an offset are in the agency's zone."""

    client_id: RecordId
    case_id: RecordId | None = None
    kind: AppointmentKind
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    title: str = Field("", max_length=200)
    notes: str = Field("", max_length=4000)
    address: str = Field("", max_length=300)
    travel_notes: str = Field("", max_length=2000)
    video_link: str = Field("", max_length=500)
    provider_name: str = Field("", max_length=200)
    provider_address: str = Field("", max_length=300)
    staff_ids: list[RecordId] = Field(default_factory=list, max_length=20)
    external_member_ids: list[RecordId] = Field(default_factory=list, max_length=20)
    externals: str = Field("", max_length=1000)
    allow_overlap: bool = False


class AppointmentUpdate(InputSchema):
    kind: AppointmentKind | None = None
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    title: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=4000)
    address: str | None = Field(None, max_length=300)
    travel_notes: str | None = Field(None, max_length=2000)
    video_link: str | None = Field(None, max_length=500)
    provider_name: str | None = Field(None, max_length=200)
    provider_address: str | None = Field(None, max_length=300)
    staff_ids: list[RecordId] | None = Field(None, max_length=20)
    external_member_ids: list[RecordId] | None = Field(None, max_length=20)
    externals: str | None = Field(None, max_length=1000)
    allow_overlap: bool = False
    version: int | None = Field(None, ge=1, description="The version edited (or send its ETag in If-Match).")


class AppointmentOutcomeIn(InputSchema):
    """attended, no_show or cancelled (with an optional reason)."""

    outcome: str = Field(..., max_length=20)
    reason: str = Field("", max_length=1000)
    version: int | None = Field(None, ge=1)


class AppointmentRescheduleIn(InputSchema):
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    reason: str = Field("", max_length=1000)
    allow_overlap: bool = False
    version: int | None = Field(None, ge=1)


class RangeParams(Schema):
    """Appointments starting on `start` to `end` (dates in the agency's zone, at most a year)."""

    start: IsoDate | None = None
    end: IsoDate | None = None


class TransportRead(Schema):
    id: int
    appointment_id: int
    pickup_address: str
    pickup_at: datetime.datetime
    mode: str
    provider: str
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TransportPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TransportRead]


class TransportCreate(InputSchema):
    appointment_id: RecordId
    pickup_address: str = Field(..., max_length=300)
    pickup_at: IsoDateTime
    mode: TransportMode
    provider: str = Field("", max_length=200)


class TransportUpdate(InputSchema):
    status: TransportStatus
    provider: str | None = Field(None, max_length=200)
