"""The appointments and transport API for the worker, a colleague and an outsider."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from casework.appointments.models import Appointment, AppointmentOutcome, TransportRequest
from casework.appointments.tests.factories import at, make_appointment

pytestmark = pytest.mark.django_db


def _payload(case: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "client_id": case.client_id,
        "case_id": case.pk,
        "kind": "home_visit",
        "address": "12 Elm St",
        "starts_at": "2026-03-02T10:00",
        "ends_at": "2026-03-02T11:00",
    }
    data.update(overrides)
    return data


def _post(http: Any, url: str, data: dict[str, Any]) -> Any:
    return http.post(url, data, content_type="application/json")


def test_worker_creates_reads_and_lists(as_worker: Any, case: Any) -> None:
    response = _post(as_worker, "/api/v1/appointments", _payload(case))
    assert response.status_code == 201, response.content
    body = response.json()
    # A time without an offset is read in the agency's zone (Chicago, UTC-6 in March).
    assert body["starts_at"].startswith("2026-03-02T16:00:00")
    assert response["ETag"] == '"1"'
    got = as_worker.get(f"/api/v1/appointments/{body['id']}")
    assert got.status_code == 200
    assert got.json()["address"] == "12 Elm St"
    listed = as_worker.get("/api/v1/appointments", {"start": "2026-03-01", "end": "2026-03-07"}).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert as_worker.get("/api/v1/appointments", {"start": "2026-03-03", "end": "2026-03-07"}).json()["count"] == 0


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_get_404_and_change_nothing(request: Any, who: str, worker: Any, case: Any) -> None:
    http = request.getfixturevalue(who)
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    assert _post(http, "/api/v1/appointments", _payload(case)).status_code == 404
    assert http.get(f"/api/v1/appointments/{appointment.pk}").status_code == 404
    patch = http.patch(
        f"/api/v1/appointments/{appointment.pk}", {"title": "x", "version": 1}, content_type="application/json"
    )
    assert patch.status_code == 404
    assert _post(http, f"/api/v1/appointments/{appointment.pk}/outcome", {"outcome": "cancelled"}).status_code == 404
    assert (
        _post(
            http,
            f"/api/v1/appointments/{appointment.pk}/reschedule",
            {"starts_at": "2026-03-04T10:00", "ends_at": "2026-03-04T11:00"},
        ).status_code
        == 404
    )
    listed = http.get("/api/v1/appointments", {"start": "2026-03-01", "end": "2026-03-07"}).json()
    assert listed["count"] == 0
    transport = _post(
        http,
        "/api/v1/transport-requests",
        {"appointment_id": appointment.pk, "pickup_address": "x", "pickup_at": "2026-03-02T08:00", "mode": "bus_pass"},
    )
    assert transport.status_code == 404
    appointment.refresh_from_db()
    assert appointment.version == 1 and appointment.outcome == AppointmentOutcome.SCHEDULED
    assert Appointment.objects.count() == 1
    assert not TransportRequest.objects.exists()


def test_end_before_start_is_422_with_a_clear_message(as_worker: Any, case: Any) -> None:
    response = _post(as_worker, "/api/v1/appointments", _payload(case, ends_at="2026-03-02T09:00"))
    assert response.status_code == 422
    assert "end after it starts" in response.json()["detail"]
    assert not Appointment.objects.exists()


def test_a_clash_is_409_unless_allow_overlap(as_worker: Any, worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 10, 30))
    response = _post(as_worker, "/api/v1/appointments", _payload(case))
    assert response.status_code == 409
    assert "Wanda Worker" in response.json()["errors"]["clashes"][0]
    assert Appointment.objects.count() == 1
    assert _post(as_worker, "/api/v1/appointments?allow_overlap=true", _payload(case)).status_code == 201
    assert _post(as_worker, "/api/v1/appointments", _payload(case, allow_overlap=True)).status_code == 201


def test_dst_edges_in_the_api(as_worker: Any, case: Any) -> None:
    gap = _post(
        as_worker, "/api/v1/appointments", _payload(case, starts_at="2026-03-08T02:30", ends_at="2026-03-08T03:30")
    )
    assert gap.status_code == 422
    assert "does not exist" in gap.json()["detail"]
    twice = _post(
        as_worker, "/api/v1/appointments", _payload(case, starts_at="2026-11-01T01:30", ends_at="2026-11-01T01:50")
    )
    assert twice.status_code == 201
    assert twice.json()["starts_at"].startswith("2026-11-01T06:30:00")
    explicit = _post(
        as_worker,
        "/api/v1/appointments",
        _payload(case, starts_at="2026-11-01T01:30-06:00", ends_at="2026-11-01T02:00-06:00", allow_overlap=True),
    )
    assert explicit.json()["starts_at"].startswith("2026-11-01T07:30:00")


def test_patch_needs_the_version_and_refuses_a_stale_one(as_worker: Any, worker: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    url = f"/api/v1/appointments/{appointment.pk}"
    assert as_worker.patch(url, {"title": "Review"}, content_type="application/json").status_code == 428
    ok = as_worker.patch(url, {"title": "Review", "version": 1}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = as_worker.patch(url, {"title": "Other", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert (
        as_worker.patch(
            url, {"title": "Other"}, content_type="application/json", headers={"If-Match": '"1"'}
        ).status_code
        == 412
    )


def test_outcome_and_reschedule(as_worker: Any, worker: Any, case: Any) -> None:
    past = make_appointment(
        actor=worker, client=case.client, starts_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    )
    response = _post(as_worker, f"/api/v1/appointments/{past.pk}/outcome", {"outcome": "no_show", "version": 1})
    assert response.status_code == 200
    assert response.json()["outcome"] == "no_show"
    again = _post(as_worker, f"/api/v1/appointments/{past.pk}/outcome", {"outcome": "attended"})
    assert again.status_code == 422
    bad = _post(as_worker, f"/api/v1/appointments/{past.pk}/outcome", {"outcome": "rescheduled"})
    assert bad.status_code == 422

    future = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    moved = _post(
        as_worker,
        f"/api/v1/appointments/{future.pk}/reschedule",
        {"starts_at": "2026-03-04T09:00", "ends_at": "2026-03-04T10:00", "reason": "Court moved"},
    )
    assert moved.status_code == 201
    future.refresh_from_db()
    assert future.outcome == "rescheduled" and future.rescheduled_to_id == moved.json()["id"]


def test_transport_requests(as_worker: Any, as_colleague: Any, worker: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 9))
    created = _post(
        as_worker,
        "/api/v1/transport-requests",
        {
            "appointment_id": appointment.pk,
            "pickup_address": "12 Elm St",
            "pickup_at": "2026-03-02T08:15",
            "mode": "ride_share",
        },
    )
    assert created.status_code == 201, created.content
    transport_id = created.json()["id"]
    assert as_worker.get("/api/v1/transport-requests").json()["count"] == 1
    assert as_colleague.get("/api/v1/transport-requests").json()["count"] == 0
    url = f"/api/v1/transport-requests/{transport_id}"
    assert as_colleague.patch(url, {"status": "booked"}, content_type="application/json").status_code == 404
    booked = as_worker.patch(url, {"status": "booked", "provider": "Lyft"}, content_type="application/json")
    assert booked.json()["status"] == "booked" and booked.json()["provider"] == "Lyft"
    back = as_worker.patch(url, {"status": "requested"}, content_type="application/json")
    assert back.status_code == 422


def test_bad_ranges_and_times(as_worker: Any, case: Any) -> None:
    assert as_worker.get("/api/v1/appointments", {"start": "2026-03-07", "end": "2026-03-01"}).status_code == 422
    assert as_worker.get("/api/v1/appointments", {"start": "2020-01-01", "end": "2026-01-01"}).status_code == 422
    for value in (1700000000, "0001-01-01T00:00", "yesterday", None):
        assert _post(as_worker, "/api/v1/appointments", _payload(case, starts_at=value)).status_code == 422
    assert (
        _post(
            as_worker, "/api/v1/appointments", _payload(case, kind="telehealth", video_link="http://x.org")
        ).status_code
        == 422
    )
