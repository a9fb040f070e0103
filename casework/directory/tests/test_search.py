"""Directory search filters, distance, opening hours (with daylight saving time) and reasons."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from casework.directory import geo, hours, selectors
from casework.directory.models import Schedule
from casework.directory.selectors import SearchCriteria, origin_for_zip, search
from casework.directory.testing import make_service

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
RIVERSIDE = origin_for_zip("60546")


def names(results):
    return [result.service.name for result in results]


def test_zip_centroids_come_from_offline_data_and_distances_are_great_circle():
    riverside, oak_park = geo.zip_place("60546"), geo.zip_place("60302")
    assert riverside is not None and oak_park is not None
    assert riverside.county == "Cook County" and riverside.state == "IL"
    miles = geo.distance_miles(riverside.latitude, riverside.longitude, oak_park.latitude, oak_park.longitude)
    assert 3.5 < miles < 4.5
    assert geo.zip_place("00000") is None and geo.zip_place("abcde") is None


def test_free_text_matches_every_word_in_name_description_or_organization():
    make_service("Riverside Food Pantry", categories=["food-pantry"], description="Groceries every week")
    make_service("Berwyn Legal Aid", categories=["legal-aid"])
    assert names(search(SearchCriteria(text="pantry groceries"))) == ["Riverside Food Pantry"]
    assert names(search(SearchCriteria(text="PANTRY"))) == ["Riverside Food Pantry"]
    assert names(search(SearchCriteria(text="pantry lawyer"))) == []


def test_need_category_and_domain_filters():
    make_service("Pantry", categories=["food-pantry"])
    make_service("Meals", categories=["meals"])
    make_service("Shelter", categories=["emergency-shelter"])
    assert names(search(SearchCriteria(category="food-pantry"))) == ["Pantry"]
    assert names(search(SearchCriteria(domains=["food"]))) == ["Meals", "Pantry"]
    result = search(SearchCriteria(category="food-pantry"))[0]
    assert "Food pantry" in result.reasons


def test_distance_from_a_zip_code_orders_nearest_first_and_drops_those_beyond_the_radius():
    make_service("Oak Park pantry", categories=["food-pantry"], latitude=41.8925, longitude=-87.7895)
    make_service("Riverside pantry", categories=["food-pantry"], latitude=41.8379, longitude=-87.8213)
    make_service("Downtown pantry", categories=["food-pantry"], latitude=41.8858, longitude=-87.6181)  # ~11 mi
    results = search(SearchCriteria(category="food-pantry", origin=RIVERSIDE, radius_miles=5))
    assert names(results) == ["Riverside pantry", "Oak Park pantry"]
    assert results[0].distance_miles is not None and results[0].distance_miles < 0.1
    assert results[1].distance_miles is not None and 3.5 < results[1].distance_miles < 4.5
    assert any("miles from ZIP 60546" in reason for reason in results[1].reasons)
    assert "Downtown pantry" in names(search(SearchCriteria(origin=RIVERSIDE, radius_miles=15)))


def test_a_service_without_a_nearby_location_is_found_when_its_service_area_covers_the_zip():
    make_service("Statewide hotline", categories=["crisis-support"], latitude=None, longitude=None, areas=["state:IL"])
    make_service("Ohio hotline", categories=["crisis-support"], latitude=None, longitude=None, areas=["state:OH"])
    make_service("County rides", categories=["rides"], latitude=None, longitude=None, areas=["county:Cook County, IL"])
    results = search(SearchCriteria(origin=RIVERSIDE))
    assert names(results) == ["County rides", "Statewide hotline"]
    assert "serves Cook County, IL" in results[0].reasons
    assert "serves the whole state" in results[1].reasons


def test_language_cost_and_age_filters_say_why():
    make_service("Spanish pantry", languages=["Spanish"], free=True)
    make_service("Paid clinic", languages=["English"], minimum_age=18, maximum_age=64)
    make_service("Youth center", minimum_age=12, maximum_age=17)
    spanish = search(SearchCriteria(language="spanish"))
    assert names(spanish) == ["Spanish pantry"] and "speaks Spanish" in spanish[0].reasons
    assert names(search(SearchCriteria(language="es"))) == ["Spanish pantry"]
    assert names(search(SearchCriteria(free_only=True))) == ["Spanish pantry"]
    assert names(search(SearchCriteria(age=15))) == ["Spanish pantry", "Youth center"]
    adult = search(SearchCriteria(age=30, text="clinic"))
    assert names(adult) == ["Paid clinic"] and "ages 18 to 64 (age 30)" in adult[0].reasons


def test_closed_services_are_not_found():
    make_service("Closed pantry", status="defunct")
    make_service("Paused pantry", status="temporarily closed")
    assert search(SearchCriteria(text="pantry")) == []


def test_open_now_uses_the_schedules_time_zone_across_daylight_saving_time():
    make_service("Weekday pantry", schedules=[("MO,TU,WE,TH,FR", "09:00", "17:00", "America/Chicago")])
    # Monday 9 March 2026, the day after US clocks sprang forward: 09:30 in Chicago is 14:30 UTC
    # (it was 15:30 UTC the Monday before, under standard time).
    after = datetime.datetime(2026, 3, 9, 14, 30, tzinfo=datetime.UTC)
    before = datetime.datetime(2026, 3, 2, 14, 30, tzinfo=datetime.UTC)  # 08:30 CST: not open yet
    assert names(search(SearchCriteria(open_now=True), now=after)) == ["Weekday pantry"]
    assert names(search(SearchCriteria(open_now=True), now=before)) == []
    assert "open now" in search(SearchCriteria(open_now=True), now=after)[0].reasons
    saturday = datetime.datetime(2026, 3, 14, 15, 0, tzinfo=datetime.UTC)
    assert names(search(SearchCriteria(open_now=True), now=saturday)) == []


def test_open_on_a_day_and_hours_past_midnight():
    make_service("Saturday pantry", schedules=[("SA", "09:00", "12:00", "America/Chicago")])
    make_service("Night shelter", schedules=[("", "21:00", "07:00", "America/Chicago")])
    results = search(SearchCriteria(open_weekday=5))
    assert names(results) == ["Night shelter", "Saturday pantry"]
    assert "open on Saturdays" in results[1].reasons
    assert names(search(SearchCriteria(open_weekday=0))) == ["Night shelter"]
    three_am = datetime.datetime(2026, 7, 1, 3, 0, tzinfo=CHICAGO)
    assert names(search(SearchCriteria(open_now=True), now=three_am)) == ["Night shelter"]


def test_a_utc_offset_time_zone_as_hsds_allows_and_validity_dates():
    schedule = Schedule(
        byday="MO", freq="WEEKLY", opens_at=datetime.time(10), closes_at=datetime.time(18), timezone="3"
    )
    monday_noon_utc3 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    assert hours.is_open_at([schedule], monday_noon_utc3)
    schedule.valid_to = datetime.date(2025, 12, 31)
    assert not hours.is_open_at([schedule], monday_noon_utc3)


def test_search_page_of_results_uses_a_constant_number_of_queries(django_assert_max_num_queries):
    for n in range(3):
        make_service(f"Pantry {n}", categories=["food-pantry"], schedules=[("MO", "09:00", "10:00", "")])
    with django_assert_max_num_queries(12) as few:
        selectors.search(SearchCriteria(category="food-pantry", origin=RIVERSIDE))
    for n in range(3, 15):
        make_service(f"Pantry {n}", categories=["food-pantry"], schedules=[("MO", "09:00", "10:00", "")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(selectors.search(SearchCriteria(category="food-pantry", origin=RIVERSIDE))) == 15


def test_free_text_follows_every_change_of_a_service():
    """The engines' text indexes (SQLite FTS5 kept by triggers, PostgreSQL trigram) never go stale."""
    from casework.directory import derived

    pantry = make_service("Riverside Food Pantry", description="Groceries every week")
    assert names(search(SearchCriteria(text="grocer"))) == ["Riverside Food Pantry"]
    pantry.name, pantry.description = "Riverside Kitchen", "Hot meals"
    pantry.save()
    derived.refresh_services([pantry.pk])
    assert names(search(SearchCriteria(text="grocer"))) == []
    assert names(search(SearchCriteria(text="hot meals"))) == ["Riverside Kitchen"]
    pantry.delete()
    assert search(SearchCriteria(text="kitchen")) == []


def test_short_words_and_wildcards_are_searched_as_typed():
    make_service("ESL classes", description="English as a second language, 50% off")
    make_service("Tax help", description="free_filing for seniors")
    assert names(search(SearchCriteria(text="se"))) == ["ESL classes", "Tax help"]
    assert names(search(SearchCriteria(text="50%"))) == ["ESL classes"]
    assert names(search(SearchCriteria(text="free_filing"))) == ["Tax help"]
    assert search(SearchCriteria(text="free%filing")) == []


def test_free_text_uses_the_engines_text_index():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_service("Riverside Food Pantry")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT rowid FROM directory_service_fts WHERE search_text LIKE '%pantry%'")
            assert len(cursor.fetchall()) == 1
        else:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'directory_service_search_trgm'")
            assert cursor.fetchone() is not None
    with CaptureQueriesContext(connection) as queries:
        assert names(search(SearchCriteria(text="pantry"))) == ["Riverside Food Pantry"]
    asks_the_index = any("directory_service_fts" in query["sql"] for query in queries.captured_queries)
    assert asks_the_index == (connection.vendor == "sqlite")


def test_free_text_near_a_place_and_by_service_area():
    make_service("Riverside Food Pantry", description="Groceries every week")
    make_service("Riverside Legal Aid")
    make_service("Statewide pantry line", latitude=None, longitude=None, areas=["state:IL"])
    make_service("Far pantry", latitude=40.7128, longitude=-74.0060, postal_code="10001", city="New York", state="NY")
    found = names(search(SearchCriteria(text="pantry", origin=RIVERSIDE, radius_miles=10)))
    assert found == ["Riverside Food Pantry", "Statewide pantry line"]
    assert names(search(SearchCriteria(text="groceries week", origin=RIVERSIDE))) == ["Riverside Food Pantry"]
