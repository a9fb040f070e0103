"""Risk-flag pages: resolve a flag with a note (the flags show on the client and case pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.audit.services import audit_record
from casework.cases.views import add_domain_error
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError
from casework.safety.forms import RiskFlagResolveForm
from casework.safety.selectors import risk_flag_get_for_user
from casework.safety.services import risk_flag_resolve


@clinical_view
@require_http_methods(["GET", "POST"])
def resolve(request: AuthenticatedRequest, flag_id: int) -> HttpResponse:
    """Resolve an open flag with a note; the client page's banner posts here (plain form, no script)."""
    flag = risk_flag_get_for_user(user=request.user, flag_id=flag_id)
    status = 200
    form = RiskFlagResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                risk_flag_resolve(actor=request.user, flag=flag, note=form.cleaned_data["note"])
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Risk flag resolved; its urgent task is done."))
                return redirect(reverse("clients:detail", args=[flag.client_id]) + "#risk-flags")
    audit_record(actor=request.user, action="risk_flag.view", client_id=flag.client_id, obj=flag)
    return render(request, "safety/resolve.html", {"nav": "caseload", "flag": flag, "form": form}, status=status)
