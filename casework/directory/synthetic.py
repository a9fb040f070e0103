"""A synthetic resource directory for benchmarks: N services at real ZIP centroids across the US.

Bulk inserts (no audit, no services: benchmark data only). Each service has one location at a
ZIP centroid (jittered about a mile), one or two need categories, English plus sometimes
Spanish or another language, a weekly schedule in the ZIP's time zone, and, for some, age
limits, an income limit, insurance accepted and a service area (ZIP, county or state). The
derived search columns are filled as the importer would.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable
from typing import Any

import zipcodes
from django.db import transaction

from casework.directory import derived
from casework.directory import models as m

LANGUAGES = [("Spanish", "es"), ("Chinese", "zh"), ("Vietnamese", "vi"), ("Polish", "pl"), ("Arabic", "ar")]
SCHEDULES = [
    ("MO,TU,WE,TH,FR", datetime.time(9), datetime.time(17)),
    ("MO,WE,FR", datetime.time(10), datetime.time(14)),
    ("SA", datetime.time(9), datetime.time(12)),
    ("TU,TH,SA", datetime.time(12), datetime.time(18)),
    ("", datetime.time(0), datetime.time(23, 59)),
]
WORDS = ["community", "family", "neighborhood", "county", "regional", "united", "hope", "harbor", "bridge", "center"]


def generate_directory(
    *, services: int, seed: int = 6, batch_size: int = 5000, progress: Callable[[int], None] | None = None
) -> int:
    """Insert `services` synthetic services; returns how many were made."""
    rng = random.Random(seed)
    places = [row for row in zipcodes.list_all() if row.get("lat") and row.get("long") and row.get("active")]
    places.sort(key=lambda row: row["zip_code"])
    # In a fixed order: the same seed must give the same directory on every database.
    categories = list(m.NeedCategory.objects.order_by("code"))
    made = 0
    while made < services:
        count = min(batch_size, services - made)
        with transaction.atomic():
            _batch(rng, places, categories, count, made)
        made += count
        if progress:
            progress(count)
    return made


def _batch(
    rng: random.Random, places: list[dict[str, Any]], categories: list[m.NeedCategory], count: int, offset: int
) -> None:
    through = m.Service.need_categories.through
    orgs: list[m.Organization] = []
    services: list[m.Service] = []
    locations: list[m.Location] = []
    addresses: list[m.Address] = []
    sals: list[m.ServiceAtLocation] = []
    languages: list[m.Language] = []
    schedules: list[m.Schedule] = []
    areas: list[m.ServiceArea] = []
    links: list[Any] = []
    org = None
    for index in range(count):
        number = offset + index
        if org is None or index % 5 == 0:
            org = m.Organization(name=f"{rng.choice(WORDS).title()} Services {number // 5}", description="Synthetic.")
            orgs.append(org)
        place = rng.choice(places)
        chosen = rng.sample(categories, rng.choice([1, 1, 2]))
        name = f"{chosen[0].name} {number}"
        service = m.Service(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            organization=org,
            name=name,
            description=f"{chosen[0].description} {rng.choice(WORDS)} {place['city']}",
            status=m.ServiceStatus.ACTIVE if rng.random() < 0.95 else m.ServiceStatus.INACTIVE,
        )
        if rng.random() < 0.2:
            service.minimum_age, service.maximum_age = rng.choice([(18, None), (60, None), (None, 17), (18, 64)])
        if rng.random() < 0.3:
            service.income_limit_percent_fpl = rng.choice([100, 138, 150, 185, 200, 250])
        if rng.random() < 0.2:
            service.insurance_accepted = rng.choice(["medicaid", "medicaid,medicare", "medicaid,private,none"])
        keys = {"en", "english"}
        languages.append(m.Language(service=service, name="English", code="en"))
        if rng.random() < 0.35:
            other, code = LANGUAGES[0] if rng.random() < 0.7 else rng.choice(LANGUAGES[1:])
            languages.append(m.Language(service=service, name=other, code=code))
            keys |= {other.lower(), code}
        service.language_keys = f" {' '.join(sorted(keys))} "
        service.is_free = rng.random() < 0.6
        service.search_text = " ".join(
            [name, service.description, org.name, *(category.name for category in chosen)]
        ).lower()
        services.append(service)
        links.extend(through(service_id=service.id, needcategory_id=category.pk) for category in chosen)
        location = m.Location(
            organization=org,
            location_type=m.LocationType.PHYSICAL,
            name=name,
            latitude=float(place["lat"]) + rng.uniform(-0.015, 0.015),
            longitude=float(place["long"]) + rng.uniform(-0.015, 0.015),
        )
        locations.append(location)
        addresses.append(
            m.Address(
                location=location,
                address_1=f"{rng.randint(1, 9999)} Main Street",
                city=place["city"],
                state_province=place["state"],
                postal_code=place["zip_code"],
                country="US",
                address_type="physical",
            )
        )
        sals.append(m.ServiceAtLocation(service=service, location=location))
        byday, opens, closes = rng.choice(SCHEDULES)
        schedules.append(
            m.Schedule(
                service=service,
                freq="WEEKLY" if byday else "DAILY",
                byday=byday,
                opens_at=opens,
                closes_at=closes,
                timezone=place.get("timezone") or "America/Chicago",
            )
        )
        roll = rng.random()
        if roll < 0.2:
            areas.append(m.ServiceArea(service=service, kind=m.ServiceAreaKind.POSTAL_CODE, value=place["zip_code"]))
        elif roll < 0.3 and place.get("county"):
            value = derived.county_key(place["county"], place["state"])
            areas.append(m.ServiceArea(service=service, kind=m.ServiceAreaKind.COUNTY, value=value))
        elif roll < 0.33:
            areas.append(m.ServiceArea(service=service, kind=m.ServiceAreaKind.STATE, value=place["state"].lower()))
    m.Organization.objects.bulk_create(orgs)
    for service in services:
        service.organization_id = service.organization.pk
    m.Service.objects.bulk_create(services)
    through.objects.bulk_create(links)
    for location in locations:
        location.organization_id = location.organization.pk if location.organization else None
    m.Location.objects.bulk_create(locations)
    for address in addresses:
        address.location_id = address.location.pk
    m.Address.objects.bulk_create(addresses)
    for sal in sals:
        sal.service_id, sal.location_id = sal.service.pk, sal.location.pk
    for schedule in schedules:
        schedule.service_id = schedule.service.pk if schedule.service else None
    for language in languages:
        language.service_id = language.service.pk if language.service else None
    for area in areas:
        area.service_id = area.service.pk
    m.ServiceAtLocation.objects.bulk_create(sals)
    m.Schedule.objects.bulk_create(schedules)
    m.Language.objects.bulk_create(languages)
    m.ServiceArea.objects.bulk_create(areas)
