"""Registering someone who is already a client: the possible-matches panel, in a real browser.

cm1 (North Team) starts registering "Robert Whitaker" born 1961-04-12, who is Bob Whitaker on
cm1's own caseload: the panel shows him as a certain match as cm1 types, with the reasons.
cm2 (South Team) typing the same person learns only that a record exists, with the way to
emergency access, and not the name.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser


def _type_person(page: Page) -> None:
    page.goto("/clients/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a client")
    page.get_by_label("Legal first name").press_sequentially("Robert", delay=10)
    page.get_by_label("Legal last name").press_sequentially("Whittaker", delay=10)
    page.get_by_label("Date of birth").fill("1961-04-12")


def test_the_panel_shows_the_existing_client_or_only_that_a_record_exists(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm1@example.org")
    _type_person(page)
    panel = page.get_by_role("region", name="Possible matches")
    match = panel.get_by_role("listitem").filter(has=page.get_by_role("link", name="Bob Whitaker"))
    expect(match).to_have_count(1)
    expect(match).to_contain_text("Certain match")
    expect(match).to_contain_text("same date of birth")
    check_page(page)
    screenshot(page, "intake-matches")
    sign_out(page)

    sign_in(page, "cm2@example.org")
    _type_person(page)
    panel = page.get_by_role("region", name="Possible matches")
    expect(panel).to_contain_text("A record exists that you cannot open")
    expect(panel.get_by_role("link", name="Emergency access")).to_be_visible()
    expect(panel).not_to_contain_text("Bob")
    check_page(page)
    screenshot(page, "intake-matches-other-team")
