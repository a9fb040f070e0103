"""Appointments and transport requests in the JSON API (the calendar feed is a plain view)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.accounts.models import User
from casework.appointments import selectors, services
from casework.appointments.models import Appointment, TransportRequest
from casework.appointments.schemas import (
    AppointmentCreate,
    AppointmentOutcomeIn,
    AppointmentPage,
    AppointmentRead,
    AppointmentRescheduleIn,
    AppointmentUpdate,
    RangeParams,
    TransportCreate,
    TransportPage,
    TransportRead,
    TransportUpdate,
)
from casework.appointments.timezones import resolve_local, zone_of
from casework.audit.services import audit_record
from casework.cases.models import Case, CaseTeamMember
from casework.clients.selectors import client_get_for_user
from casework.core.api import (
    EDIT_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    ErrorOut,
    PageParams,
    expected_version,
    paginate,
    precondition,
    request_user,
    with_etag,
)
from casework.core.errors import ValidationFailed

router = Router(tags=["appointments"])

CLASH_ERRORS = {**WRITE_ERRORS, 409: ErrorOut}
MAX_RANGE_DAYS = 366


def _aware(user: User, value: datetime.datetime, field: str) -> datetime.datetime:
    """A time with an offset as given; without one, in the agency's zone (first of a repeated hour)."""
    return resolve_local(value, zone_of(user.agency), field=field).value


def _staff(user: User, ids: list[int]) -> list[User]:
    if not ids:
        return []
    people = list(User.objects.filter(pk__in=ids, agency_id=user.agency_id or 0))
    if len(people) != len(set(ids)):
        raise ValidationFailed(_("No member of staff with that id in your agency."), field="staff_ids")
    return people


def _members(client_id: int, ids: list[int]) -> list[CaseTeamMember]:
    members = list(CaseTeamMember.objects.filter(pk__in=ids, case__client_id=client_id).select_related("case"))
    if len(members) != len(set(ids)):
        raise ValidationFailed(
            _("No outside professional with that id on the client's case team."), field="external_member_ids"
        )
    return members


def _reload(appointment: Appointment, response: HttpResponse) -> Appointment:
    fresh = (
        Appointment.objects.select_related("client", "organiser")
        .prefetch_related("staff", "external_members")
        .get(pk=appointment.pk)
    )
    return with_etag(fresh, response)


@router.get("/appointments", response={200: AppointmentPage, **READ_ERRORS}, summary="List appointments")
def list_appointments(
    request: HttpRequest,
    page: Query[PageParams],
    dates: Query[RangeParams],
    client_id: int | None = Query(None, ge=1, le=MAX_ID),
    mine: bool = Query(False, description="Only appointments I organise or take part in"),
) -> dict[str, Any]:
    """Appointments of clients the caller may see, starting between `start` and `end` (dates, agency zone)."""
    user = request_user(request)
    zone = zone_of(user.agency)
    start = dates.start or timezone.localdate()
    end = dates.end or start + datetime.timedelta(days=7)
    if end < start:
        raise ValidationFailed(_("The end date is before the start date."), field="end")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed(_("Ask for at most a year at a time."), field="end")
    appointments = selectors.appointments_of_user(user=user) if mine else selectors.appointments_visible_to(user)
    appointments = appointments.filter(
        starts_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        starts_at__lt=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )
    if client_id is not None:
        appointments = appointments.filter(client_id=client_id)
    appointments = (
        appointments.select_related("client", "organiser")
        .prefetch_related("staff", "external_members")
        .order_by("starts_at", "pk")
    )
    result = paginate(appointments, page)
    audit_record(
        actor=user,
        action="appointment.list",
        client_id=client_id,
        object_type="appointments.appointment",
        changes={"appointment_ids": [a.pk for a in result["items"]], "offset": page.offset},
    )
    return result


@router.post(
    "/appointments",
    response={201: AppointmentRead, **CLASH_ERRORS},
    summary="Schedule an appointment (409 on a staff clash unless allow_overlap)",
)
def create_appointment(
    request: HttpRequest,
    payload: AppointmentCreate,
    response: HttpResponse,
    allow_overlap: bool = Query(False),
) -> Status[Appointment]:
    """Schedule an appointment for a client; a staff clash is a 409 listing it, unless `allow_overlap=true`."""
    user = request_user(request)
    client = client_get_for_user(user=user, client_id=payload.client_id, audit=False)
    case = None
    if payload.case_id is not None:
        case = Case.objects.filter(pk=payload.case_id, client_id=client.pk).first()
        if case is None:
            raise ValidationFailed(_("No case with that id for this client."), field="case_id")
    appointment = services.appointment_create(
        actor=user,
        client=client,
        case=case,
        kind=str(payload.kind),
        starts_at=_aware(user, payload.starts_at, "starts_at"),
        ends_at=_aware(user, payload.ends_at, "ends_at"),
        title=payload.title,
        notes=payload.notes,
        address=payload.address,
        travel_notes=payload.travel_notes,
        video_link=payload.video_link,
        provider_name=payload.provider_name,
        provider_address=payload.provider_address,
        staff=_staff(user, payload.staff_ids),
        external_members=_members(client.pk, payload.external_member_ids),
        externals=payload.externals,
        allow_overlap=payload.allow_overlap or allow_overlap,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{appointment.pk}"
    return Status(201, _reload(appointment, response))


@router.get(
    "/appointments/{int:appointment_id}", response={200: AppointmentRead, **READ_ERRORS}, summary="Read an appointment"
)
def get_appointment(request: HttpRequest, appointment_id: int, response: HttpResponse) -> Appointment:
    appointment = selectors.appointment_get_for_user(user=request_user(request), appointment_id=appointment_id)
    return with_etag(appointment, response)


@router.patch(
    "/appointments/{int:appointment_id}",
    response={200: AppointmentRead, **EDIT_ERRORS},
    summary="Change an appointment",
)
def update_appointment(
    request: HttpRequest,
    appointment_id: int,
    payload: AppointmentUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
    allow_overlap: bool = Query(False),
) -> Appointment:
    """Change a scheduled appointment. Send the version edited (If-Match or `version`)."""
    user = request_user(request)
    appointment = selectors.appointment_get_for_user(user=user, appointment_id=appointment_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=appointment.version)
    data = payload.model_dump(
        exclude_unset=True, exclude={"version", "staff_ids", "external_member_ids", "allow_overlap"}
    )
    for field in ("starts_at", "ends_at"):
        if data.get(field) is not None:
            data[field] = _aware(user, data[field], field)
    for key, value in list(data.items()):
        if value is None:
            raise ValidationFailed(_("This field cannot be empty."), field=key)
    staff = _staff(user, payload.staff_ids) if payload.staff_ids is not None else None
    members = (
        _members(appointment.client_id, payload.external_member_ids)
        if payload.external_member_ids is not None
        else None
    )
    with precondition(used_if_match):
        updated = services.appointment_update(
            actor=user,
            appointment=appointment,
            expected_version=version,
            data=data,
            staff=staff,
            external_members=members,
            allow_overlap=payload.allow_overlap or allow_overlap,
        )
    return _reload(updated, response)


@router.post(
    "/appointments/{int:appointment_id}/outcome",
    response={200: AppointmentRead, **EDIT_ERRORS},
    summary="Record attended, no-show or cancelled",
)
def record_outcome(
    request: HttpRequest,
    appointment_id: int,
    payload: AppointmentOutcomeIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Appointment:
    user = request_user(request)
    appointment = selectors.appointment_get_for_user(user=user, appointment_id=appointment_id, audit=False)
    version: int | None = None
    used_if_match = False
    if (if_match and if_match.strip()) or payload.version is not None:
        version, used_if_match = expected_version(
            if_match=if_match, version=payload.version, current=appointment.version
        )
    with precondition(used_if_match):
        if payload.outcome == "cancelled":
            updated = services.appointment_cancel(
                actor=user, appointment=appointment, reason=payload.reason, expected_version=version
            )
        else:
            updated = services.appointment_record_outcome(
                actor=user, appointment=appointment, outcome=payload.outcome, expected_version=version
            )
    return _reload(updated, response)


@router.post(
    "/appointments/{int:appointment_id}/reschedule",
    response={201: AppointmentRead, **CLASH_ERRORS, 412: ConflictOut},
    summary="Move an appointment (returns the new one)",
)
def reschedule_appointment(
    request: HttpRequest,
    appointment_id: int,
    payload: AppointmentRescheduleIn,
    response: HttpResponse,
    allow_overlap: bool = Query(False),
) -> Status[Appointment]:
    user = request_user(request)
    appointment = selectors.appointment_get_for_user(user=user, appointment_id=appointment_id, audit=False)
    new = services.appointment_reschedule(
        actor=user,
        appointment=appointment,
        starts_at=_aware(user, payload.starts_at, "starts_at"),
        ends_at=_aware(user, payload.ends_at, "ends_at"),
        reason=payload.reason,
        expected_version=payload.version,
        allow_overlap=payload.allow_overlap or allow_overlap,
    )
    response["Location"] = f"/api/v1/appointments/{new.pk}"
    return Status(201, _reload(new, response))


# --- Transport requests ---------------------------------------------------------------------


@router.get("/transport-requests", response={200: TransportPage, **READ_ERRORS}, summary="List transport requests")
def list_transport(
    request: HttpRequest,
    page: Query[PageParams],
    appointment_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str | None = Query(None, max_length=20),
) -> dict[str, Any]:
    user = request_user(request)
    transports = selectors.transport_visible_to(user)
    if appointment_id is not None:
        transports = transports.filter(appointment_id=appointment_id)
    if status:
        transports = transports.filter(status=status.replace("\x00", ""))
    result = paginate(transports.order_by("pickup_at", "pk"), page)
    audit_record(
        actor=user,
        action="transport.list",
        object_type="appointments.transportrequest",
        changes={"transport_ids": [t.pk for t in result["items"]], "offset": page.offset},
    )
    return result


@router.post("/transport-requests", response={201: TransportRead, **WRITE_ERRORS}, summary="Request transport")
def create_transport(
    request: HttpRequest, payload: TransportCreate, response: HttpResponse
) -> Status[TransportRequest]:
    user = request_user(request)
    appointment = selectors.appointment_get_for_user(user=user, appointment_id=payload.appointment_id, audit=False)
    transport = services.transport_request_create(
        actor=user,
        appointment=appointment,
        pickup_address=payload.pickup_address,
        pickup_at=_aware(user, payload.pickup_at, "pickup_at"),
        mode=str(payload.mode),
        provider=payload.provider,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{transport.pk}"
    return Status(201, transport)


@router.patch(
    "/transport-requests/{int:transport_id}",
    response={200: TransportRead, **WRITE_ERRORS},
    summary="Change a transport request's status",
)
def update_transport(request: HttpRequest, transport_id: int, payload: TransportUpdate) -> TransportRequest:
    user = request_user(request)
    transport = selectors.transport_get_for_user(user=user, transport_id=transport_id)
    return services.transport_request_set_status(
        actor=user, transport=transport, status=str(payload.status), provider=payload.provider
    )
