"""Forms of the auditor's page: finding a client and filtering their audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.audit.labels import ACTION_LABELS


class ClientLookupForm(forms.Form):
    """A record number or a name."""

    q = forms.CharField(
        label=_("Record number or name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class AuditFilterForm(forms.Form):
    """Narrow a client's audit trail by action, actor and date range (dates in the agency's zone)."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor e-mail"), max_length=254, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda pair: pair[1])
        self.fields["action"].choices = [("", _("Any action")), *choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range is before its start."))
        return cleaned
