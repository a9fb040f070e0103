"""Appointment forms: schedule (date, start and end in the agency's zone), reschedule, cancel, transport."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import User
from casework.appointments.models import AppointmentKind, TransportMode
from casework.appointments.timezones import LocalTime, combine_local
from casework.cases.models import CaseTeamMember
from casework.core.errors import ValidationFailed


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class WhenForm(forms.Form):
    """A day with a start and an end time, read in the agency's zone (DST edges handled)."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends"), widget=TimeInput())
    confirm_overlap = forms.BooleanField(
        label=_("Book it anyway (I know about the clash)"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        self.zone = zone
        self.start: LocalTime | None = None
        self.end: LocalTime | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        try:
            self.start = combine_local(day, start, self.zone, field="start_time")
            self.end = combine_local(day, end, self.zone, field="end_time")
        except ValidationFailed as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return data
        if self.end.value.astimezone(datetime.UTC) <= self.start.value.astimezone(datetime.UTC):
            self.add_error("end_time", _("The appointment must end after it starts."))
        return data


class AppointmentForm(WhenForm):
    """Schedule an appointment for a client."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Neutral: it can show on a shared screen. Leave empty to show the kind."),
    )
    address = forms.CharField(label=_("Address (home visit)"), required=False, max_length=300)
    travel_notes = forms.CharField(
        label=_("Travel notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    video_link = forms.CharField(
        label=_("Video link (telehealth)"), required=False, max_length=500, help_text=_("An https:// address.")
    )
    provider_name = forms.CharField(label=_("Provider (medical)"), required=False, max_length=200)
    provider_address = forms.CharField(label=_("Provider address"), required=False, max_length=300)
    staff = forms.ModelMultipleChoiceField(
        label=_("Other staff taking part"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_members = forms.ModelMultipleChoiceField(
        label=_("Outside professionals (case team)"),
        queryset=CaseTeamMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    externals = forms.CharField(
        label=_("Other participants"),
        required=False,
        max_length=1000,
        help_text=_("One per line (an interpreter, a family member)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["kind", "date", "start_time", "end_time", "title"]

    def __init__(self, *args: Any, staff: Any, external_members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        self.fields["external_members"].queryset = external_members  # type: ignore[attr-defined]
        self.fields["external_members"].label_from_instance = lambda member: (  # type: ignore[attr-defined]
            f"{member.name} ({member.get_role_display()}{', ' + member.organization if member.organization else ''})"
        )


class RescheduleForm(WhenForm):
    reason = forms.CharField(label=_("Why is it moving?"), required=False, max_length=1000)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), required=False, max_length=1000)


class TransportForm(forms.Form):
    """Ask for a ride to the appointment."""

    pickup_address = forms.CharField(label=_("Pick-up address"), max_length=300)
    pickup_time = forms.TimeField(label=_("Pick-up time"), widget=TimeInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=TransportMode.choices)
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)
