"""The Today list: each source's item appears and disappears at the right moment (a frozen date is
passed in), ranking, snoozes, and a fixed number of queries whatever the caseload."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework import testing
from casework.cases.models import Acuity
from casework.notes.models import NoteStatus
from casework.notes.services import note_create, note_sign
from casework.safety.services import risk_flag_resolve
from casework.safety.tests.helpers import flag_case, given, schedule
from casework.tasks import services as task_services
from casework.tasks.models import Task, TaskStatus
from casework.testing import count_queries
from casework.today.models import Snooze
from casework.today.selectors import query_budget, today_for_user


def _make(factory: Any, **fields: Any) -> Any:
    """A factory-built record, typed loosely (factory_boy returns its own type to mypy)."""
    return factory(**fields)


TODAY = datetime.date(2026, 3, 10)


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _keys(user, today=TODAY):
    return [item.key for item in today_for_user(user=user, today=today).items]


@pytest.fixture
def fresh_case(case):
    """The standing case, opened on TODAY with a contact today, so no rule is due yet."""
    case.opened_at = _aware(TODAY)
    case.save()
    _make(testing.NoteFactory, case=case, contact_date=TODAY, status=NoteStatus.SIGNED, created_at=_aware(TODAY))
    return case


def test_an_open_task_appears_and_is_late_after_its_due_date(worker, fresh_case):
    task = task_services.task_create(
        actor=worker,
        client=fresh_case.client,
        case=fresh_case,
        title="Call the landlord",
        assignee=worker,
        due_date=TODAY,
    )

    on_the_day = today_for_user(user=worker, today=TODAY).items
    two_days_later = today_for_user(user=worker, today=TODAY + datetime.timedelta(days=2)).items

    assert [item.key for item in on_the_day] == [f"task:{task.pk}"]
    assert on_the_day[0].lateness_days == 0 and "Due today" in on_the_day[0].reason
    assert two_days_later[0].lateness_days == 2 and "2 days overdue" in two_days_later[0].reason
    task_services.task_complete(actor=worker, task=task)
    assert _keys(worker) == []


def test_a_risk_flag_comes_first_and_leaves_when_resolved(worker, fresh_case):
    task_services.task_create(
        actor=worker,
        client=fresh_case.client,
        case=fresh_case,
        title="Old paperwork",
        assignee=worker,
        due_date=TODAY - datetime.timedelta(days=30),
    )
    flag = flag_case(fresh_case)

    items = today_for_user(user=worker, today=TODAY).items

    # The flag shows once, as its safety task, above a month-late ordinary task.
    assert items[0].safety and items[0].task.source_id == flag.pk
    assert items[0].snoozable is False
    assert len(items) == 2
    risk_flag_resolve(actor=worker, flag=flag, note="Safety plan made with the client.")
    assert [item.title for item in today_for_user(user=worker, today=TODAY).items] == ["Old paperwork"]


def test_a_flag_without_a_task_for_the_user_shows_as_a_risk_item(worker, supervisor, fresh_case):
    flag = flag_case(fresh_case)
    Task.objects.filter(source_id=flag.pk).update(assignee=supervisor)

    items = today_for_user(user=worker, today=TODAY).items

    assert [item.key for item in items] == [f"risk_flag:{flag.pk}"]
    assert "Flagged at risk" in items[0].reason


def test_no_contact_rule_follows_the_program_interval_and_a_contact_clears_it(worker, case, program):
    program.contact_interval_days = 7
    program.save()
    case.opened_at = _aware(TODAY - datetime.timedelta(days=20))
    case.save()
    _make(testing.NoteFactory, case=case, contact_date=TODAY - datetime.timedelta(days=7), status=NoteStatus.SIGNED)

    assert _keys(worker, TODAY - datetime.timedelta(days=1)) == []
    due = today_for_user(user=worker, today=TODAY).items
    assert [item.key for item in due] == [f"no_contact:{case.pk}"]
    assert "every 7 days" in due[0].reason

    # An outpatient rule of 30 days: the same history is not due.
    program.contact_interval_days = 30
    program.save()
    assert _keys(worker) == []
    program.contact_interval_days = 7
    program.save()
    note_create(
        actor=worker,
        case=case,
        format="dap",
        contact_type="phone",
        contact_date=TODAY,
        duration_minutes=10,
        sections={"data": "Called."},
    )
    assert _keys(worker) == []


def test_a_draft_note_appears_the_day_after_and_leaves_when_signed(worker, fresh_case):
    draft = _make(
        testing.NoteFactory, case=fresh_case, contact_date=TODAY, status=NoteStatus.DRAFT, created_at=_aware(TODAY, 9)
    )

    assert _keys(worker, TODAY) == []
    assert _keys(worker, TODAY + datetime.timedelta(days=1)) == [f"unsigned_note:{draft.pk}"]
    note_sign(actor=worker, note=draft)
    assert _keys(worker, TODAY + datetime.timedelta(days=1)) == []


@pytest.mark.django_db
def test_a_reassessment_appears_when_due_and_leaves_when_given(worker, fresh_case, program):
    schedule(program, "phq9", at_intake=True, every=90)

    assert _keys(worker, TODAY + datetime.timedelta(days=13)) == []
    due = today_for_user(user=worker, today=TODAY + datetime.timedelta(days=14)).items
    assert [item.key for item in due] == [f"reassessment.phq9:{fresh_case.pk}"]
    assert "Never given" in due[0].reason
    given(fresh_case, "phq9", on=_aware(TODAY + datetime.timedelta(days=14)))
    assert _keys(worker, TODAY + datetime.timedelta(days=14)) == []


def test_lateness_is_weighted_by_acuity(worker, agency, program, client_record):
    low = _make(
        testing.CaseFactory,
        client=client_record,
        program=program,
        primary_worker=worker,
        team=worker.team,
        acuity=Acuity.LOW,
        opened_at=_aware(TODAY),
    )
    other = _make(testing.ClientFactory, agency=agency, created_by=worker)
    high = _make(
        testing.CaseFactory,
        client=other,
        program=program,
        primary_worker=worker,
        team=worker.team,
        acuity=Acuity.HIGH,
        opened_at=_aware(TODAY),
    )
    for case in (low, high):
        _make(testing.NoteFactory, case=case, contact_date=TODAY, status=NoteStatus.SIGNED)
    five_late = task_services.task_create(
        actor=worker,
        client=low.client,
        case=low,
        title="Low, 5 days late",
        assignee=worker,
        due_date=TODAY - datetime.timedelta(days=5),
    )
    three_late = task_services.task_create(
        actor=worker,
        client=high.client,
        case=high,
        title="High, 3 days late",
        assignee=worker,
        due_date=TODAY - datetime.timedelta(days=3),
    )

    # 3 days x high acuity (9) outrank 5 days x low acuity (5).
    assert _keys(worker) == [f"task:{three_late.pk}", f"task:{five_late.pk}"]


def test_a_snoozed_item_is_set_apart_until_its_day(worker, fresh_case):
    task = task_services.task_create(
        actor=worker, client=fresh_case.client, case=fresh_case, title="Call back", assignee=worker, due_date=TODAY
    )
    Snooze.objects.create(
        user=worker, kind="task", object_id=task.pk, until=TODAY + datetime.timedelta(days=2), reason="Client away"
    )

    found = today_for_user(user=worker, today=TODAY)
    assert found.items == [] and [item.key for item in found.snoozed] == [f"task:{task.pk}"]
    assert _keys(worker, TODAY + datetime.timedelta(days=3)) == [f"task:{task.pk}"]


def test_colleague_and_outsider_see_nothing_of_the_workers_list(worker, colleague, outsider, fresh_case):
    flag_case(fresh_case)
    task_services.task_create(
        actor=worker, client=fresh_case.client, case=fresh_case, title="Call", assignee=worker, due_date=TODAY
    )

    assert _keys(colleague) == [] and _keys(outsider) == []


def _load_caseload(worker, program, n):
    for index in range(n):
        client = _make(testing.ClientFactory, agency=worker.agency, created_by=worker)
        case = _make(
            testing.CaseFactory,
            client=client,
            program=program,
            primary_worker=worker,
            team=worker.team,
            opened_at=_aware(TODAY - datetime.timedelta(days=60)),
        )
        _make(
            testing.NoteFactory,
            case=case,
            contact_date=TODAY - datetime.timedelta(days=40),
            status=NoteStatus.DRAFT,
            created_at=_aware(TODAY - datetime.timedelta(days=40)),
        )
        flag_case(case)
        task_services.task_create(
            actor=worker,
            client=client,
            case=case,
            title=f"Task {index}",
            assignee=worker,
            due_date=TODAY - datetime.timedelta(days=index),
        )


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_caseload(worker, program):
    schedule(program, "phq9", at_intake=True, every=90)
    _load_caseload(worker, program, 2)
    with count_queries() as small:
        small_list = today_for_user(user=worker, today=TODAY)
    _load_caseload(worker, program, 8)
    with count_queries() as large:
        large_list = today_for_user(user=worker, today=TODAY)

    assert len(large_list.items) > len(small_list.items) >= 2 * 5
    assert len(small.captured_queries) == len(large.captured_queries) <= query_budget()


def test_tasks_done_elsewhere_leave_the_list(worker, fresh_case):
    task = task_services.task_create(
        actor=worker, client=fresh_case.client, case=fresh_case, title="Call", assignee=worker, due_date=TODAY
    )
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED, completed_at=timezone.now())
    assert _keys(worker) == []
