"""Property tests: for any valid answers, scores stay within the instrument's range."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.assessments import scoring
from casework.assessments.definitions import INSTRUMENTS

SUMMED = [entry for entry in INSTRUMENTS if entry["scoring"]["method"] == "sum"]
CHOICE_BASED = [entry for entry in INSTRUMENTS if entry["kind"] == "scored"]


def _item_answer(item: dict[str, Any]) -> st.SearchStrategy[Any]:
    values = [option["value"] for option in item["options"]]
    if item["type"] == "multi":
        ordinary = [o["value"] for o in item["options"] if not o.get("exclusive")]
        exclusive = [[o["value"]] for o in item["options"] if o.get("exclusive")]
        return st.one_of(st.lists(st.sampled_from(ordinary), min_size=1, unique=True), st.sampled_from(exclusive))
    return st.sampled_from(values)


@st.composite
def valid_answers(draw: st.DrawFn, entry: dict[str, Any]) -> dict[str, Any]:
    """Any answers the definition accepts: each asked item answered or left out, skip logic obeyed."""
    answers: dict[str, Any] = {}
    for item in entry["definition"]["items"]:
        if not scoring.is_asked(item, answers):
            continue
        if draw(st.booleans()) or draw(st.booleans()):  # answered three times in four
            answers[item["key"]] = draw(_item_answer(item))
    return answers


@pytest.mark.parametrize("entry", SUMMED, ids=lambda entry: entry["code"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_totals_stay_within_range_for_any_valid_answers(entry, data):
    answers = data.draw(valid_answers(entry))
    definition, rules = entry["definition"], entry["scoring"]
    result = scoring.validate_and_score(
        definition, rules, answers, sex=data.draw(st.sampled_from(["male", "female", None]))
    )
    low, high = scoring.min_total(definition, rules), scoring.max_total(definition, rules)
    if result.complete:
        assert result.total is not None
        assert low is not None and high is not None
        assert low <= result.total <= high
        assert result.band  # every total in range has a band
    else:
        assert (result.total, result.band) == (None, "")
    assert result.prorated is (result.complete and bool(result.missing))


@pytest.mark.parametrize("entry", CHOICE_BASED, ids=lambda entry: entry["code"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_flags_and_screens_are_declared_keys_and_complete_answers_get_a_band(entry, data):
    answers = data.draw(valid_answers(entry))
    rules = entry["scoring"]
    result = scoring.validate_and_score(entry["definition"], rules, answers)
    assert set(result.flags) <= {rule["key"] for rule in rules["flags"]}
    assert set(result.positive_screens) <= {rule["key"] for rule in rules["positive_screens"]}
    for key, value in result.subscores.items():
        if value is not None:
            assert 4 <= value <= 20, key  # HITS is the only subscore shipped
    if result.complete and rules["bands"]:
        assert result.band


@pytest.mark.parametrize("entry", CHOICE_BASED, ids=lambda entry: entry["code"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_value_outside_the_options_is_refused(entry, data):
    items = [item for item in entry["definition"]["items"] if item["type"] == "choice"]
    item = data.draw(st.sampled_from(items))
    allowed = {option["value"] for option in item["options"]}
    bad = data.draw(st.integers(min_value=-1000, max_value=1000).filter(lambda value: value not in allowed))
    with pytest.raises(scoring.ValidationFailed) as failure:
        scoring.validate_answers(entry["definition"], {item["key"]: bad})
    assert item["key"] in failure.value.errors
