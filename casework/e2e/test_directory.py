"""cm1 searches the resource directory, then finds services for José Ñúñez (food need, Spanish) from
his case and runs the benefits screener; screenshots of each page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

FOOD_CLIENT = "Ñúñez"  # demo client with a positive food screen, Spanish-speaking, ZIP 60546 (cm1)
NEAREST_PANTRY = "Riverside Township Food Pantry"


def test_worker_searches_the_directory(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm1@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Services").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find services")
    page.get_by_label("Need category").select_option(label="Food pantry")
    page.get_by_label("Near ZIP code").fill("60546")
    page.get_by_label("Language").fill("Spanish")
    page.get_by_role("button", name="Search").click()
    # The results follow the form as it changes (htmx): wait for those of the whole search.
    results = page.locator("#results")
    expect(results).to_contain_text("miles from ZIP 60546")
    expect(results).to_contain_text("speaks Spanish")
    expect(results.get_by_role("heading", level=2)).to_contain_text("services found")
    first = results.locator("li.service-result").first
    expect(first).to_contain_text(NEAREST_PANTRY)
    expect(first).to_contain_text("speaks Spanish")
    expect(first).to_contain_text(re.compile(r"\d\.\d miles from ZIP 60546"))
    check_page(page)
    screenshot(page, "directory-search")

    # A ZIP code that does not exist: a clear message, the other input kept.
    page.get_by_label("Near ZIP code").fill("00000")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown ZIP code")
    expect(page.get_by_label("Language")).to_have_value("Spanish")

    page.get_by_label("Near ZIP code").fill("60546")
    page.get_by_role("button", name="Search").click()
    # Leaving the field sends the form (change) and the button sends it again (submit, queued): let
    # both answers arrive before following a result, or the second one's pushState cancels the visit.
    expect(page.locator("#results")).to_contain_text("miles from ZIP 60546")
    page.wait_for_load_state("networkidle")
    page.locator("#results").get_by_role("link", name=NEAREST_PANTRY).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NEAREST_PANTRY)
    expect(page.get_by_role("main")).to_contain_text("Tue, Thu 10:00–14:00")
    check_page(page)
    screenshot(page, "directory-service")


def test_worker_finds_services_for_a_client_and_screens_benefits(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm1@example.org")
    page.goto("/cases/caseload/")
    row = page.locator("#caseload-table").get_by_role("row").filter(has_text=FOOD_CLIENT).first
    row.locator("a[href*='/cases/']").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    page.get_by_role("link", name="Find services").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Find services")
    expect(page.get_by_role("checkbox", name="Food")).to_be_checked()
    # José's screen found food, housing and transportation needs.
    matches = page.get_by_role("region", name=re.compile(r"services? for .*Food"))
    # Ranked by distance, area served and language: the pantry a few blocks away is near the top.
    pantry = matches.locator("li.service-result").filter(has_text=NEAREST_PANTRY)
    expect(pantry).to_have_count(1)
    assert NEAREST_PANTRY in " ".join(matches.locator("li.service-result").all_inner_texts()[:3])
    expect(pantry).to_contain_text("speaks Spanish")
    expect(pantry).to_contain_text("open Saturdays")
    expect(pantry).to_contain_text("income under 200% FPL (client 113%)")
    check_page(page)
    screenshot(page, "directory-match")

    expect(matches).to_contain_text("Berwyn Housing Help Center")

    # Food only: the housing help center leaves the list.
    page.get_by_role("checkbox", name="Transportation").uncheck()
    page.get_by_role("checkbox", name="Housing").uncheck()
    page.get_by_role("button", name="Find services").click()
    only_food = page.get_by_role("region", name=re.compile(r"services for Food$"))
    expect(only_food).to_contain_text(NEAREST_PANTRY)
    expect(only_food).not_to_contain_text("Berwyn Housing Help Center")

    page.get_by_role("link", name="Benefits screener").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benefits screener")
    snap = page.get_by_role("row", name=re.compile(r"^SNAP"))
    expect(snap).to_contain_text("Likely eligible")
    expect(snap).to_contain_text("130%")
    wic = page.get_by_role("row", name=re.compile(r"^WIC"))
    expect(wic).to_contain_text("Needs more information")
    check_page(page)
    screenshot(page, "benefits-screener")

    # From a likely benefit to the services that help with it, near the client.
    page.get_by_role("link", name="Find a service for this: SNAP (food stamps)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find services")
    expect(page.get_by_label("Need category")).to_have_value("nutrition-benefits")
    expect(page.get_by_label("Near ZIP code")).to_have_value("60546")
    check_page(page)
