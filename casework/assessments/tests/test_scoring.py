"""Scoring engine: every band boundary, flags, skip logic, positive screens, prorating, validation."""

from __future__ import annotations

import pytest

from casework.assessments import scoring
from casework.assessments.definitions import INSTRUMENTS, shipped
from casework.assessments.tests.helpers import answers_for_total, hrsn_answers
from casework.core.errors import ValidationFailed


def _score(code, answers, sex=None):
    entry = shipped(code)
    return scoring.validate_and_score(entry["definition"], entry["scoring"], answers, sex=sex)


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately_severe"),
        ("phq9", 19, "moderately_severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("phq2", 2, "negative"),
        ("phq2", 3, "positive"),
        ("gad7", 0, "minimal"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("gad2", 2, "negative"),
        ("gad2", 3, "positive"),
        ("katz_adl", 6, "full"),
        ("katz_adl", 5, "moderate"),
        ("katz_adl", 4, "moderate"),
        ("katz_adl", 3, "moderate"),
        ("katz_adl", 2, "severe"),
        ("katz_adl", 0, "severe"),
        ("lawton_iadl", 0, "scored"),
        ("lawton_iadl", 8, "scored"),
    ],
)
def test_every_band_boundary(code, total, band):
    result = _score(code, answers_for_total(code, total))
    assert (result.total, result.band, result.complete) == (total, band, True)
    assert result.band_label and result.band_explanation


@pytest.mark.parametrize(
    ("code", "total", "screen"),
    [("phq2", 2, False), ("phq2", 3, True), ("gad2", 2, False), ("gad2", 3, True), ("phq9", 9, False),
     ("phq9", 10, True), ("gad7", 9, False), ("gad7", 10, True)],
)  # fmt: skip
def test_positive_screen_thresholds(code, total, screen):
    result = _score(code, answers_for_total(code, total))
    assert bool(result.positive_screens) is screen


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("male", 3, False),
        ("male", 4, True),
        ("female", 2, False),
        ("female", 3, True),
        # Sex not recorded: the lower (women's) threshold, so nobody at risk is missed.
        ("not_collected", 2, False),
        ("not_collected", 3, True),
        (None, 3, True),
    ],
)
def test_audit_c_thresholds_depend_on_sex(sex, total, positive):
    result = _score("auditc", answers_for_total("auditc", total), sex=sex)
    assert (result.positive_screens == ["alcohol"]) is positive
    assert result.band == ("positive" if positive else "negative")


def test_audit_c_is_labelled_substance_use():
    assert shipped("auditc")["sensitivity"] == "substance_use"
    assert {entry["code"] for entry in INSTRUMENTS if entry["sensitivity"]} == {"auditc"}


@pytest.mark.parametrize("total", [1, 4, 5, 12, 25])
def test_phq9_item_9_above_zero_flags_self_harm_whatever_the_total(total):
    rest = total - 1  # items 1–8 carry the rest of the total, item 9 is 1
    answers = {f"phq9_{n}": min(3, max(0, rest - 3 * (n - 1))) for n in range(1, 9)} | {"phq9_9": 1}
    result = _score("phq9", answers)
    assert result.total == total
    assert "self_harm" in result.flags


def test_phq9_item_9_at_zero_raises_no_flag_even_when_severe():
    answers = {f"phq9_{n}": 3 for n in range(1, 9)} | {"phq9_9": 0}
    result = _score("phq9", answers)
    assert result.band == "severe"
    assert result.flags == []


def test_phq9_self_harm_flag_is_raised_on_an_incomplete_form():
    result = _score("phq9", {"phq9_9": 2})
    assert result.complete is False
    assert result.total is None
    assert result.flags == ["self_harm"]


# --- C-SSRS -------------------------------------------------------------------------------

NO_TO_ALL_ASKED = {"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 0}


@pytest.mark.parametrize("skipped", ["cssrs_3", "cssrs_4", "cssrs_5"])
def test_cssrs_answers_to_q3_to_q5_after_no_to_q2_are_refused(skipped):
    with pytest.raises(ValidationFailed) as failure:
        _score("cssrs_screener", {**NO_TO_ALL_ASKED, skipped: 0})
    assert list(failure.value.errors) == [skipped]
    assert "skipped" in failure.value.errors[skipped][0]


def test_cssrs_no_to_q2_skips_to_q6_and_is_complete():
    result = _score("cssrs_screener", NO_TO_ALL_ASKED)
    assert result.complete
    assert (result.band, result.flags) == ("no_risk_identified", [])


def test_cssrs_yes_to_q2_requires_q3_to_q5():
    result = _score("cssrs_screener", {"cssrs_1": 0, "cssrs_2": 1, "cssrs_6": 0})
    assert result.complete is False
    assert result.missing == ["cssrs_3", "cssrs_4", "cssrs_5"]


def test_cssrs_recency_is_asked_only_after_past_behaviour():
    with pytest.raises(ValidationFailed) as failure:
        _score("cssrs_screener", {**NO_TO_ALL_ASKED, "cssrs_6_recent": 1})
    assert list(failure.value.errors) == ["cssrs_6_recent"]
    assert _score("cssrs_screener", {**NO_TO_ALL_ASKED, "cssrs_6": 1}).missing == ["cssrs_6_recent"]


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        ({"cssrs_1": 0, "cssrs_2": 1, "cssrs_3": 0, "cssrs_4": 1, "cssrs_5": 0, "cssrs_6": 0}, "high_risk"),
        ({"cssrs_1": 0, "cssrs_2": 1, "cssrs_3": 0, "cssrs_4": 0, "cssrs_5": 1, "cssrs_6": 0}, "high_risk"),
        ({"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 1, "cssrs_6_recent": 1}, "high_risk"),
        ({"cssrs_1": 1, "cssrs_2": 0, "cssrs_6": 0}, "moderate_risk"),
        ({"cssrs_1": 0, "cssrs_2": 1, "cssrs_3": 0, "cssrs_4": 0, "cssrs_5": 0, "cssrs_6": 0}, "moderate_risk"),
        ({"cssrs_1": 1, "cssrs_2": 1, "cssrs_3": 1, "cssrs_4": 0, "cssrs_5": 0, "cssrs_6": 0}, "moderate_risk"),
        # Behaviour longer ago than 3 months is a yes, but not the high-risk one.
        ({"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 1, "cssrs_6_recent": 0}, "moderate_risk"),
    ],
)
def test_cssrs_risk_levels(answers, risk):
    result = _score("cssrs_screener", answers)
    assert result.complete
    assert result.band == risk
    assert result.flags == [risk]


# --- AHC HRSN -----------------------------------------------------------------------------


def test_hrsn_all_negative_answers_screen_negative():
    result = _score("ahc_hrsn", hrsn_answers())
    assert (result.positive_screens, result.flags, result.subscores) == ([], [], {"hits": 4})


@pytest.mark.parametrize(
    ("overrides", "screen"),
    [
        ({"ahc_living_situation": 1}, "housing"),
        ({"ahc_living_situation": 2}, "housing"),
        ({"ahc_housing_problems": [2]}, "housing"),
        ({"ahc_housing_problems": [1, 7]}, "housing"),
        ({"ahc_food_worry": 0}, "food"),
        ({"ahc_food_worry": 1}, "food"),
        ({"ahc_food_ran_out": 1}, "food"),
        ({"ahc_transportation": 1}, "transportation"),
        ({"ahc_utilities": 1}, "utilities"),
        ({"ahc_utilities": 2}, "utilities"),  # already shut off
    ],
)
def test_hrsn_positive_screen_per_domain(overrides, screen):
    assert _score("ahc_hrsn", hrsn_answers(**overrides)).positive_screens == [screen]


@pytest.mark.parametrize(("hits", "positive"), [(10, False), (11, True)])
def test_hrsn_safety_hits_above_10_is_positive_and_flags(hits, positive):
    # 4 items 1–5: 10 = 3+3+3+1, 11 = 3+3+3+2
    answers = hrsn_answers(ahc_safety_hurt=3, ahc_safety_insult=3, ahc_safety_threaten=3, ahc_safety_scream=hits - 9)
    result = _score("ahc_hrsn", answers)
    assert result.subscores == {"hits": hits}
    assert ("safety" in result.positive_screens) is positive
    assert (result.flags == ["safety"]) is positive


def test_hrsn_none_of_the_above_cannot_be_combined():
    with pytest.raises(ValidationFailed) as failure:
        _score("ahc_hrsn", hrsn_answers(ahc_housing_problems=[0, 2]))
    assert list(failure.value.errors) == ["ahc_housing_problems"]


# --- Missing answers ----------------------------------------------------------------------


def test_phq9_with_one_item_missing_is_prorated():
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    del answers["phq9_3"]
    answers["phq9_1"] = 2  # 9 over 8 answered items: 9 × 9 / 8 = 10.125 → 10
    result = _score("phq9", answers)
    assert (result.total, result.prorated, result.complete, result.band) == (10, True, True, "moderate")


def test_prorating_rounds_half_up():
    answers = {f"gad7_{n}": 1 for n in range(1, 7)}  # 6 over 6 answered: 6 × 7 / 6 = 7 exactly
    assert _score("gad7", answers).total == 7
    answers["gad7_1"] = 0
    answers["gad7_2"] = 0
    answers["gad7_3"] = 2  # 5 over 6: 5 × 7 / 6 = 5.83 → 6
    result = _score("gad7", answers)
    assert (result.total, result.prorated) == (6, True)


def test_phq9_with_two_items_missing_is_incomplete():
    answers = {f"phq9_{n}": 1 for n in range(1, 8)} | {"phq9_9": 0}
    del answers["phq9_1"]
    result = _score("phq9", answers)
    assert (result.total, result.band, result.complete) == (None, "", False)
    assert result.missing == ["phq9_1", "phq9_8"]


def test_phq9_is_never_prorated_without_item_9():
    answers = {f"phq9_{n}": 1 for n in range(1, 9)}
    result = _score("phq9", answers)
    assert (result.total, result.complete) == (None, False)


def test_phq9_difficulty_item_is_optional_and_unscored():
    answers = answers_for_total("phq9", 12)
    assert _score("phq9", answers).total == 12
    assert _score("phq9", {**answers, "phq9_difficulty": 3}).total == 12


@pytest.mark.parametrize("code", ["phq2", "gad2", "auditc", "katz_adl", "lawton_iadl"])
def test_instruments_without_a_prorating_rule_are_incomplete_with_one_missing(code):
    answers = answers_for_total(code, 1)
    first_zero = next(key for key, value in answers.items() if key != next(iter(answers)) or value == 0)
    answers.pop(first_zero)
    result = _score(code, answers)
    assert (result.total, result.band, result.complete, result.prorated) == (None, "", False, False)


def test_an_empty_biopsychosocial_is_incomplete_and_a_filled_one_complete():
    assert _score("biopsychosocial", {}).missing == ["presenting_problem", "client_goals"]
    result = _score("biopsychosocial", {"presenting_problem": "Eviction notice.", "client_goals": "Keep my flat."})
    assert result.complete
    assert (result.total, result.band) == (None, "")


# --- Validation ---------------------------------------------------------------------------


def test_validation_names_every_bad_item():
    answers = {"phq9_1": 4, "phq9_2": "often", "phq9_3": True, "gad7_1": 1, "phq9_4": 2.5, "phq9_5": "2"}
    with pytest.raises(ValidationFailed) as failure:
        _score("phq9", answers)
    errors = failure.value.errors
    assert set(errors) == {"phq9_1", "phq9_2", "phq9_3", "gad7_1", "phq9_4"}
    assert "another instrument or version" in errors["gad7_1"][0]
    assert "Question 1" in errors["phq9_1"][0]


def test_validation_accepts_form_strings_and_drops_blanks():
    entry = shipped("phq9")
    cleaned = scoring.validate_answers(entry["definition"], {"phq9_1": "2", "phq9_2": "", "phq9_3": None})
    assert cleaned == {"phq9_1": 2}


def test_validation_refuses_answers_that_are_not_a_mapping():
    with pytest.raises(ValidationFailed):
        scoring.validate_answers(shipped("phq9")["definition"], [1, 2, 3])


def test_narrative_text_over_the_limit_is_refused():
    with pytest.raises(ValidationFailed) as failure:
        _score("biopsychosocial", {"legal": "x" * 20001})
    assert list(failure.value.errors) == ["legal"]


@pytest.mark.parametrize("entry", INSTRUMENTS, ids=lambda entry: entry["code"])
def test_every_shipped_definition_is_consistent(entry):
    """Keys unique and prefixed, scored items exist, bands cover the whole range without overlap."""
    definition, rules = entry["definition"], entry["scoring"]
    keys = [item["key"] for item in definition["items"]]
    assert len(keys) == len(set(keys))
    assert set(rules.get("items", [])) <= set(keys)
    low, high = scoring.min_total(definition, rules), scoring.max_total(definition, rules)
    if low is None or high is None:
        return
    for sex in ("male", "female"):
        covered = [
            total
            for total in range(low, high + 1)
            for band in rules["bands"]
            if band.get("sex", sex) == sex and band["min"] <= total <= band["max"]
        ]
        assert covered == list(range(low, high + 1))
