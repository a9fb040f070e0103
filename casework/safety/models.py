"""Risk flags: a client is at risk until a member of staff resolves the flag with a note."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RiskKind(models.TextChoices):
    """Why a client was flagged."""

    PHQ9_ITEM9 = "phq9_item9", _("Thoughts of self-harm (PHQ-9 item 9)")
    CSSRS_HIGH_RISK = "cssrs_high_risk", _("Suicide risk: C-SSRS high risk")
    HITS_POSITIVE = "hits_positive", _("Interpersonal safety: HITS score above 10")
    # A flag an administrator marked `"risk_alert": true` in an instrument added as data.
    ASSESSMENT_RISK = "assessment_risk", _("Risk answer on an assessment")
    # For flags a worker raises by hand (a later addition); no assessment behind them.
    STAFF_CONCERN = "staff_concern", _("Safety concern raised by staff")


# Which scoring flags of which instrument raise a risk flag: (instrument code, flag key) -> kind.
# The keys are those of the shipped definitions (casework/assessments/definitions). C-SSRS
# "moderate_risk" asks for follow-up, not an alert, so it is not here. Instruments added as data
# mark their alerting flags with `"risk_alert": true` instead (kind ASSESSMENT_RISK).
ASSESSMENT_FLAG_KINDS: dict[tuple[str, str], RiskKind] = {
    ("phq9", "self_harm"): RiskKind.PHQ9_ITEM9,
    ("cssrs_screener", "high_risk"): RiskKind.CSSRS_HIGH_RISK,
    ("ahc_hrsn", "safety"): RiskKind.HITS_POSITIVE,
}


class RiskFlag(models.Model):
    """A client flagged at risk, from an assessment or by a worker, open until resolved with a note."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="risk_flags")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="risk_flags")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="risk_flags"
    )
    kind = models.CharField(_("reason"), max_length=40, choices=RiskKind.choices)
    summary = models.CharField(_("summary"), max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(_("resolution note"), blank=True, max_length=4000)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["client", "resolved_at"], name="risk_flag_client_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True, resolution_note="")
                | (Q(resolved_at__isnull=False, resolved_by__isnull=False) & ~Q(resolution_note="")),
                name="risk_flag_resolved_fields_together",
            ),
            models.UniqueConstraint(
                fields=["assessment", "kind"],
                condition=Q(assessment__isnull=False),
                name="risk_flag_once_per_assessment_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (client {self.client_id})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
