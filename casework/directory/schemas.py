"""API schemas of the directory: search results with reasons, a service, matches, screen results."""

from __future__ import annotations

import datetime
import uuid

from ninja import Schema


class AddressOut(Schema):
    address_1: str
    address_2: str
    city: str
    state_province: str
    postal_code: str


class ServiceResultOut(Schema):
    id: uuid.UUID
    name: str
    organization: str
    status: str
    distance_miles: float | None
    address: AddressOut | None
    phones: list[str]
    hours: list[str]
    categories: list[str]
    reasons: list[str]
    url: str


class ServiceSearchOut(Schema):
    count: int
    items: list[ServiceResultOut]


class ServiceMatchOut(Schema):
    domains: list[str]
    radius_miles: float
    income_percent_fpl: int | None
    items: list[ServiceResultOut]


class ServiceRead(Schema):
    id: uuid.UUID
    name: str
    alternate_name: str
    description: str
    organization: str
    status: str
    url: str
    email: str
    eligibility_description: str
    minimum_age: int | None
    maximum_age: int | None
    income_limit_percent_fpl: int | None
    insurance_accepted: list[str]
    fees_description: str
    is_free: bool
    application_process: str
    categories: list[str]
    languages: list[str]
    required_documents: list[str]
    hours: list[str]
    phones: list[str]
    addresses: list[AddressOut]
    service_areas: list[str]


class ScreenResultOut(Schema):
    program: str
    program_code: str
    outcome: str
    outcome_label: str
    reason: str
    rule_effective_from: datetime.date | None
    income_limit_percent_fpl: int | None


class ScreenOut(Schema):
    date: datetime.date
    household_size: int | None
    annual_household_income: int | None
    income_percent_fpl: int | None
    guideline_year: int | None
    results: list[ScreenResultOut]


class ScreenNeedOut(Schema):
    id: int
    domain: str
    reason: str
    status: str


class ScreenTaskOut(Schema):
    id: int
    title: str
    due_date: datetime.date
    assignee_id: int
