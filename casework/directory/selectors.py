"""Reads of the resource directory: search with filters, and the match of services to a client.

Every result says why it is there. Distance uses a bounding box on the indexed latitude and
longitude in SQL, then the exact great-circle distance in Python, so it works the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.directory import derived, eligibility, geo, hours
from casework.directory.models import (
    Address,
    Location,
    NeedCategory,
    Schedule,
    Service,
    ServiceArea,
    ServiceAreaKind,
    ServiceAtLocation,
    ServiceStatus,
)

DEFAULT_RADIUS_MILES = 10.0
MAX_RADIUS_MILES = 100.0
MAX_RESULTS = 50


@dataclass(frozen=True)
class Origin:
    """Where distances are measured from, and the area keys a service area may cover."""

    latitude: float
    longitude: float
    label: str  # "ZIP 60546" / "the client's address"
    postal_code: str = ""
    county_key: str = ""
    county_label: str = ""  # "Cook County, IL"
    state_key: str = ""

    def area_q(self) -> Q:
        """Service areas that cover this place."""
        q = Q(kind=ServiceAreaKind.COUNTRY, value="us")
        if self.postal_code:
            q |= Q(kind=ServiceAreaKind.POSTAL_CODE, value=self.postal_code)
        if self.county_key:
            q |= Q(kind=ServiceAreaKind.COUNTY, value=self.county_key)
        if self.state_key:
            q |= Q(kind=ServiceAreaKind.STATE, value=self.state_key)
        return q


def origin_for_zip(postal_code: str, *, label: str = "") -> Origin | None:
    place = geo.zip_place(postal_code)
    if place is None:
        return None
    return Origin(
        latitude=place.latitude,
        longitude=place.longitude,
        label=label or _("ZIP %(zip)s") % {"zip": place.postal_code},
        postal_code=place.postal_code,
        county_key=derived.county_key(place.county, place.state),
        county_label=f"{place.county}, {place.state}" if place.county else "",
        state_key=derived.state_code(place.state),
    )


def origin_for_client(client: Client) -> Origin | None:
    """The client's ZIP centroid (no street geocoding: it would need a network service)."""
    origin = origin_for_zip(client.postal_code, label=_("the client's ZIP area"))
    if origin is None:
        return None
    if client.county and client.state:
        origin = Origin(
            **{
                **origin.__dict__,
                "county_key": derived.county_key(client.county, client.state),
                "county_label": f"{client.county}, {client.state}",
            }
        )
    return origin


@dataclass
class SearchCriteria:
    """What a worker asks the directory for; every field optional."""

    text: str = ""
    category: str = ""  # NeedCategory.code
    domains: Sequence[str] = ()  # NeedDomain values
    origin: Origin | None = None
    radius_miles: float = DEFAULT_RADIUS_MILES
    open_now: bool = False
    open_weekday: int | None = None  # Monday 0
    language: str = ""
    free_only: bool = False
    age: int | None = None
    limit: int = MAX_RESULTS


@dataclass
class Result:
    """One service found, its nearest location, and the reasons it matches."""

    service: Service
    distance_miles: float | None = None
    location_id: uuid.UUID | None = None
    covers_area: str = ""  # "ZIP 60546" etc. when a service area covers the origin
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    address: Address | None = None

    @property
    def schedules(self) -> list[Schedule]:
        return _schedules_of(self.service)

    @property
    def hours(self) -> list[str]:
        return [hours.hours_text(schedule) for schedule in self.schedules if schedule.opens_at]


def _schedules_of(service: Service) -> list[Schedule]:
    found = list(service.schedules.all())
    for sal in service.service_at_locations.all():
        found.extend(sal.schedules.all())
    return found


def _text_q(text: str) -> Q:
    q = Q()
    for word in text.lower().split()[:8]:
        q &= Q(search_text__contains=word)
    return q


def _age_q(age: int, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}minimum_age__isnull": True}) | Q(**{f"{prefix}minimum_age__lte": age})) & (
        Q(**{f"{prefix}maximum_age__isnull": True}) | Q(**{f"{prefix}maximum_age__gte": age})
    )


# Conditions on a service, written for any query that reaches the service through `prefix`
# ("" on Service, "service__" on ServiceAtLocation and ServiceArea). Filtering the location or
# area rows directly (rather than `service__in=<subquery>`) lets the database start from the
# indexed bounding box or area key and check the few services found there.
Conditions = Callable[[str], list[Any]]


def _search_conditions(criteria: SearchCriteria) -> Conditions:
    def conditions(prefix: str) -> list[Any]:
        ref = OuterRef(f"{prefix}id") if prefix else OuterRef("pk")
        found: list[Any] = [Q(**{f"{prefix}status": ServiceStatus.ACTIVE})]
        for word in criteria.text.lower().split()[:8]:
            found.append(Q(**{f"{prefix}search_text__contains": word}))
        through = Service.need_categories.through.objects
        if criteria.category:
            found.append(Exists(through.filter(service_id=ref, needcategory__code=criteria.category)))
        if criteria.domains:
            found.append(Exists(through.filter(service_id=ref, needcategory__domain__in=list(criteria.domains))))
        if criteria.language.strip():
            found.append(Q(**{f"{prefix}language_keys__contains": f" {derived.language_key(criteria.language)} "}))
        if criteria.free_only:
            found.append(Q(**{f"{prefix}is_free": True}))
        if criteria.age is not None:
            found.append(_age_q(criteria.age, prefix))
        if criteria.open_weekday is not None:
            code = hours.DAY_CODES[criteria.open_weekday]
            day_q = Q(opens_at__isnull=False) & (Q(byday__contains=code) | Q(byday=""))
            found.append(
                Exists(Schedule.objects.filter(day_q, service_id=ref))
                | Exists(Schedule.objects.filter(day_q, service_at_location__service_id=ref))
            )
        return found

    return conditions


IN_BATCH = 2000


def _chunks(ids: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(ids), IN_BATCH):
        yield list(ids[start : start + IN_BATCH])


def _near(
    conditions: Conditions, origin: Origin, radius: float
) -> dict[uuid.UUID, tuple[float | None, uuid.UUID | None, str]]:
    """Services within `radius` of the origin or whose service area covers it: id -> (miles, location, area).

    Single-table queries on indexed columns, in steps (locations in the bounding box, their
    services, the areas covering the origin, then the conditions on those services by primary
    key), so the plan is the same on PostgreSQL and on SQLite without planner statistics.
    """
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(origin.latitude, origin.longitude, radius)
    locations = Location.objects.filter(
        latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon
    ).values_list("id", "latitude", "longitude")
    miles_to: dict[uuid.UUID, float] = {}
    for location_id, latitude, longitude in locations:
        if latitude is None or longitude is None:
            continue
        miles = geo.distance_miles(origin.latitude, origin.longitude, latitude, longitude)
        if miles <= radius:
            miles_to[location_id] = miles
    found: dict[uuid.UUID, tuple[float | None, uuid.UUID | None, str]] = {}
    for chunk in _chunks(list(miles_to)):
        for service_id, location_id in ServiceAtLocation.objects.filter(location_id__in=chunk).values_list(
            "service_id", "location_id"
        ):
            miles = miles_to[location_id]
            if service_id not in found or miles < (found[service_id][0] or 0.0):
                found[service_id] = (miles, location_id, "")
    labels: dict[str, str] = {
        ServiceAreaKind.POSTAL_CODE: _("serves ZIP %(zip)s") % {"zip": origin.postal_code},
        ServiceAreaKind.COUNTY: _("serves %(county)s") % {"county": origin.county_label},
        ServiceAreaKind.STATE: _("serves the whole state"),
        ServiceAreaKind.COUNTRY: _("serves the whole country"),
    }
    rank: list[str] = [
        ServiceAreaKind.POSTAL_CODE,
        ServiceAreaKind.COUNTY,
        ServiceAreaKind.STATE,
        ServiceAreaKind.COUNTRY,
    ]
    areas = ServiceArea.objects.filter(origin.area_q()).values_list("service_id", "kind")
    for service_id, kind in rows_sorted(areas, rank):
        near_miles, near_location, area = found.get(service_id, (None, None, ""))
        if not area:
            found[service_id] = (near_miles, near_location, labels[kind])
    keep: set[uuid.UUID] = set()
    for chunk in _chunks(list(found)):
        keep.update(Service.objects.filter(*conditions(""), pk__in=chunk).values_list("pk", flat=True))
    return {service_id: value for service_id, value in found.items() if service_id in keep}


def rows_sorted(rows: Iterable[tuple[Any, str]], rank: list[str]) -> list[tuple[Any, str]]:
    """Area rows, most local first, so a service that serves a ZIP says so rather than 'the state'."""
    return sorted(rows, key=lambda row: rank.index(row[1]))


def _with_details(service_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Service]:
    services = (
        Service.objects.filter(pk__in=list(service_ids))
        .select_related("organization")
        .prefetch_related(
            Prefetch("need_categories", queryset=NeedCategory.objects.order_by("sort_order")),
            "schedules",
            "phones",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "schedules", "location__addresses"
                ),
            ),
        )
    )
    return {service.pk: service for service in services}


def _address(service: Service, location_id: uuid.UUID | None) -> Address | None:
    for sal in service.service_at_locations.all():
        if location_id is None or sal.location_id == location_id:
            addresses = list(sal.location.addresses.all())
            if addresses:
                return addresses[0]
    return None


def search(criteria: SearchCriteria, *, now: datetime.datetime | None = None) -> list[Result]:
    """Services matching the criteria, nearest first when a place is given, with reasons."""
    now = now or timezone.now()
    conditions = _search_conditions(criteria)
    limit = max(1, min(criteria.limit, MAX_RESULTS))
    near: dict[uuid.UUID, tuple[float | None, uuid.UUID | None, str]] = {}
    if criteria.origin is not None:
        radius = max(0.5, min(criteria.radius_miles, MAX_RADIUS_MILES))
        near = _near(conditions, criteria.origin, radius)
        # Nearest first; services found by their area only come after, most local area first
        # (the order _near found them in: the sort is stable).
        ordered = sorted(near, key=lambda key: (near[key][0] is None, near[key][0] or 0.0))
    else:
        # Enough candidates to fill a page after the open-now check.
        page_size = limit * 4 if criteria.open_now else limit
        candidates = Service.objects.filter(*conditions("")).order_by("name", "pk")
        ordered = list(candidates.values_list("pk", flat=True)[:page_size])
    results: list[Result] = []
    for start in range(0, len(ordered), 200):
        details = _with_details(ordered[start : start + 200])
        for service_id in ordered[start : start + 200]:
            service = details[service_id]
            miles, location_id, area = near.get(service_id, (None, None, ""))
            result = Result(service=service, distance_miles=miles, location_id=location_id, covers_area=area)
            if criteria.open_now and not hours.is_open_at(result.schedules, now):
                continue
            result.reasons = _reasons(criteria, result, now=now)
            result.address = _address(service, location_id)
            results.append(result)
            if len(results) >= limit:
                return results
    return results


def _reasons(criteria: SearchCriteria, result: Result, *, now: datetime.datetime) -> list[str]:
    service = result.service
    reasons = []
    if criteria.text.strip():
        reasons.append(_("mentions “%(text)s”") % {"text": criteria.text.strip()})
    categories = list(service.need_categories.all())
    if criteria.category:
        reasons.extend(c.name for c in categories if c.code == criteria.category)
    elif criteria.domains:
        reasons.extend(c.name for c in categories if c.domain in criteria.domains)
    if result.distance_miles is not None and criteria.origin is not None:
        reasons.append(
            _("%(miles).1f miles from %(place)s") % {"miles": result.distance_miles, "place": criteria.origin.label}
        )
    if result.covers_area:
        reasons.append(result.covers_area)
    if criteria.open_now:
        reasons.append(_("open now"))
    if criteria.open_weekday is not None:
        reasons.append(_("open on %(day)s") % {"day": hours.DAY_PLURALS[criteria.open_weekday]})
    if criteria.language.strip():
        reasons.append(_("speaks %(language)s") % {"language": criteria.language.strip().title()})
    if criteria.free_only:
        reasons.append(_("free"))
    if criteria.age is not None:
        reasons.append(_age_reason(service, criteria.age))
    return reasons


def _age_reason(service: Service, age: int) -> str:
    """'ages 18 to 64 (age 30)', 'ages 18 and over (age 30)', 'up to age 17 (age 15)'."""
    low, high = service.minimum_age, service.maximum_age
    if low is None and high is None:
        return _("no age limit")
    if high is None:
        return _("ages %(low)s and over (age %(age)s)") % {"low": low, "age": age}
    if low is None:
        return _("up to age %(high)s (age %(age)s)") % {"high": high, "age": age}
    return _("ages %(low)s to %(high)s (age %(age)s)") % {"low": low, "high": high, "age": age}


def service_get(*, service_id: uuid.UUID | str) -> Service:
    """One service with everything its page shows; NotFound for unknown ids."""
    try:
        key = uuid.UUID(str(service_id))
    except ValueError as exc:
        raise NotFound() from exc
    service = (
        Service.objects.filter(pk=key)
        .select_related("organization", "program")
        .prefetch_related(
            Prefetch("need_categories", queryset=NeedCategory.objects.order_by("sort_order")),
            "schedules",
            "phones",
            "languages",
            "cost_options",
            "required_documents",
            "service_areas",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "schedules", "location__addresses", "location__phones"
                ),
            ),
        )
        .first()
    )
    if service is None:
        raise NotFound()
    return service


# --- match for a client ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClientProfile:
    """What matching needs to know about a client (no names: nothing identifying)."""

    age: int | None
    origin: Origin | None
    language: str
    interpreter_needed: bool
    insurance: str
    income_percent: int | None

    @classmethod
    def of(cls, client: Client, *, on: datetime.date) -> ClientProfile:
        level = eligibility.client_income_level(client, on=on)
        return cls(
            age=eligibility.age_on(client.date_of_birth, on),
            origin=origin_for_client(client),
            language=client.primary_language or "",
            interpreter_needed=client.interpreter_needed,
            insurance=client.insurance,
            income_percent=level.percent if level else None,
        )


def match_for_client(
    *,
    profile: ClientProfile,
    domains: Sequence[str],
    radius_miles: float = 15.0,
    limit: int = 20,
    now: datetime.datetime | None = None,
) -> list[Result]:
    """Rank services for the client's needs (a list of need domains), filtered on eligibility.

    Filters: active, a category in the needs, age, income (% of poverty) under the service's
    limit, insurance accepted, and a location within the radius or a service area that covers
    the client. Ranked by distance, area served, language and cost; each result says why.
    """
    now = now or timezone.now()
    if not domains:
        return []
    origin = profile.origin
    if origin is None:
        return []

    def conditions(prefix: str) -> list[Any]:
        ref = OuterRef(f"{prefix}id") if prefix else OuterRef("pk")
        found: list[Any] = [
            Q(**{f"{prefix}status": ServiceStatus.ACTIVE}),
            Exists(
                Service.need_categories.through.objects.filter(service_id=ref, needcategory__domain__in=list(domains))
            ),
        ]
        if profile.age is not None:
            found.append(_age_q(profile.age, prefix))
        if profile.income_percent is not None:
            found.append(
                Q(**{f"{prefix}income_limit_percent_fpl__isnull": True})
                | Q(**{f"{prefix}income_limit_percent_fpl__gte": profile.income_percent})
            )
        if profile.insurance:
            found.append(
                Q(**{f"{prefix}insurance_accepted": ""})
                | Q(**{f"{prefix}insurance_accepted__contains": profile.insurance})
            )
        # A service that says where it serves must serve the client's ZIP, county or state.
        matchable = ServiceArea.objects.filter(service_id=ref).exclude(kind=ServiceAreaKind.OTHER)
        covering = ServiceArea.objects.filter(origin.area_q(), service_id=ref)
        found.append(~Exists(matchable) | Exists(covering))
        return found

    near = _near(conditions, origin, radius_miles)
    language_key = derived.language_key(profile.language) if profile.language else ""
    # Rank on what is known without loading the services: distance and area; language from a column.
    keys = dict(Service.objects.filter(pk__in=list(near)).values_list("pk", "language_keys")) if near else {}
    scored: list[tuple[float, uuid.UUID]] = []
    for service_id, (miles, _location, area) in near.items():
        score = 100.0 - (miles if miles is not None else radius_miles) * 2
        if area:
            score += 10
        if language_key and language_key != "en" and f" {language_key} " in (keys.get(service_id) or ""):
            score += 25
        scored.append((score, service_id))
    scored.sort(key=lambda item: (-item[0], str(item[1])))
    top = [service_id for _score, service_id in scored[:limit]]
    details = _with_details(top)
    results = []
    for score, service_id in scored[:limit]:
        service = details[service_id]
        miles, location_id, area = near[service_id]
        result = Result(service, miles, location_id, area, score=score)
        result.reasons = _match_reasons(result, profile, domains, language_key, now=now)
        result.address = _address(service, location_id)
        results.append(result)
    return results


def _match_reasons(
    result: Result, profile: ClientProfile, domains: Sequence[str], language_key: str, *, now: datetime.datetime
) -> list[str]:
    service = result.service
    reasons = [c.name for c in service.need_categories.all() if c.domain in domains]
    if result.covers_area:
        reasons.append(_("in your client's area (%(area)s)") % {"area": result.covers_area})
    if result.distance_miles is not None:
        reasons.append(_("%(miles).1f miles from your client's ZIP area") % {"miles": result.distance_miles})
    if language_key and language_key != "en" and f" {language_key} " in service.language_keys:
        reasons.append(_("speaks %(language)s") % {"language": profile.language})
    schedules = result.schedules
    weekend = [day for day in (5, 6) if hours.is_open_on_weekday(schedules, day, today=now.date())]
    if weekend:
        reasons.append(_("open %(days)s") % {"days": _(" and ").join(str(hours.DAY_PLURALS[d]) for d in weekend)})
    if hours.is_open_at(schedules, now):
        reasons.append(_("open now"))
    if service.income_limit_percent_fpl is not None and profile.income_percent is not None:
        reasons.append(
            _("income under %(limit)s%% FPL (client %(percent)s%%)")
            % {"limit": service.income_limit_percent_fpl, "percent": profile.income_percent}
        )
    elif service.income_limit_percent_fpl is not None:
        reasons.append(
            _("income limit %(limit)s%% FPL: record household size and income to check")
            % {"limit": service.income_limit_percent_fpl}
        )
    if service.insurance_accepted and profile.insurance:
        reasons.append(_("takes the client's insurance"))
    if profile.age is not None and (service.minimum_age is not None or service.maximum_age is not None):
        reasons.append(_age_reason(service, profile.age))
    if service.is_free:
        reasons.append(_("free"))
    return reasons
