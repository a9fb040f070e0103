"""My settings: a case manager turns the daily digest e-mail off from the menu, then on again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_case_manager_turns_the_daily_digest_off_and_on(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm4@example.org")  # no other browser test uses Grace Kim
    page.get_by_role("link", name="My settings: Grace Kim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My settings")
    digest = page.get_by_label("Send me the daily digest e-mail")
    expect(digest).to_be_checked()
    check_page(page)
    screenshot(page, "my-settings")

    digest.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Daily digest e-mail off.")
    expect(page.get_by_label("Send me the daily digest e-mail")).not_to_be_checked()

    page.get_by_label("Send me the daily digest e-mail").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Daily digest e-mail on.")
    expect(page.get_by_label("Send me the daily digest e-mail")).to_be_checked()
    check_page(page)
