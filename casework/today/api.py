"""Today, tasks and the team overview in the JSON API (full paths: /today, /tasks, /teams/{id}/overview)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.clients.permissions import is_clinical
from casework.clients.selectors import client_get_for_user
from casework.core.api import MAX_ID, READ_ERRORS, WRITE_ERRORS, PageParams, paginate, request_user
from casework.core.errors import NotFound, ValidationFailed
from casework.tasks import selectors as task_selectors
from casework.tasks import services as task_services
from casework.tasks.models import Task, TaskStatus
from casework.today import overview, services
from casework.today.schemas import (
    SnoozeIn,
    TaskCreate,
    TaskPage,
    TaskRead,
    TaskUpdate,
    TeamOverviewRead,
    TodayItemRead,
    TodayRead,
)
from casework.today.selectors import TodayItem, today_for_user, today_item_for_user

router = Router(tags=["today"])


def _clinical(request: HttpRequest) -> User:
    """The caller, who must work with clients (auditors and administrators get 404, as in the pages)."""
    user = request_user(request)
    if not is_clinical(user) or user.agency_id is None:
        raise NotFound()
    return user


def _item(item: TodayItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "kind": item.kind,
        "object_id": item.object_id,
        "title": item.title,
        "reason": item.reason,
        "url": item.url,
        "due_date": item.due_date,
        "lateness_days": item.lateness_days,
        "priority": item.priority,
        "safety": item.safety,
        "snoozable": item.snoozable,
        "client": item.client,
        "case_id": item.case.pk if item.case is not None else None,
        "task_id": item.task.pk if item.task is not None else None,
        "snoozed_until": item.snooze.until if item.snooze else None,
        "snooze_reason": item.snooze.reason if item.snooze else "",
    }


@router.get("/today", response={200: TodayRead, **READ_ERRORS}, summary="My Today list")
def today(request: HttpRequest) -> dict[str, Any]:
    """What needs my attention, ranked: safety first, then lateness weighted by acuity; and what I snoozed."""
    from casework.today.views import audit_today_view

    user = _clinical(request)
    found = today_for_user(user=user)
    audit_today_view(actor=user, found=found)
    return {
        "date": timezone.localdate(),
        "items": [_item(item) for item in found.items],
        "snoozed": [_item(item) for item in found.snoozed],
    }


@router.post("/today/snoozes", response={201: TodayItemRead, **WRITE_ERRORS}, summary="Snooze an item of my Today list")
def snooze(request: HttpRequest, payload: SnoozeIn) -> Status[dict[str, Any]]:
    """Hide an item of my list until a day, with a reason (safety items cannot be snoozed)."""
    user = _clinical(request)
    today_date = timezone.localdate()
    item = today_item_for_user(user=user, key=f"{payload.kind}:{payload.object_id}", today=today_date)
    if item is None:
        raise NotFound()
    item.snooze = services.today_item_snooze(
        actor=user, item=item, until=payload.until, reason=payload.reason, today=today_date
    )
    return Status(201, _item(item))


@router.get("/tasks", response={200: TaskPage, **READ_ERRORS}, summary="List tasks")
def list_tasks(
    request: HttpRequest,
    page: Query[PageParams],
    client_id: int | None = Query(None, ge=1, le=MAX_ID, description="Tasks about this client (all assignees)"),
    status: str = Query("open", description="open, done or cancelled"),
) -> dict[str, Any]:
    """My tasks; or, with `client_id`, every task about a client I may see."""
    user = _clinical(request)
    if status not in TaskStatus.values:
        raise ValidationFailed(_("Unknown status filter."), field="status")
    tasks = Task.objects.filter(status=status, agency_id=user.agency_id or 0)
    if client_id is not None:
        client = client_get_for_user(user=user, client_id=client_id, audit=False)
        tasks = tasks.filter(client=client)
    else:
        tasks = tasks.filter(assignee=user)
    result = paginate(tasks.select_related("client", "assignee").order_by("due_date", "pk"), page)
    audit_record(
        actor=user,
        action="tasks.view",
        client_id=client_id,
        changes={"tasks": [task.pk for task in result["items"]], "offset": page.offset},
    )
    return result


@router.post("/tasks", response={201: TaskRead, **WRITE_ERRORS}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskCreate) -> Status[Task]:
    """A task by hand about a client I may see; its assignee must be able to see the client too."""
    user = _clinical(request)
    client = client_get_for_user(user=user, client_id=payload.client_id, audit=False)
    case = None
    if payload.case_id is not None:
        case = Case.objects.filter(pk=payload.case_id, client=client).first()
        if case is None:
            raise ValidationFailed(_("No case with that id for this client."), field="case_id")
    assignee = user
    if payload.assignee_id is not None:
        found = User.objects.filter(pk=payload.assignee_id, agency_id=user.agency_id or 0).first()
        if found is None:
            raise ValidationFailed(_("No member of staff with that id in your agency."), field="assignee_id")
        assignee = found
    task = task_services.task_create(
        actor=user,
        client=client,
        case=case,
        title=payload.title,
        assignee=assignee,
        due_date=payload.due_date,
        priority=payload.priority,
        detail=payload.detail,
    )
    return Status(201, Task.objects.select_related("client", "assignee").get(pk=task.pk))


@router.get("/tasks/{task_id}", response={200: TaskRead, **READ_ERRORS}, summary="Read a task")
def get_task(request: HttpRequest, task_id: int) -> Task:
    """A task about a client I may see."""
    user = _clinical(request)
    if task_id > MAX_ID:
        raise NotFound()
    task = task_selectors.task_get_for_user(user=user, task_id=task_id)
    audit_record(actor=user, action="task.view", client_id=task.client_id, obj=task)
    return task


@router.patch(
    "/tasks/{task_id}", response={200: TaskRead, **WRITE_ERRORS}, summary="Complete, reassign or snooze a task"
)
def update_task(request: HttpRequest, task_id: int, payload: TaskUpdate) -> Task:
    """One change per request: `status: "done"`, or `assignee_id` (+ `reason`), or `snooze_until` + `snooze_reason`."""
    user = _clinical(request)
    if task_id > MAX_ID:
        raise NotFound()
    task = task_selectors.task_get_for_user(user=user, task_id=task_id)
    changes = [payload.status is not None, payload.assignee_id is not None, payload.snooze_until is not None]
    if sum(changes) != 1:
        raise ValidationFailed(_("Send exactly one of status, assignee_id or snooze_until."))
    if payload.status is not None:
        if payload.status != TaskStatus.DONE:
            raise ValidationFailed(_("A task can only be marked done here."), field="status")
        task_services.task_complete(actor=user, task=task)
    elif payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id, agency_id=user.agency_id or 0).first()
        if assignee is None:
            raise ValidationFailed(_("No member of staff with that id in your agency."), field="assignee_id")
        task_services.task_reassign(actor=user, task=task, assignee=assignee, reason=payload.reason)
    else:
        today_date = timezone.localdate()
        item = today_item_for_user(user=user, key=f"task:{task.pk}", today=today_date)
        if item is None:
            raise ValidationFailed(_("Only a task on your own Today list can be snoozed."), field="snooze_until")
        assert payload.snooze_until is not None
        services.today_item_snooze(
            actor=user, item=item, until=payload.snooze_until, reason=payload.snooze_reason, today=today_date
        )
    return Task.objects.select_related("client", "assignee").get(pk=task.pk)


@router.get("/teams/{team_id}/overview", response={200: TeamOverviewRead, **READ_ERRORS}, summary="Team overview")
def team_overview(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """Per worker of a team I supervise: load against capacity, overdue work, at-risk clients, unsigned
    notes; and the worker a new case would best go to."""
    user = _clinical(request)
    team = next((team for team in overview.teams_overseen(user) if team.pk == team_id), None)
    if team is None:
        raise NotFound()
    found = overview.teams_overview(teams=[team], today=timezone.localdate())[0]
    suggestion = overview.suggest_worker(teams=[team])
    audit_record(actor=user, action="team.overview", changes={"teams": [team.pk]})
    return {
        "id": team.pk,
        "name": team.name,
        "workers": [
            {
                "worker": line.worker,
                "open_cases": line.open_cases,
                "weighted_load": line.weighted_load,
                "capacity": line.capacity,
                "load_percent": line.load_percent,
                "overdue": line.overdue,
                "overdue_tasks": line.overdue_tasks,
                "overdue_contacts": line.overdue_contacts,
                "overdue_reassessments": line.overdue_reassessments,
                "at_risk_clients": line.at_risk_clients,
                "unsigned_notes": line.unsigned_notes,
            }
            for line in found.workers
        ],
        "suggested_worker": suggestion.worker if suggestion else None,
    }
