"""The form to resolve a risk flag."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RiskFlagResolveForm(forms.Form):
    """A note is required: what was done to keep the client safe."""

    note = forms.CharField(
        label=_("What was done (required)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: safety plan made with the client, crisis evaluation arranged."),
    )
