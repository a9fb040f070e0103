"""Closed-loop referrals to directory services, their status history, partner accounts and service levels.

Statuses follow the Gravity SDOH referral workflow (FHIR Task statuses, REFERENCE.md): the sender
drafts and requests; the receiving organization accepts or rejects, then reports progress and the
outcome; either side may cancel. Every change is a row of `ReferralStatusChange`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import validate_shared_information
from casework.needs.models import NeedDomain


class ReferralStatus(models.TextChoices):
    """Gravity referral (FHIR Task) statuses; stored with underscores, exported with hyphens."""

    DRAFT = "draft", _("Draft")
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Side(models.TextChoices):
    """Who may make a status change: the referring agency, the receiving organization, or either."""

    SENDER = "sender", _("Referring worker")
    RECEIVER = "receiver", _("Receiving organization")


S = ReferralStatus
# Allowed transitions: from -> {to: sides that may make it}. Gravity: draft and requested are set
# by the sender; accepted, rejected, in-progress, on-hold, failed, completed by the receiver;
# cancelled by either.
SENDER = frozenset({Side.SENDER})
RECEIVER = frozenset({Side.RECEIVER})
EITHER = frozenset({Side.SENDER, Side.RECEIVER})
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.DRAFT: {S.REQUESTED: SENDER, S.CANCELLED: SENDER},
    S.REQUESTED: {S.ACCEPTED: RECEIVER, S.REJECTED: RECEIVER, S.CANCELLED: EITHER},
    S.ACCEPTED: {
        S.IN_PROGRESS: RECEIVER,
        S.ON_HOLD: RECEIVER,
        S.COMPLETED: RECEIVER,
        S.FAILED: RECEIVER,
        S.CANCELLED: EITHER,
    },
    S.IN_PROGRESS: {S.ON_HOLD: RECEIVER, S.COMPLETED: RECEIVER, S.FAILED: RECEIVER, S.CANCELLED: EITHER},
    S.ON_HOLD: {S.IN_PROGRESS: RECEIVER, S.FAILED: RECEIVER, S.CANCELLED: EITHER},
    S.REJECTED: {},
    S.COMPLETED: {},
    S.FAILED: {},
    S.CANCELLED: {},
}
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Waiting for the receiver to answer; answered once accepted or rejected.
WAITING_FOR_ANSWER = frozenset({S.REQUESTED})
# Sent and not finished: the referral still has work to do (or to follow up).
OPEN_SENT = frozenset({S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD})
# A reason is required when moving to these (Gravity: a status reason comes with text).
NEEDS_REASON = frozenset({S.REJECTED, S.CANCELLED, S.FAILED, S.ON_HOLD})
NEEDS_OUTCOME = frozenset({S.COMPLETED})


class Urgency(models.TextChoices):
    """FHIR ServiceRequest.priority."""

    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    ASAP = "asap", _("As soon as possible")


class Referral(models.Model):
    """A referral of a client, from a case, to a directory service of another organization.

    `shared_information` is what the worker ticked (minimum necessary); `shared_data` is the
    copy of exactly that information taken when the referral was sent: what the partner sees and
    what was disclosed, whatever changes in the record afterwards.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="referrals")
    # The service's organization when referred (the partner inbox reads by it).
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="referrals")
    consent = models.ForeignKey(
        "clients.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    need_domain = models.CharField(_("need"), max_length=20, choices=NeedDomain.choices, blank=True)
    # The care-plan action step the referral carries out, when it was made from one. The plan
    # shows it under that step in every later version too (steps keep their `key` across versions).
    intervention = models.ForeignKey(
        "careplans.Intervention", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    reason = models.TextField(_("reason for the referral"), max_length=2000)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    due_date = models.DateField(_("complete by"), null=True, blank=True)
    shared_information = models.JSONField(
        _("information shared"), default=list, validators=[validate_shared_information]
    )
    summary = models.TextField(_("summary for the receiver"), blank=True, max_length=2000)
    shared_data = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default=S.DRAFT)
    status_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="referral_org_status"),
            models.Index(fields=["referred_by", "status"], name="referral_worker_status"),
            models.Index(fields=["case", "status"], name="referral_case_status"),
            models.Index(fields=["client", "created_at"], name="referral_client_created"),
            models.Index(fields=["status", "sent_at"], name="referral_status_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=S.DRAFT) | Q(sent_at__isnull=False) | Q(status=S.CANCELLED),
                name="referral_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=Q(status=S.DRAFT) | Q(status=S.CANCELLED) | Q(consent__isnull=False),
                name="referral_sent_has_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.organization_id}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    def allowed_targets(self, side: str) -> list[str]:
        """The statuses this side may move the referral to now, in workflow order."""
        targets = TRANSITIONS.get(self.status, {})
        return [status for status in ReferralStatus.values if side in targets.get(status, frozenset())]


class ReferralStatusChange(models.Model):
    """One timestamped status change of a referral: who (staff or partner), when, why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["referral", "changed_at"], name="referral_change_at")]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ServiceLevel(models.Model):
    """How fast a program expects referrals to be answered (data, per program)."""

    program = models.OneToOneField("accounts.Program", on_delete=models.CASCADE, related_name="referral_service_level")
    answer_within_business_days = models.PositiveSmallIntegerField(
        _("answer within (business days)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    def __str__(self) -> str:
        return f"{self.program}: {self.answer_within_business_days} business days"


# When a program has no service level of its own.
DEFAULT_ANSWER_BUSINESS_DAYS = 2


class PartnerAccount(models.Model):
    """Links a partner user (role "partner") to the directory organization whose inbox they work."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_account")
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} at {self.organization_id}"
