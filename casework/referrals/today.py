"""Referrals waiting for the receiver's answer, as a source of the referring worker's Today list."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.referrals.models import DEFAULT_ANSWER_BUSINESS_DAYS, Referral, ReferralStatus
from casework.referrals.services import add_business_days
from casework.today.selectors import TodayItem, register_source
from casework.today.sources import CLIENT_COLUMNS, _case_columns, _Refs, url_for


@register_source("referrals_waiting", queries=1)
def referrals_waiting(user: User, today: datetime.date) -> list[TodayItem]:
    """Referrals the user sent that wait for an answer: late once the program's service level has passed.

    Computed on read (no row of its own): gone by itself once the organization answers.
    """
    rows = (
        Referral.objects.filter(referred_by=user, status=ReferralStatus.REQUESTED)
        .order_by("sent_at", "id")
        .values_list(
            "id",
            "sent_at",
            "organization__name",
            "case__program__referral_service_level__answer_within_business_days",
            *CLIENT_COLUMNS,
            *_case_columns("case__"),
        )
    )
    refs = _Refs()
    items = []
    for referral_id, sent_at, organization, business_days, preferred, first, last, client_id, *case in rows:
        days = business_days if business_days is not None else DEFAULT_ANSWER_BUSINESS_DAYS
        due = add_business_days(timezone.localdate(sent_at), days) if sent_at is not None else today
        lateness = (today - due).days
        if lateness > 0:
            reason = _("No answer from %(organization)s; it was due %(due)s") % {
                "organization": organization,
                "due": due.isoformat(),
            }
        else:
            reason = _("Waiting for %(organization)s to answer (by %(due)s)") % {
                "organization": organization,
                "due": due.isoformat(),
            }
        case_ref = refs.case(*case)
        items.append(
            TodayItem(
                kind="referral",
                object_id=referral_id,
                title=_("Referral to %(organization)s") % {"organization": organization},
                reason=reason,
                url=url_for("referrals:detail", referral_id),
                due_date=due,
                lateness_days=lateness,
                acuity=case_ref.acuity if case_ref else 2,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
            )
        )
    return items
