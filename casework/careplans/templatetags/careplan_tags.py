"""The case page's "Care plans" section, and words for the versions comparison."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from casework.careplans.models import Plan
from casework.careplans.permissions import can_edit_plan
from casework.careplans.selectors import plans_for_case
from casework.cases.models import Case

register = template.Library()


@register.inclusion_tag("careplans/_case_section.html", takes_context=True)
def case_care_plans(context: template.Context, case: Case) -> dict[str, Any]:
    """The case's plans with their active and in-progress versions (one query), and a link to start one."""
    user = context["request"].user
    return {
        "case": case,
        "plans": list(plans_for_case(case=case)),
        "can_start": case.is_open and can_edit_plan(user, Plan(case=case)),
    }


@register.inclusion_tag("careplans/_program_links.html", takes_context=True)
def program_plan_rules(context: template.Context) -> dict[str, Any]:
    """Links to the care-plan rules of the programs the user directs (the Team page)."""
    from casework.accounts.models import Program

    user = context["request"].user
    return {"programs": list(Program.objects.filter(director=user).order_by("name"))}


@register.simple_tag
def change_label(change: str) -> str:
    return {
        "added": _("Added"),
        "removed": _("Removed"),
        "changed": _("Changed"),
        "same": _("No change"),
    }.get(change, change)
