"""What a worker put aside on their Today list: a snooze of one item until a day, with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Snooze(models.Model):
    """One Today item (`kind` + `object_id`) hidden from one user's list until `until` (inclusive).

    Computed items (a reassessment due, a client without contact) have no row of their own, so a
    snooze names them by kind and the id of the record they are about (a case, a note, a task).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="snoozes")
    kind = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    until = models.DateField(_("snooze until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["until", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="snooze_once_per_item"),
            models.CheckConstraint(condition=~Q(reason=""), name="snooze_has_a_reason"),
        ]
        indexes = [models.Index(fields=["user", "until"], name="snooze_user_until")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} until {self.until}"


class DigestSent(models.Model):
    """The daily digest e-mail that went out: one per user and day, ever (never twice)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_day")]

    def __str__(self) -> str:
        return f"digest of {self.day} to {self.user_id}"
