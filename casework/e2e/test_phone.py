"""The caseload on a phone: the table turns into one card per case, readable without zooming."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import PHONE, SCREENSHOT_DIR, assert_fits_width, check_page, sign_in

pytestmark = pytest.mark.browser


def test_caseload_is_readable_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(page, "cm1@example.org")
    page.goto("/cases/caseload/")  # Today is a case manager's home page
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    table = page.locator("#caseload-table").get_by_role("table")
    first_row = table.locator("tbody tr").first
    expect(first_row).to_be_visible()
    # Column headings are moved off screen; each cell carries its own label instead.
    expect(table.locator("thead")).not_to_be_in_viewport()
    for label in ("Client", "Program", "Status", "Due next"):
        expect(first_row.locator(f'td[data-label="{label}"]')).to_be_visible()
    row_box = first_row.bounding_box()
    assert row_box is not None and row_box["width"] <= PHONE["width"], row_box
    font_size = first_row.locator("td").first.evaluate("(cell) => parseFloat(getComputedStyle(cell).fontSize)")
    assert font_size >= 14, f"caseload text is {font_size}px on a phone"
    assert_fits_width(page)
    check_page(page)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / "caseload-phone-first-screen.png")
    page.screenshot(path=SCREENSHOT_DIR / "caseload-phone-full.png", full_page=True)
