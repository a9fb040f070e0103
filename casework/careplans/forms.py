"""Care-plan forms: every edit of a draft carries the plan version it was made against."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.careplans.models import (
    AcknowledgementMethod,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    InterventionStatus,
    ResponsibleParty,
    StatementKind,
)
from casework.needs.models import NeedDomain


class DateInput(forms.DateInput):
    input_type = "date"


class VersionedForm(forms.Form):
    """A form about the plan as it was when the page was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PlanCreateForm(forms.Form):
    template = forms.ChoiceField(label=_("Start from"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False, help_text=_("Optional"))
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, templates: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("A blank care / service plan"))]
        choices += [(str(t.pk), f"{t.name} ({t.get_kind_display()})") for t in templates or []]
        cast(forms.ChoiceField, self.fields["template"]).choices = choices


class SummaryForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary in plain language"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the plan is about, in words the client uses. It heads the client's copy."),
    )


class NeedForm(VersionedForm):
    domain = forms.ChoiceField(label=_("Domain"), choices=[("", "—"), *NeedDomain.choices])
    description = forms.CharField(
        label=_("Need or problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the need.")},
    )


class StatementForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=StatementKind.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Text"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the strength or barrier.")},
    )


class GoalForm(VersionedForm):
    description = forms.CharField(
        label=_("Goal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the goal: what the client wants to achieve.")},
    )
    client_words = forms.CharField(
        label=_("In the client's words"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    measurable_target = forms.CharField(
        label=_("Measurable target"),
        required=False,
        max_length=500,
        help_text=_("How you will both know it is reached, e.g. “3 job applications a week”."),
    )
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DateInput)
    term = forms.ChoiceField(label=_("Term"), choices=GoalTerm.choices)
    need = forms.ChoiceField(label=_("For the need"), required=False)
    lifecycle_status = forms.ChoiceField(label=_("Status"), choices=GoalLifecycle.choices)
    achievement_status = forms.ChoiceField(label=_("Achievement"), choices=GoalAchievement.choices)

    def __init__(self, *args: Any, needs: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["need"]).choices = [("", "—")] + [
            (str(n.pk), f"{n.get_domain_display()}: {n.description[:60]}") for n in needs or []
        ]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["need"] = int(data["need"]) if data.get("need") else None
        return data


class InterventionForm(VersionedForm):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Action step"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the action step.")},
    )
    responsible_party = forms.ChoiceField(label=_("Who is responsible"), choices=ResponsibleParty.choices)
    team_member = forms.ChoiceField(
        label=_("Case-team member"),
        required=False,
        help_text=_("For a case-team member, or an outside provider on the case team."),
    )
    responsible_name = forms.CharField(
        label=_("Name"), required=False, max_length=200, help_text=_("A family member or a provider not on the team.")
    )
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=InterventionStatus.choices)

    def __init__(self, *args: Any, members: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team_member"]).choices = [("", "—")] + [
            (str(m.pk), f"{m.display_name} ({m.get_role_display()})") for m in members or []
        ]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["team_member"] = int(data["team_member"]) if data.get("team_member") else None
        return data


class StepStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=InterventionStatus.choices)


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return for changes"))])
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the plan: say what needs to change."),
    )


class AcknowledgeForm(forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=AcknowledgementMethod.choices)
    signature = forms.CharField(
        label=_("Client's typed signature"),
        required=False,
        max_length=200,
        help_text=_("The client's full name, typed by them or read back to them. Leave empty if they refused."),
    )
    signed_on = forms.DateField(label=_("Date"), widget=DateInput)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class ProgressForm(forms.Form):
    lifecycle_status = forms.ChoiceField(label=_("Status"), choices=GoalLifecycle.choices)
    achievement_status = forms.ChoiceField(label=_("Achievement"), choices=GoalAchievement.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Goals a progress note addressed (added to the note form) -----------------------------------


def add_goal_fields(form: forms.Form, goals: list[Any]) -> None:
    """For each goal of the case's active plans: addressed? its status now, and a comment."""
    for goal in goals:
        prefix = f"goal_{goal.pk}"
        form.fields[f"{prefix}_addressed"] = forms.BooleanField(label=goal.description[:120], required=False)
        form.fields[f"{prefix}_lifecycle_status"] = forms.ChoiceField(
            label=_("Status"), choices=GoalLifecycle.choices, initial=goal.lifecycle_status
        )
        form.fields[f"{prefix}_achievement_status"] = forms.ChoiceField(
            label=_("Achievement"), choices=GoalAchievement.choices, initial=goal.achievement_status
        )
        form.fields[f"{prefix}_comment"] = forms.CharField(label=_("Progress comment"), required=False, max_length=2000)


def goal_field_rows(form: forms.Form, goals: list[Any]) -> list[dict[str, Any]]:
    """The bound fields per goal, for the template."""
    return [
        {
            "goal": goal,
            "addressed": form[f"goal_{goal.pk}_addressed"],
            "lifecycle_status": form[f"goal_{goal.pk}_lifecycle_status"],
            "achievement_status": form[f"goal_{goal.pk}_achievement_status"],
            "comment": form[f"goal_{goal.pk}_comment"],
        }
        for goal in goals
    ]


def goal_updates(cleaned_data: dict[str, Any], goals: list[Any]) -> list[dict[str, Any]]:
    """The ticked goals and their new status, for `goals_progress_from_note`."""
    return [
        {
            "goal": goal,
            "lifecycle_status": cleaned_data.get(f"goal_{goal.pk}_lifecycle_status"),
            "achievement_status": cleaned_data.get(f"goal_{goal.pk}_achievement_status"),
            "comment": cleaned_data.get(f"goal_{goal.pk}_comment", ""),
        }
        for goal in goals
        if cleaned_data.get(f"goal_{goal.pk}_addressed")
    ]


class PlanSettingsForm(forms.Form):
    approval_required = forms.BooleanField(
        label=_("Plans need a supervisor's approval before they become active"), required=False
    )
    review_interval_days = forms.IntegerField(
        label=_("Review each plan every (days)"), min_value=7, max_value=730, help_text=_("Between 7 and 730 days.")
    )
