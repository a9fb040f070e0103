"""Appointment pages for the worker, a colleague on another team and an outsider."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.appointments.models import Appointment, AppointmentOutcome, TransportRequest
from casework.appointments.tests.factories import CHICAGO, at, make_appointment
from casework.testing import CaseFactory, ClientFactory, count_queries

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "home_visit",
        "date": "2026-03-02",
        "start_time": "10:00",
        "end_time": "11:00",
        "address": "12 Elm St",
    }
    data.update(overrides)
    return data


def test_worker_schedules_a_home_visit_from_the_case(as_worker: Any, case: Any) -> None:
    url = reverse("appointments:schedule", args=[case.client_id]) + f"?case={case.pk}"
    page = as_worker.get(url)
    assert page.status_code == 200
    assert b"Schedule an appointment" in page.content
    response = as_worker.post(url, {**_form(), "case": case.pk})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:detail", args=[appointment.pk])
    assert appointment.case == case
    # 10:00 in Chicago in March (before DST) is 16:00 UTC.
    assert appointment.starts_at == datetime.datetime(2026, 3, 2, 16, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_cannot_schedule_for_the_client(request: Any, who: str, case: Any) -> None:
    http = request.getfixturevalue(who)
    url = reverse("appointments:schedule", args=[case.client_id])
    assert http.get(url).status_code == 404
    assert http.post(url, _form()).status_code == 404
    assert not Appointment.objects.exists()


def test_the_form_refuses_an_end_before_the_start(as_worker: Any, case: Any) -> None:
    url = reverse("appointments:schedule", args=[case.client_id])
    response = as_worker.post(url, _form(start_time="11:00", end_time="10:00"))
    assert response.status_code == 422
    assert b"must end after it starts" in response.content
    assert not Appointment.objects.exists()


def test_the_form_refuses_a_time_lost_to_the_spring_forward(as_worker: Any, case: Any) -> None:
    url = reverse("appointments:schedule", args=[case.client_id])
    response = as_worker.post(url, _form(date="2026-03-08", start_time="02:30", end_time="03:30"))
    assert response.status_code == 422
    assert b"does not exist" in response.content
    assert not Appointment.objects.exists()


def test_the_form_reads_the_fall_back_hour_as_the_first_and_says_so(as_worker: Any, case: Any) -> None:
    url = reverse("appointments:schedule", args=[case.client_id])
    response = as_worker.post(url, _form(date="2026-11-01", start_time="01:30", end_time="01:45"), follow=True)
    assert b"happens twice" in response.content
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC)


def test_a_clash_is_shown_and_can_be_confirmed(as_worker: Any, worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10, 30))
    url = reverse("appointments:schedule", args=[case.client_id])
    response = as_worker.post(url, _form())
    assert response.status_code == 409
    assert b"Double-booked" in response.content
    assert b"Book it anyway" in response.content
    assert Appointment.objects.count() == 1
    response = as_worker.post(url, {**_form(), "confirm_overlap": "1"})
    assert response.status_code == 302
    assert Appointment.objects.count() == 2


@pytest.fixture
def past_visit(worker: Any, case: Any) -> Appointment:
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)
    return make_appointment(
        actor=worker, client=case.client, case=case, kind="home_visit", address="12 Elm St", starts_at=start, minutes=45
    )


def test_detail_for_the_three_users(as_worker: Any, as_colleague: Any, as_outsider: Any, past_visit: Any) -> None:
    url = reverse("appointments:detail", args=[past_visit.pk])
    page = as_worker.get(url)
    assert page.status_code == 200
    assert b"12 Elm St" in page.content
    assert b"No-show" in page.content
    for other in (as_colleague, as_outsider):
        response = other.get(url)
        assert response.status_code == 404
        assert b"Elm" not in response.content


def test_recording_a_no_show(as_worker: Any, past_visit: Any) -> None:
    url = reverse("appointments:outcome", args=[past_visit.pk])
    response = as_worker.post(url, {"outcome": "no_show", "version": 1}, follow=True)
    assert b"Recorded: no-show" in response.content
    past_visit.refresh_from_db()
    assert past_visit.outcome == AppointmentOutcome.NO_SHOW


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_cannot_record_an_outcome(request: Any, who: str, past_visit: Any) -> None:
    http = request.getfixturevalue(who)
    for name, data in (("outcome", {"outcome": "no_show"}), ("cancel", {"reason": "x"})):
        assert http.post(reverse(f"appointments:{name}", args=[past_visit.pk]), data).status_code == 404
    past_visit.refresh_from_db()
    assert past_visit.outcome == AppointmentOutcome.SCHEDULED


def test_attended_goes_straight_to_a_prefilled_note(as_worker: Any, past_visit: Any) -> None:
    response = as_worker.post(reverse("appointments:outcome", args=[past_visit.pk]), {"outcome": "attended"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("notes:create", args=[past_visit.case_id]))
    form = as_worker.get(response["Location"])
    content = form.content.decode()
    assert '<option value="home_visit" selected>' in content
    assert 'name="duration_minutes" value="45"' in content
    local_day = timezone.localtime(past_visit.starts_at, CHICAGO).date().isoformat()
    assert f'name="contact_date" value="{local_day}"' in content


def test_cancel_and_reschedule(as_worker: Any, worker: Any, case: Any) -> None:
    first = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    response = as_worker.post(reverse("appointments:cancel", args=[first.pk]), {"reason": "Client ill", "version": 1})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.outcome == AppointmentOutcome.CANCELLED

    second = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 3, 9))
    url = reverse("appointments:reschedule", args=[second.pk])
    assert as_worker.get(url).status_code == 200
    response = as_worker.post(
        url, {"date": "2026-03-05", "start_time": "14:00", "end_time": "15:00", "version": 1, "reason": "Court moved"}
    )
    second.refresh_from_db()
    assert second.outcome == AppointmentOutcome.RESCHEDULED
    assert response["Location"] == reverse("appointments:detail", args=[second.rescheduled_to_id])


def test_transport_request_form(as_worker: Any, as_colleague: Any, worker: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    url = reverse("appointments:transport_create", args=[appointment.pk])
    assert as_colleague.get(url).status_code == 404
    assert (
        as_colleague.post(url, {"pickup_address": "x", "pickup_time": "08:00", "mode": "bus_pass"}).status_code == 404
    )
    assert as_worker.get(url).status_code == 200
    response = as_worker.post(url, {"pickup_address": "12 Elm St", "pickup_time": "08:15", "mode": "agency_van"})
    assert response.status_code == 302
    transport = TransportRequest.objects.get()
    assert transport.pickup_at == at(2026, 3, 2, 8, 15)
    assert (
        as_colleague.post(
            reverse("appointments:transport_status", args=[transport.pk]), {"status": "booked"}
        ).status_code
        == 404
    )
    as_worker.post(reverse("appointments:transport_status", args=[transport.pk]), {"status": "booked"})
    transport.refresh_from_db()
    assert transport.status == "booked"


def test_week_view_shows_my_appointments_with_a_fixed_number_of_queries(
    as_worker: Any, worker: Any, case: Any, colleague: Any
) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9), title="Check-in")
    url = reverse("appointments:week") + "?start=2026-03-04"
    as_worker.get(url)
    with count_queries() as few:
        page = as_worker.get(url)
    assert b"Check-in" in page.content
    assert b"Robert" in page.content or b"Smith" in page.content
    assert b"?start=2026-02-23" in page.content and b"?start=2026-03-09" in page.content
    for n in range(6):
        client = ClientFactory(agency=case.client.agency, created_by=worker)
        other = CaseFactory(
            client=client, program=case.program, primary_worker=worker, team=worker.team, created_by=worker
        )
        make_appointment(
            actor=worker, client=client, case=other, starts_at=at(2026, 3, 3 + n % 4, 8 + n), staff=[colleague]
        )
    with count_queries() as many:
        page = as_worker.get(url)
    assert page.content.count(b'class="outcome-scheduled"') == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_week_view_hides_other_peoples_appointments(as_colleague: Any, worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9), title="Check-in")
    page = as_colleague.get(reverse("appointments:week") + "?start=2026-03-02")
    assert page.status_code == 200
    assert b"Check-in" not in page.content


def test_day_view_and_bad_dates(as_worker: Any, worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9), title="Check-in")
    page = as_worker.get(reverse("appointments:day") + "?date=2026-03-02")
    assert b"Check-in" in page.content
    assert b"?date=2026-03-01" in page.content
    assert as_worker.get(reverse("appointments:day") + "?date=2026-02-31").status_code == 302
    assert as_worker.get(reverse("appointments:week") + "?start=nonsense").status_code == 302


def test_client_and_case_pages_list_upcoming_appointments(as_worker: Any, worker: Any, case: Any) -> None:
    make_appointment(
        actor=worker, client=case.client, starts_at=timezone.now() + datetime.timedelta(days=2), title="Benefits review"
    )
    for url in (reverse("clients:detail", args=[case.client_id]), reverse("cases:detail", args=[case.pk])):
        page = as_worker.get(url)
        assert b"Upcoming appointments" in page.content
        assert b"Benefits review" in page.content


def test_auditors_have_no_calendar(as_auditor: Any) -> None:
    assert as_auditor.get(reverse("appointments:week")).status_code == 404
