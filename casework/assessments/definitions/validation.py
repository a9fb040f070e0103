"""Checks on an instrument definition written by an administrator, before it can be published.

`definition_errors` returns plain-language messages naming the item, band or flag at fault; an
empty list means the scoring engine (`casework/assessments/scoring.py`) can score any answers to
it. The rule language is documented in `casework/assessments/definitions/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

COMPARISON_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "any_of")
ITEM_TYPES = ("choice", "multi", "text")
SEXES = ("male", "female")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_items(definition: Mapping[str, Any], errors: list[str]) -> dict[str, dict[str, Any]]:
    """Item checks; returns the well-formed items by key (for the checks that reference them)."""
    raw_items = definition.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        errors.append("The definition needs a list of items with at least one item.")
        return {}
    items: dict[str, dict[str, Any]] = {}
    for position, item in enumerate(raw_items, start=1):
        if not isinstance(item, Mapping):
            errors.append(f"Item {position} is not an object with a key, text and type.")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            errors.append(f"Item {position} has no key.")
            continue
        name = f'Item "{key}"'
        if key in items:
            errors.append(f"{name}: the key is used by more than one item; every item needs its own key.")
            continue
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            errors.append(f"{name} has no text.")
        kind = item.get("type", "choice")
        if kind not in ITEM_TYPES:
            errors.append(f"{name}: type {kind!r} is not one of {', '.join(ITEM_TYPES)}.")
            continue
        if "required" in item and not isinstance(item["required"], bool):
            errors.append(f"{name}: required must be true or false.")
        if kind == "text":
            limit = item.get("max_length")
            if not _is_int(limit) or limit < 1:
                errors.append(f"{name} is a text item and needs a max_length (a whole number above 0).")
        else:
            _check_options(name, kind, item.get("options"), errors)
        items[key] = dict(item)
    return items


def _check_options(name: str, kind: str, options: Any, errors: list[str]) -> None:
    if not isinstance(options, list) or not options:
        errors.append(f"{name} is a {kind} item and needs at least one option.")
        return
    seen: set[int] = set()
    for position, option in enumerate(options, start=1):
        if not isinstance(option, Mapping):
            errors.append(f"{name}, option {position} is not an object with a value and label.")
            continue
        value = option.get("value")
        if not _is_int(value):
            errors.append(f"{name}, option {position}: the value must be a whole number (got {value!r}).")
        elif value in seen:
            errors.append(f"{name}: the option value {value} is used twice; option values must be unique.")
        else:
            seen.add(value)
        if "score" in option and not _is_int(option["score"]):
            errors.append(f"{name}, option {position}: the score must be a whole number (got {option['score']!r}).")
        if not isinstance(option.get("label"), str) or not option["label"].strip():
            errors.append(f"{name}, option {position} has no label.")
        if option.get("exclusive") and kind != "multi":
            errors.append(f"{name}, option {position}: only multi items can have an exclusive option.")


def _check_comparison(where: str, rule: Mapping[str, Any], errors: list[str], *, allow_extra: tuple[str, ...]) -> None:
    ops = [key for key in rule if key not in allow_extra]
    if not ops:
        errors.append(f"{where}: the condition compares nothing (use one of {', '.join(COMPARISON_OPS)}).")
    for op in ops:
        if op not in COMPARISON_OPS:
            errors.append(f"{where}: {op!r} is not a known comparison (use one of {', '.join(COMPARISON_OPS)}).")
        elif op in ("in", "any_of") and not isinstance(rule[op], list):
            errors.append(f"{where}: {op} needs a list of values.")
        elif op not in ("in", "any_of") and (isinstance(rule[op], list | dict) or rule[op] is None):
            errors.append(f"{where}: {op} needs a single value.")


def _check_condition(
    where: str,
    condition: Any,
    items: Mapping[str, Any],
    subscores: set[str],
    errors: list[str],
    *,
    has_total: bool,
) -> None:
    """A condition in the rule language: known ops, existing items and subscores."""
    if not isinstance(condition, Mapping) or not condition:
        errors.append(f"{where}: the condition must be an object such as {{'item': key, 'gte': 1}}.")
        return
    if "any" in condition or "all" in condition:
        word = "any" if "any" in condition else "all"
        parts = condition[word]
        if not isinstance(parts, list) or not parts:
            errors.append(f"{where}: {word} needs a list of conditions.")
            return
        for part in parts:
            _check_condition(where, part, items, subscores, errors, has_total=has_total)
        return
    if "not" in condition:
        _check_condition(where, condition["not"], items, subscores, errors, has_total=has_total)
        return
    if "always" in condition:
        if not isinstance(condition["always"], bool):
            errors.append(f"{where}: always must be true or false.")
        return
    if "sex" in condition:
        if condition["sex"] not in SEXES:
            errors.append(f"{where}: sex must be male or female.")
        return
    if "total" in condition:
        if not has_total:
            errors.append(f'{where}: refers to the total, but the scoring method is not "sum".')
        if not isinstance(condition["total"], Mapping):
            errors.append(f"{where}: total needs comparisons such as {{'gte': 10}}.")
            return
        _check_comparison(where, condition["total"], errors, allow_extra=())
        return
    if "subscore" in condition:
        if condition["subscore"] not in subscores:
            errors.append(f"{where}: refers to subscore {condition['subscore']!r}, which is not defined.")
        _check_comparison(where, condition, errors, allow_extra=("subscore",))
        return
    if "item" in condition:
        key = condition["item"]
        if key not in items:
            errors.append(f"{where}: refers to item {key!r}, which is not in the definition.")
        elif items[key].get("type", "choice") == "text":
            errors.append(f"{where}: refers to text item {key!r}; conditions can only use choice or multi answers.")
        _check_comparison(where, condition, errors, allow_extra=("item",))
        return
    errors.append(
        f"{where}: unknown condition {sorted(condition)!r} (use item, total, subscore, sex, any, all, not or always)."
    )


def _score_range(item: Mapping[str, Any]) -> tuple[int, int]:
    scores = [int(option.get("score", option["value"])) for option in item["options"]]
    return min(scores), max(scores)


def _check_band_coverage(where: str, bands: list[Mapping[str, Any]], low: int, high: int, errors: list[str]) -> None:
    """Range bands must cover low..high exactly once each."""
    ordered = sorted(bands, key=lambda band: band["min"])
    expected = low
    for band in ordered:
        name = f'band "{band.get("key")}"'
        if band["min"] > expected:
            errors.append(f"{where}: no band covers totals {expected} to {band['min'] - 1}.")
        elif band["min"] < expected:
            errors.append(f"{where}: {name} ({band['min']}–{band['max']}) overlaps the band before it.")
        expected = max(expected, band["max"] + 1)
    if expected <= high:
        errors.append(f"{where}: no band covers totals {expected} to {high}.")
    if ordered and ordered[0]["min"] < low:
        errors.append(
            f'{where}: band "{ordered[0].get("key")}" starts at {ordered[0]["min"]}, below the lowest total {low}.'
        )
    if ordered and max(band["max"] for band in ordered) > high:
        errors.append(f"{where}: a band reaches past the highest total {high}.")


def _check_scoring(
    definition: Mapping[str, Any], scoring: Mapping[str, Any], items: dict[str, dict[str, Any]], errors: list[str]
) -> None:
    method = scoring.get("method", "none")
    if method not in ("sum", "none"):
        errors.append(f'Scoring method {method!r} is not "sum" or "none".')
        return
    has_total = method == "sum"
    summed: list[str] = []
    if has_total:
        keys = scoring.get("items")
        if not isinstance(keys, list) or not keys:
            errors.append('Scoring method "sum" needs the list of items to add up.')
            keys = []
        for key in keys:
            if key not in items:
                errors.append(f"Scoring adds up item {key!r}, which is not in the definition.")
            elif items[key].get("type", "choice") != "choice":
                errors.append(f'Scoring adds up item "{key}", which is not a choice item.')
            elif key in summed:
                errors.append(f'Scoring adds up item "{key}" twice.')
            else:
                summed.append(key)
    elif scoring.get("items"):
        errors.append('Scoring lists items to add up, but the method is not "sum".')

    subscores: set[str] = set()
    for position, sub in enumerate(scoring.get("subscores", []) or [], start=1):
        key = sub.get("key") if isinstance(sub, Mapping) else None
        if not isinstance(key, str) or not key:
            errors.append(f"Subscore {position} has no key.")
            continue
        if key in subscores:
            errors.append(f'Subscore "{key}" is defined twice.')
        subscores.add(key)
        for item_key in sub.get("items", []) or []:
            if item_key not in items or items[item_key].get("type", "choice") != "choice":
                errors.append(f'Subscore "{key}" adds up {item_key!r}, which is not a choice item of the definition.')
        if not sub.get("items"):
            errors.append(f'Subscore "{key}" needs a list of items.')

    _check_missing_rule(scoring.get("missing", {"rule": "incomplete"}), items, errors)
    if scoring.get("sex_fallback") not in (None, *SEXES):
        errors.append("sex_fallback must be male or female.")

    for key, item in items.items():
        if "ask_if" in item:
            _check_condition(f'Item "{key}" (ask_if)', item["ask_if"], items, set(), errors, has_total=False)

    _check_bands(scoring, items, summed, subscores, errors, has_total=has_total)
    for group, label in (("flags", "Flag"), ("positive_screens", "Positive screen")):
        rules = scoring.get(group, []) or []
        if not isinstance(rules, list):
            errors.append(f"{group} must be a list.")
            continue
        keys_seen: set[str] = set()
        labels_seen: set[str] = set()
        for position, rule in enumerate(rules, start=1):
            key = rule.get("key") if isinstance(rule, Mapping) else None
            if not isinstance(key, str) or not key:
                errors.append(f"{label} {position} has no key.")
                continue
            where = f'{label} "{key}"'
            if key in keys_seen:
                errors.append(f"{where}: the key is used twice.")
            keys_seen.add(key)
            rule_label = rule.get("label")
            if not isinstance(rule_label, str) or not rule_label.strip():
                errors.append(f"{where} has no label.")
            elif rule_label in labels_seen:
                errors.append(f"{where}: the label {rule_label!r} is used twice.")
            else:
                labels_seen.add(rule_label)
            if "when" not in rule:
                errors.append(f"{where} has no condition (when).")
            else:
                _check_condition(where, rule["when"], items, subscores, errors, has_total=has_total)
            if group == "flags" and "risk_alert" in rule and not isinstance(rule["risk_alert"], bool):
                errors.append(f"{where}: risk_alert must be true or false.")
            if group == "positive_screens" and "need_domain" in rule:
                _check_need_domain(where, rule["need_domain"], errors)


def _check_need_domain(where: str, domain: Any, errors: list[str]) -> None:
    # The care-plan need domains live in the needs app, which takes up positive screens.
    from casework.needs.models import NeedDomain

    if domain not in NeedDomain.values:
        errors.append(f"{where}: need_domain must be one of {', '.join(NeedDomain.values)}.")


def _check_missing_rule(rule: Any, items: Mapping[str, Any], errors: list[str]) -> None:
    if not isinstance(rule, Mapping) or rule.get("rule") not in ("incomplete", "prorate"):
        errors.append('The missing-answer rule must be {"rule": "incomplete"} or {"rule": "prorate", ...}.')
        return
    if rule["rule"] == "incomplete":
        return
    max_missing = rule.get("max_missing")
    if not _is_int(max_missing) or max_missing < 0:
        errors.append("Prorating needs max_missing, a whole number of 0 or more.")
    never = rule.get("never_missing", [])
    if not isinstance(never, list):
        errors.append("never_missing must be a list of item keys.")
        return
    for key in never:
        if key not in items:
            errors.append(f"never_missing names item {key!r}, which is not in the definition.")


def _check_bands(
    scoring: Mapping[str, Any],
    items: Mapping[str, dict[str, Any]],
    summed: list[str],
    subscores: set[str],
    errors: list[str],
    *,
    has_total: bool,
) -> None:
    bands = scoring.get("bands", []) or []
    if not isinstance(bands, list):
        errors.append("bands must be a list.")
        return
    range_bands: list[Mapping[str, Any]] = []
    keys_by_sex: dict[str | None, set[str]] = {}
    for position, band in enumerate(bands, start=1):
        key = band.get("key") if isinstance(band, Mapping) else None
        if not isinstance(key, str) or not key:
            errors.append(f"Band {position} has no key.")
            continue
        where = f'Band "{key}"'
        sex = band.get("sex")
        if sex is not None and sex not in SEXES:
            errors.append(f"{where}: sex must be male or female.")
            continue
        if key in keys_by_sex.setdefault(sex, set()):
            errors.append(f"{where}: the key is used twice" + (f" for {sex}." if sex else "."))
        keys_by_sex[sex].add(key)
        if not isinstance(band.get("label"), str) or not band["label"].strip():
            errors.append(f"{where} has no label.")
        if "when" in band:
            _check_condition(where, band["when"], items, subscores, errors, has_total=has_total)
            continue
        if not has_total:
            errors.append(f'{where}: a band by min and max needs scoring method "sum" (or give a when condition).')
            continue
        low, high = band.get("min"), band.get("max")
        if not _is_int(low) or not _is_int(high):
            errors.append(f"{where} needs a whole-number min and max (or a when condition).")
            continue
        if low > high:
            errors.append(f"{where}: min {low} is above max {high}.")
            continue
        range_bands.append(band)
    if not range_bands or not has_total or not summed:
        return
    if any(
        not items[key].get("options") or not all(_is_int(o.get("value")) for o in items[key]["options"])
        for key in summed
    ):
        return  # option errors are already reported; a range cannot be computed
    try:
        low = sum(_score_range(items[key])[0] for key in summed)
        high = sum(_score_range(items[key])[1] for key in summed)
    except (TypeError, ValueError, KeyError):
        return
    sexes = {band.get("sex") for band in range_bands}
    if sexes == {None}:
        _check_band_coverage("Bands", range_bands, low, high, errors)
        return
    if None in sexes:
        errors.append("Bands: some bands are sex-specific and some are not; give every band a sex, or none.")
        return
    for sex in SEXES:
        own = [band for band in range_bands if band.get("sex") == sex]
        if not own:
            errors.append(f"Bands: there are sex-specific bands but none for {sex}.")
            continue
        _check_band_coverage(f"Bands for {sex}", own, low, high, errors)


def definition_errors(definition: Any, scoring: Any) -> list[str]:
    """Everything wrong with a definition and its scoring rules, in plain language; [] when it can be published."""
    errors: list[str] = []
    if not isinstance(definition, Mapping):
        return ["The definition must be a JSON object with title and items."]
    if not isinstance(scoring, Mapping):
        return ["The scoring rules must be a JSON object with a method."]
    if not isinstance(definition.get("title"), str) or not definition["title"].strip():
        errors.append("The definition has no title.")
    items = _check_items(definition, errors)
    _check_scoring(definition, scoring, items, errors)
    return errors
