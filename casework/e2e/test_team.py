"""A supervisor reassigns one case on the Team page; it leaves the old worker's caseload."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

# Ted Brennan's only case is on cm1's caseload (Alex Rivera, North Team); the journey test
# uses another client, so the two tests do not depend on each other's order.
CLIENT_NAME = "Ted Brennan"


def test_supervisor_reassigns_a_case_to_another_worker(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "supervisor@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team caseloads")
    check_page(page)
    screenshot(page, "team")

    north = page.get_by_role("region", name="North Team")
    row = north.get_by_role("row").filter(has=page.get_by_role("link", name=CLIENT_NAME))
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Worker"]')).to_have_text("Alex Rivera")
    row.locator("summary", has_text="Reassign").click()
    row.get_by_label("New case manager").select_option(label="Luis Romero (North Team)")
    row.get_by_label("Reason").fill("Alex is on leave for a month; Luis covers the older adults program.")
    check_page(page)
    row.get_by_role("button", name="Reassign").click()

    confirmation = page.get_by_role("status").filter(has_text=f"{CLIENT_NAME}'s case now belongs to Luis Romero.")
    expect(confirmation).to_be_visible()
    row = (
        page.get_by_role("region", name="North Team")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=CLIENT_NAME))
    )
    expect(row.locator('td[data-label="Worker"]')).to_have_text("Luis Romero")
    check_page(page)

    # Alex no longer carries the case.
    cm1 = new_page()
    sign_in(cm1, "cm1@example.org")
    cm1.goto("/cases/caseload/")  # Today is a case manager's home page
    expect(cm1.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(cm1.locator("#caseload-table").get_by_role("link", name="Bob Whitaker").first).to_be_visible()
    expect(cm1.locator("#caseload-table").get_by_role("link", name=CLIENT_NAME)).to_have_count(0)
