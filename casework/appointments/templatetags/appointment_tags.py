"""The "Upcoming appointments" section of the client and case pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from casework.appointments import permissions
from casework.appointments.selectors import upcoming_for_client

register = template.Library()


@register.inclusion_tag("appointments/_upcoming.html", takes_context=True)
def upcoming_appointments(context: template.Context, client: Any, case: Any = None) -> dict[str, Any]:
    """A client's next scheduled appointments (the page authorised the client) and a Schedule button."""
    user = context["request"].user
    url = reverse("appointments:schedule", args=[client.pk])
    if case is not None:
        url += f"?case={case.pk}"
    return {
        "appointments": upcoming_for_client(client=client),
        "can_schedule": permissions.can_schedule(user),
        "schedule_url": url,
    }
