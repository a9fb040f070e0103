"""Daylight-saving edges: the fall-back hour happens twice, the spring-forward hour never."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from casework.appointments.timezones import ambiguity_note, combine_local, resolve_local
from casework.core.errors import ValidationFailed

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def test_an_ambiguous_fall_back_time_is_read_as_the_first_occurrence() -> None:
    local = resolve_local(datetime.datetime(2026, 11, 1, 1, 30), CHICAGO)
    assert local.ambiguous
    # First occurrence: still daylight time (UTC-5), so 06:30 UTC, not 07:30.
    assert local.value.astimezone(datetime.UTC) == datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC)
    assert "first occurrence (CDT)" in ambiguity_note(local, CHICAGO)


def test_a_spring_forward_time_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="does not exist"):
        combine_local(datetime.date(2026, 3, 8), datetime.time(2, 30), CHICAGO)


def test_ordinary_times_are_not_ambiguous() -> None:
    local = combine_local(datetime.date(2026, 3, 8), datetime.time(3, 30), CHICAGO)
    assert not local.ambiguous
    assert local.value.astimezone(datetime.UTC).hour == 8
    assert ambiguity_note(local, CHICAGO) == ""


def test_an_appointment_across_the_fall_back_lasts_its_real_length() -> None:
    start = resolve_local(datetime.datetime(2026, 11, 1, 0, 30), CHICAGO).value
    end = resolve_local(datetime.datetime(2026, 11, 1, 2, 30), CHICAGO).value
    # Two hours on the clock, three in reality (01:00-02:00 happens twice).
    assert (end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)) == datetime.timedelta(hours=3)
