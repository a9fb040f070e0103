"""Building answer sets for tests."""

from __future__ import annotations

from typing import Any

from casework.assessments.definitions import shipped


def answers_for_total(code: str, total: int) -> dict[str, Any]:
    """Answers of a summed instrument that add up to `total` (filling items in order)."""
    entry = shipped(code)
    items = {item["key"]: item for item in entry["definition"]["items"]}
    remaining = total
    answers: dict[str, Any] = {}
    for key in entry["scoring"]["items"]:
        by_score = {option.get("score", option["value"]): option["value"] for option in items[key]["options"]}
        take = min(remaining, max(by_score))
        answers[key] = by_score[take]
        remaining -= take
    assert remaining == 0, f"{code} cannot reach {total}"
    return answers


def hrsn_answers(**overrides: Any) -> dict[str, Any]:
    """AHC HRSN answers that screen negative everywhere, with overrides."""
    answers: dict[str, Any] = {
        "ahc_living_situation": 0,
        "ahc_housing_problems": [0],
        "ahc_food_worry": 2,
        "ahc_food_ran_out": 2,
        "ahc_transportation": 0,
        "ahc_utilities": 0,
        "ahc_safety_hurt": 1,
        "ahc_safety_insult": 1,
        "ahc_safety_threaten": 1,
        "ahc_safety_scream": 1,
    }
    answers.update(overrides)
    return answers
