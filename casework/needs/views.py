"""Suggested-need pages: dismiss a suggestion with a reason (they show on the client and case pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.audit.services import audit_record
from casework.cases.views import add_domain_error
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError
from casework.needs.forms import DismissForm
from casework.needs.selectors import suggested_need_get_for_user
from casework.needs.services import suggested_need_dismiss


@clinical_view
@require_http_methods(["GET", "POST"])
def dismiss(request: AuthenticatedRequest, need_id: int) -> HttpResponse:
    """Dismiss a suggested need with a reason; back to the page the form was on."""
    need = suggested_need_get_for_user(user=request.user, need_id=need_id)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    status = 200
    form = DismissForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                suggested_need_dismiss(actor=request.user, need=need, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Suggested need dismissed: %(domain)s.") % {"domain": need.get_domain_display()}
                )
                return redirect(next_url or reverse("clients:detail", args=[need.client_id]) + "#suggested-needs")
    audit_record(actor=request.user, action="suggested_need.view", client_id=need.client_id, obj=need)
    context = {"nav": "caseload", "need": need, "form": form, "next": next_url}
    return render(request, "needs/dismiss.html", context, status=status)
