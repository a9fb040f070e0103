"""Caseload rows: last contact, drafts, what is due, sorting, filtering and a fixed query count."""

import datetime

import pytest
from django.utils import timezone

from casework.cases.models import Case
from casework.cases.selectors import case_get_for_user, caseload_for_user, caseload_rows
from casework.core.errors import NotFound
from casework.notes.models import NoteStatus
from casework.safety.tests.helpers import flag_case, given, schedule
from casework.testing import CaseFactory, ClientFactory, NoteFactory, ProgramFactory, count_queries

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def home_care(agency):
    return ProgramFactory.create(agency=agency, name="Older Adults Home Care", contact_interval_days=14)


def _case(worker, program, last_name, **kwargs):
    client = ClientFactory.create(
        agency=worker.agency, created_by=worker, legal_first_name="Al", legal_last_name=last_name
    )
    return CaseFactory.create(client=client, program=program, primary_worker=worker, **kwargs)


def _rows(user, **kwargs):
    return caseload_rows(cases=caseload_for_user(user=user), **kwargs)


def test_last_contact_ignores_voided_notes_and_counts_drafts(worker, program):
    case = _case(worker, program, "Adams")
    NoteFactory.create(case=case, contact_date=days_ago(10), status=NoteStatus.SIGNED)
    NoteFactory.create(case=case, contact_date=days_ago(3), status=NoteStatus.DRAFT)
    NoteFactory.create(case=case, contact_date=days_ago(4), status=NoteStatus.DRAFT)
    NoteFactory.create(case=case, contact_date=days_ago(1), status=NoteStatus.VOIDED)
    [row] = _rows(worker)
    assert row.last_contact_date == days_ago(3)
    assert row.draft_note_count == 2
    assert row.contact_due_date == days_ago(3) + datetime.timedelta(days=30)
    assert "draft" in row.due_label


def test_due_date_counts_from_the_opening_when_there_is_no_contact(worker, home_care):
    opened = timezone.now() - datetime.timedelta(days=20)
    case = _case(worker, home_care, "Baker", opened_at=opened)
    [row] = _rows(worker)
    assert (row.case, row.last_contact_date, row.draft_note_count) == (case, None, 0)
    assert row.contact_due_date == opened.date() + datetime.timedelta(days=14)
    assert row.is_overdue


def test_due_date_uses_each_programs_interval(worker, program, home_care):
    monthly = _case(worker, program, "Cole")
    fortnightly = _case(worker, home_care, "Diaz")
    NoteFactory.create(case=monthly, contact_date=days_ago(5), status=NoteStatus.SIGNED)
    NoteFactory.create(case=fortnightly, contact_date=days_ago(5), status=NoteStatus.SIGNED)
    due = {row.case.pk: row.contact_due_date for row in _rows(worker)}
    assert due == {
        monthly.pk: days_ago(5) + datetime.timedelta(days=30),
        fortnightly.pk: days_ago(5) + datetime.timedelta(days=14),
    }
    assert not any(row.is_overdue for row in _rows(worker))


@pytest.fixture
def caseload(worker, program, home_care):
    cases = {
        "evans": _case(worker, program, "Evans", status="intake"),
        "adams": _case(worker, home_care, "Adams", status="active"),
        "cruz": _case(worker, program, "Cruz", status="planning"),
        "byrne": _case(worker, program, "Byrne", status="closed"),
    }
    NoteFactory.create(case=cases["evans"], contact_date=days_ago(40), status=NoteStatus.SIGNED)  # due 10 days ago
    NoteFactory.create(case=cases["adams"], contact_date=days_ago(2), status=NoteStatus.SIGNED)  # due in 12 days
    NoteFactory.create(case=cases["cruz"], contact_date=days_ago(20), status=NoteStatus.SIGNED)  # due in 10 days
    return cases


def _names(rows):
    return [row.case.client.legal_last_name for row in rows]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Adams", "Cruz", "Evans"]),
        ("status", ["Evans", "Cruz", "Adams"]),
        ("program", ["Cruz", "Evans", "Adams"]),
        ("last_contact", ["Evans", "Cruz", "Adams"]),
        ("due", ["Evans", "Cruz", "Adams"]),
        ("nonsense", ["Evans", "Cruz", "Adams"]),
    ],
)
def test_caseload_sorts(caseload, worker, sort, expected):
    rows = _rows(worker, sort=sort)
    if sort == "program":  # two cases share a program; only the program order is certain
        assert [row.case.program.name for row in rows] == sorted(row.case.program.name for row in rows)
        return
    assert _names(rows) == expected
    assert _names(_rows(worker, sort=sort, descending=True)) == list(reversed(expected))


def test_caseload_filters(caseload, worker, home_care, program):
    assert sorted(_names(_rows(worker))) == ["Adams", "Cruz", "Evans"]
    assert sorted(_names(_rows(worker, status="all"))) == ["Adams", "Byrne", "Cruz", "Evans"]
    assert _names(_rows(worker, status="closed")) == ["Byrne"]
    assert _names(_rows(worker, status="planning")) == ["Cruz"]
    assert _names(_rows(worker, program_id=home_care.pk)) == ["Adams"]
    assert _names(_rows(worker, q="cru")) == ["Cruz"]
    assert _names(_rows(worker, q="ÉVANS")) == ["Evans"]
    assert _names(_rows(worker, q="nobody")) == []


def test_caseload_shows_only_the_workers_own_cases(caseload, worker, colleague, program):
    _case(colleague, program, "Other")
    assert "Other" not in _names(_rows(worker, status="all"))
    assert _names(_rows(colleague)) == ["Other"]


def _build(worker, program, count):
    for index in range(count):
        case = _case(worker, program, f"Client{index:03d}")
        NoteFactory.create(case=case, contact_date=days_ago(index % 7), status=NoteStatus.SIGNED)
        NoteFactory.create(case=case, contact_date=days_ago(1), status=NoteStatus.DRAFT)
        # Every row carries an at-risk flag, an urgent task and a schedule with a past assessment.
        flag_case(case)
        given(case, on=timezone.now() - datetime.timedelta(days=100))


def test_caseload_query_count_does_not_grow_with_the_caseload(worker, colleague, program):
    schedule(program, "phq9")
    _build(worker, program, 3)
    _build(colleague, program, 30)
    with count_queries() as small:
        small_rows = _rows(worker)
        [row.case.client.display_name + row.case.program.name + str(row.case.primary_worker) for row in small_rows]
    with count_queries() as large:
        large_rows = _rows(colleague)
        [row.case.client.display_name + row.case.program.name + str(row.case.primary_worker) for row in large_rows]
    assert (len(small_rows), len(large_rows)) == (3, 30)
    assert all(row.at_risk and row.urgent_tasks and row.reassessments for row in large_rows)
    assert len(small.captured_queries) == len(large.captured_queries)
    # Cases (with contact, draft and at-risk annotations), urgent tasks, reassessment rules, last assessments.
    assert len(large.captured_queries) <= 4


def test_case_access_helper_follows_the_client_rules(worker, colleague, outsider, case):
    assert case_get_for_user(user=worker, case_id=case.pk) == case
    for user in (colleague, outsider):
        with pytest.raises(NotFound):
            case_get_for_user(user=user, case_id=case.pk)
    with pytest.raises(NotFound):
        case_get_for_user(user=worker, case_id=Case.objects.latest("pk").pk + 1)
