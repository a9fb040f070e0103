"""Assessments: instruments defined as versioned data, and the assessments administered with them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InstrumentKind(models.TextChoices):
    """A scored instrument adds up coded answers; a narrative one holds written sections."""

    SCORED = "scored", _("Scored")
    NARRATIVE = "narrative", _("Narrative")


class Sensitivity(models.TextChoices):
    """Records that carry extra legal protection (42 CFR Part 2 for substance use)."""

    NONE = "", _("Standard")
    SUBSTANCE_USE = "substance_use", _("Substance use")


class Instrument(models.Model):
    """A screening or assessment instrument; its items and scoring live in its versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=InstrumentKind.choices, default=InstrumentKind.SCORED)
    loinc_panel = models.CharField(_("LOINC panel code"), max_length=20, blank=True)
    loinc_total = models.CharField(_("LOINC total score code"), max_length=20, blank=True)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.NONE, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> InstrumentVersion | None:
        """The newest published version: new assessments use it."""
        return self.versions.filter(published_at__isnull=False).order_by("-version").first()


class InstrumentVersion(models.Model):
    """One published definition of an instrument; assessments keep the version they were given with.

    `definition` holds the items (key, text, LOINC code, options, skip logic); `scoring` the rules
    (method, missing-answer rule, bands, flags, positive screens). The shape is documented in
    `casework/assessments/definitions/__init__.py`. A published version is never edited: change
    an instrument by publishing a new version.
    """

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(default=dict)
    scoring = models.JSONField(default=dict)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instrument", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "version"], name="instrument_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="instrument_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.version}"

    @property
    def items(self) -> list[dict[str, Any]]:
        return list(self.definition.get("items", []))


class AssessmentStatus(models.TextChoices):
    """A draft can be answered; a completed one is locked; an amended one was superseded by a correction."""

    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
    AMENDED = "amended", _("Amended")


class AdministrationMethod(models.TextChoices):
    """How the instrument was given."""

    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    SELF_REPORT = "self_report", _("Self-report")


class Assessment(models.Model):
    """One administration of an instrument version to a client, within a case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="assessments")
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    administered_at = models.DateTimeField(_("administered at"))
    method = models.CharField(_("method"), max_length=12, choices=AdministrationMethod.choices)
    answers = models.JSONField(default=dict, blank=True)
    total_score = models.IntegerField(_("total score"), null=True, blank=True)
    prorated = models.BooleanField(default=False)
    band = models.CharField(_("band"), max_length=40, blank=True)
    flags = models.JSONField(default=list, blank=True)
    positive_screens = models.JSONField(default=list, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    amends = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by")
    amend_reason = models.TextField(_("reason for the amendment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(fields=["case", "status", "administered_at"], name="assessment_case_status"),
            models.Index(fields=["client", "status", "administered_at"], name="assessment_client_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.DRAFT, completed_at__isnull=True)
                | (
                    Q(status__in=[AssessmentStatus.COMPLETED, AssessmentStatus.AMENDED]) & Q(completed_at__isnull=False)
                ),
                name="assessment_completed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amend_reason=""),
                name="assessment_amendment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} for client {self.client_id} ({self.status})"

    @property
    def instrument(self) -> Instrument:
        return self.instrument_version.instrument

    @property
    def is_editable(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def sensitivity(self) -> str:
        return self.instrument_version.instrument.sensitivity

    def band_details(self) -> dict[str, Any] | None:
        """The band's label and explanation as the assessment's own instrument version defines them."""
        for band in self.instrument_version.scoring.get("bands", []):
            if band.get("key") == self.band:
                return dict(band)
        return None
