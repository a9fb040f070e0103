"""Assessment pages: administer from the case, answer sheet, result, amend, trend, and the case and client sections."""

from __future__ import annotations

import datetime
import json
import re
import zoneinfo
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from casework.assessments import services, views
from casework.assessments.models import Assessment, AssessmentStatus
from casework.assessments.tests.helpers import answers_for_total
from casework.audit.models import AuditEvent
from casework.cases.models import CaseStatus
from casework.testing import audited_writes_after, count_queries, last_audit_id, twin_request_unseen_until_insert

SHEET_OTHERS = ["colleague", "outsider"]


def _start(actor, case, code="phq9", days_ago=0):
    return services.assessment_start(
        actor=actor,
        case=case,
        instrument_code=code,
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(days=days_ago, minutes=5),
    )


def _completed(actor, case, total=7, code="phq9", days_ago=0, answers=None):
    assessment = _start(actor, case, code, days_ago)
    assessment = services.assessment_answer(
        actor=actor, assessment=assessment, answers=answers or answers_for_total(code, total), expected_version=1
    )
    return services.assessment_complete(actor=actor, assessment=assessment)


def _sheet(answers, *, version=1, instrument_version=1, action="save"):
    data = {key: str(value) for key, value in answers.items()}
    data.update(version=str(version), instrument_version=str(instrument_version), action=action)
    return data


def _snapshot():
    return list(Assessment.objects.order_by("pk").values_list("pk", "status", "answers", "version", "total_score"))


def _agency_now():
    return timezone.localtime(timezone=zoneinfo.ZoneInfo("America/Chicago"))  # the agency's zone (conftest)


def _start_data(**overrides):
    when = _agency_now() - datetime.timedelta(minutes=10)
    data = {
        "instrument": "phq9",
        "method": "phone",
        "administered_at": when.strftime("%Y-%m-%dT%H:%M"),
        "submission_key": "start-key-1",
    }
    data.update(overrides)
    return data


def _html(response):
    return response.content.decode()


def _find(pattern, text):
    """The first match of a pattern that must be on the page."""
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match


# --- The case page's section -------------------------------------------------------------------


def test_case_page_lists_assessments_with_score_band_and_who(as_worker, worker, case):
    _completed(worker, case, 12, days_ago=3)
    _start(worker, case, "gad7")
    _completed(worker, case, 5, code="auditc", days_ago=1)

    html = _html(as_worker.get(reverse("cases:detail", args=[case.pk])))

    section = html[html.index('id="case-assessments"') :]
    assert "PHQ-9 (Patient Health Questionnaire, depression)" in section
    assert "<strong>12</strong> · Moderate" in section
    assert "Wanda Worker" in section
    assert "Draft" in section and "Continue" in section
    assert "Sensitive — substance use" in section  # AUDIT-C
    assert "Administer an instrument" in section
    assert 'name="instrument"' in section and 'value="phq9"' in section


def test_case_page_assessment_section_costs_the_same_queries_for_one_or_many(as_worker, worker, case):
    _completed(worker, case, 3, days_ago=10)
    as_worker.get(reverse("cases:detail", args=[case.pk]))  # first request of the session does more
    with count_queries() as one:
        as_worker.get(reverse("cases:detail", args=[case.pk]))
    for days in range(1, 6):
        _completed(worker, case, days, code="gad7", days_ago=days)
    with count_queries() as many:
        response = as_worker.get(reverse("cases:detail", args=[case.pk]))
    assert _html(response).count('href="/assessments/') == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_closed_case_offers_no_administering(as_worker, worker, case):
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    html = _html(as_worker.get(reverse("cases:detail", args=[case.pk])))
    assert "Administer an instrument" not in html


# --- Start -----------------------------------------------------------------------------------


def test_worker_starts_a_draft_and_lands_on_its_sheet(as_worker, worker, case):
    response = as_worker.post(reverse("assessments:start", args=[case.pk]), _start_data())

    assessment = Assessment.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:answer", args=[assessment.pk])
    assert assessment.status == AssessmentStatus.DRAFT
    assert (assessment.method, assessment.administered_by) == ("phone", worker)
    assert assessment.instrument.code == "phq9"


def test_start_form_defaults_to_now_and_in_person(as_worker, case):
    html = _html(as_worker.get(reverse("assessments:start", args=[case.pk])))
    now = _agency_now().strftime("%Y-%m-%dT")
    assert re.search(rf'name="administered_at" value="{now}\d\d:\d\d"', html)
    assert re.search(r'value="in_person"[^>]*checked', html)


def test_double_submit_of_the_start_form_opens_one_draft(as_worker, case):
    first = as_worker.post(reverse("assessments:start", args=[case.pk]), _start_data())
    second = as_worker.post(reverse("assessments:start", args=[case.pk]), _start_data())
    assert first["Location"] == second["Location"]
    assert Assessment.objects.filter(case=case).count() == 1


def test_two_submits_of_the_start_form_at_once_open_one_draft(as_worker, case):
    """The second submit misses the first one's draft until its own insert fails on the key."""
    url = reverse("assessments:start", args=[case.pk])
    first = as_worker.post(url, _start_data())
    assert first.status_code == 302
    last = last_audit_id()

    with twin_request_unseen_until_insert(Assessment, "start-key-1"):
        second = as_worker.post(url, _start_data())

    assert second.status_code == 302, second.content
    assert second["Location"] == first["Location"]
    assert Assessment.objects.filter(case=case).count() == 1
    assert audited_writes_after(last) == []


def test_two_submits_of_the_amend_form_at_once_amend_once(as_worker, worker, case):
    """The second submit read the original before the first amended it, then waited on its row lock."""
    original = _completed(worker, case, 6)
    url = reverse("assessments:amend", args=[original.pk])
    data = {k: str(v) for k, v in original.answers.items()} | {
        "phq9_9": "1",
        "submission_key": "amend-twin",
        "reason": "Client corrected item 9.",
    }
    first = as_worker.post(url, data)
    assert first.status_code == 302
    last = last_audit_id()
    get_for_user = views.assessment_get_for_user
    lock = services._lock

    def read_before_the_twin(**kwargs):
        assessment = get_for_user(**kwargs)
        assessment.status = AssessmentStatus.COMPLETED
        return assessment

    with twin_request_unseen_until_insert(Assessment, "amend-twin") as twin_commits:

        def lock_after_the_twin(assessment):
            twin_commits()
            return lock(assessment)

        with (
            mock.patch.object(views, "assessment_get_for_user", read_before_the_twin),
            mock.patch.object(services, "_lock", lock_after_the_twin),
        ):
            second = as_worker.post(url, data)

    assert second.status_code == 302, second.content
    assert second["Location"] == first["Location"]
    assert Assessment.objects.filter(amends=original).count() == 1
    assert audited_writes_after(last) == []


def test_two_amendments_at_once_missing_each_other_until_the_insert_amend_once(worker, case):
    """Without the lock wait (the twin's row only collides on insert) the service still answers with it."""
    original = _completed(worker, case, 6)
    amendment = services.assessment_amend(
        actor=worker, assessment=original, answers={"phq9_9": 1}, reason="Item 9.", submission_key="amend-2"
    )
    last = last_audit_id()
    stale = Assessment.objects.get(pk=original.pk)
    stale.status = AssessmentStatus.COMPLETED

    def lock_as_before_the_twin(assessment):
        return stale

    with (
        twin_request_unseen_until_insert(Assessment, "amend-2"),
        mock.patch.object(services, "_lock", lock_as_before_the_twin),
    ):
        again = services.assessment_amend(
            actor=worker, assessment=original, answers={"phq9_9": 1}, reason="Item 9.", submission_key="amend-2"
        )

    assert again.pk == amendment.pk
    assert Assessment.objects.filter(amends=original).count() == 1
    assert audited_writes_after(last) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"instrument": "not-an-instrument"}, "Select a valid choice."),
        ({"instrument": ""}, "This field is required."),
        ({"method": "telepathy"}, "Select a valid choice."),
        ({"administered_at": "2999-01-01T10:00"}, "An assessment cannot be given in the future."),
        ({"administered_at": "1970-01-01T10:00"}, "Check the year of the assessment date."),
        ({"administered_at": "yesterday"}, "Enter a valid date/time."),
    ],
)
def test_bad_start_input_is_refused_with_a_message(as_worker, case, overrides, message):
    response = as_worker.post(reverse("assessments:start", args=[case.pk]), _start_data(**overrides))
    assert response.status_code == 422
    assert message in _html(response)
    assert not Assessment.objects.exists()


def test_start_on_a_closed_case_is_refused(as_worker, case):
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    response = as_worker.post(reverse("assessments:start", args=[case.pk]), _start_data())
    assert response.status_code == 422
    assert "This case is closed" in _html(response)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("who", SHEET_OTHERS)
def test_others_cannot_start_an_assessment(request, case, who):
    http = request.getfixturevalue(f"as_{who}")
    events = AuditEvent.objects.count()
    assert http.get(reverse("assessments:start", args=[case.pk])).status_code == 404
    assert http.post(reverse("assessments:start", args=[case.pk]), _start_data()).status_code == 404
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.count() == events


# --- Answer sheet ------------------------------------------------------------------------------


def test_sheet_has_one_fieldset_of_radio_buttons_per_question(as_worker, worker, case):
    assessment = _start(worker, case)
    html = _html(as_worker.get(reverse("assessments:answer", args=[assessment.pk])))
    assert html.count('<fieldset class="question') == 10
    assert html.count('type="radio"') == 40
    assert 'name="phq9_9"' in html and "Several days" in html
    assert 'name="version" value="1"' in html and 'name="instrument_version" value="1"' in html
    assert "Score so far:" in html and "of 27" in html
    assert "assessments/sheet.js" in html


def test_saving_a_draft_keeps_the_answers_and_stays_on_the_sheet(as_worker, worker, case):
    assessment = _start(worker, case)
    url = reverse("assessments:answer", args=[assessment.pk])
    response = as_worker.post(url, _sheet({"phq9_1": 2, "phq9_2": 1}))
    assert response.status_code == 302 and response["Location"] == url
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 2, "phq9_2": 1}
    assert assessment.status == AssessmentStatus.DRAFT and assessment.version == 2
    html = _html(as_worker.get(url))
    assert re.search(r'name="phq9_1" value="2"[^>]*checked', html)
    assert "Score so far: <strong data-running-total>3</strong>" in html


def test_a_question_left_empty_on_the_sheet_clears_its_saved_answer(as_worker, worker, case):
    assessment = _start(worker, case)
    assessment = services.assessment_answer(
        actor=worker, assessment=assessment, answers={"phq9_1": 2, "phq9_2": 1}, expected_version=1
    )
    as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet({"phq9_1": 2}, version=2))
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 2}


def test_completing_scores_and_shows_the_result_with_the_item_9_flag(as_worker, worker, case):
    assessment = _start(worker, case)
    answers = {**answers_for_total("phq9", 11), "phq9_9": 1}
    answers["phq9_1"] = 0 if answers["phq9_1"] else answers["phq9_1"]  # keep the total honest below
    response = as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet(answers, action="complete"))

    assessment.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    assert assessment.status == AssessmentStatus.COMPLETED
    assert "self_harm" in assessment.flags
    html = _html(as_worker.get(response["Location"]))
    assert 'id="assessment-flags"' in html and 'role="alert"' in html
    assert "Thoughts of self-harm (item 9 above 0): assess safety today" in html
    assert f'<strong class="score">{assessment.total_score}</strong> of 27' in html
    assert assessment.band_details()["explanation"] in html


def test_completing_with_missing_answers_saves_them_and_marks_the_questions(as_worker, worker, case):
    assessment = _start(worker, case)
    answers = {f"phq9_{n}": 1 for n in range(1, 8)}  # 8 and 9 missing: too many to prorate
    response = as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet(answers, action="complete"))

    assert response.status_code == 422
    html = _html(response)
    assert "Answer every question before completing (missing: 8, 9)." in html
    assert "Your answers are saved in the draft." in html
    assert "Question 8 needs an answer." in html and "Question 9 needs an answer." in html
    assert 'aria-describedby="errors-phq9_9"' in html
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.answers == answers  # the input is saved, not lost
    assert 'name="version" value="2"' in html  # saving again from here is not a conflict
    assert re.search(r'name="phq9_7" value="1"[^>]*checked', html)


def test_prorated_completion_says_so_on_the_result(as_worker, worker, case):
    assessment = _start(worker, case)
    answers = {f"phq9_{n}": 2 for n in range(1, 10) if n != 3}  # one item missing (not item 9)
    as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet(answers, action="complete"))
    assessment.refresh_from_db()
    assert assessment.prorated and assessment.total_score == 18
    html = _html(as_worker.get(reverse("assessments:detail", args=[assessment.pk])))
    assert 'id="prorated-note"' in html and "Prorated score." in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phq9_1": "7"}, "Select a valid choice."),
        ({"phq9_1": "two"}, "Select a valid choice."),
        ({"version": "zero"}, "This page is out of date or incomplete"),
    ],
)
def test_bad_answers_are_refused_and_nothing_changes(as_worker, worker, case, data, message):
    assessment = _start(worker, case)
    before = _snapshot()
    response = as_worker.post(reverse("assessments:answer", args=[assessment.pk]), {**_sheet({"phq9_2": 1}), **data})
    assert response.status_code == 422
    assert message in _html(response)
    assert _snapshot() == before
    assert re.search(r'name="phq9_2" value="1"[^>]*checked', _html(response))  # the rest of the input is kept


def test_answers_for_another_instrument_version_are_refused(as_worker, worker, case):
    assessment = _start(worker, case)
    before = _snapshot()
    response = as_worker.post(
        reverse("assessments:answer", args=[assessment.pk]), _sheet({"phq9_1": 1}, instrument_version=2)
    )
    assert response.status_code == 422
    assert "These answers are for version 2 of" in _html(response)
    assert _snapshot() == before


def test_a_stale_sheet_shows_the_conflict_and_keeps_the_input(as_worker, worker, case):
    assessment = _start(worker, case)
    url = reverse("assessments:answer", args=[assessment.pk])
    # Saved meanwhile from another tab (version 1 -> 2).
    services.assessment_answer(actor=worker, assessment=assessment, answers={"phq9_1": 3}, expected_version=1)
    before = _snapshot()

    response = as_worker.post(url, _sheet({"phq9_1": 1, "phq9_2": 2}, version=1))

    assert response.status_code == 409
    html = _html(response)
    assert "Someone else saved a change after you opened this page." in html
    assert "Question 1" in html and "Nearly every day" in html  # what changed, as answers
    assert re.search(r'name="phq9_2" value="2"[^>]*checked', html)  # the user's input is kept
    assert 'name="version" value="2"' in html
    assert _snapshot() == before
    # Saving again is now a deliberate overwrite.
    assert as_worker.post(url, _sheet({"phq9_1": 1, "phq9_2": 2}, version=2)).status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9_1": 1, "phq9_2": 2}


def test_cssrs_sheet_carries_the_skip_logic_for_the_script_and_in_words(as_worker, worker, case):
    assessment = _start(worker, case, "cssrs_screener")
    html = _html(as_worker.get(reverse("assessments:answer", args=[assessment.pk])))
    block = _find(r'<fieldset[^>]*id="question-cssrs_3"[^>]*>', html).group(0)
    condition = json.loads(_find(r'data-ask-if="([^"]*)"', block).group(1).replace("&quot;", '"'))
    assert condition == {"item": "cssrs_2", "eq": 1}
    assert "Ask only if the answer to question 2 is “Yes”." in html
    assert "data-ask-if" not in _find(r'<fieldset[^>]*id="question-cssrs_1"[^>]*>', html).group(0)


def test_cssrs_answers_to_skipped_questions_are_cleared_without_javascript(as_worker, worker, case):
    assessment = _start(worker, case, "cssrs_screener")
    # Without JavaScript every question shows; the user answered 3-5 although 2 is "no".
    answers = {"cssrs_1": 1, "cssrs_2": 0, "cssrs_3": 1, "cssrs_4": 1, "cssrs_5": 0, "cssrs_6": 0}
    response = as_worker.post(
        reverse("assessments:answer", args=[assessment.pk]), _sheet(answers, action="complete"), follow=True
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.answers == {"cssrs_1": 1, "cssrs_2": 0, "cssrs_6": 0}
    assert assessment.band == "moderate_risk"
    html = _html(response)
    assert "Questions 3, 4, 5 are skipped after the answers given; their answers were not kept." in html
    assert "Skipped (not asked after the earlier answers)" in html


def test_cssrs_high_risk_flag_shows_on_the_result(as_worker, worker, case):
    assessment = _start(worker, case, "cssrs_screener")
    answers = {"cssrs_1": 1, "cssrs_2": 1, "cssrs_3": 1, "cssrs_4": 1, "cssrs_5": 0, "cssrs_6": 0}
    as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet(answers, action="complete"))
    assessment.refresh_from_db()
    html = _html(as_worker.get(reverse("assessments:detail", args=[assessment.pk])))
    assert assessment.band == "high_risk"
    assert "High risk" in html and 'id="assessment-flags"' in html


def test_narrative_assessment_has_a_textarea_per_section(as_worker, worker, case):
    assessment = _start(worker, case, "biopsychosocial")
    url = reverse("assessments:answer", args=[assessment.pk])
    html = _html(as_worker.get(url))
    assert html.count("<textarea") == len(assessment.instrument_version.items)
    assert 'type="radio"' not in html
    first = assessment.instrument_version.items[0]["key"]
    response = as_worker.post(url, _sheet({first: "Lost his job in March; evicted in May."}))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers == {first: "Lost his job in March; evicted in May."}


def test_hrsn_multiple_choice_uses_checkboxes_and_refuses_none_with_another(as_worker, worker, case):
    assessment = _start(worker, case, "ahc_hrsn")
    url = reverse("assessments:answer", args=[assessment.pk])
    assert 'type="checkbox" name="ahc_housing_problems"' in _html(as_worker.get(url))
    data = _sheet({})
    data_list = [*data.items(), ("ahc_housing_problems", "0"), ("ahc_housing_problems", "2")]
    before = _snapshot()
    response = as_worker.post(
        url, "&".join(f"{k}={v}" for k, v in data_list), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422
    assert "cannot be chosen with another answer" in _html(response)
    assert _snapshot() == before


def test_a_completed_assessment_has_no_sheet(as_worker, worker, case):
    assessment = _completed(worker, case)
    before = _snapshot()
    response = as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet({"phq9_1": 0}, version=2))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    assert _snapshot() == before
    follow = as_worker.get(response["Location"])
    assert "This assessment is completed and locked; amend it instead." in _html(follow)


def test_only_the_person_who_gave_it_answers_the_draft(as_supervisor, worker, case):
    assessment = _start(worker, case)
    before = _snapshot()
    response = as_supervisor.post(reverse("assessments:answer", args=[assessment.pk]), _sheet({"phq9_1": 1}))
    assert response.status_code == 302
    assert _snapshot() == before
    html = _html(as_supervisor.get(reverse("assessments:detail", args=[assessment.pk])))
    assert "Only the person who gave the assessment can answer the draft." in html
    assert "Continue the draft" not in html


@pytest.mark.parametrize("who", SHEET_OTHERS)
def test_others_get_404_on_the_sheet_and_nothing_changes(request, worker, case, who):
    http = request.getfixturevalue(f"as_{who}")
    assessment = _start(worker, case)
    before, events = _snapshot(), AuditEvent.objects.count()
    url = reverse("assessments:answer", args=[assessment.pk])
    assert http.get(url).status_code == 404
    assert http.post(url, _sheet({"phq9_1": 1}, action="complete")).status_code == 404
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events


# --- Result --------------------------------------------------------------------------------------


def test_result_page_shows_score_band_answers_and_who_when_how(as_worker, worker, case):
    assessment = _completed(worker, case, 16)
    events = AuditEvent.objects.filter(action="assessment.view").count()
    html = _html(as_worker.get(reverse("assessments:detail", args=[assessment.pk])))
    assert '<strong class="score">16</strong> of 27' in html
    assert "Moderately severe" in html and "active treatment" in html
    assert "Depression (PHQ-9 ≥ 10)" in html  # positive screen
    assert "Feeling down, depressed, or hopeless" in html and "Nearly every day" in html
    assert "Wanda Worker" in html and "In person" in html
    assert 'href="' + reverse("assessments:amend", args=[assessment.pk]) in html
    assert 'href="' + reverse("assessments:trend", args=[case.client_id, "phq9"]) in html
    assert 'id="assessment-flags"' not in html
    assert AuditEvent.objects.filter(action="assessment.view").count() == events + 1


def test_draft_result_links_to_continue(as_worker, worker, case):
    assessment = _start(worker, case)
    html = _html(as_worker.get(reverse("assessments:detail", args=[assessment.pk])))
    assert 'href="' + reverse("assessments:answer", args=[assessment.pk]) in html
    assert "Not completed yet" in html
    assert "Amend" not in html


def test_substance_use_results_carry_the_sensitive_label(as_worker, worker, case):
    assessment = _completed(worker, case, 5, code="auditc")
    html = _html(as_worker.get(reverse("assessments:detail", args=[assessment.pk])))
    assert "Sensitive — substance use" in html


@pytest.mark.parametrize("who", SHEET_OTHERS)
def test_others_get_404_on_the_result(request, worker, case, who):
    http = request.getfixturevalue(f"as_{who}")
    assessment = _completed(worker, case)
    events = AuditEvent.objects.count()
    response = http.get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 404
    assert "PHQ-9" not in _html(response)
    assert AuditEvent.objects.count() == events


# --- Amend ---------------------------------------------------------------------------------------


def test_amend_form_is_prefilled_and_needs_a_reason(as_worker, worker, case):
    assessment = _completed(worker, case, answers={**answers_for_total("phq9", 6)})
    url = reverse("assessments:amend", args=[assessment.pk])
    html = _html(as_worker.get(url))
    for key, value in assessment.answers.items():
        assert re.search(rf'name="{key}" value="{value}"[^>]*checked', html)
    key = _find(r'name="submission_key" value="([^"]+)"', html).group(1)
    before = _snapshot()
    data = {k: str(v) for k, v in assessment.answers.items()} | {"phq9_9": "1", "submission_key": key, "reason": ""}
    response = as_worker.post(url, data)
    assert response.status_code == 422
    assert "This field is required." in _html(response)
    assert re.search(r'name="phq9_9" value="1"[^>]*checked', _html(response))
    assert _snapshot() == before


def test_amending_creates_a_correction_and_keeps_the_original(as_worker, worker, case):
    original = _completed(worker, case, 6)
    url = reverse("assessments:amend", args=[original.pk])
    data = {k: str(v) for k, v in original.answers.items()} | {
        "phq9_9": "1",
        "submission_key": "amend-key-1",
        "reason": "Client corrected item 9 at the end of the visit.",
    }
    response = as_worker.post(url, data)
    amendment = Assessment.objects.get(amends=original)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[amendment.pk])
    again = as_worker.post(url, data)  # a double submit lands on the same amendment, without an error
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert not [m for m in get_messages(again.wsgi_request) if m.level_tag == "error"]
    other_key = as_worker.post(url, data | {"submission_key": "amend-key-2"})  # another amendment: refused
    assert [str(m) for m in get_messages(other_key.wsgi_request) if m.level_tag == "error"] == [
        "This assessment was already amended; amend the current version instead."
    ]
    assert Assessment.objects.filter(amends=original).count() == 1
    original.refresh_from_db()
    assert original.status == AssessmentStatus.AMENDED
    assert amendment.answers["phq9_9"] == 1 and "self_harm" in amendment.flags
    html = _html(as_worker.get(response["Location"]))
    assert "Client corrected item 9" in html
    assert 'href="' + reverse("assessments:detail", args=[original.pk]) in html
    old_html = _html(as_worker.get(reverse("assessments:detail", args=[original.pk])))
    assert "See the amendment" in old_html and reverse("assessments:detail", args=[amendment.pk]) in old_html
    assert reverse("assessments:amend", args=[original.pk]) not in old_html


def test_an_amendment_that_changes_nothing_is_refused(as_worker, worker, case):
    original = _completed(worker, case, 6)
    before = _snapshot()
    data = {k: str(v) for k, v in original.answers.items()} | {"submission_key": "k", "reason": "No change"}
    response = as_worker.post(reverse("assessments:amend", args=[original.pk]), data)
    assert response.status_code == 422
    assert "The amendment changes no answer." in _html(response)
    assert _snapshot() == before


def test_a_draft_cannot_be_amended(as_worker, worker, case):
    assessment = _start(worker, case)
    response = as_worker.get(reverse("assessments:amend", args=[assessment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])


@pytest.mark.parametrize("who", SHEET_OTHERS)
def test_others_cannot_amend(request, worker, case, who):
    http = request.getfixturevalue(f"as_{who}")
    original = _completed(worker, case, 6)
    before, events = _snapshot(), AuditEvent.objects.count()
    url = reverse("assessments:amend", args=[original.pk])
    data = {k: str(v) for k, v in original.answers.items()} | {"phq9_9": "1", "submission_key": "x", "reason": "r"}
    assert http.get(url).status_code == 404
    assert http.post(url, data).status_code == 404
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events


# --- Client scores and trend -------------------------------------------------------------------


def test_client_page_shows_latest_score_and_change_per_instrument(as_worker, worker, case):
    _completed(worker, case, 18, days_ago=60)
    _completed(worker, case, 9, days_ago=2)
    _completed(worker, case, 4, code="gad7", days_ago=5)
    html = _html(as_worker.get(reverse("clients:detail", args=[case.client_id])))
    section = html[html.index('id="client-scores"') :]
    section = section[: section.index("</section>")]
    assert "<strong>9</strong> · Mild" in section
    assert "-9" in section and "from 18, 2 scores" in section
    assert "<strong>4</strong> · Minimal" in section and "baseline only" in section
    assert reverse("assessments:trend", args=[case.client_id, "phq9"]) in section


def test_client_scores_section_costs_the_same_queries_for_one_or_many(as_worker, worker, case):
    _completed(worker, case, 3, days_ago=30)
    as_worker.get(reverse("clients:detail", args=[case.client_id]))  # first request of the session does more
    with count_queries() as one:
        as_worker.get(reverse("clients:detail", args=[case.client_id]))
    for days in range(1, 5):
        _completed(worker, case, days * 2, code="gad7", days_ago=days)
        _completed(worker, case, days * 3, days_ago=days)
    with count_queries() as many:
        as_worker.get(reverse("clients:detail", args=[case.client_id]))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_trend_page_has_chart_data_bands_and_an_accessible_table(as_worker, worker, case):
    _completed(worker, case, 18, days_ago=90)
    _completed(worker, case, 12, days_ago=45)
    _completed(worker, case, 6, days_ago=1)
    response = as_worker.get(reverse("assessments:trend", args=[case.client_id, "phq9"]))
    html = _html(response)
    assert response.status_code == 200
    data = json.loads(_find(r'<script id="trend-data" type="application/json">(.*?)</script>', html).group(1))
    assert [point["total"] for point in data["points"]] == [18, 12, 6]
    assert [point["change"] for point in data["points"]] == [0, -6, -12]
    assert data["max"] == 27
    assert {"label": "Moderate", "min": 10, "max": 14} in data["bands"]
    assert "vendor/chartjs/chart.umd.min.js" in html and "assessments/trend.js" in html
    table = html[html.index('id="trend-table"') :]
    assert table.count("<tr>") == 4  # heading + 3 points
    assert "baseline" in table and "-6" in table and "-12" in table and "Moderately severe" in table
    assert "<script>" not in html  # no inline script (CSP)


def test_trend_of_an_unknown_instrument_is_404(as_worker, case):
    assert as_worker.get(reverse("assessments:trend", args=[case.client_id, "nope"])).status_code == 404


def test_trend_without_scores_says_so(as_worker, case):
    html = _html(as_worker.get(reverse("assessments:trend", args=[case.client_id, "gad7"])))
    assert "No completed GAD-7" in html
    assert "trend-data" not in html


@pytest.mark.parametrize("who", SHEET_OTHERS)
def test_others_get_404_on_the_trend(request, worker, case, who):
    http = request.getfixturevalue(f"as_{who}")
    _completed(worker, case, 12)
    events = AuditEvent.objects.count()
    response = http.get(reverse("assessments:trend", args=[case.client_id, "phq9"]))
    assert response.status_code == 404
    assert "trend-data" not in _html(response)
    assert AuditEvent.objects.count() == events


def test_static_files_are_served(client):
    from django.contrib.staticfiles import finders

    for path in ("vendor/chartjs/chart.umd.min.js", "assessments/trend.js", "assessments/sheet.js"):
        assert finders.find(path), path


def test_a_stale_narrative_sheet_says_which_sections_changed_without_showing_them(as_worker, worker, case):
    assessment = _start(worker, case, "biopsychosocial")
    first, second = (item["key"] for item in assessment.instrument_version.items[:2])
    services.assessment_answer(
        actor=worker, assessment=assessment, answers={first: "Private words typed in another tab."}, expected_version=1
    )
    response = as_worker.post(reverse("assessments:answer", args=[assessment.pk]), _sheet({second: "Mine."}))
    html = _html(response)
    assert response.status_code == 409
    assert "Question 1" in html and "changed (not shown)" in html
    assert "Private words typed in another tab." not in html  # the conflict table does not show it
    assert "Mine." in html  # the user's own input is kept
