"""Search, match and screener forms: parse what the worker asks into criteria."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.directory import hours
from casework.directory.models import NeedCategory
from casework.directory.selectors import DEFAULT_RADIUS_MILES, MAX_RADIUS_MILES, origin_for_zip
from casework.needs.models import NeedDomain

RADIUS_CHOICES = [
    (1, _("1 mile")),
    (3, _("3 miles")),
    (5, _("5 miles")),
    (10, _("10 miles")),
    (15, _("15 miles")),
    (25, _("25 miles")),
    (50, _("50 miles")),
]
DAY_CHOICES = [("", _("Any day"))] + [(str(i), name) for i, name in enumerate(hours.DAY_NAMES)]


class SearchForm(forms.Form):
    """The directory search: every field optional; a ZIP code enables distance."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Need category"), required=False)
    zip = forms.CharField(
        label=_("Near ZIP code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "size": 6}),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"), choices=RADIUS_CHOICES, coerce=float, required=False, empty_value=None
    )
    day = forms.ChoiceField(label=_("Open on"), choices=DAY_CHOICES, required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    language = forms.CharField(label=_("Language"), required=False, max_length=60)
    free = forms.BooleanField(label=_("Free only"), required=False)
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=125)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("Any category"))]
        choices += [(category.code, category.name) for category in NeedCategory.objects.all()]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]
        self.fields["radius"].initial = int(DEFAULT_RADIUS_MILES)

    def clean_zip(self) -> str:
        value = (self.cleaned_data.get("zip") or "").strip()
        if value and origin_for_zip(value) is None:
            raise forms.ValidationError(_("Unknown ZIP code: enter 5 digits of a US ZIP code."))
        return value[:5]

    def clean_radius(self) -> float:
        value = self.cleaned_data.get("radius") or DEFAULT_RADIUS_MILES
        return min(float(value), MAX_RADIUS_MILES)

    def clean_q(self) -> str:
        return (self.cleaned_data.get("q") or "").replace("\x00", "").strip()

    def clean_language(self) -> str:
        return (self.cleaned_data.get("language") or "").replace("\x00", "").strip()


class MatchForm(forms.Form):
    """Which needs to match on (defaults to the case's open needs) and how far."""

    domains = forms.MultipleChoiceField(
        label=_("Needs"), choices=NeedDomain.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    radius = forms.TypedChoiceField(
        label=_("Within"), choices=RADIUS_CHOICES, coerce=float, required=False, empty_value=None
    )
