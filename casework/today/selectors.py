"""The Today list: one ranked list of what needs a worker's attention, from registered sources.

Each source is a function `(user, today) -> list[TodayItem]` registered with `register_source`
and a fixed query budget, so the whole list costs the same number of queries whatever the
caseload. Other apps add their own due work (appointments, referrals, plan reviews) by
registering a source from their `AppConfig.ready()`:

    from casework.today.selectors import TodayItem, register_source

    @register_source("appointments", queries=1)
    def todays_appointments(user, today): ...

Items from computed sources (a reassessment due, a client without contact) have no row of their
own: they leave the list by themselves when the work is done (the assessment given, the note
written or signed). A user can snooze any item but a safety one until a day, with a reason.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from casework.accounts.models import User
from casework.tasks.models import PRIORITY_RANK, TaskPriority
from casework.today.models import Snooze


@dataclass(slots=True)
class ClientRef:
    """What a row shows of its client: the id and the name (not the whole record)."""

    id: int
    display_name: str

    @property
    def pk(self) -> int:
        return self.id

    @classmethod
    def of(cls, preferred_name: str, legal_first_name: str, legal_last_name: str, client_id: int) -> ClientRef:
        """As `Client.display_name`: preferred first name if given, then the legal last name."""
        return cls(id=client_id, display_name=f"{preferred_name or legal_first_name} {legal_last_name}".strip())


@dataclass(slots=True)
class ProgramRef:
    id: int
    name: str

    @property
    def pk(self) -> int:
        return self.id

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class CaseRef:
    """What a row needs of its case: the id, its acuity (ranking) and its program's name."""

    id: int
    acuity: int
    program: ProgramRef | None = None

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True)
class TaskRef:
    """What a task row needs of its task: the id, where it came from, to whom it belongs."""

    id: int
    source_kind: str
    source_id: int | None
    assignee_id: int

    @property
    def pk(self) -> int:
        return self.id


# Sources build hundreds of items per request: plain slotted rows, and the read-only facts a
# row shows (labels, URLs) worked out once per list rather than in the template for each row.
@dataclass(slots=True)
class TodayItem:
    """One row of the Today list: what, about whom, why it is here, when it was due, where to do it.

    `client`, `case` and `task` are whatever has `pk` (and `display_name`, `acuity` and
    `program`, `source_kind` and `assignee_id`): model instances or the light refs above.
    """

    kind: str
    object_id: int
    title: str
    reason: str
    url: str
    due_date: datetime.date
    lateness_days: int
    priority: str = TaskPriority.NORMAL
    safety: bool = False
    # Case acuity (1 low .. 3 high) weights lateness in the ranking; 2 when there is no case.
    acuity: int = 2
    client: Any = None
    case: Any = None
    # The task itself for task rows (they can be done and reassigned), else None.
    task: Any = None
    snoozable: bool = True
    snooze: Snooze | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """What a snooze names: the kind and the id of the record the item is about."""
        return f"{self.kind}:{self.object_id}"

    @property
    def dom_id(self) -> str:
        return f"{self.kind.replace('.', '-')}-{self.object_id}"

    @property
    def snooze_url(self) -> str:
        return _action_url("today:snooze", self.kind, self.object_id)

    @property
    def wake_url(self) -> str:
        return _action_url("today:wake", self.kind, self.object_id)

    @property
    def done_url(self) -> str:
        return _action_url("today:task_done", "", self.object_id)

    @property
    def reassign_url(self) -> str:
        return _action_url("today:task_reassign", "", self.object_id)

    @property
    def actions_url(self) -> str:
        """Where the row's snooze and reassign forms are fetched from (on demand, not with the list)."""
        return _action_url("today:actions", self.kind, self.object_id)

    @property
    def is_task(self) -> bool:
        """A task the worker can mark done or give away (not a safety task, done with its flag)."""
        return self.task is not None and self.task.source_kind != "risk_flag"

    @property
    def program_name(self) -> str:
        program = getattr(self.case, "program", None) if self.case is not None else None
        return program.name if program is not None else ""

    @property
    def is_late(self) -> bool:
        return self.lateness_days > 0

    @property
    def weighted_lateness(self) -> int:
        return max(self.lateness_days, 0) * self.acuity

    @property
    def rank(self) -> tuple[int, int, int, datetime.date, str]:
        """Safety first, then lateness weighted by acuity, then priority and due date."""
        return (
            0 if self.safety else 1,
            -self.weighted_lateness,
            PRIORITY_RANK.get(self.priority, 9),  # type: ignore[call-overload]
            self.due_date,
            self.key,
        )


@functools.cache
def _action_pattern(name: str, with_kind: bool) -> str:
    from django.urls import reverse

    return reverse(name, args=["KIND", 987654321] if with_kind else [987654321])


def _action_url(name: str, kind: str, object_id: int) -> str:
    """A row action's URL, resolved once per name (a long list would otherwise reverse hundreds)."""
    pattern = _action_pattern(name, bool(kind))
    return pattern.replace("KIND", kind, 1).replace("987654321", str(object_id), 1)


SourceFunction = Callable[[User, datetime.date], list[TodayItem]]


@dataclass(frozen=True)
class TodaySource:
    """A registered source of Today items and the number of queries it may run (whatever the caseload)."""

    name: str
    function: SourceFunction
    queries: int


SOURCES: dict[str, TodaySource] = {}


def register_source(name: str, *, queries: int) -> Callable[[SourceFunction], SourceFunction]:
    """Register `(user, today) -> items` as a source of the Today list, running at most `queries` queries."""

    def decorate(function: SourceFunction) -> SourceFunction:
        SOURCES[name] = TodaySource(name=name, function=function, queries=queries)
        return function

    return decorate


def query_budget() -> int:
    """How many queries building a Today list may run: every source's budget and the snoozes."""
    return sum(source.queries for source in SOURCES.values()) + 1


@dataclass
class TodayList:
    """A user's ranked Today items, and those they snoozed (shown apart, with until when and why)."""

    items: list[TodayItem]
    snoozed: list[TodayItem]

    @property
    def late_count(self) -> int:
        return sum(1 for item in self.items if item.is_late)

    @property
    def safety_count(self) -> int:
        return sum(1 for item in self.items if item.safety)


def today_for_user(*, user: User, today: datetime.date | None = None) -> TodayList:
    """The user's Today list, ranked; a fixed number of queries (`query_budget()`)."""
    today = today or timezone.localdate()
    if not user.is_active or user.agency_id is None:
        return TodayList(items=[], snoozed=[])
    found: list[TodayItem] = []
    for source in SOURCES.values():
        found.extend(source.function(user, today))
    snoozes = {
        f"{snooze.kind}:{snooze.object_id}": snooze
        for snooze in Snooze.objects.filter(user=user, until__gte=today).order_by()
    }
    items, snoozed = [], []
    for item in found:
        snooze = snoozes.get(item.key) if item.snoozable else None
        if snooze is not None:
            item.snooze = snooze
            snoozed.append(item)
        else:
            items.append(item)
    items.sort(key=lambda item: item.rank)
    snoozed.sort(key=lambda item: (item.snooze.until if item.snooze else today, item.rank))
    return TodayList(items=items, snoozed=snoozed)


def today_item_for_user(*, user: User, key: str, today: datetime.date | None = None) -> TodayItem | None:
    """One item of the user's Today list (snoozed or not) by its key; None when it is not on it."""
    found = today_for_user(user=user, today=today)
    for item in found.items + found.snoozed:
        if item.key == key:
            return item
    return None
