"""Reading assessments: access through the client (404 for the colleague and the outsider), trends."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.assessments import selectors, services
from casework.assessments.models import Assessment, AssessmentStatus
from casework.assessments.tests.helpers import answers_for_total
from casework.audit.models import AuditEvent
from casework.cases.selectors import case_get_for_user
from casework.core.errors import NotFound


def _completed(actor, case, total, *, days_ago, code="phq9"):
    assessment = services.assessment_start(
        actor=actor,
        case=case,
        instrument_code=code,
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    services.assessment_answer(
        actor=actor, assessment=assessment, answers=answers_for_total(code, total), expected_version=1
    )
    return services.assessment_complete(actor=actor, assessment=assessment)


def test_the_worker_reads_an_assessment_and_the_read_is_audited(worker, case):
    assessment = _completed(worker, case, 8, days_ago=1)
    found = selectors.assessment_get_for_user(user=worker, assessment_id=assessment.pk)
    assert found.pk == assessment.pk
    assert found.instrument.code == "phq9"
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id, event.object_id) == (
        "assessment.view",
        worker.pk,
        case.client_id,
        str(assessment.pk),
    )


def test_the_supervisor_of_the_team_reads_it_too(worker, supervisor, case):
    assessment = _completed(worker, case, 8, days_ago=1)
    assert selectors.assessment_get_for_user(user=supervisor, assessment_id=assessment.pk).pk == assessment.pk


@pytest.mark.parametrize("who", ["colleague", "outsider", "auditor"])
def test_others_get_not_found_and_nothing_is_recorded(request, worker, case, who):
    user = request.getfixturevalue(who)
    assessment = _completed(worker, case, 8, days_ago=1)
    events = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        selectors.assessment_get_for_user(user=user, assessment_id=assessment.pk)
    with pytest.raises(NotFound):
        selectors.assessment_get_for_user(user=user, assessment_id=assessment.pk + 1000)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_others_cannot_reach_the_case_to_start_answer_or_amend(request, worker, case, who):
    """The services take an authorised case or assessment; the access helpers refuse others first."""
    user = request.getfixturevalue(who)
    assessment = _completed(worker, case, 8, days_ago=1)
    before = list(Assessment.objects.values_list("pk", "status", "answers", "version"))
    events = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        case_get_for_user(user=user, case_id=case.pk)
    with pytest.raises(NotFound):
        selectors.assessment_get_for_user(user=user, assessment_id=assessment.pk, action="assessment.amend")
    assert list(Assessment.objects.values_list("pk", "status", "answers", "version")) == before
    assert AuditEvent.objects.count() == events


def test_assessments_for_case_lists_newest_first_with_few_queries(worker, case, django_assert_max_num_queries):
    old = _completed(worker, case, 3, days_ago=30)
    new = _completed(worker, case, 12, days_ago=1)
    with django_assert_max_num_queries(1):
        rows = list(selectors.assessments_for_case(case=case))
        codes = [row.instrument_version.instrument.code for row in rows]
        names = [row.administered_by.full_name for row in rows]
    assert [row.pk for row in rows] == [new.pk, old.pk]
    assert codes == ["phq9", "phq9"]
    assert names == [worker.full_name, worker.full_name]


def test_scores_for_client_give_the_trend_and_change_since_baseline(worker, case):
    _completed(worker, case, 18, days_ago=90)
    _completed(worker, case, 12, days_ago=45)
    latest = _completed(worker, case, 6, days_ago=1)
    _completed(worker, case, 10, days_ago=20, code="gad7")  # another instrument
    services.assessment_start(
        actor=worker, case=case, instrument_code="phq9", method="phone", administered_at=timezone.now()
    )  # a draft: no score
    # An amendment replaces the score it corrects.
    amendment = services.assessment_amend(actor=worker, assessment=latest, answers={"phq9_1": 1}, reason="Misheard")
    points = selectors.scores_for_client(client=case.client, instrument_code="phq9")
    assert [(p.total, p.band, p.change_since_baseline) for p in points] == [
        (18, "moderately_severe", 0),
        (12, "moderate", -6),
        (4, "minimal", -14),
    ]
    assert points[-1].assessment_id == amendment.pk
    assert points[1].band_label == "Moderate"
    assert Assessment.objects.get(pk=latest.pk).status == AssessmentStatus.AMENDED


def test_scores_for_client_is_empty_without_completed_scores(worker, case):
    assert selectors.scores_for_client(client=case.client, instrument_code="phq9") == []
