"""Forms: record and revoke consent, refer to a service, change a referral's status (staff and partner)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Consent, ConsentMethod, SharedInformation
from casework.directory.models import Organization
from casework.needs.models import NeedDomain
from casework.referrals.models import ReferralStatus, Urgency

DATE = forms.DateInput(attrs={"type": "date"})


class ConsentForm(forms.Form):
    """A client's consent to share information outside the agency."""

    recipient = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Any organization (for this purpose)"),
        help_text=_("The organization the client agreed to share with, or any organization."),
    )
    purpose = forms.CharField(
        label=_("Purpose"), max_length=300, help_text=_("For example: referral for food assistance.")
    )
    information = forms.MultipleChoiceField(
        label=_("Information that may be shared"),
        choices=SharedInformation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    method = forms.ChoiceField(label=_("How the client gave it"), choices=ConsentMethod.choices)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": timezone.localdate(), "method": ConsentMethod.WRITTEN})
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["recipient"].queryset = organizations  # type: ignore[attr-defined]


class RevokeConsentForm(forms.Form):
    """Revoking needs the client's reason; the version guards against a revoke over a newer change."""

    reason = forms.CharField(
        label=_("Why is the consent revoked?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReferralForm(forms.Form):
    """What the worker decides when referring: why, how urgent, by when, what is shared, under which consent."""

    reason = forms.CharField(
        label=_("Reason for the referral"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    need_domain = forms.ChoiceField(label=_("Need"), choices=[("", "—"), *NeedDomain.choices], required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)
    due_date = forms.DateField(label=_("Complete by"), required=False, widget=DATE)
    shared_information = forms.MultipleChoiceField(
        label=_("Information to share (only what the receiver needs)"),
        choices=SharedInformation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("Summary for the receiver"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shared only if you tick “A summary written for the receiver”."),
    )
    consent = forms.ModelChoiceField(
        label=_("Client's consent"),
        queryset=Consent.objects.none(),
        required=False,
        empty_label=_("— no consent recorded —"),
        help_text=_("Required to send: valid today, for this organization (or any), covering what you share."),
    )

    def __init__(self, *args: Any, consents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consents is not None:
            self.fields["consent"].queryset = consents  # type: ignore[attr-defined]
            self.fields["consent"].label_from_instance = _consent_label  # type: ignore[attr-defined]


def _consent_label(consent: Consent) -> str:
    organization = consent.recipient_organization
    recipient = organization.name if organization is not None else _("any organization")
    until = f", {_('until')} {consent.expires_on.isoformat()}" if consent.expires_on else ""
    return f"{recipient} — {consent.purpose} ({consent.get_status_display().lower()}{until})"


class StatusForm(forms.Form):
    """A status change with its reason or outcome; the version guards against acting on a stale page."""

    status = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.CharField(
        label=_("Outcome"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
