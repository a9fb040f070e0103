"""Opening hours from HSDS schedules: is a service open at a moment, or on a weekday?

A schedule's times are wall-clock times in its own time zone (an IANA name, so daylight saving
time is right; or a fixed UTC offset as HSDS 3.0 allows; or the installation's zone when empty).
Weekly (BYDAY), daily and monthly (BYMONTHDAY) rules are understood; a schedule with opening
times but no rule counts as every day. Hours past midnight (opens 22:00, closes 06:00) are fine.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ScheduleLike(Protocol):
    """What opening hours read of a schedule: a `Schedule` or the plain row a search result holds."""

    @property
    def timezone(self) -> str: ...
    @property
    def byday(self) -> str: ...
    @property
    def freq(self) -> str: ...
    @property
    def bymonthday(self) -> str: ...
    @property
    def valid_from(self) -> datetime.date | None: ...
    @property
    def valid_to(self) -> datetime.date | None: ...
    @property
    def dtstart(self) -> datetime.date | None: ...
    @property
    def until(self) -> datetime.date | None: ...
    @property
    def opens_at(self) -> datetime.time | None: ...
    @property
    def closes_at(self) -> datetime.time | None: ...
    @property
    def description(self) -> str: ...


DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
DAY_PLURALS = (_("Mondays"), _("Tuesdays"), _("Wednesdays"), _("Thursdays"), _("Fridays"), _("Saturdays"), _("Sundays"))


def schedule_zone(schedule: ScheduleLike) -> datetime.tzinfo:
    value = (schedule.timezone or "").strip()
    if not value:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
    try:
        return datetime.timezone(datetime.timedelta(hours=float(value)))
    except ValueError:
        pass
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _weekdays(schedule: ScheduleLike) -> set[int]:
    """Weekday numbers (Monday 0) named in BYDAY, ignoring ordinal prefixes (1MO -> MO)."""
    days = set()
    for part in schedule.byday.upper().split(","):
        code = part.strip()[-2:]
        if code in DAY_CODES:
            days.add(DAY_CODES.index(code))
    return days


def runs_on(schedule: ScheduleLike, day: datetime.date) -> bool:
    """Whether the schedule's rule includes this local date (validity dates included)."""
    for start in (schedule.valid_from, schedule.dtstart):
        if start and day < start:
            return False
    for end in (schedule.valid_to, schedule.until):
        if end and day > end:
            return False
    freq = schedule.freq.upper()
    weekdays = _weekdays(schedule)
    if freq == "MONTHLY" and schedule.bymonthday:
        month_days = {int(part) for part in schedule.bymonthday.split(",") if part.strip().lstrip("-").isdigit()}
        if day.day not in month_days:
            return False
    if weekdays and day.weekday() not in weekdays:
        return False
    return freq in ("", "DAILY", "WEEKLY", "MONTHLY") or bool(weekdays)


def is_open_at(schedules: Iterable[ScheduleLike], moment: datetime.datetime) -> bool:
    """Whether any schedule has the service open at this aware moment."""
    for schedule in schedules:
        if schedule.opens_at is None or schedule.closes_at is None:
            continue
        local = moment.astimezone(schedule_zone(schedule))
        opens, closes = schedule.opens_at, schedule.closes_at
        now = local.time().replace(tzinfo=None)
        if opens < closes:
            if runs_on(schedule, local.date()) and opens <= now < closes:
                return True
        else:  # past midnight: open from `opens` today until `closes` tomorrow
            if runs_on(schedule, local.date()) and now >= opens:
                return True
            if runs_on(schedule, local.date() - datetime.timedelta(days=1)) and now < closes:
                return True
    return False


def is_open_on_weekday(schedules: Iterable[ScheduleLike], weekday: int, *, today: datetime.date) -> bool:
    """Whether any schedule still in force opens on that weekday (Monday 0)."""
    for schedule in schedules:
        if schedule.opens_at is None:
            continue
        ends = [end for end in (schedule.valid_to, schedule.until) if end]
        if ends and min(ends) < today:
            continue
        days = _weekdays(schedule)
        if not days and schedule.freq.upper() in ("", "DAILY", "WEEKLY"):
            days = set(range(7))
        if weekday in days:
            return True
    return False


def open_weekdays(schedules: Iterable[ScheduleLike]) -> list[int]:
    """Weekdays (Monday 0) on which the service opens, for display and explanations."""
    days: set[int] = set()
    for schedule in schedules:
        if schedule.opens_at is None:
            continue
        weekdays = _weekdays(schedule)
        days |= weekdays if weekdays else set(range(7))
    return sorted(days)


def hours_text(schedule: ScheduleLike) -> str:
    """'Mon, Wed 09:00–17:00 (America/Chicago)' for a list of results."""
    days = _weekdays(schedule)
    day_text = ", ".join(str(DAY_NAMES[d])[:3] for d in sorted(days)) if days else str(_("Every day"))
    if schedule.opens_at is None or schedule.closes_at is None:
        return schedule.description or day_text
    zone = f" ({schedule.timezone})" if schedule.timezone else ""
    return f"{day_text} {schedule.opens_at:%H:%M}–{schedule.closes_at:%H:%M}{zone}"
