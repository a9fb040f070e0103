"""Follow-up tasks, in-app notifications, and the rules that make assessments fall due again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskPriority(models.TextChoices):
    """How soon a task needs doing; urgent work (safety) comes first on every list."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


# Sort key for lists: urgent first.
PRIORITY_RANK = {TaskPriority.URGENT: 0, TaskPriority.HIGH: 1, TaskPriority.NORMAL: 2, TaskPriority.LOW: 3}


class TaskStatus(models.TextChoices):
    """An open task is to do; done and cancelled are final."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskSource(models.TextChoices):
    """What created a task by rule; the same source closes it when its work is done.

    Later sources (referrals waiting, plan reviews, contact rules) add their own value here.
    """

    MANUAL = "", _("Created by hand")
    RISK_FLAG = "risk_flag", _("Risk flag")
    # Asked for when writing a progress note; done when the next contact on the case is written.
    NOTE_FOLLOW_UP = "note_follow_up", _("Follow-up after a contact")
    # A sent referral the receiver has not answered within the program's service level.
    REFERRAL_NO_ANSWER = "referral_no_answer", _("Referral not answered")
    # An accepted referral not completed by its due date.
    REFERRAL_OVERDUE = "referral_overdue", _("Referral not completed by its due date")


class Task(models.Model):
    """A piece of follow-up work about a client, assigned to a member of staff, due on a day.

    `source_kind` + `source_id` name the record whose work the task stands for (a risk flag 42):
    finishing that work completes the task (`tasks_complete_for_source`).
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="tasks")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True, max_length=4000)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    # Empty for tasks created by a rule (the system), not by a person.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(_("due"))
    priority = models.CharField(_("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    source_kind = models.CharField(max_length=40, choices=TaskSource.choices, blank=True, default="")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_status_due"),
            models.Index(fields=["client", "status"], name="task_client_status"),
            models.Index(fields=["case", "status"], name="task_case_status"),
            models.Index(fields=["source_kind", "source_id"], name="task_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, completed_at__isnull=True)
                | (Q(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]) & Q(completed_at__isnull=False)),
                name="task_completed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(source_kind="", source_id__isnull=True) | (~Q(source_kind="") & Q(source_id__isnull=False)),
                name="task_source_kind_and_id_together",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


class Notification(models.Model):
    """A message to one member of staff inside the app (a risk alert, a task for them)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    message = models.CharField(_("message"), max_length=300)
    # A path inside Casework ("/clients/12/"); opening the notification goes there.
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_unread")]

    def __str__(self) -> str:
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReassessmentRule(models.Model):
    """Which instrument a program gives at intake and how often after (e.g. PHQ-9 every 90 days).

    Managed by administrators in Django admin. An intake instrument is due 14 days after the case
    opens if never given; after that, `interval_days` after the last completed one.
    """

    program = models.ForeignKey("accounts.Program", on_delete=models.PROTECT, related_name="reassessment_rules")
    instrument = models.ForeignKey("assessments.Instrument", on_delete=models.PROTECT, related_name="+")
    due_at_intake = models.BooleanField(_("due at intake"), default=False)
    interval_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"), null=True, blank=True, help_text=_("Leave empty to give it only at intake.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program", "instrument"]
        constraints = [
            models.UniqueConstraint(fields=["program", "instrument"], name="reassessment_rule_unique"),
            models.CheckConstraint(
                condition=Q(due_at_intake=True) | Q(interval_days__isnull=False),
                name="reassessment_rule_has_a_schedule",
            ),
            models.CheckConstraint(
                condition=Q(interval_days__isnull=True) | Q(interval_days__gte=1),
                name="reassessment_rule_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        parts = []
        if self.due_at_intake:
            parts.append(str(_("at intake")))
        if self.interval_days:
            parts.append(str(_("every %(days)s days") % {"days": self.interval_days}))
        return f"{self.program}: {self.instrument} ({', '.join(parts)})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.due_at_intake and not self.interval_days:
            raise ValidationError(_("Give the instrument at intake, or set how often it repeats (or both)."))
