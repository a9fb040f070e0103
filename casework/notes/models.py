"""Progress notes: one per contact, signed and locked, corrected only by addenda."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoteFormat(models.TextChoices):
    """Documentation formats and the sections each one has."""

    SOAP = "soap", _("SOAP")
    DAP = "dap", _("DAP")
    BIRP = "birp", _("BIRP")
    NARRATIVE = "narrative", _("Narrative")


# Labels are lazy translations (typed Any: django-stubs-ext is not a runtime dependency).
NOTE_SECTIONS: dict[str, list[tuple[str, Any]]] = {
    NoteFormat.SOAP: [
        ("subjective", _("Subjective")),
        ("objective", _("Objective")),
        ("assessment", _("Assessment")),
        ("plan", _("Plan")),
    ],
    NoteFormat.DAP: [("data", _("Data")), ("assessment", _("Assessment")), ("plan", _("Plan"))],
    NoteFormat.BIRP: [
        ("behavior", _("Behavior")),
        ("intervention", _("Intervention")),
        ("response", _("Response")),
        ("plan", _("Plan")),
    ],
    NoteFormat.NARRATIVE: [("narrative", _("Narrative"))],
}
SECTION_MAX_LENGTH = 20000


class ContactType(models.TextChoices):
    """How the contact happened."""

    IN_PERSON = "in_person", _("In person")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    TELEHEALTH = "telehealth", _("Telehealth")
    COLLATERAL = "collateral", _("Collateral contact")


class NoteStatus(models.TextChoices):
    """Draft notes can be edited; signed notes are locked; voided notes stay, marked in error."""

    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    VOIDED = "voided", _("Voided")


class ProgressNote(models.Model):
    """A record of one contact with or about the client."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notes")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notes")
    format = models.CharField(_("format"), max_length=12, choices=NoteFormat.choices, default=NoteFormat.DAP)
    contact_type = models.CharField(_("contact type"), max_length=20, choices=ContactType.choices)
    contact_date = models.DateField(_("date of contact"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    sections = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-contact_date", "-created_at"]
        indexes = [
            models.Index(fields=["case", "status", "contact_date"], name="note_case_status_date"),
            models.Index(fields=["client", "contact_date"], name="note_client_date"),
            models.Index(fields=["author", "status"], name="note_author_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} note {self.contact_date}"

    @property
    def section_list(self) -> list[tuple[str, str, str]]:
        """(key, label, text) for each section of the note's format."""
        return [(key, str(label), self.sections.get(key, "")) for key, label in NOTE_SECTIONS[self.format]]

    @property
    def is_editable(self) -> bool:
        return self.status == NoteStatus.DRAFT


class NoteAddendum(models.Model):
    """A correction or addition to a signed note; the note itself never changes."""

    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("addendum"), max_length=SECTION_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"addendum to note {self.note_id}"
