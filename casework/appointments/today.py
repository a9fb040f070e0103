"""Today's appointments and home visits as a source of the Today list (registered by the app config)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.appointments.selectors import todays_scheduled_appointments
from casework.appointments.timezones import zone_of
from casework.today.selectors import TodayItem, register_source
from casework.today.sources import url_for


@register_source("appointments", queries=3)
def appointments_today(user: User, today: datetime.date) -> list[TodayItem]:
    """The user's appointments today still waiting for an outcome: go, then record attended or no-show."""
    zone = zone_of(user.agency) if user.agency_id else datetime.UTC
    items: list[TodayItem] = []
    for appointment in todays_scheduled_appointments(user=user, today=today):
        starts = timezone.localtime(appointment.starts_at, zone)
        ends = timezone.localtime(appointment.ends_at, zone)
        times = f"{starts:%H:%M}–{ends:%H:%M}"
        if appointment.kind == "home_visit":
            reason = _("Home visit today %(times)s: address and travel notes on the appointment") % {"times": times}
        else:
            reason = _("Today %(times)s: record the outcome afterwards") % {"times": times}
        items.append(
            TodayItem(
                kind="appointment",
                object_id=appointment.pk,
                title=f"{appointment.get_kind_display()} {starts:%H:%M}",
                reason=reason,
                url=url_for("appointments:detail", appointment.pk),
                due_date=today,
                lateness_days=0,
                acuity=appointment.case.acuity if appointment.case_id and appointment.case else 2,
                client=appointment.client,
                case=appointment.case,
                snoozable=False,
            )
        )
    return items
