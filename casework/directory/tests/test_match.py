"""Matching services to a client: eligibility, ranking, the details of each result, and its cost in queries."""

from __future__ import annotations

import datetime

import pytest

from casework.directory import models as m
from casework.directory.selectors import ClientProfile, match_for_client, origin_for_zip
from casework.directory.testing import make_service

pytestmark = pytest.mark.django_db

CLIENT = ClientProfile(
    age=40,
    origin=origin_for_zip("60546"),
    language="Spanish",
    interpreter_needed=False,
    insurance="medicaid",
    income_percent=120,
)
# A Saturday morning in Chicago.
SATURDAY_MORNING = datetime.datetime(2026, 12, 5, 16, 0, tzinfo=datetime.UTC)


def _pantry(name: str, **extra):
    """A food pantry with a phone and hours of its own, and hours at its location."""
    service = make_service(name, categories=["food-pantry"], **extra)
    m.Phone.objects.create(service=service, number="708-555-0100")
    at_location = service.service_at_locations.first()
    if at_location is not None:
        m.Schedule.objects.create(
            service_at_location=at_location,
            freq="WEEKLY",
            byday="SA",
            opens_at=datetime.time(9),
            closes_at=datetime.time(12),
            timezone="America/Chicago",
        )
    return service


def test_match_reads_the_same_few_queries_whatever_the_number_of_results(django_assert_num_queries):
    _pantry("Pantry 0", languages=["Spanish"], schedules=[("MO", "09:00", "10:00", "America/Chicago")])
    make_service("Countywide meals", categories=["food-pantry"], latitude=None, longitude=None, areas=["zip:60546"])
    with django_assert_num_queries(7):  # 2 for the candidates, 5 for the details of the page
        assert len(match_for_client(profile=CLIENT, domains=["food"], now=SATURDAY_MORNING)) == 2
    for n in range(1, 16):
        _pantry(f"Pantry {n}", latitude=41.8217 + n * 0.002, schedules=[("TU", "09:00", "10:00", "")])
    with django_assert_num_queries(7):
        assert len(match_for_client(profile=CLIENT, domains=["food"], now=SATURDAY_MORNING)) == 17


def test_match_filters_on_eligibility_and_explains_each_rank_with_the_details_of_the_service():
    spanish = _pantry(
        "Casa pantry",
        languages=["Spanish"],
        latitude=41.80,
        income_limit=200,
        insurance="medicaid",
        minimum_age=18,
        schedules=[("MO", "09:00", "10:00", "America/Chicago")],
    )
    near = _pantry("Next door pantry")
    by_area = make_service(
        "County meals", categories=["food-pantry"], latitude=None, longitude=None, areas=["county:Cook County, IL"]
    )
    for name, extra in (
        ("Youth pantry", {"maximum_age": 24}),
        ("Poorest pantry", {"income_limit": 100}),
        ("Medicare pantry", {"insurance": "medicare"}),
        ("Texas pantry", {"areas": ["state:TX"]}),
        ("Far pantry", {"latitude": 42.5}),
        ("Closed pantry", {"status": m.ServiceStatus.DEFUNCT}),
    ):
        _pantry(name, **extra)
    make_service("Legal aid", categories=["legal-aid"])

    results = match_for_client(profile=CLIENT, domains=["food"], now=SATURDAY_MORNING)

    assert [result.service.name for result in results] == [spanish.name, near.name, by_area.name]
    first = results[0]
    assert first.service.pk == spanish.pk and first.service.organization_name == "Casa pantry Inc."
    assert first.phones == ["708-555-0100"]
    assert [category.code for category in first.categories] == ["food-pantry"]
    assert first.address is not None and first.address.city == "Riverside" and first.address.postal_code == "60546"
    assert first.hours == ["Mon 09:00–10:00 (America/Chicago)", "Sat 09:00–12:00 (America/Chicago)"]
    assert "speaks Spanish" in first.reasons and "open Saturdays" in first.reasons and "open now" in first.reasons
    assert "income under 200% FPL (client 120%)" in first.reasons
    assert "takes the client's insurance" in first.reasons and "ages 18 and over (age 40)" in first.reasons
    # Further than the next one, but first because it speaks the client's language.
    assert first.distance_miles is not None and 2.5 < first.distance_miles < 2.8
    assert results[1].distance_miles is not None and results[1].distance_miles < first.distance_miles
    assert results[2].distance_miles is None and results[2].address is None and results[2].phones == []
    assert "in your client's area (serves Cook County, IL)" in results[2].reasons
