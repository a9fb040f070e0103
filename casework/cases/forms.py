"""Forms of the case pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import Program, User
from casework.cases.models import Acuity, CaseStatus, ClosureReason, TeamRole

SORT_CHOICES = [
    ("due", _("Due next")),
    ("name", _("Name")),
    ("status", _("Status")),
    ("program", _("Program")),
    ("last_contact", _("Last contact")),
]


def new_submission_key() -> str:
    """A one-time token for a create form: a second submit finds the first record."""
    return secrets.token_urlsafe(24)


def status_filter_choices() -> list[tuple[str, Any]]:
    return [("open", _("Open cases")), ("all", _("All cases")), *CaseStatus.choices]


class CaseloadFilterForm(forms.Form):
    """The caseload's filters and sort order (GET)."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=status_filter_choices)
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(
        label=_("Name"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    dir = forms.ChoiceField(
        label=_("Order"), required=False, choices=[("asc", _("Ascending")), ("desc", _("Descending"))]
    )

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programs")), *[(p.pk, p.name) for p in programs]]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The cleaned filters, falling back to the defaults for anything invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "open",
            "program_id": data.get("program"),
            "q": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "due",
            "descending": data.get("dir") == "desc",
        }


class CaseOpenForm(forms.Form):
    """Open a case for a client in a program."""

    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none(), empty_label=None)
    primary_worker = forms.ModelChoiceField(
        label=_("Primary case manager"), queryset=User.objects.none(), empty_label=None
    )
    status = forms.ChoiceField(
        label=_("Starts at"),
        choices=[(CaseStatus.REFERRED, CaseStatus.REFERRED.label), (CaseStatus.INTAKE, CaseStatus.INTAKE.label)],
        initial=CaseStatus.INTAKE,
    )
    acuity = forms.TypedChoiceField(label=_("Acuity"), choices=Acuity.choices, coerce=int, initial=Acuity.MODERATE)
    reason_for_referral = forms.CharField(
        label=_("Reason for referral"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, programs: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["primary_worker"].queryset = workers  # type: ignore[attr-defined]


class CaseTransitionForm(forms.Form):
    """Move a case to another status; closing needs a closure reason, reopening a reason."""

    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when reopening or moving the case back."),
    )
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"),
        required=False,
        choices=[("", _("Choose…")), *ClosureReason.choices],
        help_text=_("Required when closing."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, statuses: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CaseStatus.choices)
        self.fields["to_status"].choices = [("", _("Choose…")), *[(s, labels[s]) for s in statuses]]  # type: ignore[attr-defined]


class CaseEditForm(forms.Form):
    """Acuity and reason for referral, with the version the user started from."""

    acuity = forms.TypedChoiceField(label=_("Acuity"), choices=Acuity.choices, coerce=int)
    reason_for_referral = forms.CharField(
        label=_("Reason for referral"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TeamMemberForm(forms.Form):
    """Add a member of staff, or an outside professional, to the case team."""

    user = forms.ModelChoiceField(
        label=_("Member of staff"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— an outside professional —"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
    name = forms.CharField(label=_("Name (outside professional)"), required=False, max_length=200)
    organization = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=30, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]


class TeamMemberRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class CaseReassignForm(forms.Form):
    """Give one case a new primary worker."""

    case = forms.IntegerField(widget=forms.HiddenInput)
    to_worker = forms.ModelChoiceField(label=_("New case manager"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].queryset = workers  # type: ignore[attr-defined]


class CaseloadReassignForm(forms.Form):
    """Move a whole caseload (a worker leaving) to another worker."""

    from_worker = forms.ModelChoiceField(label=_("From"), queryset=User.objects.none())
    to_worker = forms.ModelChoiceField(label=_("To"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, from_workers: Any, to_workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_worker"].queryset = from_workers  # type: ignore[attr-defined]
        self.fields["to_worker"].queryset = to_workers  # type: ignore[attr-defined]
