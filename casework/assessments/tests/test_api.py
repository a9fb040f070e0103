"""The assessments API: instruments, a case's assessments, answer/complete/amend, trends, for each kind of caller."""

import datetime
from unittest import mock

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from casework.assessments import services
from casework.assessments.models import Assessment, AssessmentStatus
from casework.assessments.tests.helpers import answers_for_total
from casework.audit.models import AuditEvent
from casework.cases.models import CaseStatus
from casework.core.api import submission_key
from casework.testing import (
    PASSWORD,
    CaseFactory,
    audited_writes_after,
    count_queries,
    last_audit_id,
    twin_request_unseen_until_insert,
)

INSTRUMENTS = "/api/v1/instruments"
SHIPPED = {
    "phq9", "phq2", "gad7", "gad2", "auditc", "cssrs_screener", "katz_adl", "lawton_iadl", "ahc_hrsn",
    "biopsychosocial",
}  # fmt: skip


def _others():
    return pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])


def _list_url(case):
    return f"/api/v1/cases/{case.pk}/assessments"


def _url(assessment, suffix=""):
    return f"/api/v1/assessments/{assessment.pk}{suffix}"


def _an_hour_ago():
    return (timezone.now() - datetime.timedelta(hours=1)).replace(microsecond=0)


def _new(code="phq9", **changes):
    return {"instrument": code, "method": "in_person", "administered_at": _an_hour_ago().isoformat(), **changes}


def _draft(worker, case, code="phq9", answers=None, days_ago=0):
    assessment = services.assessment_start(
        actor=worker,
        case=case,
        instrument_code=code,
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(days=days_ago, hours=1),
    )
    if answers:
        assessment = services.assessment_answer(
            actor=worker, assessment=assessment, answers=answers, expected_version=1
        )
    return assessment


def _completed(worker, case, code="phq9", total=7, days_ago=0):
    assessment = _draft(worker, case, code, answers_for_total(code, total), days_ago=days_ago)
    return services.assessment_complete(actor=worker, assessment=assessment)


def _state(assessment):
    assessment.refresh_from_db()
    return (assessment.version, assessment.status, assessment.answers, assessment.total_score, assessment.band)


def _post(http, url, payload=None, **extra):
    return http.post(url, payload or {}, content_type="application/json", **extra)


def _patch(http, url, payload, **extra):
    return http.patch(url, payload, content_type="application/json", **extra)


# --- Instruments ------------------------------------------------------------------------------


def test_instruments_list_every_active_instrument_with_items_options_and_bands(as_worker):
    response = as_worker.get(INSTRUMENTS)
    assert response.status_code == 200
    by_code = {instrument["code"]: instrument for instrument in response.json()}
    assert set(by_code) == SHIPPED
    phq9 = by_code["phq9"]
    assert (phq9["version"], phq9["kind"], phq9["loinc_total"], phq9["max_total"]) == (1, "scored", "44261-6", 27)
    assert [item["key"] for item in phq9["items"]][:2] == ["phq9_1", "phq9_2"]
    item9 = phq9["items"][8]
    assert item9["loinc"] == "44260-8"
    assert [(o["value"], o["loinc"]) for o in item9["options"]] == [
        (0, "LA6568-5"), (1, "LA6569-3"), (2, "LA6570-1"), (3, "LA6571-9"),
    ]  # fmt: skip
    assert (phq9["bands"][0]["key"], phq9["bands"][0]["min"], phq9["bands"][0]["max"]) == ("minimal", 0, 4)
    assert phq9["flags"][0]["key"] == "self_harm"
    assert by_code["auditc"]["sensitivity"] == "substance_use"
    assert by_code["biopsychosocial"]["kind"] == "narrative"
    cssrs = {item["key"]: item for item in by_code["cssrs_screener"]["items"]}
    assert any(item["ask_if"] for item in cssrs.values())


def test_the_instrument_list_takes_the_same_queries_however_many_instruments(as_worker):
    from casework.assessments.models import Instrument, InstrumentVersion

    as_worker.get(INSTRUMENTS)
    with count_queries() as before:
        assert as_worker.get(INSTRUMENTS).status_code == 200
    for n in range(3):
        extra = Instrument.objects.create(code=f"extra{n}", name=f"Extra {n}")
        phq2 = InstrumentVersion.objects.get(instrument__code="phq2")
        for number in (1, 2):
            InstrumentVersion.objects.create(
                instrument=extra,
                version=number,
                definition=phq2.definition,
                scoring=phq2.scoring,
                published_at=timezone.now(),
            )
    with count_queries() as after:
        listed = as_worker.get(INSTRUMENTS).json()
    assert len(listed) == len(SHIPPED) + 3
    assert {i["code"]: i["version"] for i in listed}["extra0"] == 2
    assert len(after.captured_queries) == len(before.captured_queries)


def test_an_inactive_instrument_is_not_listed(as_worker):
    from casework.assessments.models import Instrument

    Instrument.objects.filter(code="phq2").update(is_active=False)
    assert "phq2" not in {i["code"] for i in as_worker.get(INSTRUMENTS).json()}
    assert as_worker.get(f"{INSTRUMENTS}/phq2").status_code == 404


def test_one_instrument_by_code(as_worker):
    response = as_worker.get(f"{INSTRUMENTS}/gad7")
    assert response.status_code == 200
    assert response.json()["items"][0]["loinc"] == "69725-0"
    assert as_worker.get(f"{INSTRUMENTS}/nope").status_code == 404


@_others()
def test_instruments_are_not_client_data_so_anyone_signed_in_reads_them(request, who):
    http = request.getfixturevalue(who)
    assert http.get(INSTRUMENTS).status_code == 200
    assert http.get(f"{INSTRUMENTS}/phq9").status_code == 200


def test_instruments_need_authentication(db):
    assert HttpClient().get(INSTRUMENTS).status_code == 401
    assert HttpClient().get(f"{INSTRUMENTS}/phq9").status_code == 401


# --- GET /cases/{id}/assessments ---------------------------------------------------------------


def test_worker_lists_a_cases_assessments_and_the_read_is_audited(as_worker, worker, case):
    done = _completed(worker, case, total=12, days_ago=3)
    draft = _draft(worker, case, "gad7")
    response = as_worker.get(_list_url(case))
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [item["id"] for item in body["items"]]) == (2, [draft.pk, done.pk])
    first = body["items"][1]
    assert (first["total_score"], first["band"], first["band_label"], first["status"]) == (
        12,
        "moderate",
        "Moderate",
        "completed",
    )
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id) == ("assessment.list", worker.pk, case.client_id)


def test_the_list_filters_by_status_and_instrument_and_refuses_unknown_status(as_worker, worker, case):
    _completed(worker, case)
    _draft(worker, case, "gad7")
    assert as_worker.get(_list_url(case), {"status": "draft"}).json()["count"] == 1
    assert as_worker.get(_list_url(case), {"instrument": "phq9"}).json()["items"][0]["instrument"]["code"] == "phq9"
    assert as_worker.get(_list_url(case), {"limit": 1, "offset": 1}).json()["count"] == 2
    assert as_worker.get(_list_url(case), {"status": "bogus"}).status_code == 422
    assert as_worker.get(_list_url(case), {"limit": 1000}).status_code == 422


def test_the_list_takes_the_same_queries_for_1_and_10_assessments(as_worker, worker, case):
    _completed(worker, case)
    as_worker.get(_list_url(case))
    with count_queries() as small:
        assert len(as_worker.get(_list_url(case), {"limit": 100}).json()["items"]) == 1
    original = _completed(worker, case, total=3)
    services.assessment_amend(actor=worker, assessment=original, answers=answers_for_total("phq9", 5), reason="typo")
    for _ in range(7):
        _draft(worker, case, "gad7")
    with count_queries() as large:
        assert len(as_worker.get(_list_url(case), {"limit": 100}).json()["items"]) == 10
    assert len(large.captured_queries) == len(small.captured_queries)


@_others()
def test_others_get_404_for_a_cases_assessments_and_nothing_is_recorded(request, who, worker, case):
    _completed(worker, case)
    events = AuditEvent.objects.count()
    assert request.getfixturevalue(who).get(_list_url(case)).status_code == 404
    assert AuditEvent.objects.count() == events


def test_the_list_needs_authentication(case):
    assert HttpClient().get(_list_url(case)).status_code == 401


# --- POST /cases/{id}/assessments --------------------------------------------------------------


def test_worker_starts_a_draft_with_answers(as_worker, worker, case):
    response = _post(as_worker, _list_url(case), _new(method="phone", answers={"phq9_1": 2, "phq9_2": "1"}))
    assert response.status_code == 201, response.content
    body = response.json()
    assessment = Assessment.objects.get(pk=body["id"])
    assert (assessment.status, assessment.administered_by, assessment.method) == ("draft", worker, "phone")
    assert assessment.answers == {"phq9_1": 2, "phq9_2": 1}
    assert body["instrument"] == {"code": "phq9", "name": assessment.instrument.name, "version": 1, "sensitivity": ""}
    assert body["missing"] == [f"phq9_{n}" for n in range(3, 10)]
    assert response["ETag"] == f'"{assessment.version}"'
    assert response["Location"] == f"/api/v1/assessments/{assessment.pk}"
    actions = list(
        AuditEvent.objects.filter(object_id=str(assessment.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["assessment.start", "assessment.answer"]


def test_administered_at_defaults_to_now(as_worker, case):
    payload = _new()
    del payload["administered_at"]
    response = _post(as_worker, _list_url(case), payload)
    assert response.status_code == 201
    given = Assessment.objects.get().administered_at
    assert abs((timezone.now() - given).total_seconds()) < 60


def test_twin_requests_with_one_key_at_once_start_one_assessment(as_worker, worker, case):
    headers = {"Idempotency-Key": "phq-twin"}
    first = _post(as_worker, _list_url(case), _new(answers={"phq9_1": 1}), headers=headers)
    assert first.status_code == 201
    last = last_audit_id()
    with twin_request_unseen_until_insert(Assessment, submission_key(worker, "phq-twin", scope=f"case:{case.pk}")):
        second = _post(as_worker, _list_url(case), _new(answers={"phq9_1": 3}), headers=headers)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert Assessment.objects.get().answers == {"phq9_1": 1}
    assert audited_writes_after(last) == []


def test_same_idempotency_key_starts_one_assessment(as_worker, case):
    headers = {"Idempotency-Key": "phq-visit-1"}
    first = _post(as_worker, _list_url(case), _new(answers={"phq9_1": 1}), headers=headers)
    second = _post(as_worker, _list_url(case), _new(answers={"phq9_1": 3}), headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Assessment.objects.get().answers == {"phq9_1": 1}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instrument": "beck"}, "instrument"),
        ({"instrument": ""}, "instrument"),
        ({"method": "telepathy"}, "method"),
        ({"administered_at": "2999-01-01T10:00:00Z"}, "administered_at"),
        ({"administered_at": "1975-01-01T10:00:00Z"}, "administered_at"),  # before the client's birth
        ({"administered_at": "2024-05-01T10:00:00"}, "administered_at"),  # no UTC offset
        ({"administered_at": 1714557600}, "administered_at"),
        ({"administered_at": "2024-02-30T10:00:00Z"}, "administered_at"),
        ({"administered_at": "2024-01-01T25:00:00+01:00"}, "administered_at"),
        ({"answers": {"phq9_1": 4}}, "phq9_1"),
        ({"answers": {"phq9_1": -1}}, "phq9_1"),
        ({"answers": {"phq9_1": "often"}}, "phq9_1"),
        ({"answers": {"phq9_1": True}}, "phq9_1"),
        ({"answers": {"gad7_1": 1}}, "gad7_1"),  # an item of another instrument
        ({"answers": ["not", "a", "mapping"]}, "answers"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_starts_are_refused_and_nothing_is_saved(as_worker, case, change, field):
    events = AuditEvent.objects.count()
    response = _post(as_worker, _list_url(case), _new(**change))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert response.json()["detail"]
    assert Assessment.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_assessments_on_a_closed_case_are_refused(as_worker, case):
    case.status = CaseStatus.CLOSED
    case.save()
    response = _post(as_worker, _list_url(case), _new())
    assert response.status_code == 422
    assert "closed" in response.json()["detail"]
    assert Assessment.objects.count() == 0


@_others()
def test_others_cannot_start_an_assessment_on_the_case(request, who, case):
    events = AuditEvent.objects.count()
    response = _post(request.getfixturevalue(who), _list_url(case), _new())
    assert response.status_code == 404
    assert Assessment.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_an_unknown_case_is_404(as_worker, case):
    assert _post(as_worker, f"/api/v1/cases/{case.pk + 999}/assessments", _new()).status_code == 404


def test_starting_needs_authentication(case):
    assert _post(HttpClient(), _list_url(case), _new()).status_code == 401
    assert Assessment.objects.count() == 0


# --- Bearer tokens ----------------------------------------------------------------------------


def test_a_bearer_token_works_without_a_session_or_csrf_token(worker, case):
    api = HttpClient(enforce_csrf_checks=True)
    issued = api.post(
        "/api/v1/auth/token", {"email": worker.email, "password": PASSWORD}, content_type="application/json"
    )
    assert issued.status_code == 201, issued.content
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    created = _post(api, _list_url(case), _new(answers=answers_for_total("phq9", 4)), headers=bearer)
    assert created.status_code == 201, created.content
    url = f"/api/v1/assessments/{created.json()['id']}"
    assert api.post(f"{url}/complete", headers=bearer).status_code == 200
    assert api.get(url, headers=bearer).json()["total_score"] == 4
    assert api.get(url, headers={"Authorization": "Bearer cw_not-a-token"}).status_code == 401


# --- GET /assessments/{id} ---------------------------------------------------------------------


def test_worker_reads_an_assessment_and_the_read_is_audited(as_worker, worker, case):
    assessment = _completed(worker, case, total=16)
    response = as_worker.get(_url(assessment))
    assert response.status_code == 200
    body = response.json()
    assert (body["total_score"], body["band"], body["max_total"]) == (16, "moderately_severe", 27)
    assert "medication" in body["band_explanation"]
    assert response["ETag"] == f'"{assessment.version}"'
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.object_id) == ("assessment.view", worker.pk, str(assessment.pk))


def test_the_supervisor_reads_it_too(as_supervisor, worker, case):
    assessment = _completed(worker, case)
    assert as_supervisor.get(_url(assessment)).status_code == 200


def test_substance_use_answers_carry_the_sensitive_label(as_worker, worker, case):
    assessment = _completed(worker, case, "auditc", total=5)
    assert as_worker.get(_url(assessment)).json()["instrument"]["sensitivity"] == "substance_use"


@_others()
def test_others_get_404_for_an_assessment(request, who, worker, case):
    assessment = _completed(worker, case)
    events = AuditEvent.objects.count()
    http = request.getfixturevalue(who)
    assert http.get(_url(assessment)).status_code == 404
    assert http.get(f"/api/v1/assessments/{assessment.pk + 999}").status_code == 404
    assert AuditEvent.objects.count() == events


def test_reading_needs_authentication(worker, case):
    assert HttpClient().get(_url(_completed(worker, case))).status_code == 401


# --- PATCH /assessments/{id} -------------------------------------------------------------------


def test_worker_answers_a_draft_and_a_null_clears_an_answer(as_worker, worker, case):
    assessment = _draft(worker, case, answers={"phq9_1": 1, "phq9_2": 2})
    response = _patch(
        as_worker,
        _url(assessment),
        {"answers": {"phq9_3": 3, "phq9_2": None}, "instrument_version": 1},
        headers={"If-Match": '"2"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"3"'
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 1, "phq9_3": 3}
    assert AuditEvent.objects.filter(action="assessment.answer", object_id=str(assessment.pk)).count() == 2


def test_answer_versions_428_412_409(as_worker, worker, case):
    assessment = _draft(worker, case)
    url = _url(assessment)
    assert _patch(as_worker, url, {"answers": {"phq9_1": 1}}).status_code == 428
    assert _patch(as_worker, url, {"answers": {"phq9_1": 2}, "version": 1}).status_code == 200
    stale = _patch(as_worker, url, {"answers": {"phq9_1": 0}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert stale.json()["changes"][0]["field"] == "answers"
    assert _patch(as_worker, url, {"answers": {"phq9_1": 0}, "version": 1}).status_code == 409
    assert _patch(as_worker, url, {"answers": {"phq9_1": 0}}, headers={"If-Match": "3"}).status_code == 422
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 2}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"answers": {"phq9_1": 7}, "version": 1}, "phq9_1"),
        ({"answers": {"phq9_42": 1}, "version": 1}, "phq9_42"),
        ({"answers": {"phq9_1": 1}, "version": 1, "instrument_version": 2}, "instrument_version"),
        ({"answers": "1,2,3", "version": 1}, "answers"),
        ({"version": 1}, "answers"),
    ],
)
def test_bad_answers_are_refused_and_the_draft_is_unchanged(as_worker, worker, case, payload, field):
    assessment = _draft(worker, case)
    before = _state(assessment)
    response = _patch(as_worker, _url(assessment), payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert _state(assessment) == before


def test_a_completed_assessment_cannot_be_edited(as_worker, worker, case):
    assessment = _completed(worker, case)
    before = _state(assessment)
    response = _patch(as_worker, _url(assessment), {"answers": {"phq9_1": 0}, "version": assessment.version})
    assert response.status_code == 422
    assert "amend" in response.json()["detail"]
    assert _state(assessment) == before


def test_only_who_gave_it_answers_the_draft(as_supervisor, worker, case):
    assessment = _draft(worker, case)
    before = _state(assessment)
    assert _patch(as_supervisor, _url(assessment), {"answers": {"phq9_1": 1}, "version": 1}).status_code == 403
    assert _state(assessment) == before


@_others()
def test_others_cannot_answer(request, who, worker, case):
    assessment = _draft(worker, case)
    before = _state(assessment)
    events = AuditEvent.objects.count()
    response = _patch(request.getfixturevalue(who), _url(assessment), {"answers": {"phq9_1": 1}, "version": 1})
    assert response.status_code == 404
    assert _state(assessment) == before
    assert AuditEvent.objects.count() == events


def test_answering_needs_authentication(worker, case):
    assessment = _draft(worker, case)
    before = _state(assessment)
    assert _patch(HttpClient(), _url(assessment), {"answers": {"phq9_1": 1}, "version": 1}).status_code == 401
    assert _state(assessment) == before


# --- POST /assessments/{id}/complete -----------------------------------------------------------


def test_completing_scores_and_locks(as_worker, worker, case):
    assessment = _draft(worker, case, answers=answers_for_total("phq9", 21))
    response = _post(as_worker, _url(assessment, "/complete"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["total_score"], body["band"], body["band_label"]) == (
        "completed",
        21,
        "severe",
        "Severe",
    )
    assert body["completed_at"] and body["missing"] == []
    assert AuditEvent.objects.filter(action="assessment.complete", object_id=str(assessment.pk)).count() == 1


def test_an_incomplete_assessment_is_not_completed(as_worker, worker, case):
    assessment = _draft(worker, case, answers={"phq9_1": 1, "phq9_2": 1})
    before = _state(assessment)
    response = _post(as_worker, _url(assessment, "/complete"))
    assert response.status_code == 422
    assert "missing" in response.json()["detail"]
    assert "phq9_9" in response.json()["errors"]
    assert _state(assessment) == before


def test_one_missing_phq9_item_is_prorated(as_worker, worker, case):
    answers = {f"phq9_{n}": 2 for n in range(1, 10) if n != 4}
    assessment = _draft(worker, case, answers=answers)
    body = _post(as_worker, _url(assessment, "/complete")).json()
    assert (body["total_score"], body["prorated"]) == (18, True)


def test_completing_twice_is_refused(as_worker, worker, case):
    assessment = _completed(worker, case)
    before = _state(assessment)
    response = _post(as_worker, _url(assessment, "/complete"))
    assert response.status_code == 422
    assert "already completed" in response.json()["detail"]
    assert _state(assessment) == before


def test_completing_a_stale_draft_is_refused(as_worker, worker, case):
    assessment = _draft(worker, case, answers=answers_for_total("phq9", 5))
    before = _state(assessment)
    assert _post(as_worker, _url(assessment, "/complete"), headers={"If-Match": '"1"'}).status_code == 412
    assert _post(as_worker, _url(assessment, "/complete") + "?version=1").status_code == 409
    assert _state(assessment) == before
    assert _post(as_worker, _url(assessment, "/complete"), headers={"If-Match": '"2"'}).status_code == 200


def test_only_who_gave_it_completes_it(as_supervisor, worker, case):
    assessment = _draft(worker, case, answers=answers_for_total("phq9", 5))
    before = _state(assessment)
    assert _post(as_supervisor, _url(assessment, "/complete")).status_code == 403
    assert _state(assessment) == before


@_others()
def test_others_cannot_complete(request, who, worker, case):
    assessment = _draft(worker, case, answers=answers_for_total("phq9", 5))
    before = _state(assessment)
    assert _post(request.getfixturevalue(who), _url(assessment, "/complete")).status_code == 404
    assert _state(assessment) == before


def test_completing_needs_authentication(worker, case):
    assessment = _draft(worker, case, answers=answers_for_total("phq9", 5))
    assert _post(HttpClient(), _url(assessment, "/complete")).status_code == 401
    assert _state(assessment)[1] == "draft"


# --- POST /assessments/{id}/amend ----------------------------------------------------------------


def test_amending_keeps_the_original_and_returns_the_correction(as_worker, worker, case):
    original = _completed(worker, case, total=9)
    response = _post(as_worker, _url(original, "/amend"), {"answers": {"phq9_1": 2}, "reason": "Misheard item 1."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amends_id"], body["status"], body["amend_reason"]) == (original.pk, "completed", "Misheard item 1.")
    assert response["Location"] == f"/api/v1/assessments/{body['id']}"
    original.refresh_from_db()
    assert original.status == AssessmentStatus.AMENDED
    assert as_worker.get(_url(original)).json()["amended_by_id"] == body["id"]
    assert AuditEvent.objects.filter(action="assessment.amend", object_id=str(body["id"])).count() == 1


def test_same_idempotency_key_amends_once(as_worker, worker, case):
    original = _completed(worker, case, total=9)
    payload = {"answers": {"phq9_1": 2}, "reason": "Misheard item 1."}
    first = _post(as_worker, _url(original, "/amend"), payload, headers={"Idempotency-Key": "fix-1"})
    second = _post(as_worker, _url(original, "/amend"), payload, headers={"Idempotency-Key": "fix-1"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Assessment.objects.count() == 2


def test_twin_amendments_with_one_key_at_once_amend_once(as_worker, worker, case):
    """Past its checks, this request waits on the original's row lock; the twin amends it meanwhile."""
    original = _completed(worker, case, total=9)
    payload = {"answers": {"phq9_1": 2}, "reason": "Misheard item 1."}
    first = _post(as_worker, _url(original, "/amend"), payload, headers={"Idempotency-Key": "fix-twin"})
    assert first.status_code == 201
    last = last_audit_id()
    lock = services._lock

    with twin_request_unseen_until_insert(
        Assessment, submission_key(worker, "fix-twin", scope=f"assessment:{original.pk}")
    ) as twin_commits:

        def lock_after_the_twin(assessment):
            twin_commits()
            return lock(assessment)

        with mock.patch.object(services, "_lock", lock_after_the_twin):
            second = _post(as_worker, _url(original, "/amend"), payload, headers={"Idempotency-Key": "fix-twin"})
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert Assessment.objects.count() == 2
    assert audited_writes_after(last) == []
    # Another key is another amendment: of an amended assessment, refused.
    again = _post(as_worker, _url(original, "/amend"), payload, headers={"Idempotency-Key": "fix-other"})
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"answers": {"phq9_1": 2}, "reason": "  "}, "reason"),
        ({"answers": {"phq9_1": 2}}, "reason"),
        ({"answers": {}, "reason": "No change"}, "answers"),
        ({"answers": {"phq9_9": 9}, "reason": "Out of range"}, "phq9_9"),
        ({"answers": {"gad7_1": 1}, "reason": "Wrong form"}, "gad7_1"),
        ({"answers": {"phq9_1": None, "phq9_2": None}, "reason": "Two blanks"}, "phq9_1"),
    ],
)
def test_bad_amendments_are_refused_and_the_original_stays(as_worker, worker, case, payload, field):
    original = _completed(worker, case, total=9)
    before = _state(original)
    response = _post(as_worker, _url(original, "/amend"), payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert _state(original) == before
    assert Assessment.objects.count() == 1


def test_drafts_and_amended_originals_are_not_amended(as_worker, worker, case):
    draft = _draft(worker, case, answers={"phq9_1": 1})
    assert _post(as_worker, _url(draft, "/amend"), {"answers": {"phq9_1": 2}, "reason": "x"}).status_code == 422
    original = _completed(worker, case, total=9)
    services.assessment_amend(actor=worker, assessment=original, answers={"phq9_1": 2}, reason="first fix")
    response = _post(as_worker, _url(original, "/amend"), {"answers": {"phq9_8": 0}, "reason": "again"})
    assert response.status_code == 422
    assert "already amended" in response.json()["detail"]
    assert Assessment.objects.count() == 3


def test_amending_a_stale_version_is_refused(as_worker, worker, case):
    original = _completed(worker, case, total=9)
    before = _state(original)
    payload = {"answers": {"phq9_1": 2}, "reason": "fix", "version": original.version - 1}
    assert _post(as_worker, _url(original, "/amend"), payload).status_code == 409
    assert _state(original) == before


@_others()
def test_others_cannot_amend(request, who, worker, case):
    original = _completed(worker, case, total=9)
    before = _state(original)
    response = _post(request.getfixturevalue(who), _url(original, "/amend"), {"answers": {"phq9_1": 2}, "reason": "x"})
    assert response.status_code == 404
    assert _state(original) == before
    assert Assessment.objects.count() == 1


def test_amending_needs_authentication(worker, case):
    original = _completed(worker, case, total=9)
    assert _post(HttpClient(), _url(original, "/amend"), {"answers": {"phq9_1": 2}, "reason": "x"}).status_code == 401
    assert Assessment.objects.count() == 1


# --- The whole flow -----------------------------------------------------------------------------


def test_create_answer_complete_amend_then_the_trend(as_worker, case):
    created = _post(as_worker, _list_url(case), _new(answers={"phq9_1": 3, "phq9_2": 3}))
    assert created.status_code == 201
    url = f"/api/v1/assessments/{created.json()['id']}"
    rest = {f"phq9_{n}": 2 for n in range(3, 10)}
    answered = _patch(as_worker, url, {"answers": rest}, headers={"If-Match": created["ETag"]})
    assert answered.status_code == 200, answered.content
    completed = _post(as_worker, f"{url}/complete", headers={"If-Match": answered["ETag"]})
    assert completed.status_code == 200, completed.content
    assert (completed.json()["total_score"], completed.json()["flags"]) == (20, ["self_harm"])
    amended = _post(as_worker, f"{url}/amend", {"answers": {"phq9_9": 0}, "reason": "Client corrected item 9."})
    assert amended.status_code == 201
    assert (amended.json()["total_score"], amended.json()["flags"], amended.json()["band"]) == (
        18,
        [],
        "moderately_severe",
    )
    trend = as_worker.get(f"/api/v1/clients/{case.client_id}/scores", {"instrument": "phq9"}).json()
    assert [point["assessment_id"] for point in trend["points"]] == [amended.json()["id"]]


# --- GET /clients/{id}/scores -------------------------------------------------------------------


def test_the_trend_shows_points_bands_and_change_since_baseline(as_worker, worker, case):
    _completed(worker, case, total=18, days_ago=90)
    _completed(worker, case, total=11, days_ago=30)
    _completed(worker, case, total=6, days_ago=1)
    _completed(worker, case, "gad7", total=12, days_ago=5)
    _draft(worker, case, answers={"phq9_1": 3})
    response = as_worker.get(f"/api/v1/clients/{case.client_id}/scores", {"instrument": "phq9"})
    assert response.status_code == 200
    body = response.json()
    assert [(p["total"], p["band"], p["change_since_baseline"]) for p in body["points"]] == [
        (18, "moderately_severe", 0),
        (11, "moderate", -7),
        (6, "mild", -12),
    ]
    assert (body["baseline"], body["latest"], body["change_since_baseline"]) == (18, 6, -12)
    assert (body["min_total"], body["max_total"]) == (0, 27)
    assert [(band["key"], band["min"]) for band in body["bands"]][-1] == ("severe", 20)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.client_id) == ("assessment.scores", case.client_id)


def test_an_empty_trend(as_worker, case):
    body = as_worker.get(f"/api/v1/clients/{case.client_id}/scores", {"instrument": "gad7"}).json()
    assert (body["points"], body["baseline"], body["change_since_baseline"]) == ([], None, None)


@pytest.mark.parametrize("instrument", ["beck", "biopsychosocial", "x" * 41])
def test_a_trend_needs_an_instrument_with_a_total(as_worker, case, instrument):
    response = as_worker.get(f"/api/v1/clients/{case.client_id}/scores", {"instrument": instrument})
    assert response.status_code == 422
    assert as_worker.get(f"/api/v1/clients/{case.client_id}/scores").status_code == 422


@_others()
def test_others_get_404_for_a_trend(request, who, worker, case):
    _completed(worker, case)
    events = AuditEvent.objects.count()
    response = request.getfixturevalue(who).get(f"/api/v1/clients/{case.client_id}/scores", {"instrument": "phq9"})
    assert response.status_code == 404
    assert AuditEvent.objects.count() == events


def test_the_trend_needs_authentication(case):
    assert HttpClient().get(f"/api/v1/clients/{case.client_id}/scores", {"instrument": "phq9"}).status_code == 401


# --- OpenAPI ------------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_assessment_endpoints(db):
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/instruments": {"get"},
        "/api/v1/instruments/{code}": {"get"},
        "/api/v1/cases/{case_id}/assessments": {"get", "post"},
        "/api/v1/assessments/{assessment_id}": {"get", "patch"},
        "/api/v1/assessments/{assessment_id}/complete": {"post"},
        "/api/v1/assessments/{assessment_id}/amend": {"post"},
        "/api/v1/assessments/{assessment_id}/fhir": {"get"},
        "/api/v1/clients/{client_id}/scores": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert {"409", "412", "428"} <= set(paths["/api/v1/assessments/{assessment_id}"]["patch"]["responses"])


def test_one_idempotency_key_on_two_cases_starts_an_assessment_on_each(as_worker, worker, case):
    other = CaseFactory.create(client=case.client, program=case.program, primary_worker=worker, team=worker.team)
    headers = {"Idempotency-Key": "phq-k"}
    first = _post(as_worker, _list_url(case), _new(answers={"phq9_1": 1}), headers=headers)
    second = _post(as_worker, _list_url(other), _new(answers={"phq9_1": 2}), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert sorted(Assessment.objects.values_list("case_id", flat=True)) == sorted([case.pk, other.pk])


def test_one_idempotency_key_amending_two_assessments_amends_each(as_worker, worker, case):
    one, two = _completed(worker, case, total=9), _completed(worker, case, total=5)
    payload = {"answers": {"phq9_1": 2}, "reason": "Misheard item 1."}
    first = _post(as_worker, _url(one, "/amend"), payload, headers={"Idempotency-Key": "fix-k"})
    second = _post(as_worker, _url(two, "/amend"), payload, headers={"Idempotency-Key": "fix-k"})
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert {first.json()["amends_id"], second.json()["amends_id"]} == {one.pk, two.pk}
