"""Writing assessments: start a draft, answer, complete (score), amend a completed one."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.assessments import scoring
from casework.assessments.models import (
    AdministrationMethod,
    Assessment,
    AssessmentStatus,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Sensitivity,
)
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record, diff, redact_text
from casework.cases import permissions as case_permissions
from casework.cases.models import Case, CaseStatus
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.core.validation import clean_or_raise, require_text
from casework.needs import services as need_services
from casework.safety import services as safety_services

EARLIEST_ADMINISTRATION = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC)
RESULT_FIELDS = ["total_score", "prorated", "band", "flags", "positive_screens", "subscores"]


def _answers_hidden_from_audit(version: InstrumentVersion) -> bool:
    # Free text (biopsychosocial) and substance-use answers (42 CFR Part 2) stay out of the
    # append-only log: it records which items changed, not what was said.
    return version.instrument.kind == InstrumentKind.NARRATIVE or version.instrument.sensitivity != Sensitivity.NONE


def _answer_changes(version: InstrumentVersion, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    changes = diff({"answers": dict(before)}, {"answers": dict(after)})
    if _answers_hidden_from_audit(version):
        changes = redact_text(changes, ["answers"])
    return changes


def _result_fields(result: scoring.ScoreResult) -> dict[str, Any]:
    return {
        "total_score": result.total,
        "prorated": result.prorated,
        "band": result.band,
        "flags": result.flags,
        "positive_screens": result.positive_screens,
        "subscores": result.subscores,
    }


def _follow_up_results(actor: User, assessment: Assessment) -> None:
    """Risk flags (urgent task, alerts) and suggested needs from a completed assessment.

    Called explicitly (no signals) in the completing transaction: if any of it fails, the
    assessment is not completed either.
    """
    safety_services.risk_flags_raise_for_assessment(actor=actor, assessment=assessment)
    need_services.needs_suggest_for_assessment(actor=actor, assessment=assessment)


def _require_documenter(actor: User, case: Case) -> None:
    if not case_permissions.can_document_case(actor, case):
        raise PermissionDenied(_("Your role cannot administer assessments."))


def _score(assessment: Assessment, answers: Mapping[str, Any]) -> scoring.ScoreResult:
    version = assessment.instrument_version
    return scoring.score(version.definition, version.scoring, answers, sex=assessment.client.sex)


def _require_complete(result: scoring.ScoreResult, version: InstrumentVersion) -> None:
    if result.complete:
        return
    items = {item["key"]: item for item in version.definition.get("items", [])}
    errors = {
        key: [_("Question %(n)s needs an answer.") % {"n": items[key].get("number", key)}] for key in result.missing
    }
    numbers = ", ".join(str(items[key].get("number", key)) for key in result.missing)
    raise ValidationFailed(
        _("Answer every question before completing (missing: %(numbers)s).") % {"numbers": numbers}, errors=errors
    )


def _check_administered_at(case: Case, administered_at: Any) -> None:
    if not isinstance(administered_at, datetime.datetime) or timezone.is_naive(administered_at):
        raise ValidationFailed(_("Enter when the assessment was given."), field="administered_at")
    if administered_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationFailed(_("An assessment cannot be given in the future."), field="administered_at")
    if administered_at < EARLIEST_ADMINISTRATION:
        raise ValidationFailed(_("Check the year of the assessment date."), field="administered_at")
    dob = case.client.date_of_birth
    if dob and timezone.localtime(administered_at).date() < dob:
        raise ValidationFailed(_("The date is before the client's date of birth."), field="administered_at")


@transaction.atomic
def assessment_start(
    *,
    actor: User,
    case: Case,
    instrument_code: str,
    method: str,
    administered_at: datetime.datetime,
    submission_key: str | None = None,
) -> Assessment:
    """Open a draft assessment with the current version of an instrument (the caller authorised the case)."""
    _require_documenter(actor, case)
    if submission_key:
        existing = Assessment.objects.filter(submission_key=submission_key, administered_by=actor).first()
        if existing is not None:
            return existing
    if case.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("This case is closed; reopen it to record new assessments."), field="case")
    instrument = Instrument.objects.filter(code=instrument_code, is_active=True).first()
    version = instrument.current_version() if instrument is not None else None
    if instrument is None or version is None:
        raise ValidationFailed(_("Choose an instrument from the list."), field="instrument")
    if method not in AdministrationMethod.values:
        raise ValidationFailed(_("Choose how the assessment was given."), field="method")
    _check_administered_at(case, administered_at)
    assessment = Assessment(
        case=case,
        client_id=case.client_id,
        instrument_version=version,
        administered_by=actor,
        administered_at=administered_at,
        method=method,
        submission_key=submission_key or None,
    )
    clean_or_raise(assessment, exclude=["case", "client", "instrument_version", "administered_by", "amends"])
    assessment.save()
    audit_record(
        actor=actor,
        action="assessment.start",
        client_id=case.client_id,
        obj=assessment,
        changes={
            "instrument": [None, instrument.code],
            "instrument_version": [None, version.version],
            "method": [None, method],
            "administered_at": [None, administered_at],
            "sensitivity": [None, instrument.sensitivity],
        },
    )
    return assessment


def _lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update()
        .select_related("instrument_version__instrument", "client", "case")
        .get(pk=assessment.pk)
    )


def _refuse_locked(locked: Assessment) -> None:
    if locked.status == AssessmentStatus.COMPLETED:
        raise ValidationFailed(_("This assessment is completed and locked; amend it instead."), field="status")
    if locked.status == AssessmentStatus.AMENDED:
        raise ValidationFailed(_("This assessment was amended; the amendment is the current record."), field="status")


@transaction.atomic
def assessment_answer(
    *,
    actor: User,
    assessment: Assessment,
    answers: Mapping[str, Any],
    expected_version: int,
    instrument_version: int | None = None,
) -> Assessment:
    """Save answers on a draft (merged onto those saved; a blank answer clears one).

    `instrument_version`, when the form sends it, must be the draft's own: answers typed against
    another version of the instrument are refused rather than mapped.
    """
    locked = _lock(assessment)
    if locked.administered_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who gave the assessment can answer the draft."))
    _refuse_locked(locked)
    if locked.version != expected_version:
        raise VersionConflict(
            _("This draft was saved elsewhere after you opened it."),
            current_version=locked.version,
            changes=changes_since(
                obj=locked, actions=["assessment.answer"], versions=locked.version - expected_version
            ),
        )
    version = locked.instrument_version
    if instrument_version is not None and instrument_version != version.version:
        raise ValidationFailed(
            _("These answers are for version %(given)s of %(instrument)s; this assessment uses version %(own)s.")
            % {"given": instrument_version, "instrument": version.instrument.name, "own": version.version},
            field="instrument_version",
        )
    if not isinstance(answers, Mapping):
        raise ValidationFailed(_("Answers must map item keys to values."), field="answers")
    merged = {**locked.answers, **answers}
    cleaned = scoring.validate_answers(version.definition, merged, label=version.instrument.name)
    before = dict(locked.answers)
    if cleaned == before:
        return locked
    locked.answers = cleaned
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["answers", "version", "updated_at"])
    changes = _answer_changes(version, before, cleaned)
    changes["version"] = [expected_version, locked.version]
    audit_record(actor=actor, action="assessment.answer", client_id=locked.client_id, obj=locked, changes=changes)
    return locked


@transaction.atomic
def assessment_complete(*, actor: User, assessment: Assessment) -> Assessment:
    """Score a draft and lock it; refused while it is incomplete and cannot be prorated."""
    locked = _lock(assessment)
    if locked.administered_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who gave the assessment can complete it."))
    if locked.status != AssessmentStatus.DRAFT:
        raise ValidationFailed(_("This assessment is already completed."), field="status")
    version = locked.instrument_version
    cleaned = scoring.validate_answers(version.definition, locked.answers, label=version.instrument.name)
    result = _score(locked, cleaned)
    _require_complete(result, version)
    for name, value in _result_fields(result).items():
        setattr(locked, name, value)
    locked.status = AssessmentStatus.COMPLETED
    locked.completed_at = timezone.now()
    locked.updated_at = locked.completed_at
    locked.version += 1
    clean_or_raise(locked, exclude=["case", "client", "instrument_version", "administered_by", "amends"])
    locked.save()
    audit_record(
        actor=actor,
        action="assessment.complete",
        client_id=locked.client_id,
        obj=locked,
        changes={
            "status": [AssessmentStatus.DRAFT, AssessmentStatus.COMPLETED],
            **{name: [None, value] for name, value in _result_fields(result).items()},
            "version": [locked.version - 1, locked.version],
        },
    )
    _follow_up_results(actor, locked)
    return locked


@transaction.atomic
def assessment_amend(
    *,
    actor: User,
    assessment: Assessment,
    answers: Mapping[str, Any],
    reason: str,
    submission_key: str | None = None,
) -> Assessment:
    """Correct a completed assessment: a new completed assessment replaces it; the original stays, marked amended.

    `answers` are merged onto the original's (a blank answer clears one); the amendment keeps the
    original's instrument version, administration details and case.
    """
    _require_documenter(actor, assessment.case)
    if submission_key:
        existing = Assessment.objects.filter(submission_key=submission_key, administered_by=actor).first()
        if existing is not None:
            return existing
    original = _lock(assessment)
    if original.status == AssessmentStatus.DRAFT:
        raise ValidationFailed(_("This assessment is a draft: change its answers instead."), field="status")
    if original.status == AssessmentStatus.AMENDED:
        raise ValidationFailed(
            _("This assessment was already amended; amend the current version instead."), field="status"
        )
    reason = require_text(reason, field="reason", message=_("Say why the assessment is amended."), max_length=1000)
    if not isinstance(answers, Mapping):
        raise ValidationFailed(_("Answers must map item keys to values."), field="answers")
    version = original.instrument_version
    cleaned = scoring.validate_answers(
        version.definition, {**original.answers, **answers}, label=version.instrument.name
    )
    if cleaned == original.answers:
        raise ValidationFailed(_("The amendment changes no answer."), field="answers")
    result = _score(original, cleaned)
    _require_complete(result, version)
    now = timezone.now()
    amendment = Assessment(
        case=original.case,
        client_id=original.client_id,
        instrument_version=version,
        status=AssessmentStatus.COMPLETED,
        administered_by=original.administered_by,
        administered_at=original.administered_at,
        method=original.method,
        answers=cleaned,
        completed_at=now,
        created_at=now,
        updated_at=now,
        amends=original,
        amend_reason=reason,
        submission_key=submission_key or None,
        **_result_fields(result),
    )
    clean_or_raise(amendment, exclude=["case", "client", "instrument_version", "administered_by", "amends"])
    amendment.save()
    original.status = AssessmentStatus.AMENDED
    original.version += 1
    original.updated_at = now
    original.save(update_fields=["status", "version", "updated_at"])
    before_result = {name: getattr(original, name) for name in RESULT_FIELDS}
    changes = _answer_changes(version, original.answers, cleaned)
    changes.update(diff(before_result, _result_fields(result)))
    changes["amends"] = [None, original.pk]
    audit_record(
        actor=actor,
        action="assessment.amend",
        client_id=original.client_id,
        obj=amendment,
        reason=reason,
        changes=changes,
    )
    # An amendment that removes a risk answer leaves the open flag alone: a person resolves it.
    _follow_up_results(actor, amendment)
    return amendment
