"""Suggested needs: created from positive AHC screens on completion, idempotent, dismissed only with a reason."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.assessments import services as assessment_services
from casework.assessments.tests.helpers import answers_for_total, hrsn_answers
from casework.audit.models import AuditEvent
from casework.audit.services import REDACTED
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.needs import services
from casework.needs.models import SuggestedNeed, SuggestedNeedStatus


def _complete(actor, case, code, answers):
    assessment = assessment_services.assessment_start(
        actor=actor,
        case=case,
        instrument_code=code,
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assessment = assessment_services.assessment_answer(
        actor=actor, assessment=assessment, answers=answers, expected_version=1
    )
    return assessment_services.assessment_complete(actor=actor, assessment=assessment)


POSITIVE_EVERYWHERE = hrsn_answers(
    ahc_living_situation=1,
    ahc_food_worry=1,
    ahc_transportation=1,
    ahc_utilities=2,
    ahc_safety_hurt=3,
    ahc_safety_insult=3,
    ahc_safety_threaten=3,
    ahc_safety_scream=3,
)


def test_each_positive_ahc_screen_becomes_a_suggested_need(worker, case):
    assessment = _complete(worker, case, "ahc_hrsn", POSITIVE_EVERYWHERE)

    needs = SuggestedNeed.objects.filter(source_assessment=assessment)
    assert set(needs.values_list("domain", flat=True)) == {"housing", "food", "transportation", "utilities", "safety"}
    assert all(need.status == SuggestedNeedStatus.SUGGESTED and need.case_id == case.pk for need in needs)
    assert needs.get(domain="food").reason == "Food insecurity"
    assert AuditEvent.objects.filter(action="suggested_need.create").count() == 5


def test_negative_screen_and_other_instruments_suggest_nothing(worker, case):
    _complete(worker, case, "ahc_hrsn", hrsn_answers())
    _complete(worker, case, "phq9", answers_for_total("phq9", 20))

    assert not SuggestedNeed.objects.exists()


def test_suggesting_again_for_the_same_assessment_is_idempotent(worker, case):
    assessment = _complete(worker, case, "ahc_hrsn", hrsn_answers(ahc_food_worry=0))

    assert services.needs_suggest_for_assessment(actor=worker, assessment=assessment) == []
    assert SuggestedNeed.objects.count() == 1


def test_a_repeat_screen_does_not_duplicate_a_suggestion_still_waiting(worker, case):
    _complete(worker, case, "ahc_hrsn", hrsn_answers(ahc_food_worry=0))
    _complete(worker, case, "ahc_hrsn", hrsn_answers(ahc_food_worry=0, ahc_transportation=1))

    assert sorted(SuggestedNeed.objects.values_list("domain", flat=True)) == ["food", "transportation"]


def test_an_amendment_does_not_suggest_again_what_the_original_suggested(worker, case):
    original = _complete(worker, case, "ahc_hrsn", hrsn_answers(ahc_food_worry=0))
    need = SuggestedNeed.objects.get()
    services.suggested_need_dismiss(actor=worker, need=need, reason="Already gets SNAP and food pantry.")

    assessment_services.assessment_amend(
        actor=worker, assessment=original, answers={"ahc_transportation": 1}, reason="Misheard question 5."
    )

    assert sorted(SuggestedNeed.objects.values_list("domain", "status")) == [
        ("food", "dismissed"),
        ("transportation", "suggested"),
    ]


def test_dismissing_needs_a_reason_and_keeps_it_out_of_the_audit_log(worker, case):
    _complete(worker, case, "ahc_hrsn", hrsn_answers(ahc_food_worry=0))
    need = SuggestedNeed.objects.get()

    with pytest.raises(ValidationFailed) as exc:
        services.suggested_need_dismiss(actor=worker, need=need, reason=" ")
    assert exc.value.field == "reason"
    need.refresh_from_db()
    assert need.status == SuggestedNeedStatus.SUGGESTED

    dismissed = services.suggested_need_dismiss(actor=worker, need=need, reason="Client has enough food now.")
    assert (dismissed.status, dismissed.decided_by, dismissed.decision_note) == (
        SuggestedNeedStatus.DISMISSED,
        worker,
        "Client has enough food now.",
    )
    event = AuditEvent.objects.get(action="suggested_need.dismiss")
    assert event.changes["decision_note"] == [None, REDACTED]

    with pytest.raises(ValidationFailed):
        services.suggested_need_dismiss(actor=worker, need=dismissed, reason="Again.")


def test_colleague_on_another_team_cannot_dismiss(worker, colleague, case):
    _complete(worker, case, "ahc_hrsn", hrsn_answers(ahc_food_worry=0))
    need = SuggestedNeed.objects.get()

    with pytest.raises(PermissionDenied):
        services.suggested_need_dismiss(actor=colleague, need=need, reason="Not needed.")

    need.refresh_from_db()
    assert need.status == SuggestedNeedStatus.SUGGESTED
