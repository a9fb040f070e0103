"""The personal iCalendar feed: times and a neutral title, never client names or details."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from casework.accounts.models import hash_token
from casework.appointments.models import Appointment, AppointmentKind, AppointmentOutcome, CalendarFeedToken
from casework.audit.services import audit_record
from casework.clients.permissions import is_clinical

# How far the feed reaches: recent past (for "what did I do") and the months ahead.
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180
MAX_TOKEN_LENGTH = 100

# What a subscribed calendar shows: the kind only, so a phone's lock screen names nobody.
NEUTRAL_TITLES = {
    AppointmentKind.HOME_VISIT: "Home visit",
    AppointmentKind.TELEHEALTH: "Video appointment",
    AppointmentKind.PHONE: "Phone call",
    AppointmentKind.COURT: "Court",
}


def neutral_summary(appointment: Appointment) -> str:
    return NEUTRAL_TITLES.get(AppointmentKind(appointment.kind), "Appointment")


def feed_calendar(*, user_id: int, now: datetime.datetime, base_url: str) -> Calendar:
    """The user's appointments as an iCalendar (UTC times; cancelled ones marked cancelled)."""
    from django.db.models import Q

    calendar = Calendar()
    calendar.add("prodid", "-//Casework//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Casework")
    mine = Q(organiser_id=user_id) | Q(
        pk__in=Appointment.staff.through.objects.filter(user_id=user_id).values("appointment_id")
    )
    appointments = (
        Appointment.objects.filter(mine)
        .filter(
            starts_at__gte=now - datetime.timedelta(days=FEED_PAST_DAYS),
            starts_at__lt=now + datetime.timedelta(days=FEED_FUTURE_DAYS),
        )
        .exclude(outcome=AppointmentOutcome.RESCHEDULED)
        .only("pk", "kind", "starts_at", "ends_at", "outcome", "updated_at", "version")
        .order_by("starts_at", "pk")
    )
    for appointment in appointments:
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@casework")
        event.add("summary", neutral_summary(appointment))
        event.add("dtstart", appointment.starts_at.astimezone(datetime.UTC))
        event.add("dtend", appointment.ends_at.astimezone(datetime.UTC))
        event.add("dtstamp", appointment.updated_at.astimezone(datetime.UTC))
        event.add("sequence", appointment.version)
        event.add("status", "CANCELLED" if appointment.outcome == AppointmentOutcome.CANCELLED else "CONFIRMED")
        if base_url:
            # A link back into Casework, where signing in is needed to see anything.
            event.add("url", f"{base_url}/appointments/{appointment.pk}/")
        calendar.add_component(event)
    return calendar


@never_cache
@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/calendar.ics?token=…: the token's owner's appointments; 404 for an unknown or revoked token."""
    raw = request.GET.get("token", "")
    if not raw or len(raw) > MAX_TOKEN_LENGTH or "\x00" in raw:
        raise Http404()
    token = (
        CalendarFeedToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not is_clinical(token.user):
        raise Http404()
    now = timezone.now()
    CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    audit_record(actor=token.user, action="calendar.feed", obj=token)
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = feed_calendar(user_id=token.user_id, now=now, base_url=base_url).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="casework.ics"'
    return response
