"""Reads of the resource directory: search with filters, and the match of services to a client.

Every result says why it is there. Distance uses a bounding box on the indexed latitude and
longitude in SQL, then the exact great-circle distance in Python, so it works the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.directory import derived, eligibility, geo, hours
from casework.directory.models import (
    NeedCategory,
    Phone,
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

    def area_keys(self) -> set[tuple[str, str]]:
        """The (kind, value) of the service areas that cover this place, as `area_q` finds them."""
        keys = {(ServiceAreaKind.COUNTRY.value, "us")}
        for kind, value in (
            (ServiceAreaKind.POSTAL_CODE, self.postal_code),
            (ServiceAreaKind.COUNTY, self.county_key),
            (ServiceAreaKind.STATE, self.state_key),
        ):
            if value:
                keys.add((kind.value, value))
        return keys


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


class ServiceRow(NamedTuple):
    """The columns of a service that a result shows and explains (plain values, not a model)."""

    id: uuid.UUID
    name: str
    organization_name: str
    status: str
    minimum_age: int | None
    maximum_age: int | None
    income_limit_percent_fpl: int | None
    insurance_accepted: str
    is_free: bool
    language_keys: str

    @property
    def pk(self) -> uuid.UUID:
        return self.id


class CategoryRow(NamedTuple):
    """A need category of a result's service."""

    code: str
    name: str
    domain: str


class ScheduleRow(NamedTuple):
    """The columns of a schedule that opening hours need (see `hours.ScheduleLike`)."""

    timezone: str
    byday: str
    freq: str
    bymonthday: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    dtstart: datetime.date | None
    until: datetime.date | None
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    description: str


class AddressRow(NamedTuple):
    """The address of a result's location."""

    address_1: str
    address_2: str
    city: str
    state_province: str
    postal_code: str


@dataclass
class Result:
    """One service found, its nearest location, and the reasons it matches.

    The details are plain lists read for the whole page at once (one query per kind of detail,
    whatever the number of results), not model instances with a prefetch per relation.
    """

    service: ServiceRow
    distance_miles: float | None = None
    location_id: uuid.UUID | None = None
    covers_area: str = ""  # "ZIP 60546" etc. when a service area covers the origin
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    address: AddressRow | None = None
    categories: list[CategoryRow] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    schedules: list[ScheduleRow] = field(default_factory=list)

    @property
    def hours(self) -> list[str]:
        return [hours.hours_text(schedule) for schedule in self.schedules if schedule.opens_at]


# SQLite keeps an FTS5 trigram index of search_text (migration 0007, kept by triggers); it can
# only narrow on words of three characters or more. PostgreSQL's trigram index serves the LIKE itself.
FTS_MIN_WORD = 3
_FTS_SQL = "SELECT id FROM directory_service WHERE rowid IN (SELECT rowid FROM directory_service_fts WHERE {likes})"
_FTS_ROWIDS_SQL = "directory_service.rowid IN (SELECT rowid FROM directory_service_fts WHERE {likes})"


def _text_conditions(words: list[str], prefix: str) -> list[Any]:
    """`search_text` holds every word (a substring, as typed, lower-cased), on any engine.

    On SQLite the services are first narrowed by the FTS5 trigram index, then checked with the
    same LIKE as elsewhere, so both engines answer the same.
    """
    found: list[Any] = [Q(**{f"{prefix}search_text__contains": word}) for word in words]
    # Words with LIKE's own wildcards are left to the plain LIKE (Django escapes them there).
    indexed = [word for word in words if len(word) >= FTS_MIN_WORD and not _LIKE_SPECIAL.intersection(word)]
    if indexed and connection.vendor == "sqlite":
        likes = " AND ".join(["search_text LIKE %s"] * len(indexed))
        params = [f"%{word}%" for word in indexed]
        # The statements are built from constants only; the words are parameters.
        if prefix:
            found.append(Q(**{f"{prefix}id__in": RawSQL(_FTS_SQL.format(likes=likes), params)}))  # noqa: S611
        else:  # on the service table itself: by its rowid, one lookup less per service found
            rowids = _FTS_ROWIDS_SQL.format(likes=likes)
            found.append(RawSQL(rowids, params, output_field=BooleanField()))  # noqa: S611
    return found


_LIKE_SPECIAL = frozenset("%_\\")


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
        found.extend(_text_conditions(criteria.text.lower().split()[:8], prefix))
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


class Candidate(NamedTuple):
    """A service near the origin or serving it, before ranking: plain values from the two queries."""

    miles: float | None
    location_id: uuid.UUID | None
    area: str  # "serves ZIP 60546" when found by a service area
    language_keys: str


def _near(conditions: Conditions, origin: Origin, radius: float) -> dict[uuid.UUID, Candidate]:
    """Services within `radius` of the origin or whose service area covers it, by id.

    Two joined queries whatever the size of the directory: the service-at-location rows whose
    location is in the bounding box (indexed latitude/longitude range) and the service areas
    covering the origin (indexed kind/value), each joined to its service and filtered on the
    conditions there. The exact great-circle distance is then checked in Python.
    """
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(origin.latitude, origin.longitude, radius)
    at_locations = ServiceAtLocation.objects.filter(
        *conditions("service__"),
        location__latitude__gte=min_lat,
        location__latitude__lte=max_lat,
        location__longitude__gte=min_lon,
        location__longitude__lte=max_lon,
    ).values_list("service_id", "location_id", "location__latitude", "location__longitude", "service__language_keys")
    found: dict[uuid.UUID, Candidate] = {}
    for service_id, location_id, latitude, longitude, language_keys in at_locations:
        if latitude is None or longitude is None:
            continue
        miles = geo.distance_miles(origin.latitude, origin.longitude, latitude, longitude)
        if miles > radius:
            continue
        known = found.get(service_id)
        if known is None or miles < (known.miles or 0.0):
            found[service_id] = Candidate(miles, location_id, "", language_keys or "")
    labels = _area_labels(origin)
    areas = ServiceArea.objects.filter(origin.area_q(), *conditions("service__")).values_list(
        "service_id", "kind", "service__language_keys"
    )
    # Most local area first, so a service that serves a ZIP says so rather than 'the state'.
    for service_id, kind, language_keys in sorted(areas, key=lambda row: AREA_RANK.index(row[1])):
        known = found.get(service_id)
        if known is None:
            found[service_id] = Candidate(None, None, labels[kind], language_keys or "")
        elif not known.area:
            found[service_id] = known._replace(area=labels[kind])
    return found


AREA_RANK: list[str] = [
    ServiceAreaKind.POSTAL_CODE,
    ServiceAreaKind.COUNTY,
    ServiceAreaKind.STATE,
    ServiceAreaKind.COUNTRY,
]


def _area_labels(origin: Origin) -> dict[str, str]:
    """How a result says that its service area covers the origin, by kind of area."""
    return {
        ServiceAreaKind.POSTAL_CODE: _("serves ZIP %(zip)s") % {"zip": origin.postal_code},
        ServiceAreaKind.COUNTY: _("serves %(county)s") % {"county": origin.county_label},
        ServiceAreaKind.STATE: _("serves the whole state"),
        ServiceAreaKind.COUNTRY: _("serves the whole country"),
    }


def _details(
    service_ids: Sequence[uuid.UUID],
) -> tuple[
    dict[uuid.UUID, ServiceRow],
    dict[uuid.UUID, list[CategoryRow]],
    dict[uuid.UUID, list[str]],
    dict[uuid.UUID, list[ScheduleRow]],
    dict[uuid.UUID, list[tuple[uuid.UUID, AddressRow]]],
]:
    """What a page of results shows, as plain values: five queries whatever the number of results."""
    ids = list(service_ids)
    services = {
        row[0]: ServiceRow(*row)
        for row in Service.objects.filter(pk__in=ids).values_list(
            "id",
            "name",
            "organization__name",
            "status",
            "minimum_age",
            "maximum_age",
            "income_limit_percent_fpl",
            "insurance_accepted",
            "is_free",
            "language_keys",
        )
    }
    categories: dict[uuid.UUID, list[CategoryRow]] = {service_id: [] for service_id in ids}
    for service_id, *category in (
        Service.need_categories.through.objects.filter(service_id__in=ids)
        .order_by("needcategory__sort_order", "needcategory__name")
        .values_list("service_id", "needcategory__code", "needcategory__name", "needcategory__domain")
    ):
        categories[service_id].append(CategoryRow(*category))
    phones: dict[uuid.UUID, list[str]] = {service_id: [] for service_id in ids}
    for service_id, number in Phone.objects.filter(service_id__in=ids).values_list("service_id", "number"):
        phones[service_id].append(number)
    # Each service at its locations, with the location's address (a left join: the service's
    # locations without one are kept, their schedules count).
    addresses: dict[uuid.UUID, list[tuple[uuid.UUID, AddressRow]]] = {service_id: [] for service_id in ids}
    owner_of: dict[uuid.UUID, uuid.UUID] = {}
    for service_id, at_location_id, location_id, *address in ServiceAtLocation.objects.filter(
        service_id__in=ids
    ).values_list(
        "service_id",
        "id",
        "location_id",
        "location__addresses__address_1",
        "location__addresses__address_2",
        "location__addresses__city",
        "location__addresses__state_province",
        "location__addresses__postal_code",
    ):
        owner_of[at_location_id] = service_id
        if address[0] is not None:
            addresses[service_id].append((location_id, AddressRow(*address)))
    # The service's own schedules, then those of the service at each of its locations: one query
    # on the two indexed keys (not a join through service-at-location, which a planner may turn
    # into a scan of every schedule).
    schedules: dict[uuid.UUID, list[ScheduleRow]] = {service_id: [] for service_id in ids}
    rows = Schedule.objects.filter(Q(service_id__in=ids) | Q(service_at_location_id__in=list(owner_of))).values_list(
        "service_id", "service_at_location_id", *ScheduleRow._fields
    )
    for service_id, at_location_id, *schedule in sorted(rows, key=lambda row: row[0] not in schedules):
        owner = service_id if service_id in schedules else owner_of.get(at_location_id)
        if owner is not None:
            schedules[owner].append(ScheduleRow(*schedule))
    return services, categories, phones, schedules, addresses


def _results(
    ordered: Sequence[uuid.UUID], near: dict[uuid.UUID, Candidate], scores: dict[uuid.UUID, float] | None = None
) -> list[Result]:
    """Results with their details for these services, in this order (reasons are added by the caller)."""
    services, categories, phones, schedules, addresses = _details(ordered)
    results = []
    for service_id in ordered:
        candidate = near.get(service_id)
        location_id = candidate.location_id if candidate else None
        address = next(
            (row for at, row in addresses[service_id] if location_id is None or at == location_id),
            None,
        )
        results.append(
            Result(
                service=services[service_id],
                distance_miles=candidate.miles if candidate else None,
                location_id=location_id,
                covers_area=candidate.area if candidate else "",
                score=(scores or {}).get(service_id, 0.0),
                address=address,
                categories=categories[service_id],
                phones=phones[service_id],
                schedules=schedules[service_id],
            )
        )
    return results


def search(criteria: SearchCriteria, *, now: datetime.datetime | None = None) -> list[Result]:
    """Services matching the criteria, nearest first when a place is given, with reasons."""
    now = now or timezone.now()
    conditions = _search_conditions(criteria)
    limit = max(1, min(criteria.limit, MAX_RESULTS))
    near: dict[uuid.UUID, Candidate] = {}
    if criteria.origin is not None:
        radius = max(0.5, min(criteria.radius_miles, MAX_RADIUS_MILES))
        near = _near(conditions, criteria.origin, radius)
        # Nearest first; services found by their area only come after, most local area first
        # (the order _near found them in: the sort is stable).
        ordered = sorted(near, key=lambda key: (near[key].miles is None, near[key].miles or 0.0))
    else:
        # Enough candidates to fill a page after the open-now check.
        page_size = limit * 4 if criteria.open_now else limit
        candidates = Service.objects.filter(*conditions("")).order_by("name", "pk")
        ordered = list(candidates.values_list("pk", flat=True)[:page_size])
    results: list[Result] = []
    page = 4 * limit if criteria.open_now else limit
    for start in range(0, len(ordered), page):
        for result in _results(ordered[start : start + page], near):
            if criteria.open_now and not hours.is_open_at(result.schedules, now):
                continue
            result.reasons = _reasons(criteria, result, now=now)
            results.append(result)
            if len(results) >= limit:
                return results
    return results


def _reasons(criteria: SearchCriteria, result: Result, *, now: datetime.datetime) -> list[str]:
    service = result.service
    reasons = []
    if criteria.text.strip():
        reasons.append(_("mentions “%(text)s”") % {"text": criteria.text.strip()})
    categories = result.categories
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


def _age_reason(service: ServiceRow, age: int) -> str:
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

    near = _match_candidates(profile, origin, domains, radius_miles)
    language_key = derived.language_key(profile.language) if profile.language else ""
    # Rank on the plain values the candidate queries returned: distance, area served, language.
    scored: list[tuple[float, uuid.UUID]] = []
    for service_id, candidate in near.items():
        score = 100.0 - (candidate.miles if candidate.miles is not None else radius_miles) * 2
        if candidate.area:
            score += 10
        if language_key and language_key != "en" and f" {language_key} " in candidate.language_keys:
            score += 25
        scored.append((score, service_id))
    scored.sort(key=lambda item: (-item[0], str(item[1])))
    top = scored[:limit]
    results = _results([service_id for _score, service_id in top], near, dict((sid, sc) for sc, sid in top))
    for result in results:
        result.reasons = _match_reasons(result, profile, domains, language_key, now=now)
    return results


# The service columns a match checks eligibility on, read with each candidate.
_ELIGIBILITY = (
    "service__minimum_age",
    "service__maximum_age",
    "service__income_limit_percent_fpl",
    "service__insurance_accepted",
    "service__language_keys",
)


def _eligible(
    profile: ClientProfile,
    minimum_age: int | None,
    maximum_age: int | None,
    income_limit: int | None,
    insurance_accepted: str,
) -> bool:
    """Whether the client meets a service's age band, income limit (% of poverty) and insurance."""
    age = profile.age
    too_young = age is not None and minimum_age is not None and age < minimum_age
    too_old = age is not None and maximum_age is not None and age > maximum_age
    if too_young or too_old:
        return False
    if profile.income_percent is not None and income_limit is not None and profile.income_percent > income_limit:
        return False
    return not (profile.insurance and insurance_accepted and profile.insurance not in insurance_accepted)


def _match_candidates(
    profile: ClientProfile, origin: Origin, domains: Sequence[str], radius: float
) -> dict[uuid.UUID, Candidate]:
    """Active services in the needs' domains near the client or serving the client's area, that the client may use.

    Two joined queries with plain column filters (building subqueries in the ORM would cost a
    match more than running it): the services at locations in the bounding box with their
    service areas (left join), and the service areas covering the client. Eligibility (age,
    income, insurance, and that a service which says where it serves covers the client) is
    then checked in Python on the rows.
    """
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(origin.latitude, origin.longitude, radius)
    wanted = {"service__status": ServiceStatus.ACTIVE, "service__need_categories__domain__in": list(domains)}
    covering = origin.area_keys()
    at_locations = ServiceAtLocation.objects.filter(
        **wanted,
        location__latitude__gte=min_lat,
        location__latitude__lte=max_lat,
        location__longitude__gte=min_lon,
        location__longitude__lte=max_lon,
    ).values_list(
        "service_id",
        "location_id",
        "location__latitude",
        "location__longitude",
        *_ELIGIBILITY,
        "service__service_areas__kind",
        "service__service_areas__value",
    )
    nearest: dict[uuid.UUID, Candidate] = {}
    restricted: set[uuid.UUID] = set()  # says where it serves ...
    serves_client: set[uuid.UUID] = set()  # ... and whether that covers the client
    for service_id, location_id, latitude, longitude, *limits, language_keys, kind, value in at_locations:
        if kind is not None and kind != ServiceAreaKind.OTHER:
            restricted.add(service_id)
            if (kind, value) in covering:
                serves_client.add(service_id)
        if latitude is None or longitude is None or not _eligible(profile, *limits):
            continue
        miles = geo.distance_miles(origin.latitude, origin.longitude, latitude, longitude)
        known = nearest.get(service_id)
        if miles <= radius and (known is None or miles < (known.miles or 0.0)):
            nearest[service_id] = Candidate(miles, location_id, "", language_keys or "")
    found = {
        service_id: candidate
        for service_id, candidate in nearest.items()
        if service_id not in restricted or service_id in serves_client
    }
    labels = _area_labels(origin)
    areas = ServiceArea.objects.filter(origin.area_q(), **wanted).values_list("service_id", "kind", *_ELIGIBILITY)
    # Most local area first, so a service that serves a ZIP says so rather than 'the state'.
    for service_id, kind, *limits, language_keys in sorted(areas, key=lambda row: AREA_RANK.index(row[1])):
        if not _eligible(profile, *limits):
            continue
        known = found.get(service_id)
        if known is None:
            found[service_id] = Candidate(None, None, labels[kind], language_keys or "")
        elif not known.area:
            found[service_id] = known._replace(area=labels[kind])
    return found


def _match_reasons(
    result: Result, profile: ClientProfile, domains: Sequence[str], language_key: str, *, now: datetime.datetime
) -> list[str]:
    service = result.service
    reasons = [c.name for c in result.categories if c.domain in domains]
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
