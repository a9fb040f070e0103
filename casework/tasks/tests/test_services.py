"""Task and notification services: validation, who may complete, read marks, audit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed
from casework.tasks import services
from casework.tasks.models import Notification, Task, TaskPriority, TaskStatus
from casework.testing import CaseFactory, ClientFactory


def _task(actor, for_case, **overrides):
    case = for_case
    fields = {
        "client": case.client,
        "case": case,
        "title": "Call the landlord",
        "assignee": case.primary_worker,
        "due_date": timezone.localdate() + datetime.timedelta(days=2),
    }
    fields.update(overrides)
    return services.task_create(actor=actor, **fields)


def test_creating_a_task_is_audited(worker, case):
    task = _task(worker, case, priority=TaskPriority.HIGH)

    assert (task.status, task.priority, task.created_by, task.agency_id) == (
        TaskStatus.OPEN,
        TaskPriority.HIGH,
        worker,
        case.client.agency_id,
    )
    event = AuditEvent.objects.get(action="task.create")
    assert (event.actor_id, event.client_id, event.object_id) == (worker.pk, case.client_id, str(task.pk))
    assert event.changes["source"] == [None, "manual"]


def test_a_task_by_rule_has_no_creator_but_the_audit_names_who_set_it_off(worker, case):
    task = _task(worker, case, by_rule=True)

    assert task.created_by is None
    assert AuditEvent.objects.get(action="task.create").actor_id == worker.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"due_date": None}, "due_date"),
        ({"priority": "whenever"}, "priority"),
        ({"source_kind": "risk_flag"}, "source_kind"),
        ({"source_kind": "nonsense", "source_id": 3}, "source_kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(worker, case, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        _task(worker, case, **overrides)

    assert exc.value.field == field
    assert not Task.objects.exists()
    assert not AuditEvent.objects.filter(action="task.create").exists()


def test_assignee_must_be_staff_of_the_clients_agency(worker, case, outsider):
    with pytest.raises(ValidationFailed) as exc:
        _task(worker, case, assignee=outsider)

    assert exc.value.field == "assignee"


def test_case_must_belong_to_the_client(worker, case, program):
    other = CaseFactory(client=ClientFactory(agency=case.client.agency), program=program, primary_worker=worker)
    with pytest.raises(ValidationFailed):
        _task(worker, case, case=other)


def test_assignee_completes_and_it_is_audited(worker, case):
    task = _task(worker, case)

    done = services.task_complete(actor=worker, task=task)

    assert (done.status, done.completed_by) == (TaskStatus.DONE, worker)
    assert done.completed_at is not None
    assert AuditEvent.objects.filter(action="task.complete", object_id=str(task.pk)).exists()


def test_supervisor_of_the_case_team_can_complete(worker, supervisor, case):
    task = _task(worker, case)

    assert services.task_complete(actor=supervisor, task=task).status == TaskStatus.DONE


def test_colleague_on_another_team_cannot_complete(worker, colleague, case):
    task = _task(worker, case)

    with pytest.raises(PermissionDenied):
        services.task_complete(actor=colleague, task=task)

    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_completing_twice_is_refused(worker, case):
    task = services.task_complete(actor=worker, task=_task(worker, case))

    with pytest.raises(ValidationFailed):
        services.task_complete(actor=worker, task=task)


def test_completing_for_a_source_closes_only_its_open_tasks(worker, case):
    mine = _task(worker, case, source_kind="risk_flag", source_id=7)
    other = _task(worker, case, source_kind="risk_flag", source_id=8)

    closed = services.tasks_complete_for_source(actor=worker, source_kind="risk_flag", source_id=7)

    assert [task.pk for task in closed] == [mine.pk]
    other.refresh_from_db()
    assert other.status == TaskStatus.OPEN


def test_notifications_are_created_read_once_and_only_by_their_recipient(worker, colleague, case):
    note = services.notification_create(
        actor=worker, recipient=worker, client=case.client, message="Check in", url="/clients/1/"
    )
    assert AuditEvent.objects.filter(action="notification.create", object_id=str(note.pk)).exists()

    with pytest.raises(NotFound):
        services.notification_mark_read(actor=colleague, notification=note)
    note.refresh_from_db()
    assert note.read_at is None

    first = services.notification_mark_read(actor=worker, notification=note)
    again = services.notification_mark_read(actor=worker, notification=note)
    assert first.read_at == again.read_at
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


def test_notification_links_only_inside_casework(worker):
    with pytest.raises(ValidationFailed):
        services.notification_create(actor=None, recipient=worker, message="x", url="https://evil.example/")
    assert not Notification.objects.exists()


def test_mark_all_read_touches_only_the_actors_notifications(worker, colleague):
    for _ in range(3):
        services.notification_create(actor=None, recipient=worker, message="A")
    services.notification_create(actor=None, recipient=colleague, message="B")

    assert services.notifications_mark_all_read(actor=worker) == 3
    assert services.notifications_mark_all_read(actor=worker) == 0
    assert Notification.objects.filter(recipient=colleague, read_at__isnull=True).count() == 1
