"""Progress-note forms: one textarea per section of every format; only the chosen format's are kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.notes.models import NOTE_SECTIONS, SECTION_MAX_LENGTH, ContactType, NoteFormat


def section_field_name(note_format: str, key: str) -> str:
    return f"{note_format}_{key}"


class NoteForm(forms.Form):
    """Write or edit a note. Without JavaScript every format's sections show, each under its format."""

    format = forms.ChoiceField(
        label=_("Format"), choices=NoteFormat.choices, widget=forms.Select(attrs={"data-note-format": ""})
    )
    contact_type = forms.ChoiceField(label=_("Contact type"), choices=ContactType.choices)
    contact_date = forms.DateField(
        label=_("Date of contact"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for note_format, sections in NOTE_SECTIONS.items():
            for key, label in sections:
                self.fields[section_field_name(note_format, key)] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=SECTION_MAX_LENGTH,
                    strip=True,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )

    def section_blocks(self) -> list[dict[str, Any]]:
        """One block per format, holding that format's section fields (for the template)."""
        labels = dict(NoteFormat.choices)
        return [
            {
                "format": note_format,
                "label": labels[note_format],
                "fields": [self[section_field_name(note_format, key)] for key, _label in sections],
            }
            for note_format, sections in NOTE_SECTIONS.items()
        ]

    def sections(self) -> dict[str, str]:
        """The chosen format's sections only: the other formats' textareas are ignored."""
        note_format = self.cleaned_data["format"]
        return {
            key: self.cleaned_data.get(section_field_name(note_format, key), "")
            for key, _l in NOTE_SECTIONS[note_format]
        }

    def note_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "format": data["format"],
            "contact_type": data["contact_type"],
            "contact_date": data["contact_date"],
            "duration_minutes": data["duration_minutes"],
            "sections": self.sections(),
        }

    @staticmethod
    def initial_sections(note_format: str, sections: dict[str, str]) -> dict[str, str]:
        return {section_field_name(note_format, key): value for key, value in sections.items()}


class NoteCreateForm(NoteForm):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # After a contact: the follow-up the worker asks for becomes a task for them (casework.tasks).
    follow_up_date = forms.DateField(
        label=_("Follow up by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: a task for you, done when the next contact is written."),
    )
    follow_up_what = forms.CharField(label=_("Follow-up: what"), required=False, max_length=200)

    def __init__(self, *args: Any, goals: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The goals of the case's active care plans this contact may have addressed (casework.careplans).
        from casework.careplans.forms import add_goal_fields

        self.goals = list(goals or [])
        add_goal_fields(self, self.goals)

    def goal_rows(self) -> list[dict[str, Any]]:
        from casework.careplans.forms import goal_field_rows

        return goal_field_rows(self, self.goals)

    def goal_updates(self) -> list[dict[str, Any]]:
        from casework.careplans.forms import goal_updates

        return goal_updates(self.cleaned_data, self.goals)

    def follow_up(self) -> dict[str, Any]:
        return {
            "follow_up_date": self.cleaned_data.get("follow_up_date"),
            "follow_up_title": self.cleaned_data.get("follow_up_what", ""),
        }


class NoteEditForm(NoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"),
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A correction or addition; the signed note itself does not change."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this note voided?"),
        max_length=1000,
        help_text=_("The note stays in the record, struck through, with this reason."),
    )
