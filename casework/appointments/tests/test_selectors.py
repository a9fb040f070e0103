"""Read side: today's appointments for the Today list, clashes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from casework.accounts.models import User
from casework.appointments import services
from casework.appointments.selectors import today_appointments
from casework.appointments.tests.factories import at, make_appointment
from casework.testing import CaseFactory, ClientFactory, count_queries

pytestmark = pytest.mark.django_db


def test_today_lists_my_scheduled_appointments_of_that_local_day(worker: Any, colleague: Any, case: Any) -> None:
    early = make_appointment(
        actor=worker, client=case.client, case=case, kind="home_visit", address="x", starts_at=at(2026, 3, 2, 8)
    )
    late = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 23, 30))  # 05:30 UTC next day
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 3, 0, 30))  # tomorrow locally
    cancelled = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 12))
    services.appointment_cancel(actor=worker, appointment=cancelled)
    rows = today_appointments(worker, datetime.date(2026, 3, 2))
    assert [row.appointment_id for row in rows] == [early.pk, late.pk]
    first = rows[0]
    assert first.client_name == case.client.display_name
    assert first.kind == "home_visit" and first.is_home_visit and first.kind_label == "Home visit"
    assert first.case_id == case.pk
    assert first.url == f"/appointments/{early.pk}/"
    assert first.starts_at == at(2026, 3, 2, 8)
    assert today_appointments(colleague, datetime.date(2026, 3, 2)) == []


def test_staff_participants_see_it_too(worker: Any, supervisor: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 8), staff=[supervisor])
    assert [row.appointment_id for row in today_appointments(supervisor, datetime.date(2026, 3, 2))] == [appointment.pk]


def test_today_runs_a_fixed_number_of_queries(worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 8))
    user = User.objects.get(pk=worker.pk)
    with count_queries() as one:
        assert len(today_appointments(user, datetime.date(2026, 3, 2))) == 1
    for n in range(5):
        client = ClientFactory(agency=case.client.agency, created_by=worker)
        other = CaseFactory(
            client=client, program=case.program, primary_worker=worker, team=worker.team, created_by=worker
        )
        make_appointment(actor=worker, client=client, case=other, starts_at=at(2026, 3, 2, 9 + n))
    user = User.objects.get(pk=worker.pk)
    with count_queries() as six:
        assert len(today_appointments(user, datetime.date(2026, 3, 2))) == 6
    assert len(one.captured_queries) == len(six.captured_queries) <= 2
