"""FHIR export: completed PHQ-9 and GAD-7 as a Bundle of a QuestionnaireResponse and an Observation.

Every bundle is validated with fhir.resources.R4B (the closest model set to R4) and checked for the
LOINC codes in REFERENCE.md.
"""

import datetime

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from casework.assessments import services
from casework.assessments.tests.helpers import answers_for_total
from casework.audit.models import AuditEvent

PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
ANSWER_CODES = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}
ADMINISTERED = datetime.datetime(2025, 3, 4, 15, 30, tzinfo=datetime.UTC)
MESSAGE = "FHIR export is available for completed PHQ-9 and GAD-7"


def _completed(worker, case, code, answers):
    assessment = services.assessment_start(
        actor=worker, case=case, instrument_code=code, method="in_person", administered_at=ADMINISTERED
    )
    assessment = services.assessment_answer(actor=worker, assessment=assessment, answers=answers, expected_version=1)
    return services.assessment_complete(actor=worker, assessment=assessment)


def _phq9(**answers):
    return {
        **{f"phq9_{n}": value for n, value in zip(range(1, 10), [0, 1, 2, 3, 0, 1, 2, 3, 0], strict=True)},
        **answers,
    }


def _export(http, assessment):
    return http.get(f"/api/v1/assessments/{assessment.pk}/fhir")


def _validated(response):
    """The bundle, validated as R4B models, and its two resources as plain dicts."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    data = response.json()
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    for entry in data["entry"]:
        model = get_fhir_model_class(entry["resource"]["resourceType"])
        model.model_validate(entry["resource"])
    kinds = {entry["resource"]["resourceType"]: entry for entry in data["entry"]}
    assert set(kinds) == {"QuestionnaireResponse", "Observation"}
    return data, kinds["QuestionnaireResponse"], kinds["Observation"]


def test_a_completed_phq9_exports_as_a_valid_bundle_with_loinc_codes(as_worker, worker, case):
    answers = _phq9(phq9_difficulty=1)
    assessment = _completed(worker, case, "phq9", answers)
    _, response_entry, observation_entry = _validated(_export(as_worker, assessment))
    response = response_entry["resource"]
    assert response["status"] == "completed"
    assert response["questionnaire"] == "http://loinc.org/q/44249-1"
    assert response["subject"] == {"reference": f"Patient/{case.client_id}"}
    assert response["author"]["reference"] == f"Practitioner/{worker.pk}"
    assert datetime.datetime.fromisoformat(response["authored"]) == ADMINISTERED
    linked = [item["linkId"] for item in response["item"]]
    assert linked == [*PHQ9_ITEMS, "69722-7"]
    for item, n in zip(response["item"], range(1, 10), strict=False):
        coding = item["answer"][0]["valueCoding"]
        assert (coding["system"], coding["code"]) == ("http://loinc.org", ANSWER_CODES[answers[f"phq9_{n}"]])
    assert response["item"][-1]["answer"][0]["valueCoding"]["display"] == "Somewhat difficult"

    observation = observation_entry["resource"]
    assert observation["status"] == "final"
    assert observation["category"][0]["coding"][0]["code"] == "survey"
    assert observation["code"]["coding"] == [{"system": "http://loinc.org", "code": "44261-6"}]
    assert observation["valueInteger"] == 12 == assessment.total_score
    assert datetime.datetime.fromisoformat(observation["effectiveDateTime"]) == ADMINISTERED
    assert observation["subject"] == response["subject"]
    assert observation["derivedFrom"] == [{"reference": response_entry["fullUrl"]}]
    assert observation["interpretation"][0]["text"] == "Moderate"
    assert "treatment plan" in observation["note"][0]["text"]


def test_a_gad7_exports_with_its_own_codes(as_worker, worker, case):
    assessment = _completed(worker, case, "gad7", answers_for_total("gad7", 16))
    _, response_entry, observation_entry = _validated(_export(as_worker, assessment))
    response = response_entry["resource"]
    assert response["questionnaire"] == "http://loinc.org/q/69737-5"
    assert [item["linkId"] for item in response["item"]] == GAD7_ITEMS
    assert [item["answer"][0]["valueCoding"]["code"] for item in response["item"]] == [
        ANSWER_CODES[value] for value in answers_for_total("gad7", 16).values()
    ]
    observation = observation_entry["resource"]
    assert observation["code"]["coding"][0]["code"] == "70274-6"
    assert (observation["valueInteger"], observation["interpretation"][0]["text"]) == (16, "Severe")


def test_the_self_harm_flag_and_prorating_are_noted(as_worker, worker, case):
    answers = _phq9(phq9_9=2)
    del answers["phq9_5"]
    assessment = _completed(worker, case, "phq9", answers)
    assert assessment.prorated
    _, response_entry, observation_entry = _validated(_export(as_worker, assessment))
    assert "44251-7" not in [item["linkId"] for item in response_entry["resource"]["item"]]
    notes = " ".join(note["text"] for note in observation_entry["resource"]["note"])
    assert "prorated" in notes
    assert "self-harm" in notes


def test_an_amendment_exports_as_amended_and_the_original_is_refused(as_worker, worker, case):
    original = _completed(worker, case, "phq9", _phq9())
    amendment = services.assessment_amend(actor=worker, assessment=original, answers={"phq9_1": 3}, reason="typo")
    _, response_entry, observation_entry = _validated(_export(as_worker, amendment))
    assert response_entry["resource"]["status"] == "amended"
    assert observation_entry["resource"]["status"] == "amended"
    assert observation_entry["resource"]["valueInteger"] == 15
    refused = _export(as_worker, original)
    assert refused.status_code == 409
    assert MESSAGE in refused.json()["detail"] and "amendment" in refused.json()["detail"]


def test_the_same_assessment_exports_with_the_same_resource_ids(as_worker, worker, case):
    assessment = _completed(worker, case, "phq9", _phq9())
    first = _export(as_worker, assessment).json()
    second = _export(as_worker, assessment).json()
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_the_export_is_audited_as_a_disclosure(as_worker, worker, case):
    assessment = _completed(worker, case, "phq9", _phq9())
    assert _export(as_worker, assessment).status_code == 200
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id, event.object_id) == (
        "assessment.export_fhir",
        worker.pk,
        case.client_id,
        str(assessment.pk),
    )
    assert event.changes["resources"] == [None, ["QuestionnaireResponse", "Observation"]]


def test_a_draft_is_refused_with_a_clear_message(as_worker, worker, case):
    draft = services.assessment_start(
        actor=worker, case=case, instrument_code="phq9", method="phone", administered_at=timezone.now()
    )
    events = AuditEvent.objects.count()
    response = _export(as_worker, draft)
    assert response.status_code == 409
    assert MESSAGE in response.json()["detail"]
    assert "draft" in response.json()["detail"]
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("code", ["phq2", "gad2", "auditc"])
def test_other_instruments_are_refused_with_a_clear_message(as_worker, worker, case, code):
    assessment = _completed(worker, case, code, answers_for_total(code, 2))
    events = AuditEvent.objects.count()
    response = _export(as_worker, assessment)
    assert response.status_code == 422
    assert MESSAGE in response.json()["detail"]
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_others_get_404_and_nothing_is_disclosed(request, who, worker, case):
    assessment = _completed(worker, case, "phq9", _phq9())
    events = AuditEvent.objects.count()
    response = _export(request.getfixturevalue(who), assessment)
    assert response.status_code == 404
    assert "Patient" not in response.content.decode()
    assert AuditEvent.objects.count() == events


def test_the_export_needs_authentication(worker, case):
    assessment = _completed(worker, case, "phq9", _phq9())
    assert HttpClient().get(f"/api/v1/assessments/{assessment.pk}/fhir").status_code == 401
    assert not AuditEvent.objects.filter(action="assessment.export_fhir").exists()
