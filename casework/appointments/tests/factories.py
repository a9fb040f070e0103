"""Helpers for appointment tests: a scheduled appointment at a given local time."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from casework.appointments import services
from casework.appointments.models import Appointment

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time in the test agency's zone (America/Chicago)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def make_appointment(
    *, actor: Any, client: Any, starts_at: datetime.datetime, minutes: int = 60, **kw: Any
) -> Appointment:
    kw.setdefault("kind", "office")
    return services.appointment_create(
        actor=actor,
        client=client,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        allow_overlap=kw.pop("allow_overlap", True),
        **kw,
    )
