"""Appointment pages: schedule, detail with outcome buttons, reschedule, cancel, transport,
the week and day calendar, and the calendar-feed link."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.accounts.models import User
from casework.appointments import selectors, services
from casework.appointments.forms import AppointmentForm, CancelForm, RescheduleForm, TransportForm
from casework.appointments.models import Appointment, AppointmentKind, CalendarFeedToken, TransportStatus
from casework.appointments.timezones import ambiguity_note, combine_local, zone_of
from casework.audit.services import audit_record
from casework.careplans import services as plan_services
from casework.careplans.selectors import intervention_of_case
from casework.cases.models import Case, CaseTeamMember
from casework.cases.views import add_domain_error, agency_of
from casework.clients.permissions import CLINICAL_ROLES
from casework.clients.selectors import client_get_for_user
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError, NotFound, ValidationFailed
from casework.notes.models import ContactType

# The contact type a note about the appointment is written with.
CONTACT_TYPE_FOR_KIND = {
    AppointmentKind.OFFICE: ContactType.IN_PERSON,
    AppointmentKind.HOME_VISIT: ContactType.HOME_VISIT,
    AppointmentKind.TELEHEALTH: ContactType.TELEHEALTH,
    AppointmentKind.PHONE: ContactType.PHONE,
    AppointmentKind.COURT: ContactType.IN_PERSON,
    AppointmentKind.MEDICAL: ContactType.COLLATERAL,
}


def note_url(appointment: Appointment) -> str:
    """The note form of the appointment's case, filled in with contact type, date and minutes."""
    if appointment.case_id is None:
        return ""
    query = urlencode(
        {
            "contact_type": CONTACT_TYPE_FOR_KIND.get(AppointmentKind(appointment.kind), ContactType.IN_PERSON),
            "contact_date": timezone.localtime(appointment.starts_at).date().isoformat(),
            "duration_minutes": appointment.duration_minutes,
        }
    )
    return reverse("notes:create", args=[appointment.case_id]) + "?" + query


def _staff_choices(user: User) -> QuerySet[User]:
    return User.objects.filter(agency_id=agency_of(user), is_active=True, role__in=CLINICAL_ROLES).exclude(pk=user.pk)


def _external_choices(client_id: int) -> QuerySet[CaseTeamMember]:
    return CaseTeamMember.objects.filter(
        case__client_id=client_id, user__isnull=True, removed_at__isnull=True
    ).select_related("case")


def _case_of(client_id: int, raw: str | None) -> Case | None:
    if not raw:
        return None
    try:
        case_id = int(raw)
    except ValueError:
        raise NotFound() from None
    case = Case.objects.filter(pk=case_id, client_id=client_id).first()
    if case is None:
        raise NotFound()
    return case


def _clash_lines(exc: services.ScheduleClash) -> list[str]:
    return exc.errors.get("clashes", [])


@clinical_view
@require_http_methods(["GET", "POST"])
def schedule(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Schedule an appointment for a client (optionally for one of their cases)."""
    user = request.user
    client = client_get_for_user(user=user, client_id=client_id, audit=request.method == "GET")
    case = _case_of(client.pk, request.POST.get("case") if request.method == "POST" else request.GET.get("case"))
    # Scheduled from a care-plan action step ("Schedule" on the plan): the step records the appointment.
    step = None
    if case is not None:
        raw_step = request.POST.get("step") if request.method == "POST" else request.GET.get("step")
        step = intervention_of_case(case_id=case.pk, intervention_id=raw_step or "")
    zone = zone_of(user.agency)
    choices = {"staff": _staff_choices(user), "external_members": _external_choices(client.pk)}
    clashes: list[str] = []
    status = 200
    if request.method == "POST":
        form = AppointmentForm(request.POST, zone=zone, **choices)
        status = 422
        if form.is_valid() and form.start and form.end:
            data = form.cleaned_data
            try:
                appointment = services.appointment_create(
                    actor=user,
                    client=client,
                    case=case,
                    kind=data["kind"],
                    starts_at=form.start.value,
                    ends_at=form.end.value,
                    title=data["title"],
                    notes=data["notes"],
                    address=data["address"],
                    travel_notes=data["travel_notes"],
                    video_link=data["video_link"],
                    provider_name=data["provider_name"],
                    provider_address=data["provider_address"],
                    staff=list(data["staff"]),
                    external_members=list(data["external_members"]),
                    externals=data["externals"],
                    allow_overlap=data["confirm_overlap"],
                )
                if step is not None:
                    # Same request transaction: the appointment and the step's link land together.
                    plan_services.intervention_link_appointment(actor=user, intervention=step, appointment=appointment)
            except services.ScheduleClash as exc:
                clashes = _clash_lines(exc)
                status = 409
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map={"starts_at": "start_time", "ends_at": "end_time"})
            else:
                messages.success(request, _("Appointment scheduled."))
                for local in (form.start, form.end):
                    note = ambiguity_note(local, zone)
                    if note:
                        messages.info(request, note)
                return redirect("appointments:detail", appointment.pk)
        audit_record(actor=user, action="client.view", client_id=client.pk, obj=client)
    else:
        initial: dict[str, Any] = {"kind": AppointmentKind.OFFICE, "date": timezone.localdate()}
        if request.GET.get("kind") in AppointmentKind.values:
            initial["kind"] = request.GET["kind"]
        address = ", ".join(part for part in [client.address_line1, client.city] if part)
        initial["address"] = address
        form = AppointmentForm(initial=initial, zone=zone, **choices)
    context = {
        "nav": "calendar",
        "client": client,
        "case": case,
        "step": step,
        "form": form,
        "clashes": clashes,
        "zone": zone,
    }
    return render(request, "appointments/schedule.html", context, status=status)


def _render_detail(
    request: AuthenticatedRequest, appointment: Appointment, *, status: int = 200, **extra: Any
) -> HttpResponse:
    zone = zone_of(request.user.agency)
    context = {
        "nav": "calendar",
        "appointment": appointment,
        "client": appointment.client,
        "transports": selectors.transport_for_appointment(appointment=appointment),
        "note_url": note_url(appointment),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
        "transport_statuses": TransportStatus,
        "zone": zone,
        "starts_in_past": appointment.starts_at <= timezone.now(),
        **extra,
    }
    return render(request, "appointments/detail.html", context, status=status)


@clinical_view
@require_GET
def detail(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """An appointment: when, where, who; outcome buttons; transport."""
    appointment = selectors.appointment_get_for_user(user=request.user, appointment_id=appointment_id)
    return _render_detail(request, appointment)


def _posted_version(request: AuthenticatedRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@clinical_view
@require_POST
def outcome(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """Record attended (then straight on to the note) or no-show."""
    user = request.user
    appointment = selectors.appointment_get_for_user(user=user, appointment_id=appointment_id, audit=False)
    try:
        services.appointment_record_outcome(
            actor=user,
            appointment=appointment,
            outcome=request.POST.get("outcome", ""),
            expected_version=_posted_version(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("appointments:detail", appointment.pk)
    if request.POST.get("outcome") == "attended":
        url = note_url(appointment)
        if url:
            messages.success(request, _("Attended. Write the note now."))
            return redirect(url)
        messages.success(request, _("Recorded: attended."))
    else:
        messages.success(request, _("Recorded: no-show."))
    return redirect("appointments:detail", appointment.pk)


@clinical_view
@require_POST
def cancel(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    user = request.user
    appointment = selectors.appointment_get_for_user(user=user, appointment_id=appointment_id, audit=False)
    form = CancelForm(request.POST)
    if not form.is_valid():
        audit_record(actor=user, action="appointment.view", client_id=appointment.client_id, obj=appointment)
        return _render_detail(request, appointment, cancel_form=form, status=422)
    try:
        services.appointment_cancel(
            actor=user,
            appointment=appointment,
            reason=form.cleaned_data["reason"],
            expected_version=_posted_version(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Appointment cancelled."))
    return redirect("appointments:detail", appointment.pk)


@clinical_view
@require_http_methods(["GET", "POST"])
def reschedule(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """Move an appointment to a new time: a new appointment, linked from the old one."""
    user = request.user
    appointment = selectors.appointment_get_for_user(
        user=user, appointment_id=appointment_id, audit=request.method == "GET"
    )
    zone = zone_of(user.agency)
    clashes: list[str] = []
    status = 200
    if request.method == "POST":
        form = RescheduleForm(request.POST, zone=zone)
        status = 422
        if form.is_valid() and form.start and form.end:
            try:
                new = services.appointment_reschedule(
                    actor=user,
                    appointment=appointment,
                    starts_at=form.start.value,
                    ends_at=form.end.value,
                    reason=form.cleaned_data["reason"],
                    expected_version=_posted_version(request),
                    allow_overlap=form.cleaned_data["confirm_overlap"],
                )
            except services.ScheduleClash as exc:
                clashes = _clash_lines(exc)
                status = 409
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map={"starts_at": "start_time", "ends_at": "end_time"})
            else:
                messages.success(request, _("Appointment moved."))
                return redirect("appointments:detail", new.pk)
        audit_record(actor=user, action="appointment.view", client_id=appointment.client_id, obj=appointment)
    else:
        start = timezone.localtime(appointment.starts_at)
        end = timezone.localtime(appointment.ends_at)
        form = RescheduleForm(
            initial={"date": start.date(), "start_time": start.time(), "end_time": end.time()}, zone=zone
        )
    context = {"nav": "calendar", "appointment": appointment, "form": form, "clashes": clashes, "zone": zone}
    return render(request, "appointments/reschedule.html", context, status=status)


@clinical_view
@require_http_methods(["GET", "POST"])
def transport_create(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """Ask for transport to the appointment (pick-up on the appointment's day)."""
    user = request.user
    appointment = selectors.appointment_get_for_user(
        user=user, appointment_id=appointment_id, audit=request.method == "GET"
    )
    zone = zone_of(user.agency)
    status = 200
    if request.method == "POST":
        form = TransportForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                day = timezone.localtime(appointment.starts_at, zone).date()
                pickup = combine_local(day, data["pickup_time"], zone, field="pickup_time")
                services.transport_request_create(
                    actor=user,
                    appointment=appointment,
                    pickup_address=data["pickup_address"],
                    pickup_at=pickup.value,
                    mode=data["mode"],
                    provider=data["provider"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map={"pickup_at": "pickup_time"})
            else:
                messages.success(request, _("Transport requested."))
                return redirect("appointments:detail", appointment.pk)
        audit_record(actor=user, action="appointment.view", client_id=appointment.client_id, obj=appointment)
    else:
        client = appointment.client
        address = ", ".join(part for part in [client.address_line1, client.city] if part)
        suggested = timezone.localtime(appointment.starts_at - datetime.timedelta(minutes=45), zone)
        form = TransportForm(initial={"pickup_address": address, "pickup_time": suggested.time().replace(second=0)})
    context = {"nav": "calendar", "appointment": appointment, "form": form}
    return render(request, "appointments/transport_form.html", context, status=status)


@clinical_view
@require_POST
def transport_status(request: AuthenticatedRequest, transport_id: int) -> HttpResponse:
    user = request.user
    transport = selectors.transport_get_for_user(user=user, transport_id=transport_id)
    try:
        services.transport_request_set_status(actor=user, transport=transport, status=request.POST.get("status", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Transport request updated."))
    return redirect("appointments:detail", transport.appointment_id)


# --- Calendar ----------------------------------------------------------------------------------


def _parse_day(raw: str | None) -> datetime.date:
    if raw:
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValidationFailed(_("Enter a date as YYYY-MM-DD.")) from None
    return timezone.localdate()


def _day_bounds(day: datetime.date, days: int, zone: Any) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time.min, tzinfo=zone)
    return start, end


def _calendar_days(user: User, first: datetime.date, count: int) -> list[dict[str, Any]]:
    zone = zone_of(user.agency)
    start, end = _day_bounds(first, count, zone)
    appointments = selectors.calendar_for_user(user=user, start=start, end=end)
    days: list[dict[str, Any]] = [
        {"date": first + datetime.timedelta(days=n), "appointments": []} for n in range(count)
    ]
    by_date = {day["date"]: day for day in days}
    for appointment in appointments:
        by_date[timezone.localtime(appointment.starts_at, zone).date()]["appointments"].append(appointment)
    audit_record(
        actor=user,
        action="calendar.view",
        changes={"from": first.isoformat(), "days": count, "appointments": [a.pk for a in appointments]},
    )
    return days


@clinical_view
@require_GET
def week(request: AuthenticatedRequest) -> HttpResponse:
    """The worker's week, Monday to Sunday, with previous/next week links."""
    try:
        day = _parse_day(request.GET.get("start"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("appointments:week")
    monday = day - datetime.timedelta(days=day.weekday())
    context = {
        "nav": "calendar",
        "days": _calendar_days(request.user, monday, 7),
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "today": timezone.localdate(),
    }
    return render(request, "appointments/week.html", context)


@clinical_view
@require_GET
def day(request: AuthenticatedRequest) -> HttpResponse:
    """The worker's appointments on one day, with previous/next day links."""
    try:
        date = _parse_day(request.GET.get("date"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("appointments:day")
    context = {
        "nav": "calendar",
        "day": _calendar_days(request.user, date, 1)[0],
        "previous": date - datetime.timedelta(days=1),
        "next": date + datetime.timedelta(days=1),
        "today": timezone.localdate(),
    }
    return render(request, "appointments/day.html", context)


# --- Calendar feed ------------------------------------------------------------------------------


def _feed_urls(request: AuthenticatedRequest, raw: str) -> dict[str, str]:
    path = reverse("calendar_feed") + "?" + urlencode({"token": raw})
    https = request.build_absolute_uri(path)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@clinical_view
@require_http_methods(["GET", "POST"])
def feed_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Create (shown once), replace or revoke the personal calendar-feed link."""
    user = request.user
    urls: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _token, raw = services.calendar_token_create(actor=user)
            urls = _feed_urls(request, raw)
            messages.success(request, _("Your calendar link is ready. Copy it now: it is shown only once."))
        elif action == "revoke":
            if services.calendar_token_revoke(actor=user):
                messages.success(request, _("Calendar link revoked. Subscribed calendars stop updating."))
            return redirect("appointments:feed_settings")
        else:
            return redirect("appointments:feed_settings")
    active = CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
    return render(request, "appointments/feed.html", {"nav": "calendar", "active": active, "urls": urls})
