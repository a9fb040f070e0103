"""Small builders for care-plan tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from casework.careplans import services
from casework.careplans.models import Plan, PlanSettings
from casework.needs.models import SuggestedNeed


def future(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def require_approval(program: Any, *, interval: int = 90) -> PlanSettings:
    return PlanSettings.objects.update_or_create(
        program=program, defaults={"approval_required": True, "review_interval_days": interval}
    )[0]


def fresh(plan: Any) -> Any:
    return Plan.objects.select_related("case__program", "case__team").get(pk=plan.pk)


def draft_plan(worker: Any, case: Any, *, with_step: bool = True) -> Any:
    """A plan with a need, a goal and (optionally) an action step in its first draft."""
    plan = services.plan_create(actor=worker, case=case, title="Care plan")
    need = services.need_add(
        actor=worker, plan=plan, expected_version=fresh(plan).version, domain="food", description="Runs out of food"
    )
    goal = services.goal_add(
        actor=worker,
        plan=plan,
        expected_version=fresh(plan).version,
        data={
            "need": need.pk,
            "description": "Enough food every week",
            "client_words": "I want to stop skipping meals",
            "measurable_target": "No skipped meals for 4 weeks",
            "target_date": future(60),
            "term": "short",
        },
    )
    if with_step:
        services.intervention_add(
            actor=worker,
            plan=plan,
            expected_version=fresh(plan).version,
            data={
                "goal": goal.pk,
                "description": "Apply for SNAP",
                "responsible_party": "case_manager",
                "due_date": future(14),
            },
        )
    return fresh(plan)


def published_plan(worker: Any, case: Any) -> Any:
    plan = draft_plan(worker, case)
    services.plan_submit(actor=worker, plan=plan, expected_version=plan.version)
    return fresh(plan)


def food_suggestion(case: Any) -> SuggestedNeed:
    return SuggestedNeed.objects.create(
        client_id=case.client_id, case=case, domain="food", reason="Food insecurity (AHC HRSN)"
    )
