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
    user = User.objects.select_related("agency").get(pk=worker.pk)
    with count_queries() as one:
        assert len(today_appointments(user, datetime.date(2026, 3, 2))) == 1
    for n in range(5):
        client = ClientFactory(agency=case.client.agency, created_by=worker)
        other = CaseFactory(
            client=client, program=case.program, primary_worker=worker, team=worker.team, created_by=worker
        )
        make_appointment(actor=worker, client=client, case=other, starts_at=at(2026, 3, 2, 9 + n))
    user = User.objects.select_related("agency").get(pk=worker.pk)
    with count_queries() as six:
        assert len(today_appointments(user, datetime.date(2026, 3, 2))) == 6
    assert len(one.captured_queries) == len(six.captured_queries) <= 3


def test_no_appointment_today_costs_one_query(worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 3, 8))  # tomorrow
    user = User.objects.select_related("agency").get(pk=worker.pk)
    with count_queries() as queries:
        assert today_appointments(user, datetime.date(2026, 3, 2)) == []
    assert len(queries.captured_queries) == 1


def test_a_participant_who_lost_access_to_the_client_is_not_shown_it(worker: Any, colleague: Any, case: Any) -> None:
    appointment = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 8))
    appointment.staff.add(colleague)  # e.g. added while on the case team, since moved to another team
    assert today_appointments(colleague, datetime.date(2026, 3, 2)) == []
    assert [row.appointment_id for row in today_appointments(worker, datetime.date(2026, 3, 2))] == [appointment.pk]


def test_todays_appointments_are_on_the_today_list_until_their_outcome_is_recorded(
    worker: Any, colleague: Any, case: Any
) -> None:
    from casework.today.selectors import today_for_user

    day = datetime.date(2026, 3, 2)
    visit = make_appointment(
        actor=worker,
        client=case.client,
        case=case,
        kind="home_visit",
        address="12 Elm St",
        starts_at=at(2026, 3, 2, 14),
    )
    make_appointment(actor=worker, client=case.client, case=case, starts_at=at(2026, 3, 3, 9))  # tomorrow

    rows = [item for item in today_for_user(user=worker, today=day).items if item.kind == "appointment"]
    assert [row.object_id for row in rows] == [visit.pk]
    row = rows[0]
    assert row.title == "Home visit 14:00"
    assert row.reason.startswith("Home visit today 14:00–15:00")
    assert row.url == f"/appointments/{visit.pk}/" and row.client == case.client and not row.snoozable
    assert not [item for item in today_for_user(user=colleague, today=day).items if item.kind == "appointment"]

    services.appointment_record_outcome(actor=worker, appointment=visit, outcome="no_show")
    assert not [item for item in today_for_user(user=worker, today=day).items if item.kind == "appointment"]
