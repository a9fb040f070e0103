"""API schemas for clients: what the API reads in (Create, Update) and writes out (Read, Summary)."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from casework.clients.models import Client, IdentifierType, Insurance, Relationship, Sex, SupportContact
from casework.core.api import InputSchema, IsoDate

# --- Out --------------------------------------------------------------------------------------


class IdentifierOut(Schema):
    id: int
    kind: str
    value: str
    issuer: str


class SupportContactOut(Schema):
    id: int
    name: str
    relationship: str
    phone: str
    email: str
    notes: str
    is_emergency_contact: bool


class ClientSummary(Schema):
    """A client in a list: enough to recognise them, no identifiers."""

    id: int
    display_name: str
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    date_of_birth: datetime.date | None
    phone: str
    version: int


class ClientRead(Schema):
    """One client's record. The SSN is only ever shown masked (***-**-1234)."""

    id: int
    display_name: str
    legal_first_name: str
    legal_middle_name: str
    legal_last_name: str
    preferred_name: str
    date_of_birth: datetime.date | None
    age: int | None
    sex: str
    gender_identity: str
    pronouns: str
    primary_language: str
    interpreter_needed: bool
    phone: str
    email: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    county: str
    household_size: int | None
    annual_household_income: int | None
    insurance: str
    ssn_masked: str
    identifiers: list[IdentifierOut]
    support_contacts: list[SupportContactOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    @staticmethod
    def resolve_support_contacts(obj: Client) -> list[SupportContact]:
        # Removed contacts are kept in the record, inactive; the API shows the current network.
        return [contact for contact in obj.support_contacts.all() if contact.is_active]


class ClientPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ClientSummary]


class SearchHitOut(Schema):
    """A search result: who, how sure, and why it matched."""

    client_id: int
    display_name: str
    date_of_birth: datetime.date | None
    score: float
    reasons: list[str]


class SearchResults(Schema):
    count: int
    items: list[SearchHitOut]


class MatchOut(Schema):
    """A possible existing record of the person looked up.

    `accessible` is false for a client of the caller's agency whom the caller may not open:
    then no name or date of birth is given, only that the record exists (`client_id`, for a
    request for access or break-the-glass) and what agrees with the query.
    """

    client_id: int
    score: float = Field(..., description="Match probability, 0 to 1.")
    band: str = Field(..., description='"certain", "possible" or "unlikely" (the agency\'s thresholds).')
    reasons: list[str]
    accessible: bool
    display_name: str | None = None
    date_of_birth: datetime.date | None = None


class MatchResults(Schema):
    count: int
    items: list[MatchOut]


# --- In ---------------------------------------------------------------------------------------


class MatchIn(InputSchema):
    """What is known about a person; give any of the fields (at least one)."""

    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    date_of_birth: IsoDate | None = None
    sex: Sex | None = None
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    postal_code: str | None = Field(None, max_length=10)
    ssn_last4: str | None = Field(None, max_length=4, description="The last 4 digits of the SSN.")
    identifiers: list[str] = Field(default_factory=list, max_length=10, description="MRN, Medicaid ID... values.")


class IdentifierIn(InputSchema):
    kind: IdentifierType
    value: str = Field(..., max_length=40)
    issuer: str = Field("", max_length=100)


class SupportContactIn(InputSchema):
    name: str = Field(..., max_length=200)
    relationship: Relationship
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    notes: str = Field("", max_length=500)
    is_emergency_contact: bool = False


class ClientFields(InputSchema):
    """The editable demographics (the model validates them again on save)."""

    legal_middle_name: str = Field("", max_length=100)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: IsoDate | None = None
    sex: Sex = Sex.NOT_COLLECTED
    gender_identity: str = Field("", max_length=100)
    pronouns: str = Field("", max_length=50)
    primary_language: str = Field("English", max_length=60)
    interpreter_needed: bool = False
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address_line1: str = Field("", max_length=200)
    address_line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=50)
    postal_code: str = Field("", max_length=10)
    county: str = Field("", max_length=100)
    household_size: int | None = Field(None, ge=1, le=30)
    annual_household_income: int | None = Field(None, ge=0, le=99_999_999, description="Gross, dollars a year.")
    insurance: Insurance | Literal[""] = ""


class ClientCreate(ClientFields):
    """A new client, with the full SSN (stored encrypted), identifiers and support network."""

    legal_first_name: str = Field(..., max_length=100)
    legal_last_name: str = Field(..., max_length=100)
    ssn: str | None = Field(None, max_length=20, description="Full SSN, e.g. 123-45-6789; stored encrypted.")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)
    support_contacts: list[SupportContactIn] = Field(default_factory=list, max_length=50)
    duplicate_override_reason: str | None = Field(
        None,
        max_length=1000,
        description="Why this is a new person although an existing client matches with certainty "
        "(at least 10 characters); without it such a request is refused with 409 and the candidates.",
    )


class ClientUpdate(InputSchema):
    """A partial edit: only the fields sent change. `ssn: null` or "" removes the SSN."""

    legal_first_name: str | None = Field(None, max_length=100)
    legal_middle_name: str | None = Field(None, max_length=100)
    legal_last_name: str | None = Field(None, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    date_of_birth: IsoDate | None = None
    sex: Sex | None = None
    gender_identity: str | None = Field(None, max_length=100)
    pronouns: str | None = Field(None, max_length=50)
    primary_language: str | None = Field(None, max_length=60)
    interpreter_needed: bool | None = None
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=50)
    postal_code: str | None = Field(None, max_length=10)
    county: str | None = Field(None, max_length=100)
    household_size: int | None = Field(None, ge=1, le=30)
    annual_household_income: int | None = Field(None, ge=0, le=99_999_999, description="Gross, dollars a year.")
    insurance: Insurance | Literal[""] | None = None
    ssn: str | None = Field(None, max_length=20)
    version: int | None = Field(None, ge=1, description="The version edited (or send its ETag in If-Match).")


class DuplicateConflictOut(Schema):
    """Registering refused: an existing client is a certain match. Send `duplicate_override_reason` to go on."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
    candidates: list[MatchOut]


# --- Duplicate review ---------------------------------------------------------------------------


class PairClientOut(Schema):
    """One side of a possible duplicate pair: who the person is (no clinical content)."""

    client_id: int
    legal_name: str
    date_of_birth: datetime.date | None = None
    sex: str
    phone: str
    postal_code: str
    ssn_last4: str = Field(..., description="The last 4 digits of the SSN (or empty).")
    version: int


class DuplicatePairOut(Schema):
    """Two records that may be one person, scored by the matching engine."""

    id: int
    score: float
    band: str
    status: str
    source: str
    reasons: list[str]
    client_a: PairClientOut
    client_b: PairClientOut
    version: int
    decided_at: datetime.datetime | None = None
    decision_reason: str = ""


class DuplicatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DuplicatePairOut]


class DismissIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=1000, description="How you know they are different people.")
    version: int | None = Field(None, description="The pair's version you decided on (optional; stale is 409).")


class MergeIn(InputSchema):
    """Merge `alias_id` into the client of the URL (the survivor)."""

    alias_id: int
    survivor_version: int
    alias_version: int
    take_from_alias: list[str] = Field(
        default_factory=list, max_length=20, description="Fields whose value the survivor takes from the alias."
    )
    reason: str = Field("", max_length=1000)
    pair_id: int | None = None


class UndoIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=1000)


class MergeOut(Schema):
    """A merge: what moved (ids per model), the fields taken, and whether it was undone."""

    id: int
    survivor_id: int
    alias_id: int
    merged_at: datetime.datetime
    reason: str
    moved: dict[str, list[int]]
    fields: list[str]
    undone_at: datetime.datetime | None = None
    undo_reason: str = ""
