"""Consents, referrals and the partner inbox in the JSON API; a referral as FHIR (ServiceRequest + Task).

Staff endpoints refuse partner users (404) through `request_user`; the `/partner/...` endpoints
take partner users only (`request_user(request, partner=True)`) and return only what was shared.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.audit.services import audit_record
from casework.careplans.selectors import intervention_of_case
from casework.cases.selectors import case_get_for_user
from casework.clients import services as client_services
from casework.clients.models import Consent
from casework.clients.selectors import client_get_for_user
from casework.core.api import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    IdempotentCreate,
    PageParams,
    expected_version,
    paginate,
    precondition,
    refuse_nul,
    request_user,
    submission_key,
    with_etag,
)
from casework.core.errors import ValidationFailed
from casework.directory.models import Organization
from casework.referrals import fhir, selectors, services
from casework.referrals.models import Referral, ReferralStatusChange
from casework.referrals.schemas import (
    ConsentCreate,
    ConsentRead,
    ConsentRevoke,
    PartnerReferralPage,
    PartnerReferralRead,
    ReferralCreate,
    ReferralPage,
    ReferralRead,
    ReferralUpdate,
    StatusChange,
)

router = Router(tags=["referrals"])


def _consent(user: Any, consent_id: int | None, client_id: int) -> Consent | None:
    if consent_id is None:
        return None
    consent = Consent.objects.filter(pk=consent_id, client_id=client_id).first()
    if consent is None:
        raise ValidationFailed(_("No consent of this client has that id."), field="consent")
    return consent


def _reload(user: Any, referral: Referral) -> Referral:
    return selectors.referral_get_for_user(user=user, referral_id=referral.pk, audit=False)


def _status_filter(status: str) -> str:
    status = refuse_nul(status, field="status")
    if status not in selectors.STATUS_FILTERS:
        raise ValidationFailed(_("Unknown referral status."), field="status")
    return status


def _history() -> Prefetch:
    return Prefetch("status_changes", queryset=ReferralStatusChange.objects.order_by("changed_at", "id"))


# --- Consents ----------------------------------------------------------------------------------


@router.get("/clients/{int:client_id}/consents", response={200: list[ConsentRead], **READ_ERRORS}, summary="Consents")
def list_consents(request: HttpRequest, client_id: int) -> list[Consent]:
    """A client's consents to share outside the agency, revoked and expired ones included."""
    user = request_user(request)
    client = client_get_for_user(user=user, client_id=client_id, action="consent.list")
    return list(selectors.consents_for_client(client=client))


@router.post(
    "/clients/{int:client_id}/consents",
    response={201: ConsentRead, 200: ConsentRead, **WRITE_ERRORS},
    summary="Record consent",
)
def create_consent(
    request: HttpRequest,
    client_id: int,
    payload: ConsentCreate,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Consent]:
    """Record consent (the case team). Same Idempotency-Key for this client: 200 with the first record."""
    user = request_user(request)
    client = client_get_for_user(user=user, client_id=client_id, audit=False)
    key = submission_key(user, idempotency_key, scope=f"client:{client.pk}")
    once = IdempotentCreate(
        key=key,
        find=lambda: Consent.objects.filter(submission_key=key, recorded_by=user).first(),
        failure=_("The consent could not be saved; please try again."),
    )
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, earlier)
    organization = None
    if payload.recipient_organization is not None:
        organization = Organization.objects.filter(pk=payload.recipient_organization).first()
        if organization is None:
            raise ValidationFailed(_("No directory organization has that id."), field="recipient_organization")
    consent, created = once.create(
        lambda: client_services.consent_record(
            actor=user,
            client=client,
            recipient_organization=organization,
            purpose=payload.purpose,
            information=list(payload.information),
            given_on=payload.given_on,
            method=str(payload.method),
            expires_on=payload.expires_on,
            submission_key=key,
        )
    )
    return Status(201 if created else 200, consent)


@router.post("/consents/{int:consent_id}/revoke", response={200: ConsentRead, **EDIT_ERRORS}, summary="Revoke consent")
def revoke_consent(
    request: HttpRequest,
    consent_id: int,
    payload: ConsentRevoke,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Consent:
    """Revoke with the client's reason (from today unless `revoked_on`); send the version."""
    user = request_user(request)
    consent = selectors.consent_get_for_user(user=user, consent_id=consent_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=consent.version)
    with precondition(used_if_match):
        revoked = client_services.consent_revoke(
            actor=user, consent=consent, reason=payload.reason, expected_version=version, revoked_on=payload.revoked_on
        )
    return with_etag(revoked, response)


# --- A case's referrals -----------------------------------------------------------------------


@router.get("/cases/{int:case_id}/referrals", response={200: ReferralPage, **READ_ERRORS}, summary="A case's referrals")
def list_referrals(
    request: HttpRequest,
    case_id: int,
    page: Query[PageParams],
    status: str = Query("", description="A referral status; all when empty"),
) -> dict[str, Any]:
    """A case's referrals, newest first, with their status history."""
    user = request_user(request)
    status = _status_filter(status)
    case = case_get_for_user(user=user, case_id=case_id, action="referral.list")
    referrals = selectors.referrals_for_case(case=case).prefetch_related(_history())
    if status:
        referrals = referrals.filter(status=status)
    return paginate(referrals, page)


@router.post(
    "/cases/{int:case_id}/referrals",
    response={201: ReferralRead, 200: ReferralRead, **WRITE_ERRORS},
    summary="Refer (a draft)",
)
def create_referral(
    request: HttpRequest,
    case_id: int,
    payload: ReferralCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Referral]:
    """A draft referral to a directory service; send it with POST /referrals/{id}/send.

    The same Idempotency-Key on this case returns the first referral (200).
    """
    user = request_user(request)
    case = case_get_for_user(user=user, case_id=case_id, audit=False)
    key = submission_key(user, idempotency_key, scope=f"case:{case.pk}")
    once = IdempotentCreate(
        key=key,
        find=lambda: Referral.objects.filter(submission_key=key, referred_by=user).first(),
        failure=_("The referral could not be saved; please try again."),
    )
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, with_etag(selectors.referral_get_for_user(user=user, referral_id=earlier.pk), response))
    service = selectors.service_for_referral(service_id=payload.service)
    step = None
    if payload.intervention is not None:
        step = intervention_of_case(case_id=case.pk, intervention_id=payload.intervention)
        if step is None:
            raise ValidationFailed(_("That action step is not in this case's care plan."), field="intervention")
    referral, created = once.create(
        lambda: services.referral_create(
            actor=user,
            case=case,
            service=service,
            reason=payload.reason,
            urgency=str(payload.urgency),
            due_date=payload.due_date,
            shared_information=list(payload.shared_information),
            summary=payload.summary,
            consent=_consent(user, payload.consent, case.client_id),
            need_domain=payload.need_domain,
            intervention=step,
            submission_key=key,
        )
    )
    if not created:
        return Status(200, with_etag(selectors.referral_get_for_user(user=user, referral_id=referral.pk), response))
    response["Location"] = f"/api/v1/referrals/{referral.pk}"
    return Status(201, with_etag(_reload(user, referral), response))


# --- One referral ----------------------------------------------------------------------------


@router.get("/referrals/{int:referral_id}", response={200: ReferralRead, **READ_ERRORS}, summary="Read a referral")
def get_referral(request: HttpRequest, referral_id: int, response: HttpResponse) -> Referral:
    """One referral with its status history; the ETag carries its version."""
    user = request_user(request)
    return with_etag(selectors.referral_get_for_user(user=user, referral_id=referral_id), response)


@router.patch("/referrals/{int:referral_id}", response={200: ReferralRead, **EDIT_ERRORS}, summary="Change a draft")
def update_referral(
    request: HttpRequest,
    referral_id: int,
    payload: ReferralUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Referral:
    """Change the fields sent (drafts only); send the version (If-Match or `version`)."""
    user = request_user(request)
    referral = selectors.referral_get_for_user(user=user, referral_id=referral_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=referral.version)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "consent" in data:
        data["consent"] = _consent(user, data["consent"], referral.client_id)
    for name in ("reason", "urgency", "shared_information", "summary", "need_domain"):
        if name in data and data[name] is None:
            raise ValidationFailed(_("This field cannot be empty."), field=name)
    if "shared_information" in data:
        data["shared_information"] = list(data["shared_information"])
    with precondition(used_if_match):
        updated = services.referral_update(actor=user, referral=referral, data=data, expected_version=version)
    return with_etag(_reload(user, updated), response)


@router.post("/referrals/{int:referral_id}/send", response={200: ReferralRead, **EDIT_ERRORS}, summary="Send a draft")
def send_referral(
    request: HttpRequest,
    referral_id: int,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Referral:
    """Send to the receiving organization: refused (stays a draft) without a consent that covers it."""
    user = request_user(request)
    referral = selectors.referral_get_for_user(user=user, referral_id=referral_id, audit=False)
    version = None
    used_if_match = False
    if if_match and if_match.strip():
        version, used_if_match = expected_version(if_match=if_match, version=None, current=referral.version)
    with precondition(used_if_match):
        sent = services.referral_send(actor=user, referral=referral, expected_version=version)
    return with_etag(_reload(user, sent), response)


@router.post(
    "/referrals/{int:referral_id}/status", response={200: ReferralRead, **EDIT_ERRORS}, summary="Change the status"
)
def change_status(
    request: HttpRequest,
    referral_id: int,
    payload: StatusChange,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Referral:
    """The referring side's moves (cancel, with a reason); the receiver's are under /partner/."""
    user = request_user(request)
    referral = selectors.referral_get_for_user(user=user, referral_id=referral_id, audit=False)
    version, used_if_match = _optional_version(if_match, payload.version, referral.version)
    with precondition(used_if_match):
        changed = services.referral_transition(
            actor=user,
            referral=referral,
            to_status=payload.status,
            reason=payload.reason,
            outcome=payload.outcome,
            expected_version=version,
        )
    return with_etag(_reload(user, changed), response)


def _optional_version(if_match: str | None, version: int | None, current: int) -> tuple[int | None, bool]:
    if (if_match and if_match.strip()) or version is not None:
        return expected_version(if_match=if_match, version=version, current=current)
    return None, False


@router.get(
    "/referrals/{int:referral_id}/fhir",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="A referral as FHIR R4 (ServiceRequest + Task)",
)
def export_fhir(request: HttpRequest, referral_id: int, response: HttpResponse) -> dict[str, Any]:
    """A Bundle (collection) of a ServiceRequest and its Task (Gravity SDOH). Audited as a disclosure."""
    user = request_user(request)
    referral = selectors.referral_get_for_user(user=user, referral_id=referral_id, audit=False)
    bundle = fhir.referral_bundle(referral)
    audit_record(
        actor=user,
        action="referral.export_fhir",
        client_id=referral.client_id,
        obj=referral,
        flagged=getattr(referral.client, "accessed_by_break_glass", False),
        changes={
            "format": [None, "FHIR R4 Bundle"],
            "resources": [None, [entry["resource"]["resourceType"] for entry in bundle["entry"]]],
        },
    )
    response["Content-Type"] = "application/fhir+json"
    return bundle


# --- Partner inbox -----------------------------------------------------------------------------


@router.get("/partner/referrals", response={200: PartnerReferralPage, **READ_ERRORS}, summary="Partner inbox")
def partner_list(
    request: HttpRequest,
    page: Query[PageParams],
    status: str = Query("", description="A referral status; all when empty"),
) -> dict[str, Any]:
    """Referrals sent to the partner user's organization, newest first (partner users only)."""
    user = request_user(request, partner=True)
    status = _status_filter(status)
    result = paginate(selectors.partner_inbox(user=user, status=status), page)
    audit_record(
        actor=user,
        action="referral.partner_list",
        changes={"status": [None, status or "all"], "count": [None, len(result["items"])]},
    )
    return result


@router.get(
    "/partner/referrals/{int:referral_id}", response={200: PartnerReferralRead, **READ_ERRORS}, summary="Partner: one"
)
def partner_get(request: HttpRequest, referral_id: int, response: HttpResponse) -> Referral:
    """One referral of the partner's organization, with exactly the information shared."""
    user = request_user(request, partner=True)
    return with_etag(selectors.partner_referral_get(user=user, referral_id=referral_id), response)


@router.post(
    "/partner/referrals/{int:referral_id}/status",
    response={200: PartnerReferralRead, **EDIT_ERRORS},
    summary="Partner: accept, decline, progress, complete",
)
def partner_status(
    request: HttpRequest,
    referral_id: int,
    payload: StatusChange,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Referral:
    """accepted; rejected (reason); in_progress; on_hold (reason); completed (outcome); failed, cancelled (reason)."""
    user = request_user(request, partner=True)
    referral = selectors.partner_referral_get(user=user, referral_id=referral_id, audit=False)
    version, used_if_match = _optional_version(if_match, payload.version, referral.version)
    with precondition(used_if_match):
        changed = services.referral_transition(
            actor=user,
            referral=referral,
            to_status=payload.status,
            reason=payload.reason,
            outcome=payload.outcome,
            expected_version=version,
        )
    return with_etag(selectors.partner_referral_get(user=user, referral_id=changed.pk, audit=False), response)
