"""Appointment services: validation, clashes, outcomes, reschedule, versions, audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework.appointments import services
from casework.appointments.models import Appointment, AppointmentOutcome, TransportRequest, TransportStatus
from casework.appointments.tests.factories import at, make_appointment
from casework.audit.models import AuditEvent
from casework.cases.models import CaseTeamMember, TeamRole
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict

pytestmark = pytest.mark.django_db


def test_scheduling_a_home_visit_records_it_and_audits(worker: Any, case: Any, colleague: Any) -> None:
    appointment = services.appointment_create(
        actor=worker,
        client=case.client,
        case=case,
        kind="home_visit",
        starts_at=at(2026, 3, 2, 10),
        ends_at=at(2026, 3, 2, 11),
        address="12 Elm St",
        staff=[colleague],
    )
    assert appointment.outcome == AppointmentOutcome.SCHEDULED
    assert appointment.organiser == worker
    assert list(appointment.staff.all()) == [colleague]
    assert appointment.starts_at.utcoffset() == datetime.timedelta(0) or timezone.is_aware(appointment.starts_at)
    event = AuditEvent.objects.get(action="appointment.create")
    assert event.client_id == case.client_id


def test_an_appointment_that_ends_before_it_starts_is_refused(worker: Any, case: Any) -> None:
    with pytest.raises(ValidationFailed, match="end after it starts"):
        services.appointment_create(
            actor=worker, client=case.client, kind="office", starts_at=at(2026, 3, 2, 10), ends_at=at(2026, 3, 2, 9)
        )
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("kind", "extra", "message"),
    [
        ("home_visit", {}, "needs the address"),
        ("telehealth", {"video_link": "http://video.example.org/room"}, "https"),
        ("telehealth", {"video_link": "javascript:alert(1)"}, "https"),
        ("medical", {}, "Name the provider"),
        ("karaoke", {}, "kind of appointment"),
    ],
)
def test_kind_details_are_checked(worker: Any, case: Any, kind: str, extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        services.appointment_create(
            actor=worker,
            client=case.client,
            kind=kind,
            starts_at=at(2026, 3, 2, 10),
            ends_at=at(2026, 3, 2, 11),
            **extra,
        )
    assert not Appointment.objects.exists()


def test_double_booked_staff_are_warned_unless_confirmed(worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10))
    with pytest.raises(services.ScheduleClash) as excinfo:
        make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10, 30), allow_overlap=False)
    assert excinfo.value.status_code == 409
    assert "Wanda Worker" in excinfo.value.errors["clashes"][0]
    assert "Smith" not in excinfo.value.message
    assert Appointment.objects.count() == 1
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10, 30), allow_overlap=True)
    assert Appointment.objects.count() == 2


def test_back_to_back_appointments_do_not_clash(worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10))
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 11), allow_overlap=False)
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_frees_the_time(worker: Any, case: Any) -> None:
    first = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10))
    services.appointment_cancel(actor=worker, appointment=first, reason="Client ill")
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10), allow_overlap=False)


def test_outside_participants_must_be_on_the_case_team(worker: Any, case: Any, client_record: Any) -> None:
    member = CaseTeamMember.objects.create(case=case, role=TeamRole.ATTORNEY, name="Alex Attorney", added_by=worker)
    appointment = make_appointment(
        actor=worker, client=client_record, kind="court", starts_at=at(2026, 3, 2, 9), external_members=[member]
    )
    assert list(appointment.external_members.all()) == [member]
    removed = CaseTeamMember.objects.create(
        case=case, role=TeamRole.OTHER, name="Gone", added_by=worker, removed_at=timezone.now()
    )
    with pytest.raises(ValidationFailed, match="case team"):
        make_appointment(actor=worker, client=client_record, starts_at=at(2026, 3, 3, 9), external_members=[removed])


def test_staff_of_another_agency_cannot_take_part(worker: Any, case: Any, outsider: Any) -> None:
    with pytest.raises(ValidationFailed, match="staff of the agency"):
        make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9), staff=[outsider])


def test_non_clinical_users_cannot_schedule(auditor: Any, case: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_appointment(actor=auditor, client=case.client, starts_at=at(2026, 3, 2, 9))


def test_recording_a_no_show_then_nothing_more_changes(worker: Any, case: Any) -> None:
    appointment = make_appointment(
        actor=worker, client=case.client, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    services.appointment_record_outcome(actor=worker, appointment=appointment, outcome="no_show", expected_version=1)
    appointment.refresh_from_db()
    assert appointment.outcome == AppointmentOutcome.NO_SHOW
    assert appointment.version == 2
    with pytest.raises(ValidationFailed, match="already no-show"):
        services.appointment_record_outcome(actor=worker, appointment=appointment, outcome="attended")
    assert AuditEvent.objects.filter(action="appointment.outcome").count() == 1


@pytest.mark.parametrize("outcome", ["attended", "no_show"])
def test_an_outcome_cannot_be_recorded_before_the_start(worker: Any, case: Any, outcome: str) -> None:
    appointment = make_appointment(
        actor=worker, client=case.client, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationFailed, match="not started"):
        services.appointment_record_outcome(actor=worker, appointment=appointment, outcome=outcome)
    appointment.refresh_from_db()
    assert appointment.is_scheduled


def test_a_stale_version_is_refused(worker: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    services.appointment_update(actor=worker, appointment=appointment, expected_version=1, data={"title": "Check-in"})
    with pytest.raises(VersionConflict) as excinfo:
        services.appointment_update(actor=worker, appointment=appointment, expected_version=1, data={"title": "Other"})
    assert excinfo.value.current_version == 2
    appointment.refresh_from_db()
    assert appointment.title == "Check-in"


def test_updating_the_time_checks_clashes_and_order(worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    second = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 13))
    with pytest.raises(services.ScheduleClash):
        services.appointment_update(
            actor=worker,
            appointment=second,
            expected_version=1,
            data={"starts_at": at(2026, 3, 2, 9, 30), "ends_at": at(2026, 3, 2, 10, 30)},
        )
    with pytest.raises(ValidationFailed, match="end after"):
        services.appointment_update(
            actor=worker, appointment=second, expected_version=1, data={"ends_at": at(2026, 3, 2, 12)}
        )
    second.refresh_from_db()
    assert second.starts_at == at(2026, 3, 2, 13)
    assert second.version == 1


def test_rescheduling_links_the_new_appointment_and_cancels_transport(worker: Any, case: Any) -> None:
    old = make_appointment(
        actor=worker, client=case.client, kind="medical", provider_name="Dr Lee", starts_at=at(2026, 3, 2, 9)
    )
    transport = services.transport_request_create(
        actor=worker, appointment=old, pickup_address="12 Elm St", pickup_at=at(2026, 3, 2, 8, 15), mode="ride_share"
    )
    new = services.appointment_reschedule(
        actor=worker, appointment=old, starts_at=at(2026, 3, 4, 9), ends_at=at(2026, 3, 4, 10), reason="Clinic moved it"
    )
    old.refresh_from_db()
    transport.refresh_from_db()
    assert old.outcome == AppointmentOutcome.RESCHEDULED
    assert old.rescheduled_to == new
    assert new.provider_name == "Dr Lee"
    assert new.is_scheduled
    assert transport.status == TransportStatus.CANCELLED
    assert AuditEvent.objects.filter(action="appointment.reschedule", reason="Clinic moved it").exists()


def test_transport_status_moves_forward_only(worker: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    transport = services.transport_request_create(
        actor=worker,
        appointment=appointment,
        pickup_address="12 Elm St",
        pickup_at=at(2026, 3, 2, 8),
        mode="agency_van",
    )
    services.transport_request_set_status(actor=worker, transport=transport, status="booked", provider="Van 2")
    services.transport_request_set_status(actor=worker, transport=transport, status="completed")
    with pytest.raises(ValidationFailed, match="cannot become"):
        services.transport_request_set_status(actor=worker, transport=transport, status="booked")
    transport.refresh_from_db()
    assert transport.status == TransportStatus.COMPLETED
    assert transport.provider == "Van 2"


def test_transport_pick_up_after_the_appointment_is_refused(worker: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    with pytest.raises(ValidationFailed, match="before the appointment ends"):
        services.transport_request_create(
            actor=worker, appointment=appointment, pickup_address="x", pickup_at=at(2026, 3, 2, 11), mode="bus_pass"
        )
    assert not TransportRequest.objects.exists()
