"""Writing assessments: start a draft, answer, complete (score), amend a completed one."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.assessments import scoring
from casework.assessments.definitions.validation import definition_errors
from casework.assessments.models import (
    AdministrationMethod,
    Assessment,
    AssessmentStatus,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Sensitivity,
)
from casework.assessments.permissions import can_author_instruments
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record, diff, redact_text
from casework.cases import permissions as case_permissions
from casework.cases.models import Case, CaseStatus
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.core.submissions import insert_once
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

    def earlier() -> Assessment | None:
        return Assessment.objects.filter(submission_key=submission_key, administered_by=actor).first()

    if submission_key and (existing := earlier()) is not None:
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
    assessment, inserted = insert_once(assessment, key=submission_key, earlier=earlier)
    if not inserted:
        return assessment
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

    def earlier() -> Assessment | None:
        return Assessment.objects.filter(submission_key=submission_key, administered_by=actor).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    original = _lock(assessment)
    # A twin submit of this form may have amended the original while this one waited on its
    # lock: the twin's amendment is the answer, not "already amended".
    if submission_key and (existing := earlier()) is not None:
        return existing
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
    amendment, inserted = insert_once(amendment, key=submission_key, earlier=earlier)
    if not inserted:
        return amendment
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


# --- Authoring instruments (administrators) -----------------------------------------------


def _require_author(actor: User) -> None:
    if not can_author_instruments(actor):
        raise PermissionDenied(_("Only administrators can change instruments."))


def _canonical_json(value: Any) -> Any:
    # Stored exactly as JSON round-trips it, so "unchanged" compares like with like.
    return json.loads(json.dumps(value))


def _checked_definition(instrument: Instrument, definition: Any, scoring: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The definition and scoring as they will be stored; ValidationFailed lists every error."""
    if isinstance(definition, Mapping):
        definition = {**definition, "kind": instrument.kind}
    errors = definition_errors(definition, scoring)
    if errors:
        raise ValidationFailed(errors[0], errors={"definition": errors})
    return _canonical_json(definition), _canonical_json(scoring)


INSTRUMENT_DETAIL_FIELDS = ["name", "loinc_panel", "loinc_total", "sensitivity"]


@transaction.atomic
def instrument_create(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    loinc_panel: str = "",
    loinc_total: str = "",
    sensitivity: str = "",
) -> Instrument:
    """Add an instrument to the catalogue; it is offered once a version of it is published."""
    _require_author(actor)
    if Instrument.objects.filter(code=code).exists():
        raise ValidationFailed(_("An instrument with the code %(code)s exists already.") % {"code": code}, field="code")
    instrument = Instrument(
        code=code,
        name=(name or "").strip(),
        kind=kind,
        loinc_panel=(loinc_panel or "").strip(),
        loinc_total=(loinc_total or "").strip(),
        sensitivity=sensitivity or "",
        is_active=True,
    )
    clean_or_raise(instrument)
    instrument.save()
    audit_record(
        actor=actor,
        action="instrument.create",
        obj=instrument,
        changes=diff({}, {f: getattr(instrument, f) for f in ["code", "kind", *INSTRUMENT_DETAIL_FIELDS]}),
    )
    return instrument


@transaction.atomic
def instrument_update(
    *, actor: User, instrument: Instrument, name: str, loinc_panel: str, loinc_total: str, sensitivity: str
) -> Instrument:
    """Change an instrument's name, codes or sensitivity (its code and kind never change)."""
    _require_author(actor)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    before = {f: getattr(instrument, f) for f in INSTRUMENT_DETAIL_FIELDS}
    instrument.name = (name or "").strip()
    instrument.loinc_panel = (loinc_panel or "").strip()
    instrument.loinc_total = (loinc_total or "").strip()
    instrument.sensitivity = sensitivity or ""
    clean_or_raise(instrument)
    changes = diff(before, {f: getattr(instrument, f) for f in INSTRUMENT_DETAIL_FIELDS})
    if changes:
        instrument.save(update_fields=INSTRUMENT_DETAIL_FIELDS)
        audit_record(actor=actor, action="instrument.update", obj=instrument, changes=changes)
    return instrument


@transaction.atomic
def instrument_set_active(*, actor: User, instrument: Instrument, is_active: bool) -> Instrument:
    """Offer an instrument for new assessments, or stop offering it (given assessments are kept)."""
    _require_author(actor)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.is_active != is_active:
        instrument.is_active = is_active
        instrument.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="instrument.activate" if is_active else "instrument.deactivate",
            obj=instrument,
            changes={"is_active": [not is_active, is_active]},
        )
    return instrument


@transaction.atomic
def instrument_version_draft(
    *, actor: User, instrument: Instrument, definition: Any, scoring: Any
) -> InstrumentVersion:
    """Start the next version of an instrument as an unpublished draft (one draft at a time)."""
    _require_author(actor)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    draft = instrument.versions.filter(published_at__isnull=True).first()
    if draft is not None:
        raise ValidationFailed(
            _("Version %(n)s of %(instrument)s is still a draft: change or publish it first.")
            % {"n": draft.version, "instrument": instrument},
            field="instrument",
        )
    definition, scoring = _checked_definition(instrument, definition, scoring)
    latest = instrument.versions.order_by("-version").first()
    version = InstrumentVersion(
        instrument=instrument,
        version=(latest.version + 1) if latest is not None else 1,
        definition=definition,
        scoring=scoring,
        published_at=None,
    )
    clean_or_raise(version)
    version.save()
    audit_record(
        actor=actor,
        action="instrument_version.draft",
        obj=version,
        changes={"version": [None, version.version], "instrument": [None, instrument.code]},
    )
    return version


@transaction.atomic
def instrument_version_update(
    *, actor: User, version: InstrumentVersion, definition: Any, scoring: Any
) -> InstrumentVersion:
    """Change a draft version's definition or scoring; a published version is never changed."""
    _require_author(actor)
    version = InstrumentVersion.objects.select_for_update().select_related("instrument").get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationFailed(
            _("%(version)s is published and cannot be changed: copy it as a new draft version.") % {"version": version},
            field="definition",
        )
    definition, scoring = _checked_definition(version.instrument, definition, scoring)
    changes = diff(
        {"definition": version.definition, "scoring": version.scoring}, {"definition": definition, "scoring": scoring}
    )
    if changes:
        version.definition = definition
        version.scoring = scoring
        version.save(update_fields=["definition", "scoring"])
        audit_record(actor=actor, action="instrument_version.update", obj=version, changes=changes)
    return version


@transaction.atomic
def instrument_version_publish(*, actor: User, version: InstrumentVersion) -> InstrumentVersion:
    """Publish a draft after checking it again: from now on new assessments of the instrument use it."""
    _require_author(actor)
    version = InstrumentVersion.objects.select_for_update().select_related("instrument").get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationFailed(_("%(version)s is published already.") % {"version": version}, field="version")
    _checked_definition(version.instrument, version.definition, version.scoring)
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="instrument_version.publish",
        obj=version,
        changes={"published_at": [None, version.published_at.isoformat()]},
    )
    return version


IMPORT_FIELDS = ("code", "name", "kind", "loinc_panel", "loinc_total", "sensitivity", "definition", "scoring")


def instrument_import(*, actor: User, data: Any, publish: bool = False) -> list[str]:
    """Bring one instrument file ({code, name, kind, ..., definition, scoring}) into the catalogue.

    All or nothing: on bad input ValidationFailed lists every error and nothing changes. The same
    file twice changes nothing; a changed file never rewrites a published version but becomes (or
    updates) the next draft version. Returns what it did, one line per step.
    """
    _require_author(actor)
    if not isinstance(data, Mapping):
        raise ValidationFailed(_("The file must hold one JSON object."), field="file")
    missing = [name for name in IMPORT_FIELDS if name not in data]
    if missing:
        message = _("The file lacks: %(fields)s.") % {"fields": ", ".join(missing)}
        raise ValidationFailed(message, errors={"file": [message]})
    with transaction.atomic():
        report: list[str] = []
        code = str(data["code"])
        instrument = Instrument.objects.filter(code=code).first()
        details = {name: data[name] or "" for name in INSTRUMENT_DETAIL_FIELDS}
        if instrument is None:
            instrument = instrument_create(actor=actor, code=code, kind=data["kind"], **details)
            report.append(f"{code}: instrument added")
        else:
            if instrument.kind != data["kind"]:
                raise ValidationFailed(
                    _("%(code)s is a %(kind)s instrument; its kind cannot change.")
                    % {"code": code, "kind": instrument.kind},
                    field="kind",
                )
            if any(getattr(instrument, name) != value for name, value in details.items()):
                instrument_update(actor=actor, instrument=instrument, **details)
                report.append(f"{code}: details updated")
        definition, scoring_rules = _checked_definition(instrument, data["definition"], data["scoring"])
        latest = instrument.versions.order_by("-version").first()
        if latest is not None and latest.definition == definition and latest.scoring == scoring_rules:
            version = latest
            state = "published" if latest.published_at else "draft"
            report.append(f"{code} v{latest.version} up to date ({state})")
        elif latest is not None and latest.published_at is None:
            version = instrument_version_update(
                actor=actor, version=latest, definition=definition, scoring=scoring_rules
            )
            report.append(f"{code} v{version.version}: draft updated")
        else:
            version = instrument_version_draft(
                actor=actor, instrument=instrument, definition=definition, scoring=scoring_rules
            )
            report.append(f"{code} v{version.version}: new draft version")
        if publish and version.published_at is None:
            instrument_version_publish(actor=actor, version=version)
            report.append(f"{code} v{version.version} published")
        return report
