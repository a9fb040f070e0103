"""Completed PHQ-9 and GAD-7 assessments as FHIR R4: a Bundle of a QuestionnaireResponse and an Observation.

Plain dictionaries (no FHIR library at run time); the tests validate them with `fhir.resources.R4B`.
Codes come from the instrument version the assessment was given with (items, LOINC question and
answer codes) and from the instrument (LOINC panel and total score), see REFERENCE.md.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.assessments.models import Assessment, AssessmentStatus
from casework.core.errors import DomainError, ValidationFailed

LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
URI_IDENTIFIER = "urn:ietf:rfc:3986"
# The instruments whose total and answers have LOINC codes Casework maps (REFERENCE.md).
EXPORTABLE = {"phq9", "gad7"}
# Stable resource ids: the same assessment always exports with the same ids.
_NAMESPACE = uuid.UUID("6f1d3c2e-5a4b-4e8f-9c7d-2b1a0e9f8d7c")


class ExportUnavailable(DomainError):
    """The assessment exists but is not (or no longer) in a state that can be exported."""

    status_code = 409


def _unavailable_message() -> str:
    return _("FHIR export is available for completed PHQ-9 and GAD-7 assessments.")


def check_exportable(assessment: Assessment) -> None:
    """Refuse drafts, superseded originals and instruments without a FHIR mapping, with a clear message."""
    if assessment.instrument.code not in EXPORTABLE:
        raise ValidationFailed(
            _unavailable_message() + " " + _("%(name)s has no FHIR mapping.") % {"name": assessment.instrument.name},
            field="instrument",
        )
    if assessment.status == AssessmentStatus.DRAFT:
        raise ExportUnavailable(_unavailable_message() + " " + _("This one is still a draft."), field="status")
    if assessment.status == AssessmentStatus.AMENDED:
        raise ExportUnavailable(
            _unavailable_message() + " " + _("This one was amended: export the amendment instead."), field="status"
        )
    if assessment.total_score is None:
        raise ExportUnavailable(_unavailable_message() + " " + _("This one has no total score."), field="status")


def _uuid(assessment: Assessment, resource: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"assessment:{assessment.pk}:{resource}"))


def _datetime(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _answer(item: dict[str, Any], value: Any) -> dict[str, Any]:
    for option in item.get("options", []):
        if option["value"] == value:
            coding: dict[str, Any] = {"display": option.get("label", str(value))}
            if option.get("loinc"):
                coding = {"system": LOINC, "code": option["loinc"], **coding}
            return {"valueCoding": coding}
    # Validated answers are always options; keep whatever is stored rather than drop it.
    return {"valueString": str(value)}


def questionnaire_response(assessment: Assessment) -> dict[str, Any]:
    """The answers as a QuestionnaireResponse against LOINC's questionnaire for the panel."""
    version = assessment.instrument_version
    instrument = version.instrument
    is_amendment = assessment.amends_id is not None
    items = []
    for item in version.definition.get("items", []):
        key = item["key"]
        if key not in assessment.answers:
            continue
        items.append(
            {
                "linkId": item.get("loinc") or key,
                "text": item.get("text", ""),
                "answer": [_answer(item, assessment.answers[key])],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _uuid(assessment, "questionnaire-response"),
        "identifier": {"system": URI_IDENTIFIER, "value": f"urn:uuid:{_uuid(assessment, 'questionnaire-response')}"},
        "questionnaire": f"{LOINC}/q/{instrument.loinc_panel}",
        "status": "amended" if is_amendment else "completed",
        "subject": {"reference": f"Patient/{assessment.client_id}"},
        "authored": _datetime(assessment.administered_at),
        "author": {
            "reference": f"Practitioner/{assessment.administered_by_id}",
            "display": assessment.administered_by.full_name,
        },
        "item": items,
    }


def observation(assessment: Assessment, *, derived_from: str) -> dict[str, Any]:
    """The total score as a survey Observation, with the band as its interpretation."""
    instrument = assessment.instrument
    band = assessment.band_details() or {}
    notes = [f"{band.get('label', assessment.band)}: {band.get('explanation', '')}".strip()]
    if assessment.prorated:
        notes.append(_("The total is prorated: one item was not answered."))
    if assessment.flags:
        labels = {
            rule["key"]: rule.get("label", rule["key"])
            for rule in assessment.instrument_version.scoring.get("flags", [])
        }
        notes.extend(labels.get(flag, flag) for flag in assessment.flags)
    assert assessment.completed_at is not None  # check_exportable refused drafts
    return {
        "resourceType": "Observation",
        "id": _uuid(assessment, "observation"),
        "identifier": [{"system": URI_IDENTIFIER, "value": f"urn:uuid:{_uuid(assessment, 'observation')}"}],
        "status": "amended" if assessment.amends_id is not None else "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [{"system": LOINC, "code": instrument.loinc_total}],
            "text": _("%(instrument)s total score")
            % {"instrument": assessment.instrument_version.definition.get("title", instrument.name)},
        },
        "subject": {"reference": f"Patient/{assessment.client_id}"},
        "effectiveDateTime": _datetime(assessment.administered_at),
        "issued": _datetime(assessment.completed_at),
        "performer": [
            {
                "reference": f"Practitioner/{assessment.administered_by_id}",
                "display": assessment.administered_by.full_name,
            }
        ],
        "valueInteger": assessment.total_score,
        "interpretation": [{"text": str(band.get("label", assessment.band))}],
        "note": [{"text": text} for text in notes if text],
        "derivedFrom": [{"reference": derived_from}],
    }


def assessment_bundle(assessment: Assessment) -> dict[str, Any]:
    """A collection Bundle: the QuestionnaireResponse and the Observation derived from it."""
    check_exportable(assessment)
    response = questionnaire_response(assessment)
    response_url = f"urn:uuid:{response['id']}"
    total = observation(assessment, derived_from=response_url)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _datetime(timezone.now()),
        "entry": [
            {"fullUrl": response_url, "resource": response},
            {"fullUrl": f"urn:uuid:{total['id']}", "resource": total},
        ],
    }
