"""Reading appointments: the access helper, calendars, a client's upcoming ones, clashes, Today."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from casework.accounts.models import User
from casework.appointments.models import Appointment, AppointmentOutcome, TransportRequest
from casework.audit.services import audit_record
from casework.clients.models import Client
from casework.clients.selectors import client_get_for_user, clients_visible_to
from casework.core.errors import NotFound


def _with_details(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return appointments.select_related("client", "case", "organiser").prefetch_related(
        Prefetch("staff", queryset=User.objects.order_by("full_name")),
        "external_members",
    )


def appointment_get_for_user(
    *, user: User, appointment_id: int, action: str = "appointment.view", audit: bool = True
) -> Appointment:
    """Fetch an appointment of a client the user may see (audited); NotFound otherwise."""
    appointment = _with_details(Appointment.objects.filter(pk=appointment_id)).first()
    if appointment is None:
        raise NotFound()
    client = client_get_for_user(user=user, client_id=appointment.client_id, audit=False)
    if audit:
        audit_record(
            actor=user,
            action=action,
            client_id=client.pk,
            obj=appointment,
            flagged=getattr(client, "accessed_by_break_glass", False),
        )
    appointment.client = client
    return appointment


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    """Appointments of every client the user may see."""
    return Appointment.objects.filter(client__in=clients_visible_to(user))


def appointments_of_user(*, user: User) -> QuerySet[Appointment]:
    """The user's own appointments (organiser or staff participant) of clients they may see."""
    mine = Q(organiser=user) | Q(pk__in=Appointment.staff.through.objects.filter(user=user).values("appointment_id"))
    return appointments_visible_to(user).filter(mine)


def calendar_for_user(
    *, user: User, start: datetime.datetime, end: datetime.datetime, include_closed: bool = True
) -> list[Appointment]:
    """The user's appointments starting in [start, end), in time order (three queries)."""
    appointments = appointments_of_user(user=user).filter(starts_at__gte=start, starts_at__lt=end)
    if not include_closed:
        appointments = appointments.filter(outcome=AppointmentOutcome.SCHEDULED)
    return list(_with_details(appointments).order_by("starts_at", "pk"))


def upcoming_for_client(*, client: Client, now: datetime.datetime | None = None, limit: int = 10) -> list[Appointment]:
    """A client's scheduled appointments from now on (the caller authorised the client)."""
    now = now or timezone.now()
    return list(
        Appointment.objects.filter(client=client, ends_at__gte=now, outcome=AppointmentOutcome.SCHEDULED)
        .select_related("organiser")
        .order_by("starts_at", "pk")[:limit]
    )


def transport_for_appointment(*, appointment: Appointment) -> list[TransportRequest]:
    return list(appointment.transport_requests.order_by("pickup_at", "pk"))


def transport_visible_to(user: User) -> QuerySet[TransportRequest]:
    return TransportRequest.objects.filter(appointment__client__in=clients_visible_to(user)).select_related(
        "appointment"
    )


def transport_get_for_user(*, user: User, transport_id: int) -> TransportRequest:
    """A transport request of an appointment the user may see; NotFound otherwise."""
    transport = TransportRequest.objects.filter(pk=transport_id).select_related("appointment").first()
    if transport is None:
        raise NotFound()
    transport.appointment = appointment_get_for_user(user=user, appointment_id=transport.appointment_id, audit=False)
    return transport


def clashes_for(
    *,
    staff_ids: set[int],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    exclude_id: int | None = None,
) -> list[tuple[User, Appointment]]:
    """Scheduled appointments that overlap [starts_at, ends_at) for any of these staff members."""
    if not staff_ids:
        return []
    overlapping = Appointment.objects.filter(
        outcome=AppointmentOutcome.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).filter(Q(organiser_id__in=staff_ids) | Q(staff__in=staff_ids))
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    found: list[tuple[User, Appointment]] = []
    seen: set[tuple[int, int]] = set()
    for appointment in overlapping.select_related("organiser").prefetch_related("staff").distinct():
        people = {appointment.organiser, *appointment.staff.all()}
        for person in sorted(people, key=lambda p: p.full_name):
            if person.pk in staff_ids and (person.pk, appointment.pk) not in seen:
                seen.add((person.pk, appointment.pk))
                found.append((person, appointment))
    return found


@dataclass(frozen=True)
class TodayAppointment:
    """One row for the Today list (see `today_appointments`)."""

    appointment_id: int
    client_id: int
    client_name: str
    case_id: int | None
    kind: str
    kind_label: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    url: str
    is_home_visit: bool


def todays_scheduled_appointments(*, user: User, today: datetime.date) -> list[Appointment]:
    """The user's appointments starting on `today` (agency time zone) still waiting for an outcome, by time.

    Built for the Today list, which asks on every page load and usually finds nothing: first the
    ids of the user's own appointments of the day (organiser or staff participant; one indexed
    query of two columns), and only when there are some, which of their clients the user may
    still see, then those appointments with their client and case. A participant who has lost
    access to the client does not get the row.
    """
    from casework.appointments.timezones import zone_of

    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return []
    zone = zone_of(user.agency)
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    mine = Q(organiser=user) | Q(pk__in=Appointment.staff.through.objects.filter(user=user).values("appointment_id"))
    found = list(
        Appointment.objects.filter(
            mine, starts_at__gte=start, starts_at__lt=end, outcome=AppointmentOutcome.SCHEDULED
        ).values_list("pk", "client_id")
    )
    if not found:
        return []
    visible = set(clients_visible_to(user).filter(pk__in={client for _, client in found}).values_list("pk", flat=True))
    shown = [pk for pk, client in found if client in visible]
    if not shown:
        return []
    return list(
        Appointment.objects.filter(pk__in=shown).select_related("client", "case__program").order_by("starts_at", "pk")
    )


def today_appointments(user: User, today: datetime.date) -> list[TodayAppointment]:
    """The user's scheduled appointments on `today` (a date in the agency's zone), in time order.

    For the Today list. Runs at most three queries whatever the number of rows (one when there is none).
    Returns a list of `TodayAppointment`: `appointment_id`, `client_id`, `client_name`
    (display name), `case_id` (or None), `kind` (AppointmentKind value), `kind_label`,
    `title` (neutral), `starts_at`/`ends_at` (aware, UTC), `url` (the appointment's page),
    `is_home_visit`.
    """
    from django.urls import reverse

    rows = todays_scheduled_appointments(user=user, today=today)
    return [
        TodayAppointment(
            appointment_id=appointment.pk,
            client_id=appointment.client_id,
            client_name=appointment.client.display_name,
            case_id=appointment.case_id,
            kind=appointment.kind,
            kind_label=str(appointment.get_kind_display()),
            title=appointment.neutral_title,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            url=reverse("appointments:detail", args=[appointment.pk]),
            is_home_visit=appointment.kind == "home_visit",
        )
        for appointment in rows
    ]
