"""Due reassessments: at intake, after an interval, overdue; a fixed number of queries; today passed in."""

from __future__ import annotations

import datetime

from django.utils import timezone

from casework.assessments.models import AssessmentStatus
from casework.cases.models import CaseStatus
from casework.safety.tests.helpers import given, schedule
from casework.tasks.selectors import reassessments_due
from casework.testing import CaseFactory, ClientFactory, count_queries

TODAY = datetime.date(2026, 11, 23)


def _opened(case, day):
    case.opened_at = datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())
    case.save()
    return case


def _at(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def test_intake_instrument_never_given_is_due_14_days_after_opening(case, program):
    schedule(program, "phq9", at_intake=True, every=90)
    _opened(case, datetime.date(2026, 11, 1))

    (item,) = reassessments_due(cases=[case], today=TODAY)[case.pk]

    assert (item.instrument_code, item.instrument_name) == ("phq9", "PHQ-9")
    assert item.due_date == datetime.date(2026, 11, 15)
    assert item.overdue and item.last_given is None


def test_after_it_is_given_it_is_due_again_after_the_interval(case, program):
    schedule(program, "phq9", at_intake=True, every=90)
    _opened(case, datetime.date(2026, 8, 1))
    given(case, on=_at(datetime.date(2026, 8, 10)))
    given(case, on=_at(datetime.date(2026, 9, 2)))

    (item,) = reassessments_due(cases=[case], today=TODAY)[case.pk]

    assert item.due_date == datetime.date(2026, 12, 1)
    assert not item.overdue
    assert item.last_given == datetime.date(2026, 9, 2)


def test_overdue_the_day_after_it_was_due(case, program):
    schedule(program, "phq9", at_intake=False, every=90)
    _opened(case, datetime.date(2026, 1, 1))
    given(case, on=_at(TODAY - datetime.timedelta(days=90)))

    assert not reassessments_due(cases=[case], today=TODAY)[case.pk][0].overdue
    assert reassessments_due(cases=[case], today=TODAY + datetime.timedelta(days=1))[case.pk][0].overdue


def test_repeating_instrument_not_at_intake_is_first_due_one_interval_after_opening(case, program):
    schedule(program, "gad7", at_intake=False, every=90)
    _opened(case, datetime.date(2026, 10, 1))

    (item,) = reassessments_due(cases=[case], today=TODAY)[case.pk]

    assert item.due_date == datetime.date(2026, 12, 30)


def test_intake_only_instrument_given_once_is_not_due_again(case, program):
    schedule(program, "lawton_iadl", at_intake=True, every=None)
    given(case, "lawton_iadl")

    assert reassessments_due(cases=[case], today=TODAY) == {}


def test_drafts_amended_originals_other_cases_closed_cases_and_inactive_rules_do_not_count(
    case, program, worker, client_record
):
    rule = schedule(program, "phq9", at_intake=True, every=90)
    inactive = schedule(program, "gad7", at_intake=True, every=30)
    inactive.active = False
    inactive.save()
    _opened(case, datetime.date(2026, 11, 1))
    draft = given(case, on=_at(datetime.date(2026, 11, 5)))
    draft.status, draft.completed_at = AssessmentStatus.DRAFT, None
    draft.save()
    other_case = CaseFactory.create(client=client_record, program=program, primary_worker=worker, team=worker.team)
    given(other_case, on=_at(datetime.date(2026, 11, 6)))
    closed = CaseFactory.create(client=client_record, program=program, primary_worker=worker, status=CaseStatus.CLOSED)

    due = reassessments_due(cases=[case, closed], today=TODAY)

    assert [item.instrument_code for item in due[case.pk]] == [rule.instrument.code]
    assert due[case.pk][0].due_date == datetime.date(2026, 11, 15)
    assert closed.pk not in due


def test_queries_do_not_grow_with_the_number_of_cases(worker, program, agency):
    schedule(program, "phq9", at_intake=True, every=90)
    schedule(program, "gad7", at_intake=False, every=90)

    def build(count):
        cases = []
        for _ in range(count):
            client = ClientFactory.create(agency=agency, created_by=worker)
            case = CaseFactory.create(client=client, program=program, primary_worker=worker, team=worker.team)
            given(case)
            cases.append(case)
        return cases

    few, many = build(2), build(20)
    with count_queries() as small:
        reassessments_due(cases=few, today=TODAY)
    with count_queries() as large:
        due = reassessments_due(cases=many, today=TODAY)

    assert len(due) == 20 and all(len(items) == 2 for items in due.values())
    assert len(small.captured_queries) == len(large.captured_queries) == 2


def test_no_rules_means_nothing_due_and_one_query(case, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert reassessments_due(cases=[case], today=TODAY) == {}
