"""A client flagged at risk (the demo's PHQ-9 with item 9 answered 1), seen and resolved in a browser.

cm1 sees the red "At risk" mark and the urgent task on the caseload and the alert in the header,
opens the client, reads the banner (what, when, from which assessment) and resolves the flag with
a note; the mark and the urgent task are gone. The team supervisor got the alert too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

FLAGGED_CLIENT = "Ñúñez"  # the demo's client flagged at risk (José Ñúñez, cm1's caseload)
SAFETY_TASK = "Complete a safety assessment / safety plan today"


def test_worker_sees_the_flag_and_resolves_it_with_a_note(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm1@example.org")
    page.goto("/cases/caseload/")  # Today is a case manager's home page
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")

    # The caseload: a red "At risk" mark, the urgent task, due reassessments; the header counts alerts.
    table = page.locator("#caseload-table").get_by_role("table")
    row = table.get_by_role("row").filter(has_text=FLAGGED_CLIENT).first
    at_risk = row.get_by_role("link", name="At risk")
    expect(at_risk).to_be_visible()
    expect(row).to_contain_text(f"Urgent: {SAFETY_TASK}")
    expect(table).to_contain_text(re.compile(r"PHQ-9 (overdue|due)"))
    expect(page.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$"))).to_be_visible()
    check_page(page)
    screenshot(page, "caseload-at-risk")

    # The client page: the banner says what, when and from which assessment.
    at_risk.click()
    banner = page.get_by_role("region", name=re.compile(r"^At risk: 1 open flag$"))
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Thoughts of self-harm (PHQ-9 item 9)")
    expect(banner).to_contain_text("from the PHQ-9")
    expect(page.get_by_role("region", name="Open tasks")).to_contain_text(SAFETY_TASK)
    expect(page.get_by_role("region", name="Suggested needs")).to_contain_text("Food insecurity")
    check_page(page)
    screenshot(page, "client-at-risk")
    client_url = page.url

    # Resolve with a note.
    banner.get_by_text("Resolve", exact=True).first.click()
    banner.get_by_label("What was done (required)").fill("Safety plan made with the client; crisis line number given.")
    banner.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_contain_text("Risk flag resolved")
    expect(page.get_by_role("region", name=re.compile(r"^At risk"))).to_have_count(0)
    expect(page.get_by_role("region", name="Open tasks")).not_to_contain_text(SAFETY_TASK)
    assert page.url.startswith(client_url)
    check_page(page)

    # Notifications page: the alert is listed; opening it marks it read and goes to the client.
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("main")).to_contain_text("flagged at risk")
    check_page(page)
    screenshot(page, "notifications")
    page.get_by_role("button", name="Open").first.click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/#risk-flags$"))

    # The caseload no longer marks the client at risk (another browser test may flag someone else).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    row = page.locator("#caseload-table").get_by_role("row").filter(has_text=FLAGGED_CLIENT).first
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="At risk")).to_have_count(0)


def test_supervisor_got_the_alert(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "supervisor@example.org")
    page.goto("/notifications/")
    expect(page.get_by_role("main")).to_contain_text("flagged at risk")
    check_page(page)
