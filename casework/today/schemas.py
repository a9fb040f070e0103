"""API schemas for the Today list, tasks and the team overview."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from casework.core.api import InputSchema, IsoDate, RecordId
from casework.tasks.models import TaskPriority, TaskStatus


class ClientRef(Schema):
    id: int
    display_name: str


class StaffRef(Schema):
    id: int
    full_name: str


class TodayItemRead(Schema):
    """One row of the Today list: what, why, when due, how late, where the work is done."""

    key: str
    kind: str
    object_id: int
    title: str
    reason: str
    url: str
    due_date: datetime.date
    lateness_days: int
    priority: str
    safety: bool
    snoozable: bool
    client: ClientRef | None
    case_id: int | None
    task_id: int | None
    snoozed_until: datetime.date | None = None
    snooze_reason: str = ""


class TodayRead(Schema):
    date: datetime.date
    items: list[TodayItemRead]
    snoozed: list[TodayItemRead]


class SnoozeIn(InputSchema):
    """Snooze an item of my Today list (by its `kind` and `object_id`) until a day, with a reason."""

    kind: str = Field(..., max_length=60)
    object_id: RecordId
    until: IsoDate
    reason: str = Field(..., max_length=300)


class TaskRead(Schema):
    id: int
    title: str
    detail: str
    client: ClientRef
    case_id: int | None
    assignee: StaffRef
    due_date: datetime.date
    priority: TaskPriority
    status: TaskStatus
    source_kind: str
    created_at: datetime.datetime
    completed_at: datetime.datetime | None


class TaskPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TaskRead]


class TaskCreate(InputSchema):
    """A task by hand: about a client (and optionally one of their cases), for me unless `assignee_id`."""

    title: str = Field(..., max_length=200)
    client_id: RecordId
    case_id: RecordId | None = None
    due_date: IsoDate
    priority: TaskPriority = TaskPriority.NORMAL
    assignee_id: RecordId | None = None
    detail: str = Field("", max_length=4000)


class TaskUpdate(InputSchema):
    """Change a task: complete it (`status: "done"`), give it to someone (`assignee_id`, `reason`),
    or snooze it on my Today list (`snooze_until`, `snooze_reason`). One change per request."""

    status: TaskStatus | None = None
    assignee_id: RecordId | None = None
    reason: str = Field("", max_length=1000)
    snooze_until: IsoDate | None = None
    snooze_reason: str = Field("", max_length=300)


class WorkerOverviewRead(Schema):
    worker: StaffRef
    open_cases: int
    weighted_load: int
    capacity: int
    load_percent: int
    overdue: int
    overdue_tasks: int
    overdue_contacts: int
    overdue_reassessments: int
    at_risk_clients: int
    unsigned_notes: int


class TeamOverviewRead(Schema):
    id: int
    name: str
    workers: list[WorkerOverviewRead]
    suggested_worker: StaffRef | None
