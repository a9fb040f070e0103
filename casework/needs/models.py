"""Needs suggested by positive screens, waiting for the worker to take them into the care plan.

A small app of its own (not part of assessments) because the care plan takes these up: care
plans depend on needs and their domains, not on how an instrument is scored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NeedDomain(models.TextChoices):
    """The need / problem domains of a care plan (issue 5), plus utilities from the AHC screen."""

    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    PHYSICAL_HEALTH = "physical_health", _("Physical health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    INCOME = "income", _("Income and benefits")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education")
    LEGAL = "legal", _("Legal")
    TRANSPORTATION = "transportation", _("Transportation")
    UTILITIES = "utilities", _("Utilities")
    FAMILY = "family", _("Family and caregiving")
    SAFETY = "safety", _("Safety")
    DAILY_LIVING = "daily_living", _("Daily living")


# Positive screens that suggest a need: (instrument code, positive-screen key) -> domain.
# The keys are those of the shipped AHC HRSN definition (casework/assessments/definitions).
SCREEN_DOMAINS: dict[tuple[str, str], NeedDomain] = {
    ("ahc_hrsn", "housing"): NeedDomain.HOUSING,
    ("ahc_hrsn", "food"): NeedDomain.FOOD,
    ("ahc_hrsn", "transportation"): NeedDomain.TRANSPORTATION,
    ("ahc_hrsn", "utilities"): NeedDomain.UTILITIES,
    ("ahc_hrsn", "safety"): NeedDomain.SAFETY,
}


class SuggestedNeedStatus(models.TextChoices):
    """A suggestion waits for the worker, who takes it into the plan (accepted) or dismisses it."""

    SUGGESTED = "suggested", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class SuggestedNeed(models.Model):
    """A need suggested by a positive screen; the care plan accepts it, or a worker dismisses it."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="suggested_needs")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="suggested_needs")
    domain = models.CharField(_("domain"), max_length=20, choices=NeedDomain.choices)
    source_assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="suggested_needs"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SuggestedNeedStatus.choices, default=SuggestedNeedStatus.SUGGESTED
    )
    # Why it is suggested, in words ("Food insecurity" from the screen's label).
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why it was dismissed (required then).
    decision_note = models.TextField(_("why"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "status"], name="suggested_need_client_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_assessment", "domain"],
                condition=Q(source_assessment__isnull=False),
                name="suggested_need_once_per_assessment_domain",
            ),
            models.CheckConstraint(
                condition=Q(status="suggested", decided_at__isnull=True, decided_by__isnull=True)
                | (~Q(status="suggested") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="suggested_need_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(decision_note=""),
                name="suggested_need_dismissal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} (client {self.client_id}, {self.status})"
