"""The form to dismiss a suggested need."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DismissForm(forms.Form):
    """Dismissing needs a reason."""

    reason = forms.CharField(label=_("Why dismiss it?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
