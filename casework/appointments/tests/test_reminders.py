"""Reminders: the day before, by e-mail and in the app, neutral, never twice, resumable."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from casework.appointments import reminders
from casework.appointments.models import SentReminder
from casework.appointments.tests.factories import at, make_appointment
from casework.tasks.models import Notification

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 2, 9)  # a frozen clock: Monday 09:00 in Chicago


@pytest.fixture
def visit(worker: Any, colleague: Any, case: Any) -> Any:
    return make_appointment(
        actor=worker,
        client=case.client,
        kind="home_visit",
        address="12 Elm St",
        starts_at=at(2026, 3, 3, 8, 30),
        staff=[colleague],
    )


def test_reminders_go_to_each_participant_by_e_mail_and_in_the_app(visit: Any, worker: Any, colleague: Any) -> None:
    assert reminders.send_due_reminders(now=NOW) == 4
    assert sorted(message.to[0] for message in mail.outbox) == [colleague.email, worker.email]
    message = mail.outbox[0]
    assert "Home visit" in message.subject
    assert "2026-03-03 08:30" in message.body
    assert f"/appointments/{visit.pk}/" in message.body
    for text in (str(message.subject) + str(message.body),):
        assert "Smith" not in text and "Robert" not in text and "Elm" not in text
    notifications = Notification.objects.order_by("recipient_id")
    assert {n.recipient_id for n in notifications} == {worker.pk, colleague.pk}
    assert all("Smith" not in n.message and n.client_id is None for n in notifications)


def test_reminders_are_never_sent_twice(visit: Any) -> None:
    reminders.send_due_reminders(now=NOW)
    assert reminders.send_due_reminders(now=NOW + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_only_appointments_of_the_next_day_are_reminded(worker: Any, case: Any) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 4, 9, 30))  # in two days
    past = make_appointment(actor=worker, client=case.client, starts_at=at(2026, 3, 2, 8))
    assert reminders.send_due_reminders(now=NOW) == 0
    assert past.pk and not SentReminder.objects.exists()


def test_cancelled_appointments_are_not_reminded(visit: Any, worker: Any) -> None:
    from casework.appointments.services import appointment_cancel

    appointment_cancel(actor=worker, appointment=visit)
    assert reminders.send_due_reminders(now=NOW) == 0


def test_a_job_that_crashes_half_way_resumes_without_duplicates(visit: Any, worker: Any, colleague: Any) -> None:
    real_send = reminders.send_mail
    calls = {"n": 0}

    def flaky_send(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("mail server went away")
        return real_send(*args, **kwargs)

    with mock.patch.object(reminders, "send_mail", flaky_send), pytest.raises(ConnectionError):
        reminders.send_due_reminders(now=NOW)
    # The first e-mail and the in-app reminders before the crash were committed; the failed one was not.
    assert len(mail.outbox) == 1
    done_before = SentReminder.objects.count()
    assert done_before == 3
    assert reminders.send_due_reminders(now=NOW) == 1
    assert len(mail.outbox) == 2
    assert sorted(message.to[0] for message in mail.outbox) == [colleague.email, worker.email]
    assert Notification.objects.count() == 2
    assert SentReminder.objects.count() == 4


def test_the_management_command_runs_and_enqueues(visit: Any, capsys: Any) -> None:
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("send_reminders")
    assert "Sent 4 reminders" in capsys.readouterr().out
    from django_tasks_db.models import DBTaskResult

    call_command("send_reminders", "--enqueue")
    assert "Queued reminder job" in capsys.readouterr().out
    assert DBTaskResult.objects.count() == 1
