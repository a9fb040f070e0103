"""Referrals waiting for the receiver's answer, as a source of the referring worker's Today list."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.referrals.models import DEFAULT_ANSWER_BUSINESS_DAYS, Referral, ReferralStatus
from casework.referrals.services import answer_due_date
from casework.today.selectors import TodayItem, register_source
from casework.today.sources import url_for


@register_source("referrals_waiting", queries=1)
def referrals_waiting(user: User, today: datetime.date) -> list[TodayItem]:
    """Referrals the user sent that wait for an answer: late once the program's service level has passed.

    Computed on read (no row of its own): gone by itself once the organization answers.
    """
    referrals = (
        Referral.objects.filter(referred_by=user, status=ReferralStatus.REQUESTED)
        .select_related("organization", "client", "case__program__referral_service_level")
        .only(
            "id",
            "sent_at",
            "urgency",
            "organization__id",
            "organization__name",
            "client__id",
            "client__preferred_name",
            "client__legal_first_name",
            "client__legal_last_name",
            "case__id",
            "case__acuity",
            "case__status",
            "case__client_id",
            "case__program__id",
            "case__program__name",
            "case__program__referral_service_level__id",
            "case__program__referral_service_level__answer_within_business_days",
        )
        .order_by("sent_at", "id")
    )
    items = []
    for referral in referrals:
        level = getattr(referral.case.program, "referral_service_level", None)
        days = level.answer_within_business_days if level is not None else DEFAULT_ANSWER_BUSINESS_DAYS
        due = answer_due_date(referral, days) or today
        lateness = (today - due).days
        if lateness > 0:
            reason = _("No answer from %(organization)s; it was due %(due)s") % {
                "organization": referral.organization.name,
                "due": due.isoformat(),
            }
        else:
            reason = _("Waiting for %(organization)s to answer (by %(due)s)") % {
                "organization": referral.organization.name,
                "due": due.isoformat(),
            }
        items.append(
            TodayItem(
                kind="referral",
                object_id=referral.pk,
                title=_("Referral to %(organization)s") % {"organization": referral.organization.name},
                reason=reason,
                url=url_for("referrals:detail", referral.pk),
                due_date=due,
                lateness_days=lateness,
                acuity=referral.case.acuity,
                client=referral.client,
                case=referral.case,
            )
        )
    return items
