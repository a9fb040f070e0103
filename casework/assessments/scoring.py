"""Scoring engine: pure functions from (definition, scoring rules, answers, sex) to a result.

Nothing here touches the database, so every rule is testable on its own and a definition added
by an administrator is scored by the same code as the shipped ones. The rule language is
described in `casework/assessments/definitions/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from casework.core.errors import ValidationFailed

SEXES = ("male", "female")


@dataclass(frozen=True)
class ScoreResult:
    """What an instrument's answers mean: total, band, flags, positive screens, completeness."""

    total: int | None
    max_total: int | None
    band: str
    band_label: str
    band_explanation: str
    flags: list[str] = field(default_factory=list)
    flag_labels: dict[str, str] = field(default_factory=dict)
    positive_screens: list[str] = field(default_factory=list)
    subscores: dict[str, int | None] = field(default_factory=dict)
    complete: bool = True
    prorated: bool = False
    missing: list[str] = field(default_factory=list)


# --- Definitions --------------------------------------------------------------------------


def _items(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in definition.get("items", [])}


def _option_score(item: Mapping[str, Any], value: Any) -> int:
    for option in item.get("options", []):
        if option["value"] == value:
            return int(option.get("score", option["value"]))
    raise KeyError(value)


def _item_max(item: Mapping[str, Any]) -> int:
    return max(int(option.get("score", option["value"])) for option in item.get("options", []))


def max_total(definition: Mapping[str, Any], scoring: Mapping[str, Any]) -> int | None:
    """The highest total the rules allow (None when the instrument has no total)."""
    if scoring.get("method") != "sum":
        return None
    items = _items(definition)
    return sum(_item_max(items[key]) for key in scoring.get("items", []))


def min_total(definition: Mapping[str, Any], scoring: Mapping[str, Any]) -> int | None:
    """The lowest total the rules allow (None when the instrument has no total)."""
    if scoring.get("method") != "sum":
        return None
    items = _items(definition)
    return sum(
        min(int(option.get("score", option["value"])) for option in items[key]["options"])
        for key in scoring.get("items", [])
    )


def effective_sex(scoring: Mapping[str, Any], sex: str | None) -> str | None:
    """The client's sex where it is male or female; otherwise the instrument's fallback rule."""
    if sex in SEXES:
        return sex
    return scoring.get("sex_fallback")


# --- Conditions ---------------------------------------------------------------------------

_COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
}


def _compare(value: Any, rule: Mapping[str, Any]) -> bool:
    if value is None:
        return False
    for op, expected in rule.items():
        if op == "any_of":
            chosen = value if isinstance(value, list) else [value]
            if not set(chosen) & set(expected):
                return False
        elif op in _COMPARISONS and (isinstance(value, list) or not _COMPARISONS[op](value, expected)):
            return False
    return True


@dataclass(frozen=True)
class _Facts:
    answers: Mapping[str, Any]
    total: int | None
    subscores: Mapping[str, int | None]
    sex: str | None


def evaluate(condition: Mapping[str, Any], facts: _Facts) -> bool:
    """Does a rule's condition hold for these answers? Unknown facts make comparisons false."""
    if "any" in condition:
        return any(evaluate(part, facts) for part in condition["any"])
    if "all" in condition:
        return all(evaluate(part, facts) for part in condition["all"])
    if "not" in condition:
        return not evaluate(condition["not"], facts)
    if "always" in condition:
        return bool(condition["always"])
    if "sex" in condition:
        return facts.sex == condition["sex"]
    if "total" in condition:
        return _compare(facts.total, condition["total"])
    if "subscore" in condition:
        rest = {k: v for k, v in condition.items() if k != "subscore"}
        return _compare(facts.subscores.get(condition["subscore"]), rest)
    if "item" in condition:
        rest = {k: v for k, v in condition.items() if k != "item"}
        return _compare(facts.answers.get(condition["item"]), rest)
    raise ValueError(f"Unknown condition: {condition!r}")


def is_asked(item: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Skip logic: an item with `ask_if` is asked only when its condition holds for the answers so far."""
    condition = item.get("ask_if")
    if not condition:
        return True
    return evaluate(condition, _Facts(answers=answers, total=None, subscores={}, sex=None))


# --- Validation ---------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _coerce_choice(value: Any) -> int | None:
    """Form posts send "2"; JSON sends 2. Anything else (True, 2.5, "two") is not an option value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def validate_answers(definition: Mapping[str, Any], answers: Any, *, label: str = "") -> dict[str, Any]:
    """Clean a full set of answers against one instrument version; ValidationFailed lists every bad item.

    Blank answers are dropped (an unanswered item). Refused: keys that are not items of this version
    (answers meant for another instrument or version), values that are not options of the item,
    and answers to items the skip logic does not ask.
    """
    if not isinstance(answers, Mapping):
        raise ValidationFailed(_("Answers must map item keys to values."), field="answers")
    items = _items(definition)
    label = label or str(definition.get("title", ""))
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, raw in answers.items():
        item = items.get(key)
        if item is None:
            errors[str(key)] = [
                _("%(key)s is not a question of %(instrument)s (answers for another instrument or version?).")
                % {"key": key, "instrument": label}
            ]
            continue
        if _is_blank(raw):
            continue
        number = item.get("number", key)
        kind = item.get("type", "choice")
        if kind == "text":
            if not isinstance(raw, str):
                errors[key] = [_("Question %(n)s: write text.") % {"n": number}]
                continue
            text = raw.strip()
            limit = int(item.get("max_length", 20000))
            if len(text) > limit:
                errors[key] = [_("Question %(n)s: keep it under %(limit)s characters.") % {"n": number, "limit": limit}]
                continue
            if text:
                cleaned[key] = text
            continue
        allowed = {option["value"] for option in item.get("options", [])}
        if kind == "multi":
            values = raw if isinstance(raw, list | tuple) else [raw]
            chosen = [_coerce_choice(value) for value in values]
            if any(value is None or value not in allowed for value in chosen):
                errors[key] = [_("Question %(n)s: choose from the listed answers.") % {"n": number}]
                continue
            exclusive = {option["value"] for option in item["options"] if option.get("exclusive")}
            unique = sorted(set(chosen))  # type: ignore[type-var]
            if len(unique) > 1 and exclusive & set(unique):
                errors[key] = [
                    _("Question %(n)s: “none of the above” cannot be chosen with another answer.") % {"n": number}
                ]
                continue
            cleaned[key] = unique
            continue
        value = _coerce_choice(raw)
        if value is None or value not in allowed:
            errors[key] = [
                _("Question %(n)s: %(value)s is not one of its answers.") % {"n": number, "value": repr(raw)}
            ]
            continue
        cleaned[key] = value
    # Skip logic, judged on the cleaned answers in definition order.
    for key, item in items.items():
        if key in cleaned and not is_asked(item, cleaned):
            errors[key] = [
                _("Question %(n)s is skipped after the answers given, so it cannot be answered.")
                % {"n": item.get("number", key)}
            ]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    return {key: cleaned[key] for key in items if key in cleaned}


def missing_items(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Required items that are asked (after skip logic) and not answered."""
    return [
        item["key"]
        for item in definition.get("items", [])
        if item.get("required", True) and is_asked(item, answers) and _is_blank(answers.get(item["key"]))
    ]


# --- Scoring ------------------------------------------------------------------------------


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _sum_total(
    definition: Mapping[str, Any], scoring: Mapping[str, Any], answers: Mapping[str, Any], missing: list[str]
) -> tuple[int | None, bool]:
    """(total, prorated) under the instrument's missing-answer rule; total None when it cannot be scored."""
    items = _items(definition)
    keys = list(scoring.get("items", []))
    answered = [key for key in keys if not _is_blank(answers.get(key))]
    raw = sum(_option_score(items[key], answers[key]) for key in answered)
    missing_scored = [key for key in keys if key in missing]
    if not missing_scored:
        return raw, False
    rule = scoring.get("missing", {"rule": "incomplete"})
    if rule.get("rule") != "prorate":
        return None, False
    if len(missing_scored) > int(rule.get("max_missing", 0)) or set(missing_scored) & set(
        rule.get("never_missing", [])
    ):
        return None, False
    prorated = _round_half_up(Decimal(raw) * len(keys) / len(answered))
    return prorated, True


def _band_for(scoring: Mapping[str, Any], facts: _Facts) -> dict[str, Any] | None:
    for band in scoring.get("bands", []):
        if "sex" in band and band["sex"] != facts.sex:
            continue
        if "when" in band:
            if evaluate(band["when"], facts):
                return dict(band)
            continue
        if facts.total is not None and band["min"] <= facts.total <= band["max"]:
            return dict(band)
    return None


def score(
    definition: Mapping[str, Any],
    scoring: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    sex: str | None = None,
) -> ScoreResult:
    """Score cleaned answers (see `validate_answers`).

    Flags are judged on whatever is answered, so a self-harm answer raises its flag even on an
    incomplete form. A total, band and total-based screens need the instrument to be complete
    or proratable under its rule; a band rule without a total (C-SSRS) needs it complete.
    """
    missing = missing_items(definition, answers)
    complete_enough = not missing
    total: int | None = None
    prorated = False
    if scoring.get("method") == "sum":
        total, prorated = _sum_total(definition, scoring, answers, missing)
        complete_enough = total is not None and not [key for key in missing if key not in scoring.get("items", [])]
    items = _items(definition)
    subscores: dict[str, int | None] = {}
    for sub in scoring.get("subscores", []):
        keys = sub["items"]
        subscores[sub["key"]] = (
            sum(_option_score(items[key], answers[key]) for key in keys)
            if all(not _is_blank(answers.get(key)) for key in keys)
            else None
        )
    facts = _Facts(answers=answers, total=total, subscores=subscores, sex=effective_sex(scoring, sex))
    band = _band_for(scoring, facts) if complete_enough else None
    flags = [rule["key"] for rule in scoring.get("flags", []) if evaluate(rule["when"], facts)]
    flag_labels = {
        rule["key"]: rule.get("label", rule["key"]) for rule in scoring.get("flags", []) if rule["key"] in flags
    }
    screens = [rule["key"] for rule in scoring.get("positive_screens", []) if evaluate(rule["when"], facts)]
    return ScoreResult(
        total=total if complete_enough else None,
        max_total=max_total(definition, scoring),
        band=band["key"] if band else "",
        band_label=band.get("label", "") if band else "",
        band_explanation=band.get("explanation", "") if band else "",
        flags=flags,
        flag_labels=flag_labels,
        positive_screens=screens,
        subscores=subscores,
        complete=complete_enough,
        prorated=prorated and complete_enough,
        missing=missing,
    )


def validate_and_score(
    definition: Mapping[str, Any], scoring: Mapping[str, Any], answers: Any, *, sex: str | None = None
) -> ScoreResult:
    """`validate_answers` then `score`: the one call the services and the API need."""
    return score(definition, scoring, validate_answers(definition, answers), sex=sex)
