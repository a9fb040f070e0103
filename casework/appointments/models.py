"""Appointments and home visits, transport to them, calendar-feed tokens and sent reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    """Where and how the appointment happens; each kind has its own details."""

    OFFICE = "office", _("Office visit")
    HOME_VISIT = "home_visit", _("Home visit")
    TELEHEALTH = "telehealth", _("Telehealth")
    PHONE = "phone", _("Phone call")
    COURT = "court", _("Court hearing")
    MEDICAL = "medical", _("Medical appointment")


class AppointmentOutcome(models.TextChoices):
    """What became of the appointment; only a scheduled one can still change."""

    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class Appointment(models.Model):
    """A meeting with a client at a time: who takes part, where, and what became of it.

    Times are stored in UTC and shown in the agency's time zone. `title` is neutral (it may
    show on a shared screen); details go in `notes`.
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="appointments")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # Home visit
    address = models.CharField(_("address"), max_length=300, blank=True)
    travel_notes = models.TextField(_("travel notes"), blank=True, max_length=2000)
    # Telehealth
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # Medical appointment with an outside provider
    provider_name = models.CharField(_("provider"), max_length=200, blank=True)
    provider_address = models.CharField(_("provider address"), max_length=300, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="appointments", blank=True)
    external_members = models.ManyToManyField("cases.CaseTeamMember", related_name="appointments", blank=True)
    # Other outside people, one per line (an interpreter, a family member).
    externals = models.TextField(_("other participants"), blank=True, max_length=1000)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AppointmentOutcome.choices, default=AppointmentOutcome.SCHEDULED
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_reason = models.TextField(blank=True, max_length=1000)
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_from"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["client", "starts_at"], name="appointment_client_start"),
            models.Index(fields=["organiser", "starts_at"], name="appointment_organiser_start"),
            models.Index(fields=["starts_at", "outcome"], name="appointment_start_outcome"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(outcome="rescheduled") | Q(rescheduled_to__isnull=False),
                name="appointment_rescheduled_links_new",
            ),
        ]

    def __str__(self) -> str:
        return self.neutral_title

    @property
    def neutral_title(self) -> str:
        """What a calendar may show: the title if given, else the kind ("Home visit")."""
        return self.title or str(self.get_kind_display())

    @property
    def is_scheduled(self) -> bool:
        return self.outcome == AppointmentOutcome.SCHEDULED

    @property
    def duration_minutes(self) -> int:
        return max(1, int((self.ends_at - self.starts_at).total_seconds() // 60))


class TransportMode(models.TextChoices):
    """How the client gets to the appointment."""

    BUS_PASS = "bus_pass", _("Bus pass")
    RIDE_SHARE = "ride_share", _("Ride share")
    AGENCY_VAN = "agency_van", _("Agency van")
    MEDICAL_TRANSPORT = "medical", _("Medical transport")
    OTHER = "other", _("Other")


class TransportStatus(models.TextChoices):
    """Where the request stands."""

    REQUESTED = "requested", _("Requested")
    BOOKED = "booked", _("Booked")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Which status may follow which; completed and cancelled are final.
TRANSPORT_NEXT = {
    TransportStatus.REQUESTED: {TransportStatus.BOOKED, TransportStatus.CANCELLED, TransportStatus.COMPLETED},
    TransportStatus.BOOKED: {TransportStatus.COMPLETED, TransportStatus.CANCELLED},
    TransportStatus.COMPLETED: set(),
    TransportStatus.CANCELLED: set(),
}


class TransportRequest(models.Model):
    """A ride for the client to an appointment: pick-up, mode, provider, status."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="transport_requests")
    pickup_address = models.CharField(_("pick-up address"), max_length=300)
    pickup_at = models.DateTimeField(_("pick-up time"))
    mode = models.CharField(_("mode"), max_length=20, choices=TransportMode.choices)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TransportStatus.choices, default=TransportStatus.REQUESTED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pickup_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} for appointment {self.appointment_id}"


class CalendarFeedToken(models.Model):
    """A personal secret for subscribing to one's calendar feed; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In-app notification")


class SentReminder(models.Model):
    """A reminder that went out: one per appointment, person and channel, ever (never twice)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "recipient", "channel"], name="sent_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel} reminder of {self.appointment_id} to {self.recipient_id}"
