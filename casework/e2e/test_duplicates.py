"""The duplicate review queue in a real browser: compare a pair, merge it, follow the alias, undo.

The demo registers Deborah Klein (cm3's client, North Team) a second time as "Debbie Klein" at a
walk-in (by the North Team's supervisor, over the certain match). No other browser test uses
either record.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_supervisor_merges_a_duplicate_follows_the_alias_and_undoes_the_merge(
    new_page: Callable[..., Page],
) -> None:
    page = new_page()
    sign_in(page, "supervisor@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicates")
    row = page.locator("li.duplicate-row").filter(has_text="Deborah Klein").filter(has_text="Debbie Klein")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Certain match")
    expect(row).to_contain_text("same date of birth")
    check_page(page)
    screenshot(page, "duplicates-queue")

    row.get_by_role("link", name=re.compile("Compare Deborah Klein and Debbie Klein")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two records")
    expect(page.get_by_role("region", name="Why these may be one person")).to_contain_text("same last name")
    compare = page.get_by_role("region", name="Side by side")
    expect(compare).to_contain_text("(708) 555-0199")
    expect(compare).to_contain_text("Records attached")
    check_page(page)
    screenshot(page, "duplicates-compare")

    # Keep Deborah's record (A, the older one), but take the phone number Debbie gave at the walk-in.
    merge = page.get_by_role("region", name="Merge: the same person")
    expect(merge.get_by_role("radio", name=re.compile(r"Record A .*Deborah Klein"))).to_be_checked()
    compare.get_by_role("radio", name="(708) 555-0199").check()
    merge.get_by_label("Note (optional)").fill("Same date of birth and address; Debbie is her usual name.")
    merge.get_by_role("button", name="Merge these records").click()

    expect(page.get_by_role("status").filter(has_text="is merged into record")).to_have_count(1)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("merged into record")
    expect(page.get_by_role("region", name="What moved")).to_contain_text("Support contacts: 1")
    check_page(page)
    screenshot(page, "duplicates-merged")
    merge_url = page.url

    # The merged record's link opens the kept record, which now has the contact and the phone.
    alias_href = page.locator("#alias-link").get_attribute("href")
    assert alias_href is not None
    page.locator("#alias-link").click()
    expect(page).not_to_have_url(re.compile(re.escape(alias_href) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Klein")
    expect(page.locator("main")).to_contain_text("(708) 555-0199")
    expect(page.locator("main")).to_contain_text("Mark Klein")
    check_page(page)
    screenshot(page, "duplicates-alias-redirect")

    # Undo: the walk-in record is its own record again, with its contact.
    page.goto(merge_url)
    undo = page.get_by_role("region", name="Undo this merge")
    undo.get_by_label("Why undo this merge?").fill("Checked with cm3: two different women of the same name.")
    undo.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_role("status").filter(has_text="The merge is undone")).to_have_count(1)
    expect(page.get_by_role("region", name="Undo this merge")).to_have_count(0)
    check_page(page)
    screenshot(page, "duplicates-undone")
    page.goto(alias_href)
    expect(page).to_have_url(re.compile(re.escape(alias_href) + "$"))
    expect(page.locator("main")).to_contain_text("Mark Klein")
    expect(page.locator("main")).to_contain_text("(708) 555-0199")
    check_page(page)

    # The pair is back in the queue, waiting for a decision.
    page.goto("/clients/duplicates/")
    expect(page.locator("li.duplicate-row").filter(has_text="Debbie Klein")).to_have_count(1)
