"""Care-plan work on the Today list: reviews due, approvals waiting, overdue action steps; one query each."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.careplans import services, today
from casework.careplans.models import Intervention, Plan
from casework.careplans.tests.helpers import draft_plan, fresh, published_plan, require_approval
from casework.testing import CaseFactory, ClientFactory
from casework.today.selectors import today_for_user

pytestmark = pytest.mark.django_db


def _more_cases(worker, program, count):
    for _ in range(count):
        client = ClientFactory(agency=worker.agency, created_by=worker)
        case = CaseFactory(client=client, program=program, primary_worker=worker, team=worker.team, created_by=worker)
        plan = published_plan(worker, case)
        Plan.objects.filter(pk=plan.pk).update(review_due_date=timezone.localdate() - datetime.timedelta(days=3))
        Intervention.objects.filter(revision=plan.active_revision).update(
            due_date=timezone.localdate() - datetime.timedelta(days=2)
        )


def test_reviews_due_and_overdue_steps_show_for_the_worker(worker, case, program, django_assert_num_queries):
    plan = published_plan(worker, case)
    assert today.plan_reviews_due(worker, timezone.localdate()) == []  # due in 90 days
    Plan.objects.filter(pk=plan.pk).update(review_due_date=timezone.localdate() + datetime.timedelta(days=5))
    Intervention.objects.filter(revision=plan.active_revision).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    day = timezone.localdate()
    reviews = today.plan_reviews_due(worker, day)
    assert [item.kind for item in reviews] == ["plan_review"] and reviews[0].lateness_days == -5
    steps = today.overdue_interventions(worker, day)
    assert [item.kind for item in steps] == ["plan_intervention"] and steps[0].lateness_days == 1
    keys = {item.key for item in today_for_user(user=worker, today=day).items}
    assert f"plan_review:{plan.pk}" in keys
    _more_cases(worker, program, 3)
    with django_assert_num_queries(1):
        assert len(today.plan_reviews_due(worker, day)) == 4
    with django_assert_num_queries(1):
        assert len(today.overdue_interventions(worker, day)) == 4


def test_done_steps_and_other_peoples_steps_do_not_show(worker, colleague, case):
    plan = published_plan(worker, case)
    step = plan.active_revision.interventions.get()
    Intervention.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    assert today.overdue_interventions(colleague, timezone.localdate()) == []
    services.intervention_update(
        actor=worker, intervention=step, expected_version=fresh(plan).version, data={"status": "done"}
    )
    assert today.overdue_interventions(worker, timezone.localdate()) == []


def test_plans_waiting_for_approval_show_for_the_supervisor_only(
    worker, supervisor, supervisor_b, director, case, django_assert_num_queries
):
    require_approval(case.program)
    plan = draft_plan(worker, case)
    services.plan_submit(actor=worker, plan=plan, expected_version=plan.version)
    day = timezone.localdate()
    with django_assert_num_queries(1):
        items = today.plans_waiting_for_approval(supervisor, day)
    assert [item.key for item in items] == [f"plan_approval:{fresh(plan).open_revision_id}"]
    assert len(today.plans_waiting_for_approval(director, day)) == 1
    assert today.plans_waiting_for_approval(supervisor_b, day) == []
    assert today.plans_waiting_for_approval(worker, day) == []
    services.plan_approve(actor=supervisor, plan=fresh(plan), expected_version=fresh(plan).version)
    assert today.plans_waiting_for_approval(supervisor, day) == []
