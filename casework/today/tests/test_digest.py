"""The daily digest e-mail: counts per kind and one link, no client names or details, one per user
and day, only for active clinical staff with something on their list, resumable after a crash."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework import testing
from casework.audit.models import AuditEvent
from casework.safety.tests.helpers import flag_case
from casework.tasks.models import Task
from casework.today import digest
from casework.today.models import DigestSent

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)  # a Tuesday
SITE = "https://casework.example.org"
# Names and details that must never reach an e-mail.
SECRETS = ("Robert", "Smith", "Marisol", "Hernández", "self-harm", "PHQ", "landlord", "eviction")


def _make(factory: Any, **fields: Any) -> Any:
    return factory(**fields)


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _task(user: Any, case: Any, title: str, due: datetime.date, **extra: Any) -> Task:
    return Task.objects.create(
        agency_id=case.client.agency_id,
        client_id=case.client_id,
        case=case,
        title=title,
        assignee=user,
        due_date=due,
        **extra,
    )


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def busy(worker: Any, case: Any, program: Any) -> Any:
    """The worker's list on DAY: a safety task (PHQ-9 flag), a late task and one due today naming the
    client, a client without contact for too long, and a second client with a demo-like name."""
    case.opened_at = _aware(DAY - datetime.timedelta(days=10))
    case.save()
    flag_case(case)
    Task.objects.filter(assignee=worker).update(due_date=DAY)
    _task(worker, case, "Call Robert Smith's landlord about the eviction", DAY - datetime.timedelta(days=2))
    _task(worker, case, "Robert Smith: fill in the housing form", DAY)
    other = _make(
        testing.ClientFactory,
        agency=worker.agency,
        created_by=worker,
        legal_first_name="Marisol",
        legal_last_name="Hernández",
    )
    _make(
        testing.CaseFactory,
        client=other,
        program=program,
        primary_worker=worker,
        team=worker.team,
        created_by=worker,
        opened_at=_aware(DAY - datetime.timedelta(days=45)),
    )
    return worker


def test_the_digest_counts_items_per_kind_and_links_to_today(busy: Any) -> None:
    assert digest.send_daily_digests(day=DAY) == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [busy.email]
    assert message.subject == "Today in Casework: 4 items (2 late)"
    body = message.body
    assert "Your Today list for Tuesday 2026-03-10 has 4 items, 2 of them late." in body
    assert "1 safety item comes first." in body
    assert "- 3 open tasks (1 late)\n- 1 client due for contact (1 late)\n" in body
    assert f"{SITE}/today/" in body


def test_the_digest_names_no_client_and_quotes_no_title(busy: Any, case: Any) -> None:
    digest.send_daily_digests(day=DAY)

    text = str(mail.outbox[0].subject) + str(mail.outbox[0].body)
    for secret in SECRETS:
        assert secret not in text
    assert f"/clients/{case.client_id}/" not in text and f"/cases/{case.pk}/" not in text


def test_one_digest_per_user_and_day_even_over_two_runs(busy: Any) -> None:
    assert digest.send_daily_digests(day=DAY) == 1
    assert digest.send_daily_digests(day=DAY) == 0
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(user=busy, day=DAY).count() == 1
    # The next day is a new digest.
    assert digest.send_daily_digests(day=DAY + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_a_second_claim_of_the_same_day_is_refused(worker: Any) -> None:
    assert digest._claim(worker, DAY) is not None
    assert digest._claim(worker, DAY) is None
    assert DigestSent.objects.count() == 1


def test_no_digest_for_an_empty_list_an_inactive_user_or_an_auditor(
    busy: Any, case: Any, colleague: Any, supervisor: Any, director: Any, auditor: Any, admin_user: Any
) -> None:
    gone = _make(testing.UserFactory, agency=busy.agency, team=busy.team, email="gone@example.org", is_active=False)
    for user in (gone, auditor, admin_user):
        _task(user, case, "Something", DAY - datetime.timedelta(days=1))

    assert digest.send_daily_digests(day=DAY) == 1

    assert [message.to for message in mail.outbox] == [[busy.email]]
    assert set(DigestSent.objects.values_list("user_id", flat=True)) == {busy.pk}


def test_snoozed_items_are_not_counted(busy: Any) -> None:
    from casework.today.models import Snooze

    late = Task.objects.get(title__startswith="Call")
    Snooze.objects.create(user=busy, kind="task", object_id=late.pk, until=DAY, reason="Waiting for the landlord")

    digest.send_daily_digests(day=DAY)

    assert mail.outbox[0].subject == "Today in Casework: 3 items (1 late)"


def test_each_digest_is_audited_without_a_client(busy: Any) -> None:
    digest.send_daily_digests(day=DAY)

    event = AuditEvent.objects.get(action="digest.send")
    assert event.client_id is None and event.actor is None
    assert event.object_type == "today.digestsent"
    assert event.changes["recipient"] == [None, busy.pk]
    assert event.changes["items"] == [None, 4]


def test_a_job_that_crashes_half_way_resumes_without_duplicates(busy: Any, colleague: Any, case: Any) -> None:
    _task(colleague, case, "Robert Smith: second opinion", DAY)
    real_send = digest.send_mail
    calls = {"n": 0}

    def flaky_send(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("mail server went away")
        return real_send(*args, **kwargs)

    with mock.patch.object(digest, "send_mail", flaky_send), pytest.raises(ConnectionError):
        digest.send_daily_digests(day=DAY)
    # The first digest was committed; the failed one was not (no claim, no audit event).
    assert [message.to for message in mail.outbox] == [[busy.email]]
    assert list(DigestSent.objects.values_list("user_id", flat=True)) == [busy.pk]
    assert AuditEvent.objects.filter(action="digest.send").count() == 1

    assert digest.send_daily_digests(day=DAY) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted([busy.email, colleague.email])
    assert DigestSent.objects.count() == 2
    assert AuditEvent.objects.filter(action="digest.send").count() == 2


def test_the_default_day_is_today_in_the_agency_time_zone(busy: Any) -> None:
    # 02:30 UTC on the 11th is still the evening of the 10th in New York.
    late_evening = datetime.datetime(2026, 3, 11, 2, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=late_evening):
        assert digest.send_daily_digests_now() == 1
    assert DigestSent.objects.get().day == DAY


def test_the_management_command_runs_enqueues_and_refuses_a_bad_day(busy: Any, capsys: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_daily_digest", "--day", "10/03/2026")
    assert not DigestSent.objects.exists() and not mail.outbox

    call_command("send_daily_digest", "--day", "2026-03-10")
    assert "Sent 1 digests" in capsys.readouterr().out
    call_command("send_daily_digest", "--day", "2026-03-10")
    assert "Sent 0 digests" in capsys.readouterr().out
    assert len(mail.outbox) == 1

    call_command("send_daily_digest", "--enqueue", "--day", "2026-03-11")
    assert "Queued digest job" in capsys.readouterr().out
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"] == ["2026-03-11"]


def test_a_user_who_turned_the_digest_off_gets_none(busy: Any, colleague: Any, case: Any) -> None:
    from casework.accounts.services import my_settings_update

    _task(colleague, case, "Robert Smith: second opinion", DAY)
    my_settings_update(actor=busy, daily_digest=False)

    assert digest.send_daily_digests(day=DAY) == 1
    assert [message.to for message in mail.outbox] == [[colleague.email]]
    assert digest.send_digest_to(busy, day=DAY) is False
    assert not DigestSent.objects.filter(user=busy).exists()

    # Turned back on, the next run sends it (the day was never claimed).
    my_settings_update(actor=busy, daily_digest=True)
    assert digest.send_daily_digests(day=DAY) == 1
    assert DigestSent.objects.filter(user=busy, day=DAY).exists()
