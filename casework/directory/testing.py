"""Build directory services in tests and benchmarks (one call per service, derived fields refreshed)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from casework.directory import derived
from casework.directory import models as m


def make_service(
    name: str,
    *,
    categories: Sequence[str] = (),
    latitude: float | None = 41.8217,
    longitude: float | None = -87.8256,
    postal_code: str = "60546",
    city: str = "Riverside",
    state: str = "IL",
    languages: Sequence[str] = (),
    schedules: Sequence[tuple[str, str, str, str]] = (),  # (byday, opens, closes, timezone)
    minimum_age: int | None = None,
    maximum_age: int | None = None,
    income_limit: int | None = None,
    insurance: str = "",
    free: bool = False,
    areas: Sequence[str] = (),  # "zip:60546", "county:Cook County, IL", "state:IL"
    status: str = m.ServiceStatus.ACTIVE,
    description: str = "",
    organization: m.Organization | None = None,
) -> m.Service:
    """An organization (unless given), its service at one location, with the extras asked for."""
    organization = organization or m.Organization.objects.create(name=f"{name} Inc.", description=f"Runs {name}.")
    service = m.Service.objects.create(
        organization=organization,
        name=name,
        description=description or f"{name} for the community.",
        status=status,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        income_limit_percent_fpl=income_limit,
        insurance_accepted=insurance,
    )
    if categories:
        service.need_categories.set(m.NeedCategory.objects.filter(code__in=categories))
    if latitude is not None and longitude is not None:
        location = m.Location.objects.create(
            organization=organization,
            location_type=m.LocationType.PHYSICAL,
            name=f"{name} site",
            latitude=latitude,
            longitude=longitude,
        )
        m.Address.objects.create(
            location=location,
            address_1="1 Main Street",
            city=city,
            state_province=state,
            postal_code=postal_code,
            country="US",
            address_type="physical",
        )
        m.ServiceAtLocation.objects.create(service=service, location=location)
    for language in languages:
        m.Language.objects.create(service=service, name=language)
    for byday, opens, closes, zone in schedules:
        m.Schedule.objects.create(
            service=service,
            freq="WEEKLY",
            byday=byday,
            opens_at=datetime.time.fromisoformat(opens),
            closes_at=datetime.time.fromisoformat(closes),
            timezone=zone,
        )
    if free:
        m.CostOption.objects.create(service=service, option="Everyone", currency="USD", amount=Decimal("0"))
    for area in areas:
        kind, value = derived.service_area_key(name="", extent=area, extent_type="text")
        m.ServiceArea.objects.create(
            service=service, name=area, extent=area, extent_type="text", kind=kind, value=value
        )
    derived.refresh_services([service.pk])
    service.refresh_from_db()
    return service
