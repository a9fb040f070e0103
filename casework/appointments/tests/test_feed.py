"""The iCalendar feed: parsed with icalendar, neutral, DST-correct, revocable."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from casework.appointments import services
from casework.appointments.models import CalendarFeedToken
from casework.appointments.tests.factories import make_appointment
from casework.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _soon(days: int, hour: int) -> datetime.datetime:
    local = timezone.localtime(timezone.now()) + datetime.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_feed_page_shows_the_link_once_as_webcal(as_worker: Any, worker: Any) -> None:
    page = as_worker.get(reverse("appointments:feed_settings"))
    assert b"no calendar feed link" in page.content
    response = as_worker.post(reverse("appointments:feed_settings"), {"action": "create"})
    content = response.content.decode()
    match = re.search(r"webcal://testserver/api/v1/calendar\.ics\?token=([A-Za-z0-9_-]+)", content)
    assert match
    token = CalendarFeedToken.objects.get(user=worker)
    assert token.token_hash != match.group(1) and match.group(1) not in token.token_hash
    again = as_worker.get(reverse("appointments:feed_settings")).content.decode()
    assert match.group(1) not in again
    assert token.prefix in again


def test_the_feed_has_times_and_neutral_titles_but_no_client_details(client: Any, worker: Any, case: Any) -> None:
    make_appointment(
        actor=worker,
        client=case.client,
        kind="home_visit",
        address="12 Elm St",
        title="Smith housing visit",
        notes="Bring the lease",
        starts_at=_soon(1, 10),
    )
    make_appointment(actor=worker, client=case.client, kind="medical", provider_name="Dr Lee", starts_at=_soon(2, 9))
    _token, raw = services.calendar_token_create(actor=worker)
    response = client.get(reverse("calendar_feed"), {"token": raw})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    for secret in (b"Smith", b"Robert", b"Elm", b"lease", b"Dr Lee", b"housing"):
        assert secret not in body
    events = _events(body)
    assert sorted(str(event["SUMMARY"]) for event in events) == ["Appointment", "Home visit"]
    home = next(event for event in events if str(event["SUMMARY"]) == "Home visit")
    assert home.decoded("DTSTART") == _soon(1, 10)
    assert home.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert AuditEvent.objects.filter(action="calendar.feed", actor=worker).exists()


def test_the_feed_is_correct_across_the_fall_back(worker: Any, case: Any) -> None:
    from casework.appointments.feed import feed_calendar
    from casework.appointments.tests.factories import CHICAGO
    from casework.appointments.timezones import resolve_local

    start = resolve_local(datetime.datetime(2026, 11, 1, 1, 30), CHICAGO).value  # first 01:30, CDT
    after = resolve_local(datetime.datetime(2026, 11, 2, 1, 30), CHICAGO).value  # CST
    make_appointment(actor=worker, client=case.client, starts_at=start, allow_overlap=True)
    make_appointment(actor=worker, client=case.client, starts_at=after, allow_overlap=True)
    calendar = feed_calendar(user_id=worker.pk, now=datetime.datetime(2026, 10, 30, tzinfo=datetime.UTC), base_url="")
    starts = sorted(event.decoded("DTSTART") for event in Calendar.from_ical(calendar.to_ical()).walk("VEVENT"))
    assert starts == [
        datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 2, 7, 30, tzinfo=datetime.UTC),
    ]


def test_a_revoked_or_unknown_token_gets_404(as_worker: Any, client: Any, worker: Any) -> None:
    _token, raw = services.calendar_token_create(actor=worker)
    assert client.get(reverse("calendar_feed"), {"token": raw}).status_code == 200
    as_worker.post(reverse("appointments:feed_settings"), {"action": "revoke"})
    assert client.get(reverse("calendar_feed"), {"token": raw}).status_code == 404
    assert client.get(reverse("calendar_feed"), {"token": "nope"}).status_code == 404
    assert client.get(reverse("calendar_feed")).status_code == 404


def test_replacing_the_link_revokes_the_old_one(client: Any, worker: Any) -> None:
    _first, old = services.calendar_token_create(actor=worker)
    _second, new = services.calendar_token_create(actor=worker)
    assert client.get(reverse("calendar_feed"), {"token": old}).status_code == 404
    assert client.get(reverse("calendar_feed"), {"token": new}).status_code == 200


def test_a_deactivated_user_s_feed_stops(client: Any, worker: Any) -> None:
    _token, raw = services.calendar_token_create(actor=worker)
    worker.is_active = False
    worker.save()
    assert client.get(reverse("calendar_feed"), {"token": raw}).status_code == 404


def test_the_feed_holds_only_the_owner_s_appointments(
    client: Any, worker: Any, colleague: Any, case: Any, outsider: Any
) -> None:
    make_appointment(actor=worker, client=case.client, starts_at=_soon(1, 10))
    _token, raw = services.calendar_token_create(actor=colleague)
    assert _events(client.get(reverse("calendar_feed"), {"token": raw}).content) == []
    _token, raw = services.calendar_token_create(actor=outsider)
    assert _events(client.get(reverse("calendar_feed"), {"token": raw}).content) == []


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_manage_only_their_own_link(request: Any, who: str, worker: Any) -> None:
    services.calendar_token_create(actor=worker)
    request.getfixturevalue(who).post(reverse("appointments:feed_settings"), {"action": "revoke"})
    assert CalendarFeedToken.objects.get(user=worker).revoked_at is None
