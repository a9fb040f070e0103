"""Appointment reminders: an e-mail and an in-app notification the day before, never twice.

Each (appointment, person, channel) is claimed by inserting a `SentReminder` row, in the same
transaction as the notification it stands for; the unique constraint refuses a second claim.
A job that stops half-way has committed the reminders it finished and resumes with the rest.
An e-mail is sent inside its claim's transaction: if sending fails, the claim is rolled back
and the next run tries again (nothing lost).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.appointments.models import Appointment, AppointmentOutcome, ReminderChannel, SentReminder
from casework.appointments.timezones import zone_of
from casework.audit.services import audit_record
from casework.tasks.services import notification_create

logger = logging.getLogger(__name__)

# Reminders go out for appointments starting within this long from the run.
REMINDER_WINDOW = datetime.timedelta(hours=24)


def due_appointments(*, now: datetime.datetime) -> list[Appointment]:
    """Scheduled appointments starting in the next day, with their staff and agency."""
    return list(
        Appointment.objects.filter(
            outcome=AppointmentOutcome.SCHEDULED, starts_at__gt=now, starts_at__lte=now + REMINDER_WINDOW
        )
        .select_related("organiser", "agency")
        .prefetch_related(Prefetch("staff", queryset=User.objects.filter(is_active=True)))
        .order_by("starts_at", "pk")
    )


def recipients(appointment: Appointment) -> list[User]:
    people = {appointment.organiser.pk: appointment.organiser} if appointment.organiser.is_active else {}
    for person in appointment.staff.all():
        people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda person: person.pk)


def reminder_text(appointment: Appointment) -> tuple[str, str]:
    """Subject and body: the kind, the time and a link; no client name or address."""
    zone = zone_of(appointment.agency)
    start = timezone.localtime(appointment.starts_at, zone)
    end = timezone.localtime(appointment.ends_at, zone)
    kind = str(appointment.get_kind_display())
    when = f"{start:%a %Y-%m-%d %H:%M}–{end:%H:%M} ({start.tzname()})"
    link = settings.SITE_URL + reverse("appointments:detail", args=[appointment.pk])
    subject = _("Reminder: %(kind)s %(when)s") % {"kind": kind, "when": f"{start:%a %Y-%m-%d %H:%M}"}
    body = _("You have an appointment: %(kind)s, %(when)s.\n\nDetails (sign in to see them): %(link)s\n") % {
        "kind": kind,
        "when": when,
        "link": link,
    }
    return subject, body


def _claim(appointment: Appointment, person: User, channel: str) -> bool:
    try:
        with transaction.atomic():
            SentReminder.objects.create(appointment=appointment, recipient=person, channel=channel)
    except IntegrityError:
        return False
    return True


def send_due_reminders(*, now: datetime.datetime) -> int:
    """Send every reminder due at `now` that has not gone out yet; returns how many were sent."""
    sent = 0
    for appointment in due_appointments(now=now):
        subject, body = reminder_text(appointment)
        for person in recipients(appointment):
            for channel in (ReminderChannel.IN_APP, ReminderChannel.EMAIL):
                if channel == ReminderChannel.EMAIL and not person.email:
                    continue
                with transaction.atomic():
                    if not _claim(appointment, person, channel):
                        continue
                    if channel == ReminderChannel.IN_APP:
                        notification_create(
                            actor=None,
                            recipient=person,
                            message=subject,
                            url=reverse("appointments:detail", args=[appointment.pk]),
                        )
                    else:
                        send_mail(subject, body, None, [person.email], fail_silently=False)
                    audit_record(
                        actor=None,
                        action="reminder.send",
                        client_id=appointment.client_id,
                        obj=appointment,
                        changes={"recipient": [None, person.pk], "channel": [None, str(channel)]},
                    )
                sent += 1
    if sent:
        logger.info("Sent %s appointment reminders", sent)
    return sent


def send_due_reminders_now() -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return send_due_reminders(now=timezone.now())
