"""Assessments in the JSON API: instruments, a case's assessments, answer/complete/amend, trends, FHIR.

Handlers: access helper, then a service or selector, then a schema, as in the other apps.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.accounts.models import User
from casework.assessments import fhir, selectors, services
from casework.assessments.models import Assessment, AssessmentStatus, Instrument, InstrumentVersion
from casework.assessments.schemas import (
    AssessmentAmend,
    AssessmentCreate,
    AssessmentPage,
    AssessmentRead,
    AssessmentUpdate,
    InstrumentRead,
    ScoreTrend,
)
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record
from casework.cases.selectors import case_get_for_user
from casework.clients.selectors import client_get_for_user
from casework.core.api import (
    EDIT_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    IdempotentCreate,
    PageParams,
    expected_version,
    paginate,
    precondition,
    refuse_nul,
    request_user,
    submission_key,
    with_etag,
)
from casework.core.errors import NotFound, ValidationFailed, VersionConflict

router = Router(tags=["assessments"])

STATUS_FILTERS = ["", *[status.value for status in AssessmentStatus]]
EXPORT_ERRORS = {**READ_ERRORS, 409: ErrorOut}


# --- Helpers ----------------------------------------------------------------------------------


def _reload(user: User, assessment: Assessment) -> Assessment:
    """The assessment as AssessmentRead shows it, after a write the service audited."""
    return selectors.assessment_get_for_user(user=user, assessment_id=assessment.pk, audit=False)


def _once(user: User, key: str | None, *, failure: str) -> IdempotentCreate[Assessment]:
    """The assessment an earlier request with the same Idempotency-Key created, or one new one."""
    return IdempotentCreate(
        key=key,
        find=lambda: Assessment.objects.filter(submission_key=key, administered_by=user).first(),
        failure=failure,
    )


def _replay(user: User, assessment: Assessment, response: HttpResponse) -> Assessment:
    """The earlier submission's assessment, through the access helper (audited as a view)."""
    return with_etag(selectors.assessment_get_for_user(user=user, assessment_id=assessment.pk), response)


def _check_version(assessment: Assessment, version: int | None) -> None:
    """Refuse a write made against an older version (optional on complete and amend), under a row lock."""
    if version is None:
        return
    current = Assessment.objects.select_for_update().values_list("version", flat=True).get(pk=assessment.pk)
    if current != version:
        raise VersionConflict(
            _("This assessment was saved elsewhere after you opened it."),
            current_version=current,
            changes=changes_since(
                obj=assessment,
                actions=["assessment.answer", "assessment.complete", "assessment.amend"],
                versions=current - version,
            ),
        )


def _optional_version(if_match: str | None, version: int | None, current: int) -> tuple[int | None, bool]:
    if (if_match and if_match.strip()) or version is not None:
        return expected_version(if_match=if_match, version=version, current=current)
    return None, False


def _instruments(code: str | None = None) -> list[tuple[Instrument, InstrumentVersion]]:
    """Active instruments (or the one with `code`) with their current published version (two queries)."""
    published = InstrumentVersion.objects.filter(published_at__isnull=False).order_by("-version")
    instruments = selectors.instruments_available()
    if code is not None:
        instruments = instruments.filter(code=code)
    instruments = instruments.prefetch_related(Prefetch("versions", queryset=published, to_attr="published_versions"))
    return [
        (instrument, instrument.published_versions[0])  # type: ignore[attr-defined]
        for instrument in instruments
        if instrument.published_versions  # type: ignore[attr-defined]
    ]


# --- Instruments ------------------------------------------------------------------------------


@router.get("/instruments", response={200: list[InstrumentRead], **READ_ERRORS}, summary="Instruments to give")
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    """Active instruments with their current version: items, answer options, bands, flags, sensitivity."""
    request_user(request)
    return [InstrumentRead.from_instrument(instrument, version) for instrument, version in _instruments()]


@router.get("/instruments/{code}", response={200: InstrumentRead, **READ_ERRORS}, summary="One instrument")
def get_instrument(request: HttpRequest, code: str) -> dict[str, Any]:
    """An active instrument by code (phq9, gad7, auditc, ...) with its current version."""
    request_user(request)
    for instrument, version in _instruments(refuse_nul(code, field="code")):
        return InstrumentRead.from_instrument(instrument, version)
    raise NotFound(_("No active instrument with that code."))


# --- A case's assessments ---------------------------------------------------------------------


@router.get(
    "/cases/{int:case_id}/assessments",
    response={200: AssessmentPage, **READ_ERRORS},
    summary="List a case's assessments",
)
def list_assessments(
    request: HttpRequest,
    case_id: int,
    page: Query[PageParams],
    status: str = Query("", description="draft, completed or amended; all when empty"),
    instrument: str = Query("", max_length=40, description="An instrument code; all when empty"),
) -> dict[str, Any]:
    """A case's assessments, newest first, with answers and scores."""
    user = request_user(request)
    status = refuse_nul(status, field="status")
    instrument = refuse_nul(instrument, field="instrument")
    if status not in STATUS_FILTERS:
        raise ValidationFailed(_("Unknown assessment status."), field="status")
    case = case_get_for_user(user=user, case_id=case_id, action="assessment.list")
    assessments = selectors.assessments_for_case(case=case).select_related("amended_by")
    if status:
        assessments = assessments.filter(status=status)
    if instrument:
        assessments = assessments.filter(instrument_version__instrument__code=instrument)
    return paginate(assessments, page)


@router.post(
    "/cases/{int:case_id}/assessments",
    response={201: AssessmentRead, 200: AssessmentRead, **WRITE_ERRORS},
    summary="Start an assessment (draft)",
)
def create_assessment(
    request: HttpRequest,
    case_id: int,
    payload: AssessmentCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Assessment]:
    """A draft with the instrument's current version; answers may come at once.

    The same Idempotency-Key on this case returns the first assessment (200).
    """
    user = request_user(request)
    case = case_get_for_user(user=user, case_id=case_id, audit=False)
    key = submission_key(user, idempotency_key, scope=f"case:{case.pk}")
    once = _once(user, key, failure=_("The assessment could not be saved; please try again."))
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, _replay(user, earlier, response))

    def start() -> Assessment:
        assessment = services.assessment_start(
            actor=user,
            case=case,
            instrument_code=payload.instrument,
            method=str(payload.method),
            administered_at=payload.administered_at or timezone.now(),
            submission_key=key,
        )
        # The service answers a twin request with its assessment: that one already has its answers.
        if payload.answers and once.inserted_now(assessment):
            assessment = services.assessment_answer(
                actor=user, assessment=assessment, answers=payload.answers, expected_version=assessment.version
            )
        return assessment

    assessment, created = once.create(start)
    if not created:
        return Status(200, _replay(user, assessment, response))
    response["Location"] = f"/api/v1/assessments/{assessment.pk}"
    return Status(201, with_etag(_reload(user, assessment), response))


# --- One assessment ---------------------------------------------------------------------------


@router.get("/assessments/{int:assessment_id}", response={200: AssessmentRead, **READ_ERRORS}, summary="Read one")
def get_assessment(request: HttpRequest, assessment_id: int, response: HttpResponse) -> Assessment:
    """One assessment with answers and score; the ETag header carries its version."""
    user = request_user(request)
    return with_etag(selectors.assessment_get_for_user(user=user, assessment_id=assessment_id), response)


@router.patch(
    "/assessments/{int:assessment_id}", response={200: AssessmentRead, **EDIT_ERRORS}, summary="Answer a draft"
)
def update_assessment(
    request: HttpRequest,
    assessment_id: int,
    payload: AssessmentUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Assessment:
    """Answers merged onto the draft's (null clears one). Only drafts, only by who gave it; send the version."""
    user = request_user(request)
    assessment = selectors.assessment_get_for_user(user=user, assessment_id=assessment_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=assessment.version)
    with precondition(used_if_match):
        updated = services.assessment_answer(
            actor=user,
            assessment=assessment,
            answers=payload.answers,
            expected_version=version,
            instrument_version=payload.instrument_version,
        )
    if updated.version == version:
        audit_record(actor=user, action="assessment.view", client_id=updated.client_id, obj=updated)
    return with_etag(_reload(user, updated), response)


@router.post(
    "/assessments/{int:assessment_id}/complete",
    response={200: AssessmentRead, **EDIT_ERRORS},
    summary="Score and lock a draft",
)
def complete_assessment(
    request: HttpRequest,
    assessment_id: int,
    response: HttpResponse,
    version: int | None = Query(None, ge=1, le=MAX_ID, description="Optional: refuse if the draft changed since."),
    if_match: str | None = Header(None, alias="If-Match"),
) -> Assessment:
    """Scored by the instrument's rules; refused while questions are missing (unless it may be prorated).

    No body. The version is optional (If-Match or `?version=`); when given, a stale one is refused.
    """
    user = request_user(request)
    assessment = selectors.assessment_get_for_user(user=user, assessment_id=assessment_id, audit=False)
    expected, used_if_match = _optional_version(if_match, version, assessment.version)
    with precondition(used_if_match), transaction.atomic():
        _check_version(assessment, expected)
        completed = services.assessment_complete(actor=user, assessment=assessment)
    return with_etag(_reload(user, completed), response)


@router.post(
    "/assessments/{int:assessment_id}/amend",
    response={201: AssessmentRead, 200: AssessmentRead, **EDIT_ERRORS},
    summary="Correct a completed assessment",
)
def amend_assessment(
    request: HttpRequest,
    assessment_id: int,
    payload: AssessmentAmend,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    if_match: str | None = Header(None, alias="If-Match"),
) -> Status[Assessment]:
    """A new completed assessment replaces the original, which stays, marked amended. Returns the amendment."""
    user = request_user(request)
    assessment = selectors.assessment_get_for_user(user=user, assessment_id=assessment_id, audit=False)
    key = submission_key(user, idempotency_key, scope=f"assessment:{assessment.pk}")
    once = _once(user, key, failure=_("The amendment could not be saved; please try again."))
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, _replay(user, earlier, response))
    version, used_if_match = _optional_version(if_match, payload.version, assessment.version)

    def amend() -> Assessment:
        with precondition(used_if_match):
            _check_version(assessment, version)
            return services.assessment_amend(
                actor=user, assessment=assessment, answers=payload.answers, reason=payload.reason, submission_key=key
            )

    amendment, created = once.create(amend)
    if not created:
        return Status(200, _replay(user, amendment, response))
    response["Location"] = f"/api/v1/assessments/{amendment.pk}"
    return Status(201, with_etag(_reload(user, amendment), response))


@router.get(
    "/assessments/{int:assessment_id}/fhir",
    response={200: dict[str, Any], **EXPORT_ERRORS},
    summary="A completed PHQ-9 or GAD-7 as FHIR R4",
)
def export_fhir(request: HttpRequest, assessment_id: int, response: HttpResponse) -> dict[str, Any]:
    """A Bundle (collection) of a QuestionnaireResponse and an Observation with LOINC codes. Audited as a disclosure."""
    user = request_user(request)
    assessment = selectors.assessment_get_for_user(user=user, assessment_id=assessment_id, audit=False)
    bundle = fhir.assessment_bundle(assessment)
    audit_record(
        actor=user,
        action="assessment.export_fhir",
        client_id=assessment.client_id,
        obj=assessment,
        flagged=getattr(assessment.client, "accessed_by_break_glass", False),
        changes={
            "format": [None, "FHIR R4 Bundle"],
            "resources": [None, [entry["resource"]["resourceType"] for entry in bundle["entry"]]],
            "instrument": [None, assessment.instrument.code],
        },
    )
    response["Content-Type"] = "application/fhir+json"
    return bundle


# --- Trends -----------------------------------------------------------------------------------


@router.get("/clients/{int:client_id}/scores", response={200: ScoreTrend, **READ_ERRORS}, summary="A score trend")
def client_scores(
    request: HttpRequest,
    client_id: int,
    instrument: str = Query(..., min_length=1, max_length=40, description="An instrument code, e.g. phq9"),
) -> dict[str, Any]:
    """A client's completed totals on one instrument, oldest first, with the change since the first (baseline)."""
    user = request_user(request)
    code = refuse_nul(instrument, field="instrument")
    found = Instrument.objects.filter(code=code).first()
    version = found.current_version() if found is not None else None
    if found is None or version is None:
        raise ValidationFailed(_("Choose an instrument from the list."), field="instrument")
    if version.scoring.get("method") != "sum":
        raise ValidationFailed(_("%(name)s has no total score to follow.") % {"name": found.name}, field="instrument")
    client = client_get_for_user(user=user, client_id=client_id, action="assessment.scores")
    points = selectors.scores_for_client(client=client, instrument_code=code)
    shown = InstrumentRead.from_instrument(found, version)
    return {
        "client_id": client.pk,
        "instrument": found.code,
        "name": found.name,
        "min_total": shown["min_total"],
        "max_total": shown["max_total"],
        "baseline": points[0].total if points else None,
        "latest": points[-1].total if points else None,
        "change_since_baseline": points[-1].change_since_baseline if points else None,
        "bands": shown["bands"],
        "points": points,
    }
