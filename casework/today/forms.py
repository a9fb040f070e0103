"""Today forms: snooze an item, reassign a task, create a task by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import User
from casework.cases.models import Case
from casework.tasks.models import TaskPriority


class SnoozeForm(forms.Form):
    until = forms.DateField(label=_("Snooze until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Why"), max_length=300)


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Give to"), queryset=User.objects.none(), empty_label=None)
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class TaskCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    case = forms.ModelChoiceField(label=_("Case"), queryset=Case.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    priority = forms.ChoiceField(label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none(), empty_label=None)
    detail = forms.CharField(
        label=_("Detail"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, cases: Any, staff: Any, case_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        self.fields["case"].required = case_required
        self.fields["case"].label_from_instance = lambda case: f"{case.client.display_name} — {case.program}"  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]
