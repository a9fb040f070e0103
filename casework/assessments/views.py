"""Assessment pages: administer an instrument from a case, answer (draft, complete), result, amend, trend."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework.assessments import scoring
from casework.assessments.forms import AmendForm, AnswerDraftForm, AnswersForm, AssessmentStartForm, answer_text
from casework.assessments.models import Assessment, AssessmentStatus, Instrument, InstrumentVersion, Sensitivity
from casework.assessments.selectors import assessment_get_for_user, instruments_available, scores_for_client
from casework.assessments.services import assessment_amend, assessment_answer, assessment_complete, assessment_start
from casework.audit.services import audit_record
from casework.cases import permissions as case_permissions
from casework.cases.forms import new_submission_key
from casework.cases.selectors import case_get_for_user
from casework.cases.views import add_domain_error, describe_changes
from casework.clients.selectors import client_get_for_user
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError, NotFound, VersionConflict

# Service errors about the sheet as a whole (not one question) show above the form.
SHEET_FIELDS = {"instrument_version": "", "answers": "", "status": "", "case": ""}


def _add_errors(form: Any, exc: DomainError) -> int:
    """A service's refusal on the form: per question next to it, the message itself above the form."""
    form.add_error(None, exc.message)
    for field, field_messages in (exc.errors or {}).items():
        target = SHEET_FIELDS.get(field, field)
        if target and target in form.fields:
            for message in field_messages:
                form.add_error(target, message)
    return exc.status_code


def _rebound(form_class: type[AnswersForm], data: QueryDict, sheet: InstrumentVersion, **fields: Any) -> Any:
    """The user's input kept, with some hidden fields replaced (the current version after a save)."""
    fresh = data.copy()
    for name, value in fields.items():
        fresh[name] = str(value)
    form = form_class(fresh, instrument_version=sheet)
    form.is_valid()
    return form


def _audit_view(request: AuthenticatedRequest, assessment: Assessment) -> None:
    """A page re-rendered after a refused write shows the answers: that is a read."""
    audit_record(actor=request.user, action="assessment.view", client_id=assessment.client_id, obj=assessment)


def _case_assessments_url(assessment: Assessment) -> str:
    return reverse("cases:detail", args=[assessment.case_id]) + "#case-assessments"


def describe_answer_changes(changes: list[dict[str, Any]], version: InstrumentVersion) -> list[dict[str, Any]]:
    """What another save changed in a draft's answers, one row per question, answers as their labels.

    Free text and substance-use answers are not in the audit log (see the services): for those the
    rows say which questions changed, not how.
    """
    items = {item["key"]: item for item in version.definition.get("items", [])}

    def question(key: str) -> str:
        return _("Question %(n)s") % {"n": items.get(key, {}).get("number", key)}

    rows: list[dict[str, Any]] = []
    for change in changes:
        field, old, new = change.get("field"), change.get("old"), change.get("new")
        who = {"by": change.get("by", ""), "at": change.get("at")}
        if field == "answers" and isinstance(new, dict):
            old = old if isinstance(old, dict) else {}
            for key, item in items.items():
                if old.get(key) != new.get(key):
                    rows.append(
                        {
                            "field": question(key),
                            "old": answer_text(item, old.get(key)) or "—",
                            "new": answer_text(item, new.get(key)) or "—",
                            **who,
                        }
                    )
        elif field == "answers_changed":
            keys = [key for part in (old, new) if isinstance(part, list) for key in part]
            rows += [{"field": question(key), "old": "…", "new": _("changed (not shown)"), **who} for key in keys]
        elif field != "answers":
            rows.append({"field": str(field), "old": old, "new": new, **who})
    return describe_changes(rows)


# --- Start ---------------------------------------------------------------------------------------


@clinical_view
@require_http_methods(["GET", "POST"])
def start(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Administer an instrument: choose it, how and when; opens a draft and goes to its answer sheet."""
    user = request.user
    case = case_get_for_user(user=user, case_id=case_id, audit=request.method == "GET")
    instruments = list(instruments_available())
    status = 200
    if request.method == "POST":
        form = AssessmentStartForm(request.POST, instruments=instruments)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = assessment_start(
                    actor=user,
                    case=case,
                    instrument_code=data["instrument"],
                    method=data["method"],
                    administered_at=data["administered_at"],
                    submission_key=data["submission_key"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                return redirect("assessments:answer", assessment_id=assessment.pk)
        audit_record(actor=user, action="case.view", client_id=case.client_id, obj=case)
    else:
        form = AssessmentStartForm(
            initial={"instrument": request.GET.get("instrument", ""), "submission_key": new_submission_key()},
            instruments=instruments,
        )
    context = {
        "nav": "caseload",
        "case": case,
        "client": case.client,
        "form": form,
        "can_document": case_permissions.can_document_case(user, case) and case.is_open,
    }
    return render(request, "assessments/start.html", context, status=status)


# --- Answer a draft ------------------------------------------------------------------------------


def _running_result(assessment: Assessment, answers: dict[str, Any]) -> scoring.ScoreResult | None:
    """The score of the answers so far (shown, never typed); None when they do not validate."""
    version = assessment.instrument_version
    try:
        return scoring.validate_and_score(version.definition, version.scoring, answers, sex=assessment.client.sex)
    except DomainError:
        return None


def _render_answer(
    request: AuthenticatedRequest,
    assessment: Assessment,
    form: AnswerDraftForm,
    *,
    conflict: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    version = assessment.instrument_version
    context = {
        "nav": "caseload",
        "assessment": assessment,
        "case": assessment.case,
        "client": assessment.client,
        "form": form,
        "questions": form.questions(),
        "conflict": conflict,
        "running": form.running(),
        "max_total": scoring.max_total(version.definition, version.scoring),
        "is_sensitive": assessment.sensitivity == Sensitivity.SUBSTANCE_USE,
    }
    return render(request, "assessments/answer.html", context, status=status)


@clinical_view
@require_http_methods(["GET", "POST"])
def answer(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    """The answer sheet of a draft: save it, or save and complete (scored and locked)."""
    user = request.user
    assessment = assessment_get_for_user(user=user, assessment_id=assessment_id, audit=request.method == "GET")
    if assessment.status != AssessmentStatus.DRAFT:
        messages.error(request, _("This assessment is completed and locked; amend it instead."))
        return redirect("assessments:detail", assessment_id=assessment.pk)
    if assessment.administered_by_id != user.pk:
        messages.error(request, _("Only the person who gave the assessment can answer the draft."))
        return redirect("assessments:detail", assessment_id=assessment.pk)
    version = assessment.instrument_version
    if request.method == "GET":
        initial = {
            **AnswersForm.initial_from(assessment.answers),
            "version": assessment.version,
            "instrument_version": version.version,
        }
        return _render_answer(request, assessment, AnswerDraftForm(initial=initial, instrument_version=version))

    form = AnswerDraftForm(request.POST, instrument_version=version)
    completing = request.POST.get("action") == "complete"
    conflict = None
    status = 422
    if form.is_valid():
        skipped = form.skipped_numbers()
        try:
            saved = assessment_answer(
                actor=user,
                assessment=assessment,
                answers=form.answers(),
                expected_version=form.cleaned_data["version"],
                instrument_version=form.cleaned_data["instrument_version"],
            )
        except VersionConflict as exc:
            status = 409
            conflict = describe_answer_changes(exc.changes, version)
            form = _rebound(AnswerDraftForm, request.POST, version, version=exc.current_version)
            form.add_error(None, exc.message)
        except DomainError as exc:
            status = _add_errors(form, exc)
        else:
            if skipped:
                messages.warning(
                    request,
                    _("Questions %(numbers)s are skipped after the answers given; their answers were not kept.")
                    % {"numbers": ", ".join(skipped)},
                )
            if not completing:
                messages.success(request, _("Draft saved."))
                return redirect("assessments:answer", assessment_id=saved.pk)
            try:
                completed = assessment_complete(actor=user, assessment=saved)
            except DomainError as exc:
                # The answers are saved; the sheet shows what is still missing, next to each question.
                form = _rebound(AnswerDraftForm, request.POST, version, version=saved.version)
                status = _add_errors(form, exc)
                form.add_error(None, _("Your answers are saved in the draft."))
                assessment = saved
            else:
                messages.success(request, _("Assessment completed and scored."))
                return redirect("assessments:detail", assessment_id=completed.pk)
    _audit_view(request, assessment)
    return _render_answer(request, assessment, form, conflict=conflict, status=status)


# --- Result --------------------------------------------------------------------------------------


def _labels(rules: list[dict[str, Any]], keys: list[str]) -> list[str]:
    return [str(rule.get("label", rule["key"])) for rule in rules if rule["key"] in keys]


def result_context(assessment: Assessment) -> dict[str, Any]:
    """What the result page shows: score, band, flags, screens, and every answer as given."""
    version = assessment.instrument_version
    rules = version.scoring
    answers = assessment.answers
    rows = []
    for item in version.definition.get("items", []):
        asked = scoring.is_asked(item, answers)
        rows.append(
            {
                "number": item.get("number", ""),
                "text": item["text"],
                "kind": item.get("type", "choice"),
                "answer": answer_text(item, answers.get(item["key"])),
                "asked": asked,
            }
        )
    subscores = [
        {"label": sub.get("label", sub["key"]), "value": assessment.subscores.get(sub["key"])}
        for sub in rules.get("subscores", [])
    ]
    return {
        "band": assessment.band_details(),
        "max_total": scoring.max_total(version.definition, rules),
        "flag_labels": _labels(rules.get("flags", []), assessment.flags),
        "screen_labels": _labels(rules.get("positive_screens", []), assessment.positive_screens),
        "prorate_rule": rules.get("missing", {}).get("source", ""),
        "source": rules.get("source", ""),
        "subscores": subscores,
        "rows": rows,
        "is_narrative": version.instrument.kind == "narrative",
        "is_sensitive": assessment.sensitivity == Sensitivity.SUBSTANCE_USE,
    }


def _render_detail(
    request: AuthenticatedRequest, assessment: Assessment, *, amend_form: AmendForm | None = None
) -> HttpResponse:
    user = request.user
    case = assessment.case
    is_draft = assessment.status == AssessmentStatus.DRAFT
    context = {
        "nav": "caseload",
        "assessment": assessment,
        "case": case,
        "client": assessment.client,
        "can_continue": is_draft and assessment.administered_by_id == user.pk,
        "can_amend": assessment.status == AssessmentStatus.COMPLETED and case_permissions.can_document_case(user, case),
        "draft_result": _running_result(assessment, assessment.answers) if is_draft else None,
        **result_context(assessment),
    }
    return render(request, "assessments/detail.html", context)


@clinical_view
@require_GET
def detail(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    """An assessment's result: score and band with its explanation, flags, answers, who and how, amendments."""
    assessment = assessment_get_for_user(user=request.user, assessment_id=assessment_id)
    return _render_detail(request, assessment)


# --- Amend ---------------------------------------------------------------------------------------


def _repeated_amendment(request: AuthenticatedRequest, assessment: Assessment) -> Assessment | None:
    """The user's amendment of `assessment` made by an earlier submit of this same form, if any."""
    key = request.POST.get("submission_key", "").strip() if request.method == "POST" else ""
    if not key:
        return None
    return Assessment.objects.filter(amends=assessment, submission_key=key, administered_by=request.user).first()


@clinical_view
@require_http_methods(["GET", "POST"])
def amend(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    """Correct a completed assessment: the answers again, prefilled, and a reason; the original is kept."""
    user = request.user
    assessment = assessment_get_for_user(user=user, assessment_id=assessment_id, audit=request.method == "GET")
    if assessment.status != AssessmentStatus.COMPLETED:
        repeated = _repeated_amendment(request, assessment)
        if repeated is not None:  # the same form sent again: where the first submit went
            return redirect("assessments:detail", assessment_id=repeated.pk)
        if assessment.status == AssessmentStatus.DRAFT:
            messages.error(request, _("This assessment is a draft: change its answers instead."))
        else:
            messages.error(request, _("This assessment was already amended; amend the current version instead."))
        return redirect("assessments:detail", assessment_id=assessment.pk)
    version = assessment.instrument_version
    status = 200
    if request.method == "POST":
        form = AmendForm(request.POST, instrument_version=version)
        status = 422
        if form.is_valid():
            skipped = form.skipped_numbers()
            try:
                amendment = assessment_amend(
                    actor=user,
                    assessment=assessment,
                    answers=form.answers(),
                    reason=form.cleaned_data["reason"],
                    submission_key=form.cleaned_data["submission_key"],
                )
            except DomainError as exc:
                status = _add_errors(form, exc)
            else:
                if skipped:
                    messages.warning(
                        request,
                        _("Questions %(numbers)s are skipped after the answers given; their answers were not kept.")
                        % {"numbers": ", ".join(skipped)},
                    )
                messages.success(request, _("Assessment amended. The original is kept, marked amended."))
                return redirect("assessments:detail", assessment_id=amendment.pk)
        _audit_view(request, assessment)
    else:
        form = AmendForm(
            initial={**AnswersForm.initial_from(assessment.answers), "submission_key": new_submission_key()},
            instrument_version=version,
        )
    context = {
        "nav": "caseload",
        "assessment": assessment,
        "case": assessment.case,
        "client": assessment.client,
        "form": form,
        "questions": form.questions(),
        "running": form.running(),
        "max_total": scoring.max_total(version.definition, version.scoring),
        "is_sensitive": assessment.sensitivity == Sensitivity.SUBSTANCE_USE,
    }
    return render(request, "assessments/amend.html", context, status=status)


# --- Trend ---------------------------------------------------------------------------------------


def _bands_for_chart(version: InstrumentVersion | None) -> list[dict[str, Any]]:
    """The score ranges of a version's bands (rule-based bands, such as the C-SSRS's, have none)."""
    if version is None:
        return []
    return [
        {"label": str(band.get("label", band["key"])), "min": band["min"], "max": band["max"]}
        for band in version.scoring.get("bands", [])
        if "min" in band and "max" in band and "sex" not in band
    ]


@clinical_view
@require_GET
def trend(request: AuthenticatedRequest, client_id: int, instrument_code: str) -> HttpResponse:
    """A client's scores on one instrument over time: a chart with the band thresholds, and the same as a table."""
    client = client_get_for_user(user=request.user, client_id=client_id, action="assessment.trend")
    instrument = Instrument.objects.filter(code=instrument_code).first()
    if instrument is None:
        raise NotFound()
    points = scores_for_client(client=client, instrument_code=instrument.code)
    version = instrument.current_version()
    bands = _bands_for_chart(version)
    max_total = scoring.max_total(version.definition, version.scoring) if version else None
    data = {
        "title": instrument.name,
        "max": max_total,
        "bands": bands,
        "points": [
            {
                "date": timezone.localtime(point.administered_at).date().isoformat(),
                "total": point.total,
                "band": point.band_label,
                "change": point.change_since_baseline,
            }
            for point in points
        ],
        "labels": {
            "score": _("Score"),
            "date": _("Date"),
            "band": _("Band"),
        },
    }
    context = {
        "nav": "clients",
        "client": client,
        "instrument": instrument,
        "points": points,
        "bands": bands,
        "max_total": max_total,
        "data": data,
        "is_sensitive": instrument.sensitivity == Sensitivity.SUBSTANCE_USE,
    }
    return render(request, "assessments/trend.html", context)
