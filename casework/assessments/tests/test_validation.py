"""Checking a definition an administrator wrote: every shipped one passes, each kind of mistake is named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.assessments.definitions import INSTRUMENTS, shipped
from casework.assessments.definitions.validation import definition_errors

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "instruments" / "example-housing-stability-check.json"


def _pair(code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    entry = shipped(code)
    definition = json.loads(json.dumps({**entry["definition"], "kind": entry["kind"]}))
    return definition, json.loads(json.dumps(entry["scoring"]))


@pytest.mark.parametrize("code", [entry["code"] for entry in INSTRUMENTS])
def test_every_shipped_definition_passes(code):
    assert definition_errors(*_pair(code)) == []


def test_the_documented_example_file_passes():
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert definition_errors(data["definition"], data["scoring"]) == []


def _errors_after(code: str, change) -> list[str]:
    definition, scoring = _pair(code)
    change(definition, scoring)
    return definition_errors(definition, scoring)


def _one_error_mentioning(errors: list[str], *words: str) -> None:
    assert errors, "the mistake was not caught"
    assert any(all(word in message for word in words) for message in errors), errors


def test_not_objects_at_all():
    assert definition_errors([], {}) == ["The definition must be a JSON object with title and items."]
    assert definition_errors({"title": "x", "items": []}, "sum") == [
        "The scoring rules must be a JSON object with a method."
    ]


def test_duplicate_item_keys_are_named():
    def change(definition, scoring):
        definition["items"][1]["key"] = "phq9_1"

    _one_error_mentioning(_errors_after("phq9", change), '"phq9_1"', "more than one item")


def test_option_values_must_be_unique_whole_numbers_with_whole_scores():
    def duplicate(definition, scoring):
        definition["items"][0]["options"][1]["value"] = 0

    def fractional(definition, scoring):
        definition["items"][2]["options"][1]["value"] = 1.5

    def text_score(definition, scoring):
        definition["items"][3]["options"][1]["score"] = "1"

    def boolean(definition, scoring):
        definition["items"][3]["options"][1]["value"] = True

    _one_error_mentioning(_errors_after("phq9", duplicate), '"phq9_1"', "used twice")
    _one_error_mentioning(_errors_after("phq9", fractional), '"phq9_3"', "whole number")
    _one_error_mentioning(_errors_after("phq9", text_score), '"phq9_4"', "score")
    _one_error_mentioning(_errors_after("phq9", boolean), '"phq9_4"', "whole number")


def test_choice_items_need_options_and_text_items_need_a_length():
    def no_options(definition, scoring):
        definition["items"][0]["options"] = []

    def no_length(definition, scoring):
        del definition["items"][0]["max_length"]

    _one_error_mentioning(_errors_after("gad2", no_options), '"gad2_1"', "option")
    key = shipped("biopsychosocial")["definition"]["items"][0]["key"]
    _one_error_mentioning(_errors_after("biopsychosocial", no_length), f'"{key}"', "max_length")


def test_unknown_types_and_ops_are_refused():
    def bad_type(definition, scoring):
        definition["items"][0]["type"] = "slider"

    def bad_op(definition, scoring):
        scoring["flags"][0]["when"] = {"item": "phq9_9", "greater": 0}

    def bad_condition(definition, scoring):
        scoring["flags"][0]["when"] = {"answer": "phq9_9"}

    _one_error_mentioning(_errors_after("phq9", bad_type), '"phq9_1"', "slider")
    _one_error_mentioning(_errors_after("phq9", bad_op), "Flag", "greater")
    _one_error_mentioning(_errors_after("phq9", bad_condition), "Flag", "unknown condition")


def test_conditions_must_name_existing_items_and_subscores():
    def flag_item(definition, scoring):
        scoring["flags"][0]["when"] = {"item": "phq9_10", "gt": 0}

    def screen_subscore(definition, scoring):
        scoring["flags"][0]["when"] = {"subscore": "hitz", "gt": 10}

    def skip_item(definition, scoring):
        definition["items"][3]["ask_if"] = {"item": "cssrs_99", "eq": 1}

    def band_when(definition, scoring):
        scoring["bands"][0]["when"] = {"any": [{"item": "cssrs_nope", "eq": 1}]}

    _one_error_mentioning(_errors_after("phq9", flag_item), "phq9_10", "not in the definition")
    _one_error_mentioning(_errors_after("ahc_hrsn", screen_subscore), "hitz", "not defined")
    _one_error_mentioning(_errors_after("cssrs_screener", skip_item), "ask_if", "cssrs_99")
    _one_error_mentioning(_errors_after("cssrs_screener", band_when), "Band", "cssrs_nope")


def test_summed_items_must_exist_and_be_choice_items():
    def missing(definition, scoring):
        scoring["items"].append("phq9_10")

    _one_error_mentioning(_errors_after("phq9", missing), "phq9_10")
    definition, scoring = _pair("ahc_hrsn")
    scoring["method"] = "sum"
    scoring["items"] = ["ahc_housing_problems"]
    _one_error_mentioning(definition_errors(definition, scoring), "ahc_housing_problems", "not a choice item")


def test_bands_must_cover_the_range_without_gaps_or_overlaps():
    def gap(definition, scoring):
        scoring["bands"][1]["min"] = 6  # mild 6-9: 5 is in no band

    def overlap(definition, scoring):
        scoring["bands"][2]["min"] = 9

    def short(definition, scoring):
        scoring["bands"][-1]["max"] = 26

    def past(definition, scoring):
        scoring["bands"][-1]["max"] = 28

    _one_error_mentioning(_errors_after("phq9", gap), "no band covers totals 5 to 5")
    _one_error_mentioning(_errors_after("phq9", overlap), '"moderate"', "overlaps")
    _one_error_mentioning(_errors_after("phq9", short), "no band covers totals 27 to 27")
    _one_error_mentioning(_errors_after("phq9", past), "past the highest total 27")


def test_sex_specific_bands_are_checked_per_sex():
    def female_gap(definition, scoring):
        scoring["bands"][3]["min"] = 4  # female positive 4-12: 3 uncovered

    def no_male(definition, scoring):
        scoring["bands"] = [band for band in scoring["bands"] if band["sex"] == "female"]

    _one_error_mentioning(_errors_after("auditc", female_gap), "for female", "3 to 3")
    _one_error_mentioning(_errors_after("auditc", no_male), "none for male")


def test_flags_and_screens_need_unique_keys_and_labels():
    def same_key(definition, scoring):
        scoring["positive_screens"][1]["key"] = "housing"

    def same_label(definition, scoring):
        scoring["positive_screens"][1]["label"] = scoring["positive_screens"][0]["label"]

    _one_error_mentioning(_errors_after("ahc_hrsn", same_key), 'Positive screen "housing"', "used twice")
    _one_error_mentioning(_errors_after("ahc_hrsn", same_label), "Positive screen", "label")


def test_the_missing_answer_rule():
    def negative(definition, scoring):
        scoring["missing"]["max_missing"] = -1

    def unknown_key(definition, scoring):
        scoring["missing"]["never_missing"] = ["phq9_99"]

    def unknown_rule(definition, scoring):
        scoring["missing"] = {"rule": "guess"}

    _one_error_mentioning(_errors_after("phq9", negative), "max_missing")
    _one_error_mentioning(_errors_after("phq9", unknown_key), "never_missing", "phq9_99")
    _one_error_mentioning(_errors_after("phq9", unknown_rule), "missing-answer rule")


@given(st.sampled_from([entry["code"] for entry in INSTRUMENTS]), st.data())
def test_removing_any_band_of_a_summed_instrument_leaves_a_gap(code, data):
    definition, scoring = _pair(code)
    range_bands = [band for band in scoring.get("bands", []) if "min" in band]
    if scoring.get("method") != "sum" or len(range_bands) < 2:  # no bands at all is allowed (a plain score)
        return
    index = data.draw(st.sampled_from(range(len(range_bands))))
    removed = range_bands[index]
    scoring["bands"] = [band for band in scoring["bands"] if band is not removed]
    errors = definition_errors(definition, scoring)
    assert any("no band covers" in message or "none for" in message for message in errors), errors


@given(st.sampled_from([entry["code"] for entry in INSTRUMENTS]), st.data())
def test_duplicating_any_item_key_is_caught(code, data):
    definition, scoring = _pair(code)
    items = definition["items"]
    first, second = data.draw(st.lists(st.sampled_from(range(len(items))), min_size=2, max_size=2, unique=True))
    changed = copy.deepcopy(definition)
    changed["items"][second]["key"] = items[first]["key"]
    assert any("more than one item" in message for message in definition_errors(changed, scoring))
