"""Supervisor overview: per-worker figures, a fixed number of queries, drill-down to a worker's Today,
and the assignment suggestion for a new case."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from casework import testing
from casework.accounts.models import Role
from casework.audit.models import AuditEvent
from casework.cases.models import Acuity
from casework.notes.models import NoteStatus
from casework.safety.tests.helpers import flag_case
from casework.tasks import services as task_services
from casework.testing import count_queries
from casework.today.overview import suggest_worker, teams_overview


def _make(factory: Any, **fields: Any) -> Any:
    """A factory-built record, typed loosely (factory_boy returns its own type to mypy)."""
    return factory(**fields)


TODAY = datetime.date(2026, 3, 10)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _give_work(worker, program, *, acuity=Acuity.HIGH):
    client = _make(testing.ClientFactory, agency=worker.agency, created_by=worker)
    case = _make(
        testing.CaseFactory,
        client=client,
        program=program,
        primary_worker=worker,
        team=worker.team,
        acuity=acuity,
        opened_at=_aware(TODAY - datetime.timedelta(days=60)),
    )
    _make(
        testing.NoteFactory,
        case=case,
        contact_date=TODAY - datetime.timedelta(days=45),
        status=NoteStatus.DRAFT,
        created_at=_aware(TODAY - datetime.timedelta(days=45)),
    )
    flag_case(case)
    task_services.task_create(
        actor=worker,
        client=client,
        case=case,
        title="Late",
        assignee=worker,
        due_date=TODAY - datetime.timedelta(days=2),
    )
    return case


def test_overview_figures_per_worker(worker, team_a, program):
    _give_work(worker, program)
    _give_work(worker, program, acuity=Acuity.LOW)

    line = next(line for line in teams_overview(teams=[team_a], today=TODAY)[0].workers if line.worker == worker)

    assert line.open_cases == 2 and line.weighted_load == 4
    assert line.at_risk_clients == 2 and line.unsigned_notes == 2
    # Two late tasks (the safety tasks are due "today" by the real clock, later than TODAY) and two
    # clients without contact for more than 30 days.
    assert line.overdue_tasks == 2 and line.overdue_contacts == 2 and line.overdue == 4


def test_overview_runs_a_fixed_number_of_queries_whatever_the_team_size(worker, team_a, agency, program):
    _give_work(worker, program)
    with count_queries() as small:
        teams_overview(teams=[team_a], today=TODAY)
    for index in range(4):
        member = _make(testing.UserFactory, agency=agency, team=team_a, email=f"cm{index}@example.org")
        _give_work(member, program)
        _give_work(member, program)
    with count_queries() as large:
        found = teams_overview(teams=[team_a], today=TODAY)

    assert len(found[0].workers) == 6
    assert len(small.captured_queries) == len(large.captured_queries) <= 6


def test_supervisor_sees_the_overview_and_drills_down_read_only(as_supervisor, supervisor, worker, case):
    task_services.task_create(
        actor=worker,
        client=case.client,
        case=case,
        title="Call the landlord",
        assignee=worker,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )

    overview = as_supervisor.get(reverse("today:overview"))
    drill = as_supervisor.get(reverse("today:worker", args=[worker.pk]))

    assert overview.status_code == 200 and "Wanda Worker" in overview.content.decode()
    html = drill.content.decode()
    assert drill.status_code == 200 and "Call the landlord" in html and "Read-only" in html
    assert reverse("today:task_done", args=[1]) not in html
    assert AuditEvent.objects.filter(action="today.view_worker", actor=supervisor).exists()
    assert AuditEvent.objects.filter(action="team.overview", actor=supervisor).exists()


def test_workers_colleagues_and_outsiders_get_404(as_worker, as_colleague, as_outsider, worker):
    for http in (as_worker, as_colleague, as_outsider):
        assert http.get(reverse("today:overview")).status_code == 404
        assert http.get(reverse("today:worker", args=[worker.pk])).status_code == 404


def test_another_teams_supervisor_cannot_drill_into_the_worker(login, supervisor_b, worker):
    assert login(supervisor_b).get(reverse("today:worker", args=[worker.pk])).status_code == 404


def test_suggestion_is_the_case_manager_with_the_lowest_weighted_load(worker, team_a, agency, program):
    light = _make(testing.UserFactory, agency=agency, team=team_a, email="light@example.org", full_name="Lee Light")
    _make(testing.UserFactory, agency=agency, team=team_a, email="gone@example.org", is_active=False)
    _make(testing.UserFactory, agency=agency, team=team_a, email="intake@example.org", role=Role.INTAKE_WORKER)
    _give_work(worker, program)
    _give_work(light, program, acuity=Acuity.LOW)

    suggestion = suggest_worker(teams=[team_a])

    assert suggestion is not None and suggestion.worker == light and suggestion.weighted_load == 1


def test_open_case_page_suggests_and_preselects_for_the_supervisor(as_supervisor, worker, client_record):
    response = as_supervisor.get(reverse("cases:open") + f"?client={client_record.pk}")

    html = response.content.decode()
    assert "Suggested: Wanda Worker" in html
    assert f'<option value="{worker.pk}" selected>' in html


def test_the_database_counts_overdue_work_as_the_worker_s_list_does(worker, team_a, program):
    """The overview counts in SQL what the Today list works out row by row: same boundaries, same
    local dates (a case opened late in the evening in New York is opened that day, not the next)."""
    from zoneinfo import ZoneInfo

    from casework.cases.models import Case, CaseStatus
    from casework.safety.tests.helpers import given, schedule
    from casework.today.selectors import today_for_user

    schedule(program, "phq9", at_intake=True, every=90)
    schedule(program, "gad7", at_intake=True, every=None)
    program.contact_interval_days = 30
    program.save()

    def case_opened(days_ago: int, hour: int = 10) -> Any:
        client = _make(testing.ClientFactory, agency=worker.agency, created_by=worker)
        opened = timezone.make_aware(
            datetime.datetime.combine(TODAY - datetime.timedelta(days=days_ago), datetime.time(hour))
        )
        return _make(
            testing.CaseFactory,
            client=client,
            program=program,
            primary_worker=worker,
            team=worker.team,
            opened_at=opened,
        )

    def contact(case: Any, days_ago: int) -> None:
        _make(
            testing.NoteFactory,
            case=case,
            contact_date=TODAY - datetime.timedelta(days=days_ago),
            status=NoteStatus.SIGNED,
        )

    with timezone.override(ZoneInfo("America/New_York")):
        case_opened(14)  # intake screens due today, contact not yet: nothing overdue
        case_opened(15)  # both intake screens a day late
        case_opened(15, hour=23)  # 23:00 in New York is the next day in UTC: still a day late
        late_contact = case_opened(31)  # contact due yesterday (the only late one); PHQ-9 late
        contact(late_contact, 31)
        given(
            late_contact,
            "phq9",
            on=timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days=91), datetime.time(9))),
        )
        given(
            late_contact,
            "gad7",
            on=timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days=20), datetime.time(9))),
        )
        on_time = case_opened(200)  # PHQ-9 due today (given 90 days ago), GAD-7 given once: done
        contact(on_time, 30)
        given(
            on_time,
            "phq9",
            on=timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days=90), datetime.time(9))),
        )
        given(
            on_time,
            "gad7",
            on=timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days=150), datetime.time(9))),
        )
        closed = case_opened(300)
        Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)

        line = next(line for line in teams_overview(teams=[team_a], today=TODAY)[0].workers if line.worker == worker)
        items = today_for_user(user=worker, today=TODAY).items

    late = [item for item in items if item.is_late]
    assert line.overdue_reassessments == 5 == sum(1 for item in late if item.kind.startswith("reassessment."))
    assert line.overdue_contacts == 1 == sum(1 for item in late if item.kind == "no_contact")
    # Due today is on the list but not late: two intake screens, one PHQ-9 and the contact of on_time.
    assert sum(1 for item in items if item.lateness_days == 0) == 4
