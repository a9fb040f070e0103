from decimal import Decimal

import pytest

from casework.directory.models import BenefitProgram, NeedCategory, PovertyGuideline
from casework.needs.models import NeedDomain

pytestmark = pytest.mark.django_db


def test_every_need_category_maps_to_a_need_domain_and_food_has_a_pantry():
    categories = list(NeedCategory.objects.all())
    assert len(categories) >= 25
    assert {category.domain for category in categories} <= set(NeedDomain.values)
    assert NeedCategory.objects.get(code="food-pantry").domain == NeedDomain.FOOD


def test_2025_poverty_guideline_is_15650_plus_5500_per_person():
    guideline = PovertyGuideline.objects.get(year=2025, region="contiguous")
    assert guideline.amount_for(1) == Decimal("15650")
    assert guideline.amount_for(4) == Decimal("32150")


def test_common_benefit_programs_are_shipped_with_a_rule():
    codes = set(BenefitProgram.objects.filter(rules__isnull=False).values_list("code", flat=True))
    assert {"snap", "medicaid-expansion", "liheap", "wic", "lifeline"} <= codes
