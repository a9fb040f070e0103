"""Wall-clock times in an agency's zone, with the daylight-saving edges handled on purpose.

A local time that falls in the spring-forward gap does not exist and is refused; one that
happens twice on the fall-back day (01:30 in America/Chicago) is read as the first occurrence
(daylight time), always, and the caller is told so.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from casework.core.errors import ValidationFailed


@dataclass(frozen=True)
class LocalTime:
    """A resolved wall-clock time: the aware datetime and whether it was ambiguous."""

    value: datetime.datetime
    ambiguous: bool


def zone_of(agency: object) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(agency, "time_zone", "") or "UTC")


def resolve_local(naive: datetime.datetime, zone: zoneinfo.ZoneInfo, *, field: str = "starts_at") -> LocalTime:
    """The aware datetime of a wall-clock time in `zone`; the first occurrence when it happens twice."""
    if naive.tzinfo is not None:
        return LocalTime(naive, ambiguous=False)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    # A time in the gap does not survive the round trip through UTC.
    round_trip = first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise ValidationFailed(
            _(
                "%(time)s does not exist on %(date)s in %(zone)s: the clocks jump forward that night. "
                "Choose a time after the change."
            )
            % {"time": naive.strftime("%H:%M"), "date": naive.date().isoformat(), "zone": zone.key},
            field=field,
        )
    return LocalTime(first, ambiguous=first.utcoffset() != second.utcoffset())


def combine_local(
    day: datetime.date, time: datetime.time, zone: zoneinfo.ZoneInfo, *, field: str = "starts_at"
) -> LocalTime:
    return resolve_local(datetime.datetime.combine(day, time), zone, field=field)


def ambiguity_note(local: LocalTime, zone: zoneinfo.ZoneInfo) -> str:
    """What to tell the user when a time happened twice."""
    if not local.ambiguous:
        return ""
    return _(
        "%(time)s happens twice on %(date)s in %(zone)s (the clocks go back); the first occurrence (%(abbr)s) was used."
    ) % {
        "time": local.value.strftime("%H:%M"),
        "date": local.value.date().isoformat(),
        "zone": zone.key,
        "abbr": local.value.tzname(),
    }
