"""API schemas for instruments, assessments and score trends."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from casework.assessments import scoring
from casework.assessments.models import AdministrationMethod, Assessment, Instrument, InstrumentVersion
from casework.cases.schemas import StaffRef
from casework.core.api import InputSchema

# --- Instruments ------------------------------------------------------------------------------


class OptionOut(Schema):
    """One answer of an item: the value to send, its label, its score and LOINC answer code."""

    value: int
    label: str
    score: int
    loinc: str
    exclusive: bool = False


class ItemOut(Schema):
    """One question. `ask_if` is the skip-logic condition (asked only when it holds); null when always asked."""

    key: str
    number: str
    text: str
    type: str
    loinc: str
    required: bool
    options: list[OptionOut]
    ask_if: dict[str, Any] | None = None
    max_length: int | None = None


class BandOut(Schema):
    """A severity band: a total range (`min`..`max`), or a rule (`when`) for instruments without a total."""

    key: str
    label: str
    explanation: str
    min: int | None = None
    max: int | None = None
    sex: str | None = None
    when: dict[str, Any] | None = None


class RuleOut(Schema):
    """A flag or a positive screen the instrument raises."""

    key: str
    label: str


def _item_out(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": item["key"],
        "number": str(item.get("number", item["key"])),
        "text": item.get("text", ""),
        "type": item.get("type", "choice"),
        "loinc": item.get("loinc", ""),
        "required": bool(item.get("required", True)),
        "options": [
            {
                "value": option["value"],
                "label": option.get("label", ""),
                "score": int(option.get("score", option["value"])),
                "loinc": option.get("loinc", ""),
                "exclusive": bool(option.get("exclusive", False)),
            }
            for option in item.get("options", [])
        ],
        "ask_if": item.get("ask_if") or None,
        "max_length": item.get("max_length"),
    }


class InstrumentRead(Schema):
    """An active instrument with its current published version: what to ask and how it is scored."""

    code: str
    name: str
    kind: str
    sensitivity: str
    loinc_panel: str
    loinc_total: str
    version: int
    title: str
    instructions: str
    scoring_method: str
    min_total: int | None
    max_total: int | None
    missing_rule: str
    items: list[ItemOut]
    bands: list[BandOut]
    flags: list[RuleOut]
    positive_screens: list[RuleOut]
    source: str

    @staticmethod
    def from_instrument(instrument: Instrument, version: InstrumentVersion) -> dict[str, Any]:
        definition, rules = version.definition, version.scoring
        return {
            "code": instrument.code,
            "name": instrument.name,
            "kind": instrument.kind,
            "sensitivity": instrument.sensitivity,
            "loinc_panel": instrument.loinc_panel,
            "loinc_total": instrument.loinc_total,
            "version": version.version,
            "title": definition.get("title", instrument.name),
            "instructions": definition.get("instructions", ""),
            "scoring_method": rules.get("method", "none"),
            "min_total": scoring.min_total(definition, rules),
            "max_total": scoring.max_total(definition, rules),
            "missing_rule": rules.get("missing", {}).get("rule", "incomplete"),
            "items": [_item_out(item) for item in definition.get("items", [])],
            "bands": [
                {
                    "key": band["key"],
                    "label": band.get("label", ""),
                    "explanation": band.get("explanation", ""),
                    "min": band.get("min"),
                    "max": band.get("max"),
                    "sex": band.get("sex"),
                    "when": band.get("when"),
                }
                for band in rules.get("bands", [])
            ],
            "flags": [{"key": rule["key"], "label": rule.get("label", "")} for rule in rules.get("flags", [])],
            "positive_screens": [
                {"key": rule["key"], "label": rule.get("label", "")} for rule in rules.get("positive_screens", [])
            ],
            "source": str(rules.get("source", "")),
        }


# --- Assessments ------------------------------------------------------------------------------


class InstrumentRef(Schema):
    """The instrument and the version an assessment was given with."""

    code: str
    name: str
    version: int
    sensitivity: str


class AssessmentRead(Schema):
    """An assessment. Drafts take answers; completed ones are scored and locked (amend to correct them)."""

    id: int
    case_id: int
    client_id: int
    instrument: InstrumentRef
    status: str
    method: str
    administered_at: datetime.datetime
    administered_by: StaffRef
    answers: dict[str, Any]
    missing: list[str] = Field(..., description="Required questions still unanswered (after skip logic).")
    total_score: int | None
    max_total: int | None
    prorated: bool
    band: str
    band_label: str
    band_explanation: str
    flags: list[str]
    positive_screens: list[str]
    subscores: dict[str, int | None]
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    amends_id: int | None
    amended_by_id: int | None
    amend_reason: str
    version: int

    @staticmethod
    def resolve_instrument(obj: Assessment) -> dict[str, Any]:
        version = obj.instrument_version
        return {
            "code": version.instrument.code,
            "name": version.instrument.name,
            "version": version.version,
            "sensitivity": version.instrument.sensitivity,
        }

    @staticmethod
    def resolve_missing(obj: Assessment) -> list[str]:
        return scoring.missing_items(obj.instrument_version.definition, obj.answers) if obj.is_editable else []

    @staticmethod
    def resolve_max_total(obj: Assessment) -> int | None:
        return scoring.max_total(obj.instrument_version.definition, obj.instrument_version.scoring)

    @staticmethod
    def resolve_band_label(obj: Assessment) -> str:
        return str((obj.band_details() or {}).get("label", ""))

    @staticmethod
    def resolve_band_explanation(obj: Assessment) -> str:
        return str((obj.band_details() or {}).get("explanation", ""))

    @staticmethod
    def resolve_amended_by_id(obj: Assessment) -> int | None:
        try:
            return obj.amended_by.pk  # type: ignore[attr-defined]
        except Assessment.DoesNotExist:
            return None


class AssessmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssessmentRead]


def _aware_datetime(value: Any) -> Any:
    """Times arrive as ISO 8601 strings with a UTC offset; numbers are not read as timestamps."""
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})", value.strip()
    ):
        raise ValueError("Enter a date and time with its UTC offset, like 2025-05-01T14:30:00-05:00.")
    try:
        return datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("That date or time does not exist; check the day, hour and UTC offset.") from None


AwareDateTime = Annotated[datetime.datetime, BeforeValidator(_aware_datetime)]
Answers = dict[str, Any]


class AssessmentCreate(InputSchema):
    """Open a draft with the instrument's current version; `answers` may be given at once."""

    instrument: str = Field(..., max_length=40, description="An instrument code from GET /instruments.")
    method: AdministrationMethod
    administered_at: AwareDateTime | None = Field(None, description="When it was given; now when left out.")
    answers: Answers = Field(default_factory=dict, description="Item key → option value (text for narratives).")


class AssessmentUpdate(InputSchema):
    """Answers for a draft, merged onto those saved (null or "" clears one)."""

    answers: Answers
    instrument_version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The instrument version the answers were typed against."
    )
    version: int | None = Field(None, ge=1, description="The version edited (or send its ETag in If-Match).")


class AssessmentAmend(InputSchema):
    """Corrected answers (merged onto the original's) and why."""

    answers: Answers
    reason: str = Field(..., max_length=1000)
    version: int | None = Field(None, ge=1, description="Optional: refuse if the assessment changed since.")


# --- Score trend ------------------------------------------------------------------------------


class ScorePointOut(Schema):
    assessment_id: int
    administered_at: datetime.datetime
    total: int
    band: str
    band_label: str
    prorated: bool
    change_since_baseline: int


class ScoreTrend(Schema):
    """A client's completed scores on one instrument, oldest first, with the bands to draw."""

    client_id: int
    instrument: str
    name: str
    min_total: int | None
    max_total: int | None
    baseline: int | None
    latest: int | None
    change_since_baseline: int | None
    bands: list[BandOut]
    points: list[ScorePointOut]
