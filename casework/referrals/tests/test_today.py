"""Referrals waiting for an answer on the referring worker's Today list (computed on read)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.referrals import services
from casework.referrals.models import Referral, ServiceLevel
from casework.referrals.today import referrals_waiting
from casework.testing import count_queries
from casework.today.selectors import today_for_user

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 16)


def _sent_on(referral: Referral, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    Referral.objects.filter(pk=referral.pk).update(sent_at=moment)


def test_a_waiting_referral_is_on_the_list_and_late_after_the_service_level(sent, worker, colleague):
    _sent_on(sent, MONDAY)
    [item] = referrals_waiting(worker, MONDAY + datetime.timedelta(days=1))
    assert item.kind == "referral" and item.object_id == sent.pk and not item.is_late
    assert item.due_date == datetime.date(2026, 11, 18)
    assert "Waiting for Eastside Food Pantry" in item.reason
    [late] = referrals_waiting(worker, datetime.date(2026, 11, 20))
    assert late.lateness_days == 2 and "No answer from Eastside Food Pantry" in late.reason
    assert referrals_waiting(colleague, MONDAY) == []


def test_the_programs_service_level_sets_the_due_day(sent, worker, case):
    ServiceLevel.objects.create(program=case.program, answer_within_business_days=4)
    _sent_on(sent, MONDAY)
    [item] = referrals_waiting(worker, MONDAY)
    assert item.due_date == datetime.date(2026, 11, 20)


def test_an_answer_takes_it_off_the_list(sent, worker, partner):
    services.referral_accept(actor=partner, referral=sent)
    assert referrals_waiting(worker, MONDAY) == []


def test_the_source_runs_one_query_whatever_the_number_of_referrals(sent, worker, case, food_service, consent):
    with count_queries() as one:
        assert len(referrals_waiting(worker, MONDAY)) == 1
    for index in range(6):
        extra = services.referral_create(
            actor=worker,
            case=case,
            service=food_service,
            reason=f"r{index}",
            shared_information=["name"],
            consent=consent,
        )
        services.referral_send(actor=worker, referral=extra)
    with count_queries() as seven:
        assert len(referrals_waiting(worker, MONDAY)) == 7
    assert len(one.captured_queries) == len(seven.captured_queries) == 1


def test_the_today_list_shows_the_referral(sent, worker):
    keys = [item.key for item in today_for_user(user=worker, today=timezone.localdate()).items]
    assert f"referral:{sent.pk}" in keys
