"""Forms of the client pages: they parse input; the client services do the writing."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import User
from casework.clients.models import Client, ClientIdentifier, IdentifierType, SupportContact
from casework.clients.permissions import CLINICAL_ROLES
from casework.clients.services import CLIENT_FIELDS, SUPPORT_CONTACT_FIELDS, normalize_ssn
from casework.core.errors import DomainError, ValidationFailed

MAX_IDENTIFIERS_ON_CREATE = 3


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_domain_errors(form: forms.BaseForm, exc: DomainError, *, field_map: dict[str, str] | None = None) -> None:
    """Show a service's refusal next to the fields it names (or above the form)."""
    field_map = field_map or {}
    if not exc.errors:
        form.add_error(None, exc.message)
        return
    for field, messages in exc.errors.items():
        name = field_map.get(field, field)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class ClientForm(forms.ModelForm):
    """Register or edit a client: the demographics of CLIENT_FIELDS plus the SSN."""

    ssn = forms.CharField(
        label=_("Social Security number"),
        required=False,
        max_length=20,
        help_text=_("9 digits, like 123-45-6789. Stored encrypted and shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {
            "date_of_birth": DateInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "household_size": forms.NumberInput(attrs={"min": 1, "max": 30}),
            "annual_household_income": forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        }
        help_texts = {
            "preferred_name": _("The name the client goes by, if not the legal first name."),
            "postal_code": _("5 digits, or ZIP+4."),
            "annual_household_income": _("Gross, before tax, whole dollars a year, for everyone in the household."),
        }

    def clean_ssn(self) -> str:
        raw = (self.cleaned_data.get("ssn") or "").strip()
        if not raw:
            return ""
        try:
            return normalize_ssn(raw)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc

    def client_data(self) -> dict[str, Any]:
        """The cleaned values the client services take as `data`."""
        return {name: self.cleaned_data[name] for name in CLIENT_FIELDS}


class ClientCreateForm(ClientForm):
    """Registration carries a one-time key so a double click registers one client."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    duplicate_reason = forms.CharField(
        label=_("Why is this a different person?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only when the record certainly matches an existing client; it goes into the audit log."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)


class ClientEditForm(ClientForm):
    """Editing carries the version the user started from; a blank SSN leaves it unchanged."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    remove_ssn = forms.BooleanField(label=_("Remove the SSN from the record"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ssn"].help_text = _("Leave blank to keep the number on file. 9 digits, like 123-45-6789.")
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_ssn") and cleaned.get("ssn"):
            self.add_error("remove_ssn", _("Either type a new number or remove it, not both."))
        return cleaned


class IdentifierForm(forms.Form):
    """One identifier row (kind and value); an empty row is skipped."""

    kind = forms.ChoiceField(label=_("Identifier type"), required=False, choices=[("", "—"), *IdentifierType.choices])
    value = forms.CharField(label=_("Identifier"), required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, value = cleaned.get("kind"), (cleaned.get("value") or "").strip()
        if value and not kind:
            self.add_error("kind", _("Choose the type of this identifier."))
        if kind and not value:
            self.add_error("value", _("Type the identifier, or set the type back to “—”."))
        if kind and value:
            # The same checks as the model, so the message sits next to this row.
            probe = ClientIdentifier(kind=kind, value=value)
            try:
                probe.clean_fields(exclude=["client", "value_key", "issuer", "created_at"])
            except forms.ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        cleaned["value"] = value
        return cleaned

    @property
    def is_empty(self) -> bool:
        return not (self.cleaned_data.get("kind") or self.cleaned_data.get("value"))


def identifier_forms(data: Any = None) -> list[IdentifierForm]:
    """The identifier rows of the registration form, prefixed identifier-0..2."""
    rows = []
    for index in range(MAX_IDENTIFIERS_ON_CREATE):
        form = IdentifierForm(data, prefix=f"identifier-{index}")
        form.fields["kind"].label = _("Identifier %(number)s: type") % {"number": index + 1}
        form.fields["value"].label = _("Identifier %(number)s: number") % {"number": index + 1}
        rows.append(form)
    return rows


def identifiers_from(forms_: list[IdentifierForm]) -> list[Mapping[str, str]]:
    """The filled identifier rows, as the service takes them; flags a repeated row."""
    seen: set[tuple[str, str]] = set()
    out: list[Mapping[str, str]] = []
    for form in forms_:
        if form.is_empty:
            continue
        key = (form.cleaned_data["kind"], form.cleaned_data["value"].upper().replace(" ", ""))
        if key in seen:
            form.add_error("value", _("This identifier is listed twice."))
            continue
        seen.add(key)
        out.append({"kind": form.cleaned_data["kind"], "value": form.cleaned_data["value"]})
    return out


class IdentifierAddForm(forms.ModelForm):
    """Add one identifier on the client page."""

    class Meta:
        model = ClientIdentifier
        fields = ["kind", "value", "issuer"]


class ReasonForm(forms.Form):
    """A required reason, for actions that are recorded with one (reveal SSN, remove identifier)."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput)


class SupportContactForm(forms.ModelForm):
    """A member of the client's support network."""

    class Meta:
        model = SupportContact
        fields = SUPPORT_CONTACT_FIELDS
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "notes": forms.TextInput,
        }
        labels = {"is_emergency_contact": _("Emergency contact")}


class BreakGlassForm(forms.Form):
    """Emergency access: which record and why."""

    client_id = forms.IntegerField(
        label=_("Client record number"),
        min_value=1,
        help_text=_("The number in the client's page address, e.g. 1234 in /clients/1234/."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason for emergency access"),
        max_length=1000,
        help_text=_("Describe the emergency: what happened and why you need this record now."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AccessGrantForm(forms.Form):
    """A supervisor or program director lets a colleague see this client."""

    user = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none(), empty_label="—")
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput)
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("Access ends at the end of this day. Leave blank for no end date."),
    )

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues  # type: ignore[attr-defined]

    def clean_until(self) -> datetime.date | None:
        until = self.cleaned_data.get("until")
        if until is not None and until < timezone.localdate():
            raise forms.ValidationError(_("The end date cannot be in the past."))
        return until

    def expires_at(self) -> datetime.datetime | None:
        """The end of the chosen day in the agency's zone (the middleware activates it)."""
        until = self.cleaned_data.get("until")
        if until is None:
            return None
        start_of_next_day = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(start_of_next_day)


def grantable_colleagues(*, agency_id: int, exclude_user_id: int) -> QuerySet[User]:
    """Active clinical staff of the agency who could be granted access (not the granter)."""
    return (
        User.objects.filter(agency_id=agency_id, is_active=True, role__in=list(CLINICAL_ROLES))
        .exclude(pk=exclude_user_id)
        .select_related("team")
        .order_by("full_name")
    )
