"""Writing appointments and transport requests. Every write is audited in its transaction."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User, hash_token
from casework.appointments import permissions, selectors
from casework.appointments.models import (
    TRANSPORT_NEXT,
    Appointment,
    AppointmentKind,
    AppointmentOutcome,
    CalendarFeedToken,
    TransportMode,
    TransportRequest,
    TransportStatus,
)
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record, diff, snapshot
from casework.cases.models import Case, CaseTeamMember
from casework.clients.models import Client
from casework.core.errors import DomainError, PermissionDenied, ValidationFailed, VersionConflict
from casework.core.validation import clean_or_raise

# Fields a later edit may change (participants are handled beside them).
EDIT_FIELDS = [
    "kind",
    "title",
    "notes",
    "starts_at",
    "ends_at",
    "address",
    "travel_notes",
    "video_link",
    "provider_name",
    "provider_address",
    "externals",
]
AUDITED_ACTIONS = ["appointment.update", "appointment.outcome", "appointment.cancel", "appointment.reschedule"]
MAX_LENGTH_DAYS = 2


class ScheduleClash(DomainError):
    """A member of staff already has an appointment then; confirm to book anyway (409)."""

    status_code = 409

    def __init__(self, clashes: list[tuple[User, Appointment]]):
        self.clashes = clashes
        lines = [describe_clash(person, appointment) for person, appointment in clashes]
        super().__init__(
            _("Double-booked: %(lines)s. Confirm to book it anyway.") % {"lines": "; ".join(lines)},
            errors={"clashes": lines},
        )


def describe_clash(person: User, appointment: Appointment) -> str:
    """The clash without naming the other appointment's client (the user may not know them)."""
    start = timezone.localtime(appointment.starts_at)
    end = timezone.localtime(appointment.ends_at)
    return _("%(person)s has %(kind)s on %(day)s %(start)s–%(end)s") % {
        "person": person.full_name,
        "kind": appointment.get_kind_display().lower(),
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


def _require_aware(value: Any, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationFailed(_("Enter a date and time."), field=field)
    if timezone.is_naive(value):
        raise ValidationFailed(_("The time needs a time zone."), field=field)
    return value


def _check_times(starts_at: Any, ends_at: Any) -> tuple[datetime.datetime, datetime.datetime]:
    starts_at = _require_aware(starts_at, "starts_at")
    ends_at = _require_aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_("The appointment must end after it starts."), field="ends_at")
    if ends_at - starts_at > datetime.timedelta(days=MAX_LENGTH_DAYS):
        raise ValidationFailed(_("An appointment lasts at most two days."), field="ends_at")
    return starts_at, ends_at


def _check_kind_details(appointment: Appointment) -> None:
    kind = appointment.kind
    if kind not in AppointmentKind.values:
        raise ValidationFailed(_("Choose a kind of appointment from the list."), field="kind")
    if kind == AppointmentKind.HOME_VISIT and not appointment.address.strip():
        raise ValidationFailed(_("A home visit needs the address."), field="address")
    if kind == AppointmentKind.TELEHEALTH:
        link = appointment.video_link.strip()
        if not link:
            raise ValidationFailed(_("A telehealth appointment needs the video link."), field="video_link")
        parts = urlsplit(link)
        if parts.scheme != "https" or not parts.netloc:
            raise ValidationFailed(_("The video link must be an https:// address."), field="video_link")
    if kind == AppointmentKind.MEDICAL and not appointment.provider_name.strip():
        raise ValidationFailed(_("Name the provider of the medical appointment."), field="provider_name")
    for field, limit in (("notes", 4000), ("travel_notes", 2000), ("externals", 1000)):
        if len(getattr(appointment, field)) > limit:
            raise ValidationFailed(_("Keep this under %(n)s characters.") % {"n": limit}, field=field)


def _check_staff(client: Client, staff: Iterable[User]) -> list[User]:
    people = list({person.pk: person for person in staff}.values())
    for person in people:
        if not person.is_active or person.agency_id != client.agency_id:
            raise ValidationFailed(_("Participants must be active staff of the agency."), field="staff")
    return people


def _check_external_members(client: Client, members: Iterable[CaseTeamMember]) -> list[CaseTeamMember]:
    members = list({member.pk: member for member in members}.values())
    for member in members:
        if member.user_id is not None or member.removed_at is not None or member.case.client_id != client.pk:
            raise ValidationFailed(
                _("Outside participants must be on the client's case team."), field="external_member_ids"
            )
    return members


def _check_clashes(
    *,
    organiser: User,
    staff: list[User],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    exclude_id: int | None,
    allow_overlap: bool,
) -> None:
    if allow_overlap:
        return
    ids = {organiser.pk, *(person.pk for person in staff)}
    clashes = selectors.clashes_for(staff_ids=ids, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id)
    if clashes:
        raise ScheduleClash(clashes)


def _require_scheduler(actor: User) -> None:
    if not permissions.can_schedule(actor):
        raise PermissionDenied(_("Only clinical staff can schedule appointments."))


def _participants_changes(staff: list[User], members: list[CaseTeamMember]) -> dict[str, list[Any]]:
    return {
        "staff": [None, sorted(person.pk for person in staff)],
        "external_members": [None, sorted(member.pk for member in members)],
    }


@transaction.atomic
def appointment_create(
    *,
    actor: User,
    client: Client,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    case: Case | None = None,
    title: str = "",
    notes: str = "",
    address: str = "",
    travel_notes: str = "",
    video_link: str = "",
    provider_name: str = "",
    provider_address: str = "",
    staff: Iterable[User] = (),
    external_members: Iterable[CaseTeamMember] = (),
    externals: str = "",
    allow_overlap: bool = False,
) -> Appointment:
    """Schedule an appointment for a client the actor may see; the actor organises it.

    Refuses an end before the start; a staff clash is refused unless `allow_overlap`.
    """
    _require_scheduler(actor)
    if client.agency_id != actor.agency_id:
        raise PermissionDenied(_("The client belongs to another agency."))
    if case is not None and case.client_id != client.pk:
        raise ValidationFailed(_("The case belongs to another client."), field="case")
    starts_at, ends_at = _check_times(starts_at, ends_at)
    people = _check_staff(client, staff)
    members = _check_external_members(client, external_members)
    appointment = Appointment(
        agency_id=client.agency_id,
        client=client,
        case=case,
        kind=kind,
        title=(title or "").strip(),
        notes=(notes or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        address=(address or "").strip(),
        travel_notes=(travel_notes or "").strip(),
        video_link=(video_link or "").strip(),
        provider_name=(provider_name or "").strip(),
        provider_address=(provider_address or "").strip(),
        organiser=actor,
        externals=(externals or "").strip(),
    )
    _check_kind_details(appointment)
    clean_or_raise(appointment, exclude=["agency", "client", "case", "organiser", "outcome_by", "rescheduled_to"])
    _check_clashes(
        organiser=actor,
        staff=people,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_id=None,
        allow_overlap=allow_overlap,
    )
    appointment.save()
    appointment.staff.set(people)
    appointment.external_members.set(members)
    audit_record(
        actor=actor,
        action="appointment.create",
        client_id=client.pk,
        obj=appointment,
        changes={
            **{key: [None, value] for key, value in snapshot(appointment, ["kind", "starts_at", "ends_at"]).items()},
            "case": [None, case.pk if case else None],
            **_participants_changes(people, members),
            "allow_overlap": [None, allow_overlap],
        },
    )
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update(of=("self",)).select_related("client").get(pk=appointment.pk)


def _check_version(locked: Appointment, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            _("Someone changed this appointment after you opened it."),
            current_version=locked.version,
            changes=changes_since(obj=locked, actions=AUDITED_ACTIONS, versions=locked.version - expected_version),
        )


def _require_scheduled(locked: Appointment) -> None:
    if not locked.is_scheduled:
        raise ValidationFailed(
            _("This appointment is already %(outcome)s.") % {"outcome": locked.get_outcome_display().lower()},
            field="outcome",
        )


@transaction.atomic
def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    expected_version: int,
    data: Mapping[str, Any],
    staff: Iterable[User] | None = None,
    external_members: Iterable[CaseTeamMember] | None = None,
    allow_overlap: bool = False,
) -> Appointment:
    """Change a scheduled appointment's details or time; stale versions are refused."""
    _require_scheduler(actor)
    locked = _lock(appointment)
    _check_version(locked, expected_version)
    _require_scheduled(locked)
    before = snapshot(locked, EDIT_FIELDS)
    for key in EDIT_FIELDS:
        if key in data:
            value = data[key]
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
    starts_at, ends_at = _check_times(locked.starts_at, locked.ends_at)
    _check_kind_details(locked)
    people = _check_staff(locked.client, staff) if staff is not None else list(locked.staff.all())
    members = (
        _check_external_members(locked.client, external_members)
        if external_members is not None
        else list(locked.external_members.all())
    )
    clean_or_raise(locked, exclude=["agency", "client", "case", "organiser", "outcome_by", "rescheduled_to"])
    changes = diff(before, snapshot(locked, EDIT_FIELDS))
    old_staff = sorted(locked.staff.values_list("pk", flat=True))
    old_members = sorted(locked.external_members.values_list("pk", flat=True))
    new_staff = sorted(person.pk for person in people)
    new_members = sorted(member.pk for member in members)
    if old_staff != new_staff:
        changes["staff"] = [old_staff, new_staff]
    if old_members != new_members:
        changes["external_members"] = [old_members, new_members]
    if not changes:
        return locked
    if {"starts_at", "ends_at", "staff"} & changes.keys():
        organiser = User.objects.get(pk=locked.organiser_id)
        _check_clashes(
            organiser=organiser,
            staff=people,
            starts_at=starts_at,
            ends_at=ends_at,
            exclude_id=locked.pk,
            allow_overlap=allow_overlap,
        )
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    locked.staff.set(people)
    locked.external_members.set(members)
    audit_record(actor=actor, action="appointment.update", client_id=locked.client_id, obj=locked, changes=changes)
    return locked


def _set_outcome(
    actor: User, locked: Appointment, outcome: str, *, action: str, reason: str = "", **extra: Any
) -> Appointment:
    now = timezone.now()
    locked.outcome = outcome
    locked.outcome_at = now
    locked.outcome_by = actor
    locked.outcome_reason = reason
    locked.version += 1
    locked.updated_at = now
    for key, value in extra.items():
        setattr(locked, key, value)
    locked.save()
    audit_record(
        actor=actor,
        action=action,
        client_id=locked.client_id,
        obj=locked,
        reason=reason,
        changes={
            "outcome": [AppointmentOutcome.SCHEDULED, outcome],
            **{k: [None, getattr(v, "pk", v)] for k, v in extra.items()},
        },
    )
    return locked


@transaction.atomic
def appointment_record_outcome(
    *, actor: User, appointment: Appointment, outcome: str, expected_version: int | None = None
) -> Appointment:
    """Record that the client attended or did not come (a no-show)."""
    _require_scheduler(actor)
    if outcome not in (AppointmentOutcome.ATTENDED, AppointmentOutcome.NO_SHOW):
        raise ValidationFailed(
            _("Record attended or no-show here; cancel or reschedule with their own buttons."), field="outcome"
        )
    locked = _lock(appointment)
    _check_version(locked, expected_version)
    _require_scheduled(locked)
    if locked.starts_at > timezone.now():
        raise ValidationFailed(
            _("The appointment has not started yet: record what happened once it is due."), field="outcome"
        )
    return _set_outcome(actor, locked, outcome, action="appointment.outcome")


@transaction.atomic
def appointment_cancel(
    *, actor: User, appointment: Appointment, reason: str = "", expected_version: int | None = None
) -> Appointment:
    """Cancel a scheduled appointment (its transport requests are cancelled with it)."""
    _require_scheduler(actor)
    locked = _lock(appointment)
    _check_version(locked, expected_version)
    _require_scheduled(locked)
    _cancel_open_transport(actor, locked)
    return _set_outcome(actor, locked, AppointmentOutcome.CANCELLED, action="appointment.cancel", reason=reason.strip())


def _cancel_open_transport(actor: User, appointment: Appointment) -> None:
    for transport in TransportRequest.objects.select_for_update().filter(
        appointment=appointment, status__in=[TransportStatus.REQUESTED, TransportStatus.BOOKED]
    ):
        _transport_set_status(actor, transport, TransportStatus.CANCELLED, client_id=appointment.client_id)


@transaction.atomic
def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str = "",
    expected_version: int | None = None,
    allow_overlap: bool = False,
) -> Appointment:
    """Move an appointment: a new one at the new time; the old one is marked rescheduled, linking to it."""
    _require_scheduler(actor)
    locked = _lock(appointment)
    _check_version(locked, expected_version)
    _require_scheduled(locked)
    new = appointment_create(
        actor=actor,
        client=locked.client,
        case=locked.case,
        kind=locked.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        title=locked.title,
        notes=locked.notes,
        address=locked.address,
        travel_notes=locked.travel_notes,
        video_link=locked.video_link,
        provider_name=locked.provider_name,
        provider_address=locked.provider_address,
        staff=list(locked.staff.all()),
        external_members=list(locked.external_members.select_related("case")),
        externals=locked.externals,
        allow_overlap=allow_overlap,
    )
    _cancel_open_transport(actor, locked)
    _set_outcome(
        actor,
        locked,
        AppointmentOutcome.RESCHEDULED,
        action="appointment.reschedule",
        reason=reason.strip(),
        rescheduled_to=new,
    )
    return new


# --- Transport ---------------------------------------------------------------------------


@transaction.atomic
def transport_request_create(
    *,
    actor: User,
    appointment: Appointment,
    pickup_address: str,
    pickup_at: datetime.datetime,
    mode: str,
    provider: str = "",
) -> TransportRequest:
    """Ask for a ride to a scheduled appointment."""
    _require_scheduler(actor)
    if not appointment.is_scheduled:
        raise ValidationFailed(_("Transport can only be arranged for a scheduled appointment."))
    pickup_at = _require_aware(pickup_at, "pickup_at")
    if pickup_at > appointment.ends_at:
        raise ValidationFailed(_("The pick-up must be before the appointment ends."), field="pickup_at")
    if pickup_at < appointment.starts_at - datetime.timedelta(hours=12):
        raise ValidationFailed(_("The pick-up must be on the day of the appointment."), field="pickup_at")
    if mode not in TransportMode.values:
        raise ValidationFailed(_("Choose a mode of transport from the list."), field="mode")
    pickup_address = (pickup_address or "").strip()
    if not pickup_address:
        raise ValidationFailed(_("Enter the pick-up address."), field="pickup_address")
    transport = TransportRequest(
        appointment=appointment,
        pickup_address=pickup_address,
        pickup_at=pickup_at,
        mode=mode,
        provider=(provider or "").strip(),
        created_by=actor,
    )
    clean_or_raise(transport, exclude=["appointment", "created_by"])
    transport.save()
    audit_record(
        actor=actor,
        action="transport.create",
        client_id=appointment.client_id,
        obj=transport,
        changes={
            "appointment": [None, appointment.pk],
            "mode": [None, mode],
            "pickup_at": [None, pickup_at],
        },
    )
    return transport


def _transport_set_status(actor: User, transport: TransportRequest, status: str, *, client_id: int) -> None:
    old = transport.status
    transport.status = status
    transport.updated_at = timezone.now()
    transport.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="transport.status", client_id=client_id, obj=transport, changes={"status": [old, status]}
    )


@transaction.atomic
def transport_request_set_status(
    *, actor: User, transport: TransportRequest, status: str, provider: str | None = None
) -> TransportRequest:
    """Move a transport request on (requested → booked → completed, or cancelled)."""
    _require_scheduler(actor)
    locked = TransportRequest.objects.select_for_update().select_related("appointment").get(pk=transport.pk)
    if status not in TransportStatus.values:
        raise ValidationFailed(_("Choose a status from the list."), field="status")
    if status not in TRANSPORT_NEXT[TransportStatus(locked.status)]:
        raise ValidationFailed(
            _("A %(old)s request cannot become %(new)s.")
            % {"old": locked.get_status_display().lower(), "new": TransportStatus(status).label.lower()},
            field="status",
        )
    if provider is not None:
        locked.provider = provider.strip()[:200]
        locked.save(update_fields=["provider"])
    _transport_set_status(actor, locked, status, client_id=locked.appointment.client_id)
    return locked


# --- Calendar feed tokens ------------------------------------------------------------------


@transaction.atomic
def calendar_token_create(*, actor: User) -> tuple[CalendarFeedToken, str]:
    """A new personal feed token (older ones are revoked); the raw token is returned once only."""
    if not permissions.can_schedule(actor):
        raise PermissionDenied(_("Only clinical staff have a calendar."))
    for old in CalendarFeedToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True):
        _revoke(actor, old)
    raw = secrets.token_urlsafe(32)
    token = CalendarFeedToken.objects.create(user=actor, prefix=raw[:8], token_hash=hash_token(raw))
    audit_record(actor=actor, action="calendar_token.create", obj=token, changes={"prefix": [None, token.prefix]})
    return token, raw


def _revoke(actor: User, token: CalendarFeedToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="calendar_token.revoke", obj=token, changes={"prefix": [token.prefix, None]})


@transaction.atomic
def calendar_token_revoke(*, actor: User) -> int:
    """Revoke the actor's feed tokens; subscribed calendars stop updating. Returns how many."""
    tokens = list(CalendarFeedToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True))
    for token in tokens:
        _revoke(actor, token)
    return len(tokens)
