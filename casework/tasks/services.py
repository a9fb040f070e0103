"""Writing tasks and notifications: create, complete, notify, mark read. Every write is audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed
from casework.core.validation import clean_or_raise, require_text
from casework.tasks import permissions
from casework.tasks.models import Notification, Task, TaskPriority, TaskSource, TaskStatus


@transaction.atomic
def task_create(
    *,
    actor: User,
    client: Client,
    title: str,
    assignee: User,
    due_date: datetime.date,
    case: Case | None = None,
    detail: str = "",
    priority: str = TaskPriority.NORMAL,
    source_kind: str = "",
    source_id: int | None = None,
    by_rule: bool = False,
) -> Task:
    """Create a task about a client (the caller authorised the client).

    `by_rule`: the task comes from a rule set off by the actor's action (a risk flag raised when
    they completed an assessment); it is recorded as created by the system, the audit event names
    the actor whose action set it off.
    """
    title = require_text(title, field="title", message=_("Give the task a title."), max_length=200)
    if not isinstance(due_date, datetime.date):
        raise ValidationFailed(_("Enter when the task is due."), field="due_date")
    if priority not in TaskPriority.values:
        raise ValidationFailed(_("Choose a priority from the list."), field="priority")
    if source_kind not in TaskSource.values or bool(source_kind) != (source_id is not None):
        raise ValidationFailed(_("Unknown task source."), field="source_kind")
    if case is not None and case.client_id != client.pk:
        raise ValidationFailed(_("The case belongs to another client."), field="case")
    if not assignee.is_active or assignee.agency_id != client.agency_id:
        raise ValidationFailed(_("Assign the task to an active member of staff of the agency."), field="assignee")
    if not by_rule and not permissions.can_be_assigned(assignee, agency_id=client.agency_id, client_id=client.pk):
        raise ValidationFailed(
            _("%(who)s is not on this client's case team and cannot see their record; choose someone who can.")
            % {"who": assignee},
            field="assignee",
        )
    task = Task(
        agency_id=client.agency_id,
        client=client,
        case=case,
        title=title,
        detail=(detail or "").strip(),
        assignee=assignee,
        created_by=None if by_rule else actor,
        due_date=due_date,
        priority=priority,
        source_kind=source_kind,
        source_id=source_id,
    )
    clean_or_raise(task, exclude=["agency", "client", "case", "assignee", "created_by", "completed_by"])
    task.save()
    audit_record(
        actor=actor,
        action="task.create",
        client_id=client.pk,
        obj=task,
        changes={
            "title": [None, task.title],
            "assignee": [None, assignee.pk],
            "due_date": [None, due_date],
            "priority": [None, priority],
            "case": [None, case.pk if case else None],
            "source": [None, f"{source_kind}:{source_id}" if source_kind else "manual"],
        },
    )
    return task


def _finish(actor: User, task: Task, status: str, *, action: str, reason: str = "") -> Task:
    now = timezone.now()
    task.status = status
    task.completed_at = now
    task.completed_by = actor
    task.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(
        actor=actor,
        action=action,
        client_id=task.client_id,
        obj=task,
        reason=reason,
        changes={"status": [TaskStatus.OPEN, status], "completed_at": [None, now]},
    )
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    """Mark an open task done (the assignee, its creator, or the case team and its supervisors)."""
    locked = Task.objects.select_for_update(of=("self",)).select_related("case__team", "case__program").get(pk=task.pk)
    if not permissions.can_complete_task(actor, locked):
        raise PermissionDenied(_("Only the person the task is assigned to, or the case team, can complete it."))
    if locked.status != TaskStatus.OPEN:
        raise ValidationFailed(_("This task is already %(status)s.") % {"status": locked.get_status_display().lower()})
    return _finish(actor, locked, TaskStatus.DONE, action="task.complete")


@transaction.atomic
def task_reassign(*, actor: User, task: Task, assignee: User, reason: str = "") -> Task:
    """Give an open task to a colleague who can see the client; refused for anyone else."""
    locked = Task.objects.select_for_update(of=("self",)).select_related("case__team", "case__program").get(pk=task.pk)
    if not permissions.can_complete_task(actor, locked):
        raise PermissionDenied(_("Only the person the task is assigned to, or the case team, can reassign it."))
    if locked.status != TaskStatus.OPEN:
        raise ValidationFailed(_("This task is already %(status)s.") % {"status": locked.get_status_display().lower()})
    if assignee.pk == locked.assignee_id:
        raise ValidationFailed(_("The task is already assigned to %(who)s.") % {"who": assignee}, field="assignee")
    if not permissions.can_be_assigned(assignee, agency_id=locked.agency_id, client_id=locked.client_id):
        raise ValidationFailed(
            _("%(who)s is not on this client's case team and cannot see their record; choose someone who can.")
            % {"who": assignee},
            field="assignee",
        )
    previous = locked.assignee_id
    locked.assignee = assignee
    locked.save(update_fields=["assignee"])
    audit_record(
        actor=actor,
        action="task.reassign",
        client_id=locked.client_id,
        obj=locked,
        reason=(reason or "").strip()[:1000],
        changes={"assignee": [previous, assignee.pk]},
    )
    return locked


@transaction.atomic
def tasks_complete_follow_ups(*, actor: User, case: Case, except_note_id: int) -> list[Task]:
    """A new contact on a case is the follow-up earlier notes asked for: complete their open tasks.

    Called by the service that wrote the contact note (which authorised the case).
    """
    tasks = list(
        Task.objects.select_for_update()
        .filter(case=case, source_kind=TaskSource.NOTE_FOLLOW_UP, status=TaskStatus.OPEN)
        .exclude(source_id=except_note_id)
    )
    return [
        _finish(actor, task, TaskStatus.DONE, action="task.complete", reason=_("A later contact was written."))
        for task in tasks
    ]


@transaction.atomic
def tasks_complete_for_source(*, actor: User, source_kind: str, source_id: int) -> list[Task]:
    """Complete the open tasks that stand for a record's work, now that the work is done.

    Called by the service that finished the work (resolving a risk flag), which authorised it.
    """
    tasks = list(
        Task.objects.select_for_update().filter(source_kind=source_kind, source_id=source_id, status=TaskStatus.OPEN)
    )
    return [
        _finish(actor, task, TaskStatus.DONE, action="task.complete", reason=_("The work it stood for is done."))
        for task in tasks
    ]


@transaction.atomic
def notification_create(
    *, actor: User | None, recipient: User, message: str, url: str = "", client: Client | None = None
) -> Notification:
    """Send an in-app message to one member of staff; `url` is a path inside Casework."""
    message = require_text(message, field="message", message=_("A notification needs a message."), max_length=300)
    if url and not url.startswith("/"):
        raise ValidationFailed(_("A notification links only to a page of Casework."), field="url")
    notification = Notification.objects.create(recipient=recipient, client=client, message=message, url=url)
    audit_record(
        actor=actor,
        action="notification.create",
        client_id=client.pk if client else None,
        obj=notification,
        changes={"recipient": [None, recipient.pk], "url": [None, url]},
    )
    return notification


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications as read (reading twice changes nothing)."""
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if locked.recipient_id != actor.pk:
        raise NotFound()
    if locked.read_at is not None:
        return locked
    locked.read_at = timezone.now()
    locked.save(update_fields=["read_at"])
    audit_record(
        actor=actor,
        action="notification.read",
        client_id=locked.client_id,
        obj=locked,
        changes={"read_at": [None, locked.read_at]},
    )
    return locked


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor as read; one audit event with how many."""
    now = timezone.now()
    ids = list(
        Notification.objects.select_for_update()
        .filter(recipient=actor, read_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids).update(read_at=now)
    audit_record(actor=actor, action="notification.read_all", changes={"notifications": ids})
    return len(ids)
