"""The pages anyone can reach: sign-in and "Not found"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_login_page_is_accessible_and_refuses_a_wrong_password(page: Page) -> None:
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")
    check_page(page)
    screenshot(page, "login")

    page.get_by_label("E-mail").fill("cm1@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("E-mail or password is wrong.")
    expect(page).to_have_url("/accounts/login/")
    check_page(page)


def test_pages_need_a_sign_in(page: Page) -> None:
    page.goto("/cases/caseload/")
    expect(page).to_have_url("/accounts/login/?next=/cases/caseload/")
    expect(page.get_by_label("E-mail")).to_be_visible()


def test_unknown_page_shows_the_not_found_page(page: Page) -> None:
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    check_page(page)
    screenshot(page, "not-found-anonymous", phone=False)

    sign_in(page, "cm1@example.org")
    response = page.goto("/clients/999999999/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("link", name="Back to my caseload")).to_be_visible()
    check_page(page)
    screenshot(page, "not-found")
