"""Income as a percentage of the federal poverty guideline, and the benefit eligibility screener.

Pure reads over data an administrator keeps (poverty guidelines, programs, rules by effective
date); the screen says "likely eligible", "likely not" or "needs more information" and names the
rule that decided it. It is a screen, not a determination: the program decides.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from casework.clients.models import Client
from casework.directory.models import BenefitProgram, BenefitRule, PovertyGuideline


class Outcome:
    LIKELY_ELIGIBLE = "likely_eligible"
    LIKELY_NOT = "likely_not"
    NEEDS_INFORMATION = "needs_information"

    LABELS = {
        LIKELY_ELIGIBLE: "Likely eligible",
        LIKELY_NOT: "Likely not eligible",
        NEEDS_INFORMATION: "Needs more information",
    }


@dataclass(frozen=True)
class IncomeLevel:
    """A household's income against the guideline in force: 112 (% of poverty), and which guideline."""

    percent: int
    guideline: PovertyGuideline
    guideline_amount: Decimal

    def describe(self) -> str:
        return _("%(percent)s%% of the %(year)s federal poverty guideline") % {
            "percent": self.percent,
            "year": self.guideline.year,
        }


def guideline_region(state: str) -> str:
    code = (state or "").strip().upper()
    if code in ("AK", "ALASKA"):
        return PovertyGuideline.Region.ALASKA
    if code in ("HI", "HAWAII"):
        return PovertyGuideline.Region.HAWAII
    return PovertyGuideline.Region.CONTIGUOUS


def guideline_for(*, state: str, on: datetime.date) -> PovertyGuideline | None:
    """The latest guideline in force on that day for the state's region."""
    return (
        PovertyGuideline.objects.filter(region=guideline_region(state), effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def income_level(
    *, annual_income: Decimal | None, household_size: int | None, state: str, on: datetime.date
) -> IncomeLevel | None:
    """The income as a whole percentage of the guideline (rounded half up), or None if unknown."""
    if annual_income is None or not household_size:
        return None
    guideline = guideline_for(state=state, on=on)
    if guideline is None:
        return None
    amount = guideline.amount_for(household_size)
    percent = int((Decimal(annual_income) * 100 / amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return IncomeLevel(percent=percent, guideline=guideline, guideline_amount=amount)


def client_income_level(client: Client, *, on: datetime.date) -> IncomeLevel | None:
    return income_level(
        annual_income=client.annual_household_income,
        household_size=client.household_size,
        state=client.state,
        on=on,
    )


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class ScreenResult:
    """One program's screen: the outcome and the rule (in words) that decided it."""

    program: BenefitProgram
    outcome: str
    rule: BenefitRule | None
    reason: str

    @property
    def outcome_label(self) -> str:
        return _(Outcome.LABELS[self.outcome])

    @property
    def is_likely_eligible(self) -> bool:
        return self.outcome == Outcome.LIKELY_ELIGIBLE


def _money(amount: Decimal) -> str:
    return f"${amount:,.0f}"


def screen_program(
    *,
    program: BenefitProgram,
    rules: list[BenefitRule],
    level: IncomeLevel | None,
    household_size: int | None,
    annual_income: Decimal | None,
    age: int | None,
    on: datetime.date,
) -> ScreenResult:
    """Apply the program's rule in force on `on` (rules newest first)."""
    rule = next((rule for rule in rules if rule.effective_from <= on), None)
    if rule is None:
        return ScreenResult(program, Outcome.NEEDS_INFORMATION, None, _("No rule is in force for this date."))
    limit = rule.income_limit_percent_fpl
    source = f" ({rule.source}, {_('in force from')} {rule.effective_from:%Y-%m-%d})"
    missing = []
    if not household_size:
        missing.append(_("household size"))
    if annual_income is None:
        missing.append(_("household income"))
    if (rule.minimum_age is not None or rule.maximum_age is not None) and age is None:
        missing.append(_("date of birth"))
    if missing:
        return ScreenResult(
            program,
            Outcome.NEEDS_INFORMATION,
            rule,
            _("Income limit %(limit)s%% of poverty; record the client's %(missing)s.")
            % {"limit": limit, "missing": ", ".join(str(m) for m in missing)}
            + source,
        )
    if level is None:
        return ScreenResult(
            program, Outcome.NEEDS_INFORMATION, rule, _("No poverty guideline is recorded for this date.") + source
        )
    if age is not None and rule.minimum_age is not None and age < rule.minimum_age:
        return ScreenResult(
            program,
            Outcome.LIKELY_NOT,
            rule,
            _("For ages %(low)s to %(high)s; the client is %(age)s.")
            % {"low": rule.minimum_age, "high": rule.maximum_age or "—", "age": age}
            + source,
        )
    if age is not None and rule.maximum_age is not None and age > rule.maximum_age:
        return ScreenResult(
            program,
            Outcome.LIKELY_NOT,
            rule,
            _("For ages %(low)s to %(high)s; the client is %(age)s.")
            % {"low": rule.minimum_age or 0, "high": rule.maximum_age, "age": age}
            + source,
        )
    limit_amount = level.guideline_amount * limit / 100
    facts = _("income %(income)s is %(percent)s%% of poverty for %(size)s (limit %(limit)s%%, %(amount)s a year)") % {
        "income": _money(Decimal(annual_income or 0)),
        "percent": level.percent,
        "size": household_size,
        "limit": limit,
        "amount": _money(limit_amount),
    }
    # Compare money, not rounded percentages: at exactly the limit the client is eligible.
    if Decimal(annual_income or 0) > limit_amount:
        return ScreenResult(program, Outcome.LIKELY_NOT, rule, _("Over the limit: ") + facts + source)
    if rule.other_condition:
        return ScreenResult(
            program,
            Outcome.NEEDS_INFORMATION,
            rule,
            _("Under the limit: %(facts)s; also confirm: %(condition)s.")
            % {"facts": facts, "condition": rule.other_condition}
            + source,
        )
    return ScreenResult(program, Outcome.LIKELY_ELIGIBLE, rule, _("Under the limit: ") + facts + source)


def screen_client(client: Client, *, on: datetime.date) -> tuple[IncomeLevel | None, list[ScreenResult]]:
    """Screen the client for every active program (three queries whatever the number of programs)."""
    programs = (
        BenefitProgram.objects.filter(is_active=True)
        .select_related("need_category")
        .prefetch_related(Prefetch("rules", queryset=BenefitRule.objects.order_by("-effective_from")))
    )
    level = client_income_level(client, on=on)
    age = age_on(client.date_of_birth, on)
    results = [
        screen_program(
            program=program,
            rules=list(program.rules.all()),
            level=level,
            household_size=client.household_size,
            annual_income=client.annual_household_income,
            age=age,
            on=on,
        )
        for program in programs
    ]
    return level, results
