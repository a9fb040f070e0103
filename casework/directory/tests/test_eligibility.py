"""Eligibility screener rules at their thresholds, and income as % of the poverty guideline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from casework.directory import eligibility
from casework.directory.eligibility import Outcome
from casework.directory.models import BenefitProgram, BenefitRule

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 11, 1)


def screen(client_record, code: str, *, income: int | None, size: int | None, state: str = "IL", on=ON):
    client_record.annual_household_income = Decimal(income) if income is not None else None
    client_record.household_size = size
    client_record.state = state
    _level, results = eligibility.screen_client(client_record, on=on)
    return next(result for result in results if result.program.code == code)


def test_income_as_percent_of_2025_guideline():
    level = eligibility.income_level(annual_income=Decimal("21150"), household_size=2, state="IL", on=ON)
    assert level is not None and level.percent == 100 and level.guideline_amount == Decimal("21150")
    alaska = eligibility.income_level(annual_income=Decimal("19550"), household_size=1, state="AK", on=ON)
    assert alaska is not None and alaska.percent == 100
    assert eligibility.income_level(annual_income=None, household_size=2, state="IL", on=ON) is None


def test_snap_at_exactly_130_percent_is_likely_eligible_one_dollar_over_is_not(client_record):
    # 130% of $15,650 = $20,345 a year (the $1,696 monthly limit, rounded up, times twelve is a little over).
    at_limit = screen(client_record, "snap", income=20345, size=1)
    assert at_limit.outcome == Outcome.LIKELY_ELIGIBLE
    assert "130%" in at_limit.reason and "$20,345" in at_limit.reason
    over = screen(client_record, "snap", income=20346, size=1)
    assert over.outcome == Outcome.LIKELY_NOT and over.reason.startswith("Over the limit")


def test_household_size_moves_the_threshold(client_record):
    # Four people: 130% of $32,150 = $41,795.
    assert screen(client_record, "snap", income=41795, size=4).outcome == Outcome.LIKELY_ELIGIBLE
    assert screen(client_record, "snap", income=41796, size=4).outcome == Outcome.LIKELY_NOT


def test_missing_household_size_or_income_needs_more_information(client_record):
    result = screen(client_record, "snap", income=None, size=3)
    assert result.outcome == Outcome.NEEDS_INFORMATION and "household income" in result.reason
    result = screen(client_record, "liheap", income=10000, size=None)
    assert result.outcome == Outcome.NEEDS_INFORMATION and "household size" in result.reason


def test_medicaid_expansion_checks_age_band(client_record):
    client_record.date_of_birth = datetime.date(1960, 1, 1)  # 65 on ON
    assert screen(client_record, "medicaid-expansion", income=10000, size=1).outcome == Outcome.LIKELY_NOT
    client_record.date_of_birth = datetime.date(1980, 1, 1)
    assert screen(client_record, "medicaid-expansion", income=21597, size=1).outcome == Outcome.LIKELY_ELIGIBLE
    assert screen(client_record, "medicaid-expansion", income=21598, size=1).outcome == Outcome.LIKELY_NOT
    client_record.date_of_birth = None
    assert screen(client_record, "medicaid-expansion", income=10000, size=1).outcome == Outcome.NEEDS_INFORMATION


def test_wic_under_the_limit_still_needs_its_other_condition_confirmed(client_record):
    result = screen(client_record, "wic", income=20000, size=2)
    assert result.outcome == Outcome.NEEDS_INFORMATION and "child under 5" in result.reason
    assert screen(client_record, "wic", income=60000, size=2).outcome == Outcome.LIKELY_NOT


def test_the_rule_in_force_on_the_day_decides(client_record):
    snap = BenefitProgram.objects.get(code="snap")
    BenefitRule.objects.create(program=snap, effective_from=datetime.date(2026, 10, 1), income_limit_percent_fpl=200)
    assert screen(client_record, "snap", income=25000, size=1, on=ON).outcome == Outcome.LIKELY_NOT
    later = screen(client_record, "snap", income=25000, size=1, on=datetime.date(2026, 10, 1))
    assert later.outcome == Outcome.LIKELY_ELIGIBLE and later.rule.income_limit_percent_fpl == 200
    early = screen(client_record, "snap", income=25000, size=1, on=datetime.date(2024, 1, 1))
    assert early.outcome == Outcome.NEEDS_INFORMATION


def test_programs_an_administrator_adds_or_switches_off(client_record):
    BenefitProgram.objects.filter(code="lifeline").update(is_active=False)
    extra = BenefitProgram.objects.create(code="chip", name="CHIP", need_domain="physical_health")
    BenefitRule.objects.create(program=extra, effective_from=datetime.date(2025, 1, 1), income_limit_percent_fpl=250)
    _level, results = eligibility.screen_client(client_record, on=ON)
    codes = {result.program.code for result in results}
    assert "chip" in codes and "lifeline" not in codes
