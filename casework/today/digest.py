"""The daily digest: one e-mail a day to each clinical user whose Today list has items, never twice.

E-mail is not a secure channel, so the digest says only how much is waiting and of what kind
("2 open tasks (1 late)") and links to the Today page, where the user signs in to see the rest.
It names no client and quotes no item title: task titles are free text that may hold a name or
a clinical detail no filter can be trusted to catch, and the titles of the other kinds name
clients ("Contact …"), instruments or kinds of risk, which are clinical details themselves.
Item links are left out too (they carry record ids, and the list may have changed by the time the
e-mail is read): the one link to /today/ always shows the current list.

Each (user, day) is claimed by inserting a `DigestSent` row, in the same transaction as the e-mail
and its audit event; the unique constraint refuses a second claim. A job that stops half-way has
committed the digests it finished and resumes with the rest. If sending fails, the claim is rolled
back and the next run tries again (nothing lost), as the appointment reminders do.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.accounts.models import User
from casework.appointments.timezones import zone_of
from casework.audit.services import audit_record
from casework.clients.permissions import CLINICAL_ROLES
from casework.today.models import DigestSent
from casework.today.selectors import TodayItem, TodayList, today_for_user

logger = logging.getLogger(__name__)


def _group_label(group: str, count: int) -> str:
    """What a count of one kind of item is called in the e-mail: neutral, never a name or a title."""
    if group == "risk_flag":
        return ngettext("%(count)d client flagged at risk", "%(count)d clients flagged at risk", count)
    if group == "task":
        return ngettext("%(count)d open task", "%(count)d open tasks", count)
    if group == "appointment":
        return ngettext("%(count)d appointment or visit today", "%(count)d appointments or visits today", count)
    if group == "unsigned_note":
        return ngettext("%(count)d note to sign", "%(count)d notes to sign", count)
    if group == "reassessment":
        return ngettext("%(count)d reassessment due", "%(count)d reassessments due", count)
    if group == "no_contact":
        return ngettext("%(count)d client due for contact", "%(count)d clients due for contact", count)
    return ngettext("%(count)d other item", "%(count)d other items", count)


def _group_of(item: TodayItem) -> str:
    # "reassessment.phq9" counts with the other reassessments (the instrument is not named).
    return item.kind.split(".", 1)[0]


@dataclass
class DigestLine:
    group: str
    count: int = 0
    late: int = 0

    def __str__(self) -> str:
        text = _group_label(self.group, self.count) % {"count": self.count}
        if self.late:
            text += " " + _("(%(late)d late)") % {"late": self.late}
        return text


def digest_lines(found: TodayList) -> list[DigestLine]:
    """Counts per kind, the kinds in the order of their first item in the ranked list (safety first)."""
    lines: dict[str, DigestLine] = {}
    for item in found.items:
        line = lines.setdefault(_group_of(item), DigestLine(group=_group_of(item)))
        line.count += 1
        line.late += 1 if item.is_late else 0
    return list(lines.values())


def digest_text(found: TodayList, day: datetime.date) -> tuple[str, str]:
    """Subject and body of a user's digest: counts per kind and one link; no client names or details."""
    total, late = len(found.items), found.late_count
    subject = ngettext(
        "Today in Casework: %(count)d item (%(late)d late)", "Today in Casework: %(count)d items (%(late)d late)", total
    ) % {"count": total, "late": late}
    intro = ngettext(
        "Your Today list for %(day)s has %(count)d item, %(late)d of them late.",
        "Your Today list for %(day)s has %(count)d items, %(late)d of them late.",
        total,
    ) % {"day": f"{date_format(day, 'l')} {day.isoformat()}", "count": total, "late": late}
    parts = [intro]
    if found.safety_count:
        parts.append(
            ngettext("%(count)d safety item comes first.", "%(count)d safety items come first.", found.safety_count)
            % {"count": found.safety_count}
        )
    lines = "\n".join(f"- {line}" for line in digest_lines(found))
    link = settings.SITE_URL + reverse("today:index")
    footer = _(
        "Open your Today list (sign in to see the details): %(link)s\n\n"
        "Client names and details are left out of this e-mail on purpose: e-mail is not a secure channel."
    ) % {"link": link}
    body = f"{' '.join(parts)}\n\n{lines}\n\n{footer}\n"
    return subject, body


def digest_recipients() -> QuerySet[User]:
    """Active clinical staff of an agency with an e-mail address (not administrators or auditors)
    who have not turned the digest off on their settings page."""
    return (
        User.objects.filter(is_active=True, role__in=CLINICAL_ROLES, agency__isnull=False, daily_digest=True)
        .exclude(email="")
        .select_related("agency")
        .order_by("pk")
    )


def _claim(user: User, day: datetime.date) -> DigestSent | None:
    try:
        with transaction.atomic():
            return DigestSent.objects.create(user=user, day=day)
    except IntegrityError:
        return None


def send_digest_to(user: User, *, day: datetime.date | None = None) -> bool:
    """Send the user's digest of `day` (their agency's today by default) unless they turned it off,
    it was sent already or their list is empty."""
    if not user.daily_digest:
        return False
    with timezone.override(zone_of(user.agency)):
        day = day or timezone.localdate()
        if DigestSent.objects.filter(user=user, day=day).exists():
            return False
        found = today_for_user(user=user, today=day)
        if not found.items:
            return False
        subject, body = digest_text(found, day)
        with transaction.atomic():
            claim = _claim(user, day)
            if claim is None:
                return False  # another run got there first
            send_mail(subject, body, None, [user.email], fail_silently=False)
            audit_record(
                actor=None,
                action="digest.send",
                obj=claim,
                changes={
                    "recipient": [None, user.pk],
                    "day": [None, day.isoformat()],
                    "items": [None, len(found.items)],
                    "late": [None, found.late_count],
                },
            )
    return True


def send_daily_digests(*, day: datetime.date | None = None) -> int:
    """Send every digest due for `day` (each user's local today by default); returns how many were sent."""
    sent = 0
    for user in digest_recipients():
        if send_digest_to(user, day=day):
            sent += 1
    if sent:
        logger.info("Sent %s daily digests", sent)
    return sent


def send_daily_digests_now(day: datetime.date | None = None) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return send_daily_digests(day=day)
