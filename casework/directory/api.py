"""Directory in the JSON API: GET /services (search), /services/{id}, /cases/{id}/service-matches,
/cases/{id}/eligibility and the screen's next steps. Full paths in the router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.selectors import case_get_for_user
from casework.core.api import MAX_ID, READ_ERRORS, WRITE_ERRORS, request_user
from casework.core.errors import NotFound, ValidationFailed
from casework.directory import eligibility, hours, permissions, selectors, services
from casework.directory.models import BenefitProgram, NeedCategory
from casework.directory.schemas import (
    ScreenNeedOut,
    ScreenOut,
    ScreenTaskOut,
    ServiceMatchOut,
    ServiceRead,
    ServiceSearchOut,
)
from casework.directory.views import open_need_domains
from casework.needs.models import NeedDomain

router = Router(tags=["directory"])


def _staff(request: HttpRequest) -> User:
    """The caller, who must be staff allowed to use the directory (404 otherwise, as in the pages)."""
    user = request_user(request)
    if not permissions.can_search_directory(user):
        raise NotFound()
    return user


def _address(address: Any) -> dict[str, str] | None:
    if address is None:
        return None
    return {
        "address_1": address.address_1,
        "address_2": address.address_2,
        "city": address.city,
        "state_province": address.state_province,
        "postal_code": address.postal_code,
    }


def _result(result: selectors.Result) -> dict[str, Any]:
    service = result.service
    return {
        "id": service.pk,
        "name": service.name,
        "organization": service.organization_name,
        "status": service.status,
        "distance_miles": round(result.distance_miles, 2) if result.distance_miles is not None else None,
        "address": _address(result.address),
        "phones": result.phones,
        "hours": result.hours,
        "categories": [category.code for category in result.categories],
        "reasons": result.reasons,
        "url": f"/directory/services/{service.pk}/",
    }


@router.get("/services", response={200: ServiceSearchOut, **READ_ERRORS}, summary="Search the resource directory")
def search_services(
    request: HttpRequest,
    q: str = Query("", max_length=200, description="Words, all of which must appear"),
    category: str = Query("", max_length=60, description="A need category code (GET /need-categories)"),
    zip: str = Query("", max_length=10, description="Distance from this US ZIP code (offline centroids)"),
    radius: float = Query(10.0, gt=0, le=selectors.MAX_RADIUS_MILES, description="Miles from the ZIP code"),
    open_now: bool = Query(False),
    day: int | None = Query(None, ge=0, le=6, description="Open on this weekday, Monday 0"),
    language: str = Query("", max_length=60, description="Language name or ISO code"),
    free: bool = Query(False, description="Free services only"),
    age: int | None = Query(None, ge=0, le=125),
    limit: int = Query(25, ge=1, le=selectors.MAX_RESULTS),
) -> dict[str, Any]:
    """Services matching every filter given, nearest first with a ZIP code; each says why it matches."""
    _staff(request)
    for name, value in (("q", q), ("category", category), ("language", language), ("zip", zip)):
        if "\x00" in value:
            raise ValidationFailed(_("Text cannot contain NUL characters."), field=name)
    origin = None
    if zip.strip():
        origin = selectors.origin_for_zip(zip)
        if origin is None:
            raise ValidationFailed(_("Unknown ZIP code: enter 5 digits of a US ZIP code."), field="zip")
    if category and not NeedCategory.objects.filter(code=category).exists():
        raise ValidationFailed(_("Unknown need category."), field="category")
    criteria = selectors.SearchCriteria(
        text=q,
        category=category,
        origin=origin,
        radius_miles=radius,
        open_now=open_now,
        open_weekday=day,
        language=language,
        free_only=free,
        age=age,
        limit=limit,
    )
    results = selectors.search(criteria)
    return {"count": len(results), "items": [_result(result) for result in results]}


@router.get("/need-categories", response={200: list[dict[str, str]], **READ_ERRORS}, summary="Need categories")
def need_categories(request: HttpRequest) -> list[dict[str, str]]:
    """Our open need categories and the care-plan need domain each maps to."""
    _staff(request)
    return [
        {"code": category.code, "name": category.name, "domain": category.domain}
        for category in NeedCategory.objects.all()
    ]


@router.get("/services/{service_id}", response={200: ServiceRead, **READ_ERRORS}, summary="A directory service")
def service_detail(request: HttpRequest, service_id: str) -> dict[str, Any]:
    _staff(request)
    service = selectors.service_get(service_id=service_id)
    schedules = list(service.schedules.all())
    addresses: list[dict[str, str] | None] = []
    for sal in service.service_at_locations.all():
        schedules.extend(sal.schedules.all())
        addresses.extend(_address(address) for address in sal.location.addresses.all())
    return {
        "id": service.pk,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "organization": service.organization.name,
        "status": service.status,
        "url": service.url,
        "email": service.email,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "income_limit_percent_fpl": service.income_limit_percent_fpl,
        "insurance_accepted": service.insurance_list,
        "fees_description": service.fees_description,
        "is_free": service.is_free,
        "application_process": service.application_process,
        "categories": [category.code for category in service.need_categories.all()],
        "languages": [language.name or language.code for language in service.languages.all()],
        "required_documents": [document.document for document in service.required_documents.all()],
        "hours": [hours.hours_text(schedule) for schedule in schedules],
        "phones": [phone.number for phone in service.phones.all()],
        "addresses": addresses,
        "service_areas": [area.name or area.extent for area in service.service_areas.all()],
    }


@router.get(
    "/cases/{case_id}/service-matches",
    response={200: ServiceMatchOut, **READ_ERRORS},
    summary="Services ranked for a case's client",
)
def service_matches(
    request: HttpRequest,
    case_id: int,
    domains: str = Query("", max_length=300, description="Comma-separated need domains; default: open needs"),
    radius: float = Query(15.0, gt=0, le=selectors.MAX_RADIUS_MILES),
) -> dict[str, Any]:
    """Services for the client's needs the client is eligible for, best first, with why."""
    user = _staff(request)
    if not 1 <= case_id <= MAX_ID:
        raise NotFound()
    case = case_get_for_user(user=user, case_id=case_id, action="directory.match", audit=False)
    chosen = [part.strip() for part in domains.split(",") if part.strip()]
    unknown = [domain for domain in chosen if domain not in NeedDomain.values]
    if unknown:
        raise ValidationFailed(
            _("Unknown need domain: %(domain)s. Use: %(known)s.")
            % {"domain": unknown[0], "known": ", ".join(NeedDomain.values)},
            field="domains",
        )
    chosen = chosen or open_need_domains(case_id=case.pk, client_id=case.client_id)
    profile = selectors.ClientProfile.of(case.client, on=timezone.localdate())
    results = selectors.match_for_client(profile=profile, domains=chosen, radius_miles=radius)
    audit_record(
        actor=user,
        action="directory.match",
        client_id=case.client_id,
        obj=case,
        changes={"domains": chosen, "results": [str(result.service.pk) for result in results]},
    )
    return {
        "domains": chosen,
        "radius_miles": radius,
        "income_percent_fpl": profile.income_percent,
        "items": [_result(result) for result in results],
    }


@router.get("/cases/{case_id}/eligibility", response={200: ScreenOut, **READ_ERRORS}, summary="Benefits screen")
def eligibility_screen(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """Likely eligible / likely not / needs more information per program, with the deciding rule."""
    user = _staff(request)
    if not 1 <= case_id <= MAX_ID:
        raise NotFound()
    case = case_get_for_user(user=user, case_id=case_id, action="eligibility.screen")
    today = timezone.localdate()
    level, results = eligibility.screen_client(case.client, on=today)
    income = case.client.annual_household_income
    return {
        "date": today,
        "household_size": case.client.household_size,
        "annual_household_income": int(income) if income is not None else None,
        "income_percent_fpl": level.percent if level else None,
        "guideline_year": level.guideline.year if level else None,
        "results": [
            {
                "program": result.program.name,
                "program_code": result.program.code,
                "outcome": result.outcome,
                "outcome_label": result.outcome_label,
                "reason": result.reason,
                "rule_effective_from": result.rule.effective_from if result.rule else None,
                "income_limit_percent_fpl": result.rule.income_limit_percent_fpl if result.rule else None,
            }
            for result in results
        ],
    }


def _case_and_program(request: HttpRequest, case_id: int, program_code: str) -> tuple[User, Any, BenefitProgram]:
    user = _staff(request)
    if not 1 <= case_id <= MAX_ID:
        raise NotFound()
    case = case_get_for_user(user=user, case_id=case_id, action="eligibility.screen", audit=False)
    program = BenefitProgram.objects.filter(code=program_code, is_active=True).first()
    if program is None:
        raise NotFound()
    return user, case, program


@router.post(
    "/cases/{case_id}/eligibility/{program_code}/suggested-need",
    response={201: ScreenNeedOut, **WRITE_ERRORS},
    summary="Make a screen result a suggested need",
)
def screen_to_need(request: HttpRequest, case_id: int, program_code: str) -> Status[dict[str, Any]]:
    user, case, program = _case_and_program(request, case_id, program_code)
    need = services.screening_suggest_need(actor=user, case=case, program=program)
    return Status(201, {"id": need.pk, "domain": need.domain, "reason": need.reason, "status": need.status})


@router.post(
    "/cases/{case_id}/eligibility/{program_code}/task",
    response={201: ScreenTaskOut, **WRITE_ERRORS},
    summary="Start a task from a screen result",
)
def screen_to_task(request: HttpRequest, case_id: int, program_code: str) -> Status[dict[str, Any]]:
    user, case, program = _case_and_program(request, case_id, program_code)
    task = services.screening_start_task(actor=user, case=case, program=program)
    return Status(201, {"id": task.pk, "title": task.title, "due_date": task.due_date, "assignee_id": task.assignee_id})
