"""Assessment forms: start a draft, answer an instrument (one field per item), amend a completed one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from casework.assessments.models import AdministrationMethod, Instrument, InstrumentVersion


class AssessmentStartForm(forms.Form):
    """Choose the instrument, how it is given and when: opens a draft."""

    instrument = forms.ChoiceField(label=_("Instrument"))
    method = forms.ChoiceField(
        label=_("How is it given?"),
        choices=AdministrationMethod.choices,
        initial=AdministrationMethod.IN_PERSON,
        widget=forms.RadioSelect,
    )
    administered_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", _gettext("Choose…")), *((i.code, i.name) for i in instruments)]  # type: ignore[attr-defined]
        if not self.is_bound and "administered_at" not in self.initial:
            self.initial["administered_at"] = timezone.localtime().replace(second=0, microsecond=0)


def _option_label(item: Mapping[str, Any], value: Any) -> str:
    for option in item.get("options", []):
        if option["value"] == value:
            return str(option["label"])
    return str(value)


def answer_text(item: Mapping[str, Any], value: Any) -> str:
    """An answer as the client gave it: the option's label (labels for a multiple choice), or the text."""
    if value is None or value == "" or value == []:
        return ""
    kind = item.get("type", "choice")
    if kind == "text":
        return str(value)
    if kind == "multi":
        return "; ".join(_option_label(item, v) for v in (value if isinstance(value, list) else [value]))
    return _option_label(item, value)


def describe_condition(condition: Mapping[str, Any], items: Mapping[str, Mapping[str, Any]]) -> str:
    """Skip logic in words, for the page without JavaScript ("Ask only if question 2 is “Yes”.")."""
    key = str(condition.get("item", ""))
    if key in items and set(condition) == {"item", "eq"}:
        item = items[key]
        return _gettext("Ask only if the answer to question %(n)s is “%(answer)s”.") % {
            "n": item.get("number", key),
            "answer": _option_label(item, condition["eq"]),
        }
    return _gettext("Asked only after certain answers to earlier questions.")


class AnswersForm(forms.Form):
    """One field per item of an instrument version, named by the item's key; nothing required for a draft.

    The page is the whole answer sheet: an item left empty clears a saved answer, and the
    answers to items the skip logic does not ask (after the answers sent) are cleared too,
    so a user without JavaScript is never stuck with a radio button they cannot uncheck.
    """

    def __init__(self, *args: Any, instrument_version: InstrumentVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument_version = instrument_version
        self.definition: dict[str, Any] = instrument_version.definition
        self.items: dict[str, dict[str, Any]] = {item["key"]: item for item in self.definition.get("items", [])}
        scored = set(instrument_version.scoring.get("items", []))
        for key, item in self.items.items():
            kind = item.get("type", "choice")
            label = f"{item.get('number', '')}. {item['text']}".strip(". ")
            attrs: dict[str, Any] = {}
            field: forms.Field
            if kind == "text":
                field = forms.CharField(
                    label=label,
                    required=False,
                    strip=True,
                    max_length=int(item.get("max_length", 20000)),
                    widget=forms.Textarea(attrs={"rows": 5}),
                )
            else:
                choices = [(str(option["value"]), option["label"]) for option in item.get("options", [])]
                if kind == "multi":
                    field = forms.MultipleChoiceField(
                        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
                    )
                else:
                    field = forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)
            if key in scored:
                attrs["data-scored"] = ""
            field.widget.attrs.update(attrs)
            self.fields[key] = field

    def questions(self) -> list[dict[str, Any]]:
        """Each item with its bound field, skip logic (as JSON for the script and in words) and option scores."""
        out = []
        for key, item in self.items.items():
            condition = item.get("ask_if")
            scores = {str(option["value"]): option.get("score", option["value"]) for option in item.get("options", [])}
            out.append(
                {
                    "key": key,
                    "item": item,
                    "field": self[key],
                    "kind": item.get("type", "choice"),
                    "required": bool(item.get("required", True)),
                    "ask_if_json": json.dumps(condition) if condition else "",
                    "ask_if_text": describe_condition(condition, self.items) if condition else "",
                    "scores_json": json.dumps(scores) if scores else "",
                }
            )
        return out

    def answers(self) -> dict[str, Any]:
        """Every item's answer from the sheet ("" or [] when left empty), skipped items cleared."""
        from casework.assessments.scoring import is_asked

        raw: dict[str, Any] = {}
        for key, item in self.items.items():
            value = self.cleaned_data.get(key)
            kind = item.get("type", "choice")
            if kind == "multi":
                raw[key] = [int(v) for v in value or []]
            elif kind == "text":
                raw[key] = value or ""
            else:
                raw[key] = int(value) if isinstance(value, str) and value else ""
        given = {key: value for key, value in raw.items() if value not in ("", [])}
        for key, item in self.items.items():
            if key in given and not is_asked(item, given):
                raw[key] = [] if item.get("type") == "multi" else ""
                del given[key]
        return raw

    def skipped_numbers(self) -> list[str]:
        """Numbers of the questions answered on the sheet but cleared because the skip logic skips them."""
        cleared = self.answers()
        return [
            str(item.get("number", key))
            for key, item in self.items.items()
            if self.cleaned_data.get(key) not in (None, "", []) and cleared[key] in ("", [])
        ]

    def running(self) -> dict[str, int]:
        """The sum of the scored answers on the sheet as it stands (the posted values after a refusal)."""
        total = answered = 0
        scored = list(self.instrument_version.scoring.get("items", []))
        for key in scored:
            value = self[key].value()
            item = self.items[key]
            scores = {str(option["value"]): int(option.get("score", option["value"])) for option in item["options"]}
            if isinstance(value, str) and value in scores:
                total += scores[value]
                answered += 1
        return {"sum": total, "answered": answered, "scored": len(scored)}

    @staticmethod
    def initial_from(answers: Mapping[str, Any]) -> dict[str, Any]:
        """Saved answers as the form's initial values (option values as strings)."""
        initial: dict[str, Any] = {}
        for key, value in answers.items():
            if isinstance(value, list):
                initial[key] = [str(v) for v in value]
            elif isinstance(value, int) and not isinstance(value, bool):
                initial[key] = str(value)
            else:
                initial[key] = value
        return initial


class AnswerDraftForm(AnswersForm):
    """Answer a draft: the version the user loaded, and the instrument version the sheet was made for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stale = _("This page is out of date or incomplete: open the assessment again from the case page.")
        messages = {"required": stale, "invalid": stale, "min_value": stale}
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages=messages)
        self.fields["instrument_version"] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=1, error_messages=messages
        )


class AmendForm(AnswersForm):
    """Correct a completed assessment: the whole sheet again, with the reason for the correction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label=_("Why is it amended?"),
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("The original stays in the record, marked amended, with this reason."),
        )
        self.fields["submission_key"] = forms.CharField(widget=forms.HiddenInput, max_length=64)
