"""Directory pages and API: search for staff, find services and the screener for the case team only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.directory.testing import make_service
from casework.needs.models import SuggestedNeed
from casework.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def pantry():
    return make_service(
        "Riverside Food Pantry",
        categories=["food-pantry"],
        languages=["Spanish"],
        schedules=[("SA", "09:00", "12:00", "America/Chicago")],
        free=True,
        income_limit=200,
    )


@pytest.fixture
def food_client(case, client_record):
    client_record.postal_code = "60546"
    client_record.state = "IL"
    client_record.primary_language = "Spanish"
    client_record.household_size = 3
    client_record.annual_household_income = Decimal("30000")
    client_record.save()
    SuggestedNeed.objects.create(client=client_record, case=case, domain="food", reason="Food insecurity")
    return client_record


def test_staff_search_the_directory_and_see_why_each_result_matches(as_worker, pantry):
    response = as_worker.get("/directory/", {"q": "pantry", "zip": "60546", "radius": "5", "language": "Spanish"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Riverside Food Pantry" in body and "speaks Spanish" in body and "miles from ZIP 60546" in body


def test_search_refuses_an_unknown_zip_code_with_a_message_and_keeps_the_input(as_worker, pantry):
    response = as_worker.get("/directory/", {"q": "pantry", "zip": "00000"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Unknown ZIP code" in body and 'value="pantry"' in body


def test_search_results_partial_for_htmx(as_worker, pantry):
    response = as_worker.get("/directory/", {"category": "food-pantry"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"') and "Riverside Food Pantry" in body


def test_search_page_query_count_does_not_grow_with_results(as_worker, django_assert_max_num_queries):
    for n in range(2):
        make_service(f"Pantry {n}", categories=["food-pantry"], schedules=[("MO", "09:00", "10:00", "")])
    with django_assert_max_num_queries(25) as first:
        as_worker.get("/directory/", {"category": "food-pantry", "zip": "60546"})
    for n in range(2, 12):
        make_service(f"Pantry {n}", categories=["food-pantry"], schedules=[("MO", "09:00", "10:00", "")])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = as_worker.get("/directory/", {"category": "food-pantry", "zip": "60546"})
    assert response.content.decode().count('class="service-result"') == 12


def test_auditors_and_anonymous_users_do_not_get_the_directory(as_auditor, client, pantry):
    assert as_auditor.get("/directory/").status_code == 404
    assert as_auditor.get(f"/directory/services/{pantry.pk}/").status_code == 404
    assert client.get("/directory/").status_code == 302


def test_service_page(as_worker, pantry):
    response = as_worker.get(f"/directory/services/{pantry.pk}/")
    assert response.status_code == 200
    assert "Riverside Food Pantry" in response.content.decode()
    assert as_worker.get("/directory/services/not-a-uuid/").status_code == 404
    assert as_worker.get("/directory/services/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_find_services_for_the_case_explains_each_rank_and_is_audited(as_worker, case, food_client, pantry):
    far = make_service("Downtown pantry", categories=["food-pantry"], latitude=41.8858, longitude=-87.6181)
    make_service("Legal aid", categories=["legal-aid"])
    make_service("Rich pantry", categories=["food-pantry"], income_limit=100)
    response = as_worker.get(f"/cases/{case.pk}/find-services/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Riverside Food Pantry" in body and far.name in body
    assert body.index("Riverside Food Pantry") < body.index(far.name)
    assert "Legal aid" not in body and "Rich pantry" not in body
    assert "speaks Spanish" in body and "open Saturdays" in body and "income under 200% FPL" in body
    event = AuditEvent.objects.get(action="directory.match")
    assert event.client_id == food_client.pk and event.changes["domains"] == ["food"]


def test_colleague_and_outsider_get_404_for_the_case_pages_and_nothing_is_written(
    as_colleague, as_outsider, case, food_client, pantry
):
    for http in (as_colleague, as_outsider):
        assert http.get(f"/cases/{case.pk}/find-services/").status_code == 404
        assert http.get(f"/cases/{case.pk}/benefits/").status_code == 404
        assert http.post(f"/cases/{case.pk}/benefits/snap/", {"action": "need"}).status_code == 404
        assert http.get(f"/api/v1/cases/{case.pk}/service-matches").status_code == 404
        assert http.get(f"/api/v1/cases/{case.pk}/eligibility").status_code == 404
        assert http.post(f"/api/v1/cases/{case.pk}/eligibility/snap/task").status_code == 404
    assert not AuditEvent.objects.filter(client_id=food_client.pk).exists()
    assert SuggestedNeed.objects.count() == 1 and not Task.objects.exists()


def test_screener_shows_outcomes_with_rules_and_makes_a_need_and_a_task(as_worker, case, food_client):
    response = as_worker.get(f"/cases/{case.pk}/benefits/")
    assert response.status_code == 200
    body = response.content.decode()
    # $30,000 for 3 people is 113% of $26,650: under SNAP's 130%.
    assert "113% of the 2025 federal poverty guideline" in body
    assert "Likely eligible" in body and "130%" in body
    assert AuditEvent.objects.filter(action="eligibility.screen", client_id=food_client.pk).exists()
    response = as_worker.post(f"/cases/{case.pk}/benefits/snap/", {"action": "need"})
    assert response.status_code == 302
    need = SuggestedNeed.objects.get(reason__startswith="SNAP")
    assert need.domain == "food" and "130%" in need.reason
    # Twice: still one suggestion waiting.
    as_worker.post(f"/cases/{case.pk}/benefits/snap/", {"action": "need"})
    assert SuggestedNeed.objects.filter(reason__startswith="SNAP").count() == 1
    response = as_worker.post(f"/cases/{case.pk}/benefits/liheap/", {"action": "task"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.title == "Help with LIHEAP (energy assistance) application" and task.assignee == case.primary_worker
    assert task.due_date == timezone.localdate() + datetime.timedelta(days=7)


def test_screener_links_each_likely_benefit_to_services_of_its_need_category_near_the_client(
    as_worker, case, food_client
):
    helper = make_service("SNAP application help", categories=["nutrition-benefits"])
    make_service("Riverside pantry", categories=["food-pantry"])
    body = as_worker.get(f"/cases/{case.pk}/benefits/").content.decode()
    link = "/directory/?category=nutrition-benefits&amp;zip=60546"
    assert 'aria-label="Find a service for this: SNAP (food stamps)"' in body and link in body
    results = as_worker.get(link.replace("&amp;", "&")).content.decode()
    assert helper.name in results and "Riverside pantry" not in results
    # A benefit the client is likely not eligible for links nowhere.
    food_client.annual_household_income = Decimal("900000")
    food_client.save()
    body = as_worker.get(f"/cases/{case.pk}/benefits/").content.decode()
    assert "Find a service for this" not in body


def test_no_task_for_a_likely_not_result(as_worker, case, food_client):
    food_client.annual_household_income = Decimal("900000")
    food_client.save()
    response = as_worker.post(f"/cases/{case.pk}/benefits/snap/", {"action": "task"})
    assert response.status_code in (400, 422)
    assert "likely not eligible" in response.content.decode()
    assert not Task.objects.exists()


def test_api_search_and_service(as_worker, pantry):
    response = as_worker.get("/api/v1/services", {"category": "food-pantry", "zip": "60546", "radius": 5})
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["name"] == "Riverside Food Pantry" and item["distance_miles"] < 2
    assert "Food pantry" in item["reasons"]
    detail = as_worker.get(f"/api/v1/services/{pantry.pk}").json()
    assert detail["income_limit_percent_fpl"] == 200 and detail["is_free"] is True


def test_api_search_bad_input_is_a_clear_422(as_worker):
    response = as_worker.get("/api/v1/services", {"zip": "99999"})
    assert response.status_code == 422 and response.json()["errors"]["zip"]
    response = as_worker.get("/api/v1/services", {"category": "nope"})
    assert response.status_code == 422 and "category" in response.json()["errors"]
    response = as_worker.get("/api/v1/services", {"radius": "-1"})
    assert response.status_code == 422


def test_api_match_and_screen(as_worker, case, food_client, pantry):
    response = as_worker.get(f"/api/v1/cases/{case.pk}/service-matches")
    assert response.status_code == 200
    data = response.json()
    assert data["domains"] == ["food"] and data["items"][0]["name"] == "Riverside Food Pantry"
    assert data["income_percent_fpl"] == 113
    assert as_worker.get(f"/api/v1/cases/{case.pk}/service-matches", {"domains": "food,bogus"}).status_code == 422
    screen = as_worker.get(f"/api/v1/cases/{case.pk}/eligibility").json()
    snap = next(r for r in screen["results"] if r["program_code"] == "snap")
    assert snap["outcome"] == "likely_eligible" and snap["income_limit_percent_fpl"] == 130
    created = as_worker.post(f"/api/v1/cases/{case.pk}/eligibility/snap/suggested-need")
    assert created.status_code == 201 and created.json()["domain"] == "food"
    assert as_worker.post(f"/api/v1/cases/{case.pk}/eligibility/unknown/task").status_code == 404


def test_auditor_is_refused_by_the_api(as_auditor, pantry):
    assert as_auditor.get("/api/v1/services").status_code == 404
