"""The demo shows care plans: one active, approved and acknowledged plan; a food screen waiting for a plan."""

from __future__ import annotations

import pytest

from casework.careplans.models import Plan, PlanSettings, PlanTemplate, RevisionStatus
from casework.core.demo import FOOD_SCREEN_DEMO_CLIENT, PLAN_DEMO_CLIENT, load_demo
from casework.needs.models import SuggestedNeed, SuggestedNeedStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_active_approved_plan_and_a_food_need_waiting():
    load_demo()
    first, last = PLAN_DEMO_CLIENT
    plan = Plan.objects.select_related("active_revision").get(
        client__legal_first_name=first, client__legal_last_name=last
    )
    active = plan.active_revision
    assert active is not None and active.status == RevisionStatus.ACTIVE
    assert active.approved_by is not None and active.approved_by != active.created_by
    assert active.acknowledgements.count() == 1 and active.goals.count() == 2
    assert plan.review_due_date is not None
    first, last = FOOD_SCREEN_DEMO_CLIENT
    waiting = SuggestedNeed.objects.filter(
        client__legal_first_name=first, client__legal_last_name=last, status=SuggestedNeedStatus.SUGGESTED
    )
    assert [need.domain for need in waiting] == ["food"]
    assert not Plan.objects.filter(client__legal_first_name=first, client__legal_last_name=last).exists()
    assert PlanSettings.objects.filter(approval_required=True).count() == 1
    assert PlanTemplate.objects.filter(translations__has_key="es").count() == PlanTemplate.objects.count() > 0
