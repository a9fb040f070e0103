"""Assessment services: start, answer, complete, amend; locking, conflicts, permissions and audit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.accounts.models import Role
from casework.assessments import services
from casework.assessments.models import Assessment, AssessmentStatus, Instrument, InstrumentVersion
from casework.assessments.tests.helpers import answers_for_total
from casework.audit.models import AuditEvent
from casework.audit.services import REDACTED
from casework.cases.models import CaseStatus
from casework.clients.models import Sex
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.testing import UserFactory


def _an_hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


def _start(actor, case, code="phq9", **overrides):
    fields = {"instrument_code": code, "method": "in_person", "administered_at": _an_hour_ago()}
    fields.update(overrides)
    return services.assessment_start(actor=actor, case=case, **fields)


def _completed(actor, case, code="phq9", answers=None):
    assessment = _start(actor, case, code)
    assessment = services.assessment_answer(
        actor=actor, assessment=assessment, answers=answers or answers_for_total(code, 7), expected_version=1
    )
    return services.assessment_complete(actor=actor, assessment=assessment)


def _last_event():
    return AuditEvent.objects.latest("id")


def test_shipped_instruments_are_installed_by_the_migration(db):
    codes = set(Instrument.objects.values_list("code", flat=True))
    assert codes == {
        "phq9", "phq2", "gad7", "gad2", "auditc", "cssrs_screener", "katz_adl", "lawton_iadl", "ahc_hrsn",
        "biopsychosocial",
    }  # fmt: skip
    phq9 = Instrument.objects.get(code="phq9")
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    version = phq9.current_version()
    assert version is not None and version.published_at is not None
    assert version.items[8]["loinc"] == "44260-8"
    assert Instrument.objects.get(code="auditc").sensitivity == "substance_use"
    assert Instrument.objects.get(code="biopsychosocial").kind == "narrative"


def test_starting_opens_a_draft_with_the_current_version_and_audits(worker, case):
    assessment = _start(worker, case, method="phone")
    assert assessment.status == AssessmentStatus.DRAFT
    assert (assessment.client_id, assessment.administered_by, assessment.method) == (case.client_id, worker, "phone")
    assert assessment.instrument_version.instrument.code == "phq9"
    event = _last_event()
    assert (event.action, event.actor_id, event.client_id, event.object_id) == (
        "assessment.start",
        worker.pk,
        case.client_id,
        str(assessment.pk),
    )
    assert event.changes["instrument"] == [None, "phq9"]


def test_starting_twice_with_the_same_submission_key_creates_one(worker, case):
    first = _start(worker, case, submission_key="abc")
    second = _start(worker, case, submission_key="abc")
    assert first.pk == second.pk
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"instrument_code": "prapare"}, "instrument"),
        ({"method": "telepathy"}, "method"),
        ({"administered_at": timezone.now() + datetime.timedelta(days=1)}, "administered_at"),
        ({"administered_at": datetime.datetime(2024, 1, 1)}, "administered_at"),  # naive
        ({"administered_at": "yesterday"}, "administered_at"),
        ({"administered_at": datetime.datetime(1975, 1, 1, tzinfo=datetime.UTC)}, "administered_at"),  # before birth
    ],
)
def test_starting_with_bad_input_is_refused_and_saves_nothing(worker, case, overrides, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as failure:
        _start(worker, case, **overrides)
    assert field in failure.value.errors
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_inactive_instrument_cannot_be_started(worker, case):
    Instrument.objects.filter(code="gad2").update(is_active=False)
    with pytest.raises(ValidationFailed):
        _start(worker, case, code="gad2")


def test_a_closed_case_takes_no_new_assessment(worker, case):
    case.status = CaseStatus.CLOSED
    case.save()
    with pytest.raises(ValidationFailed):
        _start(worker, case)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR])
def test_non_clinical_roles_cannot_start(agency, case, role):
    user = UserFactory(agency=agency, role=role)
    with pytest.raises(PermissionDenied):
        _start(user, case)
    assert not Assessment.objects.exists()


def test_answers_are_saved_merged_and_versioned(worker, case):
    assessment = _start(worker, case)
    assessment = services.assessment_answer(
        actor=worker, assessment=assessment, answers={"phq9_1": 2}, expected_version=1
    )
    assessment = services.assessment_answer(
        actor=worker, assessment=assessment, answers={"phq9_2": "1"}, expected_version=2
    )
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 2, "phq9_2": 1}
    assert assessment.version == 3
    event = _last_event()
    assert event.action == "assessment.answer"
    assert event.changes["answers"] == [{"phq9_1": 2}, {"phq9_1": 2, "phq9_2": 1}]
    assert event.changes["version"] == [2, 3]
    # A blank answer clears one.
    assessment = services.assessment_answer(
        actor=worker, assessment=assessment, answers={"phq9_1": ""}, expected_version=3
    )
    assert assessment.answers == {"phq9_2": 1}


def test_a_stale_version_is_a_conflict_and_changes_nothing(worker, case):
    assessment = _start(worker, case)
    services.assessment_answer(actor=worker, assessment=assessment, answers={"phq9_1": 2}, expected_version=1)
    with pytest.raises(VersionConflict) as conflict:
        services.assessment_answer(actor=worker, assessment=assessment, answers={"phq9_1": 0}, expected_version=1)
    assert conflict.value.current_version == 2
    assert conflict.value.changes[0]["field"] == "answers"
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 2}


def test_bad_answers_are_refused_per_item_and_nothing_is_saved(worker, case):
    assessment = _start(worker, case)
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_answer(
            actor=worker, assessment=assessment, answers={"phq9_1": 1, "phq9_2": 7, "gad7_1": 1}, expected_version=1
        )
    assert set(failure.value.errors) == {"phq9_2", "gad7_1"}
    assessment.refresh_from_db()
    assert (assessment.answers, assessment.version) == ({}, 1)


def test_answers_for_another_instrument_version_are_refused(worker, case):
    assessment = _start(worker, case)
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_answer(
            actor=worker, assessment=assessment, answers={"phq9_1": 1}, expected_version=1, instrument_version=2
        )
    assert "instrument_version" in failure.value.errors
    assessment.refresh_from_db()
    assert assessment.answers == {}


def test_cssrs_skipped_answers_are_refused_by_the_service(worker, case):
    assessment = _start(worker, case, code="cssrs_screener")
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_answer(
            actor=worker,
            assessment=assessment,
            answers={"cssrs_1": 0, "cssrs_2": 0, "cssrs_4": 1, "cssrs_6": 0},
            expected_version=1,
        )
    assert list(failure.value.errors) == ["cssrs_4"]


def test_only_the_person_who_gave_it_answers_the_draft(worker, supervisor, case):
    assessment = _start(worker, case)
    with pytest.raises(PermissionDenied):
        services.assessment_answer(actor=supervisor, assessment=assessment, answers={"phq9_1": 1}, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.assessment_complete(actor=supervisor, assessment=assessment)
    assessment.refresh_from_db()
    assert (assessment.answers, assessment.status) == ({}, AssessmentStatus.DRAFT)


def test_completing_scores_locks_and_audits(worker, case):
    answers = answers_for_total("phq9", 11) | {"phq9_9": 1}
    assessment = _completed(worker, case, answers=answers)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.completed_at is not None
    assert (assessment.total_score, assessment.band) == (sum(answers.values()), "moderate")
    assert assessment.flags == ["self_harm"]
    assert assessment.positive_screens == ["depression"]
    assert assessment.band_details()["label"] == "Moderate"
    # The risk flag, its task and alerts are audited after it (casework.safety).
    event = AuditEvent.objects.filter(action="assessment.complete").latest("id")
    assert event.object_id == str(assessment.pk)
    assert event.changes["status"] == ["draft", "completed"]
    assert event.changes["flags"] == [None, ["self_harm"]]


def test_completing_an_incomplete_assessment_is_refused(worker, case):
    assessment = _start(worker, case)
    answers = answers_for_total("phq9", 5)
    del answers["phq9_1"], answers["phq9_2"]
    services.assessment_answer(actor=worker, assessment=assessment, answers=answers, expected_version=1)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_complete(actor=worker, assessment=assessment)
    assert set(failure.value.errors) == {"phq9_1", "phq9_2"}
    assert "missing: 1, 2" in failure.value.message
    assessment.refresh_from_db()
    assert (assessment.status, assessment.total_score) == (AssessmentStatus.DRAFT, None)
    assert AuditEvent.objects.count() == events


def test_completing_with_one_phq9_item_missing_stores_a_prorated_score(worker, case):
    answers = {f"phq9_{n}": 2 for n in range(1, 10)}
    del answers["phq9_4"]
    assessment = _completed(worker, case, answers=answers)
    assert (assessment.total_score, assessment.prorated, assessment.band) == (18, True, "moderately_severe")


def test_completing_twice_is_refused(worker, case):
    assessment = _completed(worker, case)
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_complete(actor=worker, assessment=assessment)
    assert "already completed" in failure.value.message
    assert AuditEvent.objects.filter(action="assessment.complete").count() == 1


def test_editing_a_completed_assessment_is_refused(worker, case):
    assessment = _completed(worker, case)
    before = dict(assessment.answers)
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_answer(
            actor=worker, assessment=assessment, answers={"phq9_1": 3}, expected_version=assessment.version
        )
    assert "amend" in failure.value.message
    assessment.refresh_from_db()
    assert assessment.answers == before


def test_the_score_uses_the_clients_sex(worker, case):
    case.client.sex = Sex.MALE
    case.client.save()
    male = _completed(worker, case, code="auditc", answers=answers_for_total("auditc", 3))
    assert (male.band, male.positive_screens) == ("negative", [])
    case.client.sex = Sex.FEMALE
    case.client.save()
    female = _completed(worker, case, code="auditc", answers=answers_for_total("auditc", 3))
    assert (female.band, female.positive_screens) == ("positive", ["alcohol"])


def test_substance_use_answers_are_kept_out_of_the_audit_log(worker, case):
    assessment = _start(worker, case, code="auditc")
    services.assessment_answer(actor=worker, assessment=assessment, answers={"auditc_1": 3}, expected_version=1)
    event = _last_event()
    assert event.changes["answers"] == [{}, REDACTED]
    assert event.changes["answers_changed"] == ["auditc_1"]
    assert assessment.sensitivity == "substance_use"


def test_biopsychosocial_text_stays_out_of_the_audit_log(worker, case):
    assessment = _start(worker, case, code="biopsychosocial")
    secret = "Client disclosed a conviction in 2019."
    assessment = services.assessment_answer(
        actor=worker,
        assessment=assessment,
        answers={"presenting_problem": "Eviction notice.", "legal": secret, "client_goals": "Stay housed."},
        expected_version=1,
    )
    completed = services.assessment_complete(actor=worker, assessment=assessment)
    assert completed.total_score is None
    for event in AuditEvent.objects.filter(object_id=str(assessment.pk)):
        assert secret not in str(event.changes)
        assert "Eviction" not in str(event.changes)
    answer_event = AuditEvent.objects.get(action="assessment.answer", object_id=str(assessment.pk))
    assert answer_event.changes["answers_changed"] == ["client_goals", "legal", "presenting_problem"]


def test_amending_creates_a_linked_assessment_and_keeps_the_original(worker, case):
    original = _completed(worker, case, answers=answers_for_total("phq9", 4))
    original_answers = dict(original.answers)
    amendment = services.assessment_amend(
        actor=worker, assessment=original, answers={"phq9_9": 2}, reason="Client corrected item 9 at the end."
    )
    original.refresh_from_db()
    assert original.status == AssessmentStatus.AMENDED
    assert (original.answers, original.total_score, original.band) == (original_answers, 4, "minimal")
    assert amendment.amends_id == original.pk
    assert amendment.status == AssessmentStatus.COMPLETED
    assert amendment.instrument_version_id == original.instrument_version_id
    assert (amendment.administered_at, amendment.administered_by_id) == (original.administered_at, worker.pk)
    assert amendment.answers == {**original_answers, "phq9_9": 2}
    assert (amendment.total_score, amendment.band, amendment.flags) == (6, "mild", ["self_harm"])
    event = AuditEvent.objects.filter(action="assessment.amend").latest("id")
    assert (event.action, event.object_id, event.reason) == (
        "assessment.amend",
        str(amendment.pk),
        "Client corrected item 9 at the end.",
    )
    assert event.changes["amends"] == [None, original.pk]
    assert event.changes["total_score"] == [4, 6]


@pytest.mark.parametrize(
    ("answers", "reason", "field"),
    [
        ({"phq9_9": 2}, "   ", "reason"),
        ({"phq9_9": 9}, "Typo", "phq9_9"),
        ({}, "Nothing really", "answers"),
        ({"phq9_1": None, "phq9_2": None}, "Two unknown", "phq9_1"),
    ],
)
def test_a_bad_amendment_is_refused_and_the_original_stays_completed(worker, case, answers, reason, field):
    original = _completed(worker, case)
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_amend(actor=worker, assessment=original, answers=answers, reason=reason)
    assert field in failure.value.errors
    original.refresh_from_db()
    assert original.status == AssessmentStatus.COMPLETED
    assert Assessment.objects.count() == 1


def test_a_draft_or_an_already_amended_assessment_cannot_be_amended(worker, case):
    draft = _start(worker, case)
    with pytest.raises(ValidationFailed):
        services.assessment_amend(actor=worker, assessment=draft, answers={"phq9_1": 1}, reason="x")
    original = _completed(worker, case)
    services.assessment_amend(actor=worker, assessment=original, answers={"phq9_1": 1}, reason="Corrected")
    with pytest.raises(ValidationFailed) as failure:
        services.assessment_amend(actor=worker, assessment=original, answers={"phq9_1": 2}, reason="Again")
    assert "current version" in failure.value.message
    assert Assessment.objects.filter(amends=original).count() == 1


def test_old_assessments_keep_their_instrument_version(worker, case):
    old = _completed(worker, case, code="phq2", answers={"phq2_1": 1, "phq2_2": 1})
    current = old.instrument_version
    InstrumentVersion.objects.create(
        instrument=current.instrument,
        version=2,
        definition=current.definition,
        scoring={
            **current.scoring,
            "bands": [{**band, "label": band["label"] + " (v2)"} for band in current.scoring["bands"]],
        },
        published_at=timezone.now(),
    )
    new = _start(worker, case, code="phq2")
    old.refresh_from_db()
    assert (old.instrument_version.version, new.instrument_version.version) == (1, 2)
    assert old.band_details()["label"] == "Negative screen"
