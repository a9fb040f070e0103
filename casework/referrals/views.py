"""Referral pages: consent on the client page, refer from a case, a referral's page; the partner inbox.

Views parse input, call an access helper and a service, render. Refusals by a service show next
to the field they name, with the input kept.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.audit.services import audit_record
from casework.careplans.selectors import intervention_of_case
from casework.cases import permissions as case_permissions
from casework.cases.selectors import case_get_for_user
from casework.cases.views import add_domain_error
from casework.clients import permissions as client_permissions
from casework.clients import services as client_services
from casework.clients.selectors import client_get_for_user
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError, NotFound
from casework.directory.models import Organization
from casework.referrals import selectors, services
from casework.referrals.forms import ConsentForm, ReferralForm, RevokeConsentForm, StatusForm
from casework.referrals.models import Referral, ReferralStatus, Side
from casework.referrals.permissions import is_partner, partner_organization_id

S = ReferralStatus


# --- Consent --------------------------------------------------------------------------------


def _organizations() -> Any:
    return Organization.objects.order_by("name").only("id", "name")


@clinical_view
@require_http_methods(["GET", "POST"])
def consent_new(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Record a client's consent to share outside the agency (the case team)."""
    client = client_get_for_user(user=request.user, client_id=client_id, audit=request.method == "GET")
    if not client_permissions.can_manage_consent(request.user, client):
        raise NotFound()
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = ""
    form = ConsentForm(request.POST if request.method == "POST" else None, organizations=_organizations())
    if request.method == "GET" and request.GET.get("organization"):
        form.initial["recipient"] = request.GET["organization"]
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                client_services.consent_record(
                    actor=request.user,
                    client=client,
                    recipient_organization=data["recipient"],
                    purpose=data["purpose"],
                    information=list(data["information"]),
                    given_on=data["given_on"],
                    method=data["method"],
                    expires_on=data["expires_on"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map={"recipient_organization": "recipient"})
            else:
                messages.success(request, _("Consent recorded."))
                return redirect(next_url or reverse("clients:detail", args=[client.pk]) + "#consents")
    context = {"nav": "clients", "client": client, "form": form, "next": next_url}
    return render(request, "referrals/consent_form.html", context, status=status)


@clinical_view
@require_http_methods(["GET", "POST"])
def consent_revoke(request: AuthenticatedRequest, consent_id: int) -> HttpResponse:
    """Revoke a consent with the client's reason (kept, never deleted)."""
    consent = selectors.consent_get_for_user(user=request.user, consent_id=consent_id, audit=request.method == "GET")
    if not client_permissions.can_manage_consent(request.user, consent.client):
        raise NotFound()
    form = RevokeConsentForm(request.POST if request.method == "POST" else None, initial={"version": consent.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                client_services.consent_revoke(
                    actor=request.user,
                    consent=consent,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Consent revoked."))
                return redirect(reverse("clients:detail", args=[consent.client_id]) + "#consents")
    context = {"nav": "clients", "consent": consent, "client": consent.client, "form": form}
    return render(request, "referrals/consent_revoke.html", context, status=status)


# --- Referring ------------------------------------------------------------------------------


def _consents_for(client: Any) -> Any:
    return selectors.consents_for_client(client=client).filter(revoked_on__isnull=True)


@clinical_view
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Refer to a service chosen in the directory: say why, what is shared and under which consent; save or send."""
    user = request.user
    case = case_get_for_user(user=user, case_id=case_id, audit=request.method == "GET")
    if not case_permissions.can_work_case(user, case):
        raise NotFound()
    service_id = request.POST.get("service") or request.GET.get("service") or ""
    if not service_id:
        # The directory's "Find services" ranks services for the client's needs (distance,
        # eligibility, reasons); each result's "Refer" button comes back here with the service.
        return redirect("directory:match", case.pk)
    service = selectors.service_for_referral(service_id=service_id)
    # Made from a care-plan action step: the referral names it, and the plan shows it under the step.
    step = intervention_of_case(
        case_id=case.pk, intervention_id=request.POST.get("step") or request.GET.get("step", "")
    )
    initial = {"need_domain": request.GET.get("need", ""), "shared_information": ["name", "phone"]}
    form = ReferralForm(
        request.POST if request.method == "POST" else None, initial=initial, consents=_consents_for(case.client)
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.referral_create(
                    actor=user,
                    case=case,
                    service=service,
                    reason=data["reason"],
                    urgency=data["urgency"],
                    due_date=data["due_date"],
                    shared_information=list(data["shared_information"]),
                    summary=data["summary"],
                    consent=data["consent"],
                    need_domain=data["need_domain"],
                    intervention=step,
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                if request.POST.get("action") == "send":
                    return _send_and_redirect(request, referral)
                messages.success(request, _("Referral saved as a draft."))
                return redirect("referrals:detail", referral.pk)
    context = {"nav": "caseload", "case": case, "client": case.client, "service": service, "form": form, "step": step}
    return render(request, "referrals/referral_form.html", context, status=status)


def _send_and_redirect(request: AuthenticatedRequest, referral: Referral) -> HttpResponse:
    """Send a saved draft; when it is refused (no valid consent), it stays a draft with the reason shown."""
    try:
        services.referral_send(actor=request.user, referral=referral)
    except DomainError as exc:
        messages.error(request, _("Saved as a draft, not sent: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(
            request, _("Referral sent to %(organization)s.") % {"organization": referral.organization.name}
        )
    return redirect("referrals:detail", referral.pk)


def _detail(request: AuthenticatedRequest, referral: Referral, *, status: int = 200, **extra: Any) -> HttpResponse:
    can_work = case_permissions.can_work_case(request.user, referral.case)
    context: dict[str, Any] = {
        "nav": "caseload",
        "referral": referral,
        "case": referral.case,
        "client": referral.client,
        "history": list(referral.status_changes.all()),
        "can_work": can_work,
        "sender_targets": referral.allowed_targets(Side.SENDER) if can_work else [],
        "edit_form": None,
        "cancel_form": StatusForm(initial={"status": S.CANCELLED, "version": referral.version}, prefix="cancel"),
        "shared_labels": _shared_labels(referral),
        **extra,
    }
    if can_work and referral.status == S.DRAFT and context["edit_form"] is None:
        context["edit_form"] = ReferralForm(
            initial={
                "reason": referral.reason,
                "need_domain": referral.need_domain,
                "urgency": referral.urgency,
                "due_date": referral.due_date,
                "shared_information": referral.shared_information,
                "summary": referral.summary,
                "consent": referral.consent_id,
            },
            consents=_consents_for(referral.client),
        )
    return render(request, "referrals/detail.html", context, status=status)


def _shared_labels(referral: Referral) -> list[str]:
    from casework.clients.models import SharedInformation

    return [
        str(SharedInformation(item).label) for item in referral.shared_information if item in SharedInformation.values
    ]


@clinical_view
@require_http_methods(["GET"])
def referral_detail(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """A referral: service, what was shared, under which consent, and its status history."""
    referral = selectors.referral_get_for_user(user=request.user, referral_id=referral_id)
    return _detail(request, referral)


@clinical_view
@require_POST
def referral_edit(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """Change a draft; "send" sends it after saving (consent checked)."""
    referral = selectors.referral_get_for_user(user=request.user, referral_id=referral_id, audit=False)
    form = ReferralForm(request.POST, consents=_consents_for(referral.client))
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_update(
                actor=request.user,
                referral=referral,
                data={name: data[name] for name in services.DRAFT_FIELDS},
                expected_version=int(request.POST.get("version") or 0),
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            if request.POST.get("action") == "send":
                return _send_and_redirect(request, referral)
            messages.success(request, _("Draft saved."))
            return redirect("referrals:detail", referral.pk)
    else:
        status = 422
    audit_record(actor=request.user, action="referral.view", client_id=referral.client_id, obj=referral)
    return _detail(request, referral, status=status, edit_form=form)


@clinical_view
@require_POST
def referral_send(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """Send a draft as it is."""
    referral = selectors.referral_get_for_user(user=request.user, referral_id=referral_id, audit=False)
    return _send_and_redirect(request, referral)


def _change_status(request: HttpRequest, referral: Referral, *, user: Any) -> DomainError | None:
    form = StatusForm(request.POST)
    if not form.is_valid():
        return DomainError(_("Choose an action from the page."))
    try:
        services.referral_transition(
            actor=user,
            referral=referral,
            to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            outcome=form.cleaned_data["outcome"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        return exc
    return None


@clinical_view
@require_POST
def referral_status(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """The referring side's status changes (cancel, with a reason)."""
    referral = selectors.referral_get_for_user(user=request.user, referral_id=referral_id, audit=False)
    error = _change_status(request, referral, user=request.user)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Referral updated."))
    return redirect("referrals:detail", referral.pk)


# --- Partner inbox --------------------------------------------------------------------------


def partner_view(view: Any) -> Any:
    """Signed in as a partner user of an organization; everybody else gets 404."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_partner(request.user) or partner_organization_id(request.user) is None:
            raise NotFound()
        return view(request, *args, **kwargs)  # type: ignore[no-any-return]

    return wrapper


@partner_view
@require_http_methods(["GET"])
def partner_inbox(request: HttpRequest) -> HttpResponse:
    """Referrals sent to the partner's organization, newest first, by status."""
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS or status == S.DRAFT:
        status = ""
    referrals = list(selectors.partner_inbox(user=request.user, status=status)[:200])  # type: ignore[arg-type]
    organization_id = partner_organization_id(request.user)
    organization = Organization.objects.filter(pk=organization_id).only("name").first() if organization_id else None
    audit_record(
        actor=request.user,
        action="referral.partner_list",
        changes={"status": [None, status or "all"], "count": [None, len(referrals)]},
    )
    statuses = [(value, label) for value, label in S.choices if value != S.DRAFT]
    context = {
        "nav": "partner",
        "referrals": referrals,
        "organization": organization,
        "status": status,
        "statuses": statuses,
    }
    return render(request, "referrals/partner_inbox.html", context)


def _partner_detail(request: HttpRequest, referral: Referral, *, status: int = 200) -> HttpResponse:
    targets = referral.allowed_targets(Side.RECEIVER)
    context = {
        "nav": "partner",
        "referral": referral,
        "history": list(referral.status_changes.all()),
        "targets": targets,
        "version": referral.version,
    }
    return render(request, "referrals/partner_detail.html", context, status=status)


@partner_view
@require_http_methods(["GET"])
def partner_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral as the receiver sees it: exactly the information shared, and the actions it allows."""
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)  # type: ignore[arg-type]
    return _partner_detail(request, referral)


@partner_view
@require_POST
def partner_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Accept, decline (reason), start, put on hold, complete (outcome), fail or cancel."""
    user = request.user
    referral = selectors.partner_referral_get(user=user, referral_id=referral_id, audit=False)  # type: ignore[arg-type]
    error = _change_status(request, referral, user=user)
    if error is None:
        messages.success(request, _("Referral updated."))
        return redirect("partner:detail", referral.pk)
    messages.error(request, error.message)
    referral = selectors.partner_referral_get(user=user, referral_id=referral_id)  # type: ignore[arg-type]
    return _partner_detail(request, referral, status=error.status_code)
