"""cm1 refers José Ñúñez (food need, consent on file) to the nearest food pantry found from his case; the
pantry's partner user, in a second browser, accepts and completes it; the client's timeline shows it all.
Screenshots of the search results, the partner inbox and the referral timeline."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

FOOD_CLIENT = "Ñúñez"  # demo client with a positive food screen and consent to share with the pantry (cm1)
PANTRY = "Riverside Township Food Pantry"
PARTNER = "partner@example.org"  # the pantry's partner login (casework/core/demo.py PARTNER_LOGIN)


def test_worker_refers_with_consent_and_the_partner_closes_the_loop(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm1@example.org")
    page.goto("/cases/caseload/")
    row = page.locator("#caseload-table").get_by_role("row").filter(has_text=FOOD_CLIENT).first
    row.locator("a[href*='/cases/']").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))

    # Find a food pantry near the client: the directory's match for the case, food need ticked.
    page.get_by_role("link", name="Refer to a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find services")
    expect(page.get_by_role("checkbox", name="Food")).to_be_checked()
    pantry = page.locator("li.service-result").filter(has=page.get_by_role("heading", name=PANTRY, exact=True))
    expect(pantry).to_contain_text("miles from your client's ZIP area")
    check_page(page)
    screenshot(page, "referral-search-results")
    pantry.get_by_role("link", name=f"Refer to {PANTRY}").click()

    # Say why, tick only what the pantry needs, choose the consent on file, send.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refer to {PANTRY}")
    page.get_by_label("Reason for the referral").fill("Runs out of food before the end of each month.")
    page.get_by_label("Need", exact=True).select_option("food")
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_role("checkbox", name="Phone").check()
    page.get_by_role("checkbox", name="Address").check()
    page.get_by_role("checkbox", name="Date of birth").uncheck()
    consent = page.get_by_label("Client's consent").locator("option", has_text="Riverside Township — Referral for food")
    page.get_by_label("Client's consent").select_option(consent.get_attribute("value") or "")
    check_page(page)
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_role("status")).to_contain_text("Referral sent to Riverside Township.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Requested")
    shared = page.locator("#shared-information")
    expect(shared).to_contain_text("José Antonio Ñúñez")
    expect(shared).not_to_contain_text("Date of birth")
    referral_url = page.url

    # The pantry's staff member signs in in another browser: only their inbox.
    partner = new_page()
    sign_in(partner, PARTNER)
    expect(partner).to_have_url(re.compile(r"/partner/$"))
    nav = partner.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(1)
    check_page(partner)
    partner.get_by_role("link", name="José Antonio Ñúñez").first.click()
    expect(partner.get_by_role("heading", level=1)).to_contain_text("Requested")
    expect(partner.locator("#shared-information")).not_to_contain_text("Date of birth")
    check_page(partner)
    partner.get_by_role("button", name="Accept").click()
    expect(partner.get_by_role("heading", level=1)).to_contain_text("Accepted")
    partner.get_by_label("Outcome").fill("Enrolled for weekly groceries; first pick-up done.")
    partner.get_by_role("button", name="Report completed").click()
    expect(partner.get_by_role("heading", level=1)).to_contain_text("Completed")
    screenshot(partner, "referral-partner-completed")
    # Anything else in Casework is not there for them.
    response = partner.goto("/clients/")
    assert response is not None and response.status == 404

    # Back at the agency: the referral's timeline and the client's timeline show every step.
    page.goto(referral_url)
    timeline = page.locator("#referral-timeline")
    for status in ("Draft", "Requested", "Accepted", "Completed"):
        expect(timeline).to_contain_text(status)
    expect(page.get_by_role("main")).to_contain_text("Enrolled for weekly groceries")
    check_page(page)
    screenshot(page, "referral-timeline")
    page.get_by_role("link", name=re.compile(r"Ñúñez")).first.click()
    expect(page.locator("ol.timeline")).to_contain_text(f"Referral to {PANTRY}")
    expect(page.locator("ol.timeline")).to_contain_text("Completed")
