"""Reading referrals and consents: staff access through the case, partner access through the organization."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.cases.selectors import case_get_for_user
from casework.clients.models import Client, Consent
from casework.clients.selectors import client_get_for_user
from casework.core.errors import NotFound
from casework.directory.models import Service
from casework.referrals.models import Referral, ReferralStatus, ReferralStatusChange
from casework.referrals.permissions import is_partner, partner_organization_id

STATUS_FILTERS = ["", *ReferralStatus.values]


def _history() -> Prefetch:
    return Prefetch(
        "status_changes",
        queryset=ReferralStatusChange.objects.select_related("changed_by").order_by("changed_at", "id"),
    )


def referrals_for_case(*, case: Case) -> QuerySet[Referral]:
    """A case's referrals, newest first (the caller authorised the case)."""
    return (
        Referral.objects.filter(case=case)
        .select_related("service", "organization", "referred_by", "consent")
        .order_by("-created_at", "-id")
    )


def referrals_for_client(*, client: Client) -> QuerySet[Referral]:
    """A client's referrals over all cases, newest first (the caller authorised the client)."""
    return (
        Referral.objects.filter(client=client)
        .select_related("service", "organization", "referred_by", "case__program")
        .order_by("-created_at", "-id")
    )


def referral_get_for_user(
    *, user: User, referral_id: int, action: str = "referral.view", audit: bool = True
) -> Referral:
    """A referral whose client the staff user may see, with its history; NotFound otherwise (partners too)."""
    if is_partner(user):
        raise NotFound()
    referral = (
        Referral.objects.filter(pk=referral_id)
        .select_related("service", "organization", "referred_by", "consent__recipient_organization")
        .prefetch_related(_history())
        .first()
    )
    if referral is None:
        raise NotFound()
    case = case_get_for_user(user=user, case_id=referral.case_id, audit=False)
    referral.case = case
    referral.client = case.client
    if audit:
        audit_record(
            actor=user,
            action=action,
            client_id=referral.client_id,
            obj=referral,
            flagged=getattr(case.client, "accessed_by_break_glass", False),
        )
    return referral


# --- Consents ---------------------------------------------------------------------------------


def consents_for_client(*, client: Client) -> QuerySet[Consent]:
    """A client's consents, newest first, revoked and expired ones included (the caller authorised the client)."""
    return (
        Consent.objects.filter(client=client)
        .select_related("recipient_organization", "recorded_by", "revoked_by")
        .order_by("-given_on", "-id")
    )


def consent_get_for_user(*, user: User, consent_id: int, audit: bool = True) -> Consent:
    """A consent of a client the user may see; NotFound otherwise."""
    if is_partner(user):
        raise NotFound()
    consent = Consent.objects.filter(pk=consent_id).select_related("recipient_organization").first()
    if consent is None:
        raise NotFound()
    consent.client = client_get_for_user(user=user, client_id=consent.client_id, action="consent.view", audit=audit)
    return consent


def consents_usable_for(*, referral: Referral) -> list[Consent]:
    """The client's consents that could cover this referral today (for the form's choice)."""
    from django.utils import timezone

    today = timezone.localdate()
    return [
        consent
        for consent in consents_for_client(client=referral.client)
        if consent.covers(organization_id=referral.organization_id, information=[], on=today)
    ]


# --- Waiting for an answer (the worker's lists) ------------------------------------------------


def referrals_waiting_for(*, user: User) -> QuerySet[Referral]:
    """Referrals the user sent that wait for the receiver's answer, oldest first."""
    return (
        Referral.objects.filter(referred_by=user, status=ReferralStatus.REQUESTED)
        .select_related("organization", "case__program", "client")
        .order_by("sent_at", "id")
    )


# --- Partner inbox ----------------------------------------------------------------------------


def partner_inbox(*, user: User, status: str = "") -> QuerySet[Referral]:
    """Referrals sent to the partner user's organization, newest first; nothing for anyone else.

    Drafts never left the agency and are not shown; the rows carry only what was shared.
    """
    organization_id = partner_organization_id(user)
    if organization_id is None:
        return Referral.objects.none()
    referrals = (
        Referral.objects.filter(organization_id=organization_id, sent_at__isnull=False)
        .select_related("service", "organization")
        .only(
            "id",
            "status",
            "urgency",
            "due_date",
            "reason",
            "sent_at",
            "shared_data",
            "version",
            "organization_id",
            "service_id",
            "service__id",
            "service__name",
            "organization__id",
            "organization__name",
        )
        .order_by("-sent_at", "-id")
    )
    if status:
        referrals = referrals.filter(status=status)
    return referrals


def partner_referral_get(*, user: User, referral_id: int, audit: bool = True) -> Referral:
    """One referral of the partner's organization (not a draft), its read audited; NotFound otherwise."""
    organization_id = partner_organization_id(user)
    if organization_id is None:
        raise NotFound()
    referral = (
        Referral.objects.filter(pk=referral_id, organization_id=organization_id, sent_at__isnull=False)
        .select_related("service", "organization", "referred_by")
        .prefetch_related(_history())
        .first()
    )
    if referral is None:
        raise NotFound()
    if audit:
        audit_record(actor=user, action="referral.partner_view", client_id=referral.client_id, obj=referral)
    return referral


# --- The service referred to ---------------------------------------------------------------


def service_for_referral(*, service_id: Any) -> Service:
    """One directory service by id (any status: the service checks it takes referrals); NotFound otherwise."""
    try:
        key = uuid.UUID(str(service_id))
    except ValueError as exc:
        raise NotFound() from exc
    service = Service.objects.filter(pk=key).select_related("organization").first()
    if service is None:
        raise NotFound()
    return service
