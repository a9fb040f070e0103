"""API schemas for progress notes and their addenda."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from casework.cases.schemas import StaffRef
from casework.core.api import InputSchema, IsoDate, RecordId
from casework.notes.models import SECTION_MAX_LENGTH, ContactType, NoteFormat

# --- Out --------------------------------------------------------------------------------------


class AddendumOut(Schema):
    id: int
    author: StaffRef
    text: str
    created_at: datetime.datetime


class NoteRead(Schema):
    """A progress note. Drafts can be edited; signed notes are locked; voided notes stay, marked."""

    id: int
    case_id: int
    client_id: int
    author: StaffRef
    format: str
    contact_type: str
    contact_date: datetime.date
    duration_minutes: int
    sections: dict[str, str]
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    signed_at: datetime.datetime | None
    signed_by: StaffRef | None
    voided_at: datetime.datetime | None
    voided_by: StaffRef | None
    void_reason: str
    version: int
    addenda: list[AddendumOut]


class NotePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoteRead]


# --- In ---------------------------------------------------------------------------------------

Section = dict[str, str]


class NoteCreate(InputSchema):
    """A note for one contact; `sections` holds the format's sections (SOAP: subjective, objective...)."""

    case_id: RecordId
    format: NoteFormat
    contact_type: ContactType
    contact_date: IsoDate
    duration_minutes: int = Field(..., ge=1, le=24 * 60)
    sections: Section = Field(default_factory=dict, description=f"Each section up to {SECTION_MAX_LENGTH} characters.")
    sign: bool = False


class NoteUpdate(InputSchema):
    """A partial edit of a draft."""

    format: NoteFormat | None = None
    contact_type: ContactType | None = None
    contact_date: IsoDate | None = None
    duration_minutes: int | None = Field(None, ge=1, le=24 * 60)
    sections: Section | None = None
    version: int | None = Field(None, ge=1, description="The version edited (or send its ETag in If-Match).")


class AddendumIn(InputSchema):
    text: str = Field(..., max_length=SECTION_MAX_LENGTH + 1000)


class NoteVoid(InputSchema):
    reason: str = Field(..., max_length=1000)
