"""Cases (episodes of care), their team, status history and assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import phone_validator


class CaseStatus(models.TextChoices):
    """The lifecycle of a case, in order."""

    REFERRED = "referred", _("Referred")
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessment")
    PLANNING = "planning", _("Planning")
    ACTIVE = "active", _("Active")
    TRANSITION = "transition", _("Transition")
    CLOSED = "closed", _("Closed")


STATUS_ORDER = [s.value for s in CaseStatus]
OPEN_STATUSES = STATUS_ORDER[:-1]


class ClosureReason(models.TextChoices):
    """Why a case was closed."""

    GOALS_MET = "goals_met", _("Goals met")
    CLIENT_DECLINED = "client_declined", _("Client declined further services")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    MOVED = "moved", _("Moved out of service area")
    TRANSFERRED = "transferred", _("Transferred to another provider")
    HIGHER_LEVEL_OF_CARE = "higher_care", _("Needs a higher level of care")
    INCARCERATED = "incarcerated", _("Incarcerated")
    DECEASED = "deceased", _("Deceased")
    INELIGIBLE = "ineligible", _("Not eligible")
    OTHER = "other", _("Other")


class Acuity(models.IntegerChoices):
    """How much attention a case needs; weights the caseload."""

    LOW = 1, _("Low")
    MODERATE = 2, _("Moderate")
    HIGH = 3, _("High")


class Case(models.Model):
    """An episode of care for one client in one program, led by a primary case manager."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="cases")
    program = models.ForeignKey("accounts.Program", on_delete=models.PROTECT, related_name="cases")
    primary_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_cases")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE)
    acuity = models.PositiveSmallIntegerField(_("acuity"), choices=Acuity.choices, default=Acuity.MODERATE)
    reason_for_referral = models.TextField(_("reason for referral"), blank=True, max_length=4000)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["primary_worker", "status"], name="case_worker_status"),
            models.Index(fields=["team", "status"], name="case_team_status"),
            models.Index(fields=["program", "status"], name="case_program_status"),
        ]

    def __str__(self) -> str:
        return f"{self.program} case #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class TeamRole(models.TextChoices):
    """What a case-team member does for the client."""

    CASE_MANAGER = "case_manager", _("Case manager")
    SECONDARY_WORKER = "secondary", _("Secondary worker")
    NURSE = "nurse", _("Nurse")
    PHYSICIAN = "physician", _("Physician")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    THERAPIST = "therapist", _("Therapist")
    PROBATION_OFFICER = "probation", _("Probation / parole officer")
    ATTORNEY = "attorney", _("Attorney")
    TEACHER = "teacher", _("Teacher / school staff")
    PEER_SUPPORT = "peer", _("Peer support")
    OTHER = "other", _("Other")


class CaseTeamMember(models.Model):
    """Someone on the case team: a member of staff (user) or an outside professional."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="case_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For outside professionals."))
    organization = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(name=""), name="team_member_has_user_or_name"
            )
        ]
        indexes = [models.Index(fields=["user", "removed_at"], name="team_member_user")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def is_external(self) -> bool:
        return self.user_id is None


class CaseStatusChange(models.Model):
    """One move in a case's lifecycle: who, when, from what, to what and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class CaseAssignment(models.Model):
    """A change of primary worker, with the reason (a worker leaving, a rebalance...)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.from_worker_id} → {self.to_worker_id}"
