"""Directory pages: search, a service, find services for a case's client, and the benefits screener."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework.audit.services import audit_record
from casework.careplans.selectors import intervention_of_case
from casework.cases.selectors import case_get_for_user
from casework.clients.views import AuthenticatedRequest
from casework.core.errors import DomainError, NotFound
from casework.directory import eligibility, hours, permissions, selectors, services
from casework.directory.forms import MatchForm, SearchForm
from casework.directory.models import BenefitProgram
from casework.needs.models import NeedDomain, SuggestedNeed, SuggestedNeedStatus


def directory_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and staff who may use the directory; anyone else gets 404."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_search_directory(request.user):
            raise NotFound()
        return view(request, *args, **kwargs)

    return wrapper


def criteria_from_form(form: SearchForm) -> selectors.SearchCriteria:
    data = form.cleaned_data
    day = data.get("day")
    return selectors.SearchCriteria(
        text=data.get("q") or "",
        category=data.get("category") or "",
        origin=selectors.origin_for_zip(data["zip"]) if data.get("zip") else None,
        radius_miles=data.get("radius") or selectors.DEFAULT_RADIUS_MILES,
        open_now=bool(data.get("open_now")),
        open_weekday=int(day) if day else None,
        language=data.get("language") or "",
        free_only=bool(data.get("free")),
        age=data.get("age"),
    )


@directory_view
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    """Find services: filters on the left, results with their reasons; htmx refreshes the results."""
    form = SearchForm(request.GET or None)
    results: list[selectors.Result] | None = None
    status = 200
    if request.GET:
        if form.is_valid():
            results = selectors.search(criteria_from_form(form))
        elif not request.htmx:
            # htmx swaps only successful responses: the partial with the message is a 200 there.
            status = 422
    context = {"nav": "directory", "form": form, "results": results}
    template = "directory/search.html#results" if request.htmx and not request.htmx.boosted else "directory/search.html"
    return render(request, template, context, status=status)


@directory_view
@require_GET
def service_detail(request: AuthenticatedRequest, service_id: str) -> HttpResponse:
    """One service: what it offers, who is eligible, where and when, how to apply."""
    service = selectors.service_get(service_id=service_id)
    schedules = list(service.schedules.all())
    for sal in service.service_at_locations.all():
        schedules.extend(sal.schedules.all())
    context = {
        "nav": "directory",
        "service": service,
        "hours": [hours.hours_text(schedule) for schedule in schedules],
        "is_open_now": hours.is_open_at(schedules, timezone.now()),
        "case_id": request.GET.get("case", ""),
    }
    return render(request, "directory/service.html", context)


def open_need_domains(*, case_id: int, client_id: int) -> list[str]:
    """Need domains still open for the client: suggested or taken into the plan, not dismissed.

    Care-plan needs (issue 5) add theirs here when that app lands: matching takes domains only.
    """
    domains = (
        SuggestedNeed.objects.filter(client_id=client_id)
        .exclude(status=SuggestedNeedStatus.DISMISSED)
        .values_list("domain", flat=True)
    )
    return list(dict.fromkeys(domains))


@directory_view
@require_GET
def match(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """'Find services' from a case: services ranked for the client's open needs, eligibility applied."""
    case = case_get_for_user(user=request.user, case_id=case_id, action="directory.match", audit=False)
    client = case.client
    needs = open_need_domains(case_id=case.pk, client_id=client.pk)
    form = MatchForm(request.GET or None, initial={"domains": needs, "radius": 15})
    domains, radius = needs, 15.0
    if request.GET and form.is_valid():
        domains = form.cleaned_data["domains"]
        radius = form.cleaned_data["radius"] or 15.0
    today = timezone.localdate()
    profile = selectors.ClientProfile.of(client, on=today)
    results = selectors.match_for_client(profile=profile, domains=domains, radius_miles=radius)
    # Opened from a care-plan action step ("Refer" on the plan): its referrals will name the step.
    step = intervention_of_case(case_id=case.pk, intervention_id=request.GET.get("step", ""))
    audit_record(
        actor=request.user,
        action="directory.match",
        client_id=client.pk,
        obj=case,
        changes={"domains": domains, "results": [str(result.service.pk) for result in results]},
    )
    context = {
        "nav": "caseload",
        "case": case,
        "client": client,
        "form": form,
        "domains": domains,
        "domain_labels": [NeedDomain(domain).label for domain in domains],
        "profile": profile,
        "results": results,
        "missing_zip": profile.origin is None,
        "step": step,
    }
    return render(request, "directory/match.html", context)


@directory_view
@require_GET
def screener(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """The benefits screener for a case's client: each program's outcome and the rule that decided it."""
    case = case_get_for_user(user=request.user, case_id=case_id, action="eligibility.screen")
    return _render_screener(request, case)


def _render_screener(request: AuthenticatedRequest, case: Any, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    level, results = eligibility.screen_client(case.client, on=today)
    context = {
        "nav": "caseload",
        "case": case,
        "client": case.client,
        "level": level,
        "results": results,
        "today": today,
        "age": eligibility.age_on(case.client.date_of_birth, today),
        "can_act": permissions.can_act_on_screening(request.user, case),
        # "Find a service for this" searches near the client when the ZIP is a known one.
        "search_zip": case.client.postal_code if selectors.origin_for_zip(case.client.postal_code or "") else "",
    }
    return render(request, "directory/screener.html", context, status=status)


@directory_view
@require_POST
def screener_act(request: AuthenticatedRequest, case_id: int, program_code: str) -> HttpResponse:
    """Turn a screen result into a suggested need or a task (POST: `action` = need | task)."""
    case = case_get_for_user(user=request.user, case_id=case_id, action="eligibility.screen", audit=False)
    program = get_object_or_404(BenefitProgram, code=program_code, is_active=True)
    action = request.POST.get("action")
    try:
        if action == "need":
            need = services.screening_suggest_need(actor=request.user, case=case, program=program)
            messages.success(request, _("Suggested need added: %(domain)s.") % {"domain": need.get_domain_display()})
        elif action == "task":
            task = services.screening_start_task(actor=request.user, case=case, program=program)
            messages.success(
                request,
                _("Task started for %(who)s, due %(due)s.") % {"who": task.assignee, "due": task.due_date.isoformat()},
            )
        else:
            messages.error(request, _("Choose what to do with the result."))
    except DomainError as exc:
        messages.error(request, exc.message)
        audit_record(actor=request.user, action="eligibility.screen", client_id=case.client_id, obj=case)
        return _render_screener(request, case, status=exc.status_code)
    return redirect(reverse("directory:screener", args=[case.pk]))
