"""Today, tasks and team overview in the API: worker, colleague on another team, outsider."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import CaseTeamMember, TeamRole
from casework.notes.models import NoteStatus
from casework.tasks import services as task_services
from casework.tasks.models import Task, TaskStatus
from casework.testing import NoteFactory
from casework.today.models import Snooze


@pytest.fixture
def task(worker, case):
    NoteFactory(case=case, contact_date=timezone.localdate(), status=NoteStatus.SIGNED)
    return task_services.task_create(
        actor=worker,
        client=case.client,
        case=case,
        title="Call the landlord",
        assignee=worker,
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )


def _json(http, method, url, body):
    return getattr(http, method)(url, body, content_type="application/json")


def test_get_today(as_worker, as_colleague, as_outsider, task):
    body = as_worker.get("/api/v1/today").json()
    assert [item["key"] for item in body["items"]] == [f"task:{task.pk}"]
    assert body["items"][0]["lateness_days"] == 2 and body["items"][0]["client"]["display_name"] == "Robert Smith"
    for http in (as_colleague, as_outsider):
        assert http.get("/api/v1/today").json()["items"] == []


def test_auditor_and_anonymous(as_auditor, client):
    assert as_auditor.get("/api/v1/today").status_code == 404
    assert client.get("/api/v1/today").status_code == 401


def test_list_and_read_tasks(as_worker, as_colleague, as_outsider, task, case):
    assert [row["id"] for row in as_worker.get("/api/v1/tasks").json()["items"]] == [task.pk]
    assert as_worker.get(f"/api/v1/tasks?client_id={case.client_id}").json()["count"] == 1
    assert as_worker.get(f"/api/v1/tasks/{task.pk}").json()["title"] == "Call the landlord"
    for http in (as_colleague, as_outsider):
        assert http.get("/api/v1/tasks").json()["count"] == 0
        assert http.get(f"/api/v1/tasks?client_id={case.client_id}").status_code == 404
        response = http.get(f"/api/v1/tasks/{task.pk}")
        assert response.status_code == 404 and "landlord" not in response.content.decode()


def test_create_a_task(as_worker, as_colleague, as_outsider, worker, colleague, case):
    body = {"title": "Book the dentist", "client_id": case.client_id, "case_id": case.pk, "due_date": "2030-01-02"}
    created = _json(as_worker, "post", "/api/v1/tasks", body)
    assert created.status_code == 201 and created.json()["assignee"]["id"] == worker.pk

    refused = _json(as_worker, "post", "/api/v1/tasks", {**body, "assignee_id": colleague.pk})
    assert refused.status_code == 422 and "cannot see their record" in refused.json()["detail"]
    for http in (as_colleague, as_outsider):
        assert _json(http, "post", "/api/v1/tasks", body).status_code == 404
    assert Task.objects.filter(title="Book the dentist").count() == 1


def test_patch_completes_reassigns_and_snoozes(as_worker, worker, colleague, case, task):
    snoozed = _json(
        as_worker,
        "patch",
        f"/api/v1/tasks/{task.pk}",
        {
            "snooze_until": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "snooze_reason": "Landlord on holiday",
        },
    )
    assert snoozed.status_code == 200
    assert Snooze.objects.get(user=worker, kind="task", object_id=task.pk).reason == "Landlord on holiday"

    refused = _json(as_worker, "patch", f"/api/v1/tasks/{task.pk}", {"assignee_id": colleague.pk})
    assert refused.status_code == 422
    CaseTeamMember.objects.create(case=case, user=colleague, role=TeamRole.SECONDARY_WORKER, added_by=worker)
    moved = _json(as_worker, "patch", f"/api/v1/tasks/{task.pk}", {"assignee_id": colleague.pk, "reason": "Leave"})
    assert moved.status_code == 200 and moved.json()["assignee"]["id"] == colleague.pk

    done = _json(as_worker, "patch", f"/api/v1/tasks/{task.pk}", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert AuditEvent.objects.filter(action__in=["today.snooze", "task.reassign", "task.complete"]).count() == 3


def test_patch_needs_exactly_one_change(as_worker, task):
    response = _json(as_worker, "patch", f"/api/v1/tasks/{task.pk}", {})
    assert response.status_code == 422
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_colleague_and_outsider_cannot_patch(as_colleague, as_outsider, colleague, task):
    for http in (as_colleague, as_outsider):
        assert _json(http, "patch", f"/api/v1/tasks/{task.pk}", {"status": "done"}).status_code == 404
        assert _json(http, "patch", f"/api/v1/tasks/{task.pk}", {"assignee_id": colleague.pk}).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.assignee_id != colleague.pk


def test_snooze_any_item_and_refuse_what_is_not_on_my_list(as_worker, as_colleague, task):
    until = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    ok = _json(
        as_worker,
        "post",
        "/api/v1/today/snoozes",
        {"kind": "task", "object_id": task.pk, "until": until, "reason": "Later"},
    )
    assert ok.status_code == 201 and ok.json()["snoozed_until"] == until
    other = _json(
        as_colleague,
        "post",
        "/api/v1/today/snoozes",
        {"kind": "task", "object_id": task.pk, "until": until, "reason": "Later"},
    )
    assert other.status_code == 404
    assert Snooze.objects.count() == 1


def test_team_overview(as_supervisor, as_worker, as_colleague, as_outsider, team_a, worker, task):
    body = as_supervisor.get(f"/api/v1/teams/{team_a.pk}/overview").json()
    line = next(line for line in body["workers"] if line["worker"]["id"] == worker.pk)
    assert line["overdue_tasks"] == 1 and line["open_cases"] == 1
    assert body["suggested_worker"]["id"] == worker.pk
    for http in (as_worker, as_colleague, as_outsider):
        assert http.get(f"/api/v1/teams/{team_a.pk}/overview").status_code == 404
