"""cm1 works the Today list (completes a late task, snoozes another with a reason); the supervisor's
team overview shows one overdue task fewer."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

# Demo tasks of cm1 (casework/core/demo.py DEMO_TASKS): one three days late, one due later.
LATE_TASK = "Call the housing office about the application"
LATER_TASK = "Check the pharmacy delivered the new prescription"


def _overdue_tasks_of_alex(page: Page) -> int:
    page.goto("/today/team/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Alex Rivera"))
    expect(row).to_have_count(1)
    text = row.locator('td[data-label="Overdue"]').inner_text()
    found = re.search(r"(\d+) tasks", text)
    return int(found.group(1)) if found else 0


def test_worker_works_the_today_list_and_the_overview_follows(new_page: Callable[..., Page]) -> None:
    supervisor = new_page()
    sign_in(supervisor, "supervisor@example.org")
    before = _overdue_tasks_of_alex(supervisor)
    assert before >= 1

    page = new_page()
    sign_in(page, "cm1@example.org")
    expect(page).to_have_url(re.compile(r"/today/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    check_page(page)
    screenshot(page, "today")

    # Complete the late task (htmx replaces the row with a confirmation).
    late = page.locator("li.today-item").filter(has=page.get_by_role("link", name=LATE_TASK))
    expect(late).to_have_count(1)
    expect(late).to_contain_text("3 days overdue")
    late.get_by_role("button", name=f"Mark “{LATE_TASK}” done").click()
    expect(page.get_by_role("status").filter(has_text=f"Done: {LATE_TASK}")).to_be_visible()

    # The row's forms come when their disclosure opens (htmx): reassign offers colleagues.
    later = page.locator("li.today-item").filter(has=page.get_by_role("link", name=LATER_TASK))
    later.locator("summary", has_text="Reassign").click()
    expect(later.get_by_label("Give to")).to_be_visible()
    expect(later.get_by_label("Give to").locator("option")).not_to_have_count(0)
    later.locator("summary", has_text="Reassign").click()

    # Snooze it with a reason.
    later.locator("summary", has_text="Snooze").click()
    until = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    later.get_by_label("Until").fill(until)
    later.get_by_label("Why").fill("Pharmacy closed for the holiday")
    check_page(page)
    later.get_by_role("button", name="Snooze").click()
    expect(page.get_by_role("status").filter(has_text=f"Snoozed until {until}")).to_be_visible()

    # Reloaded: the task is gone, the snoozed one waits apart with its reason.
    page.reload()
    expect(page.get_by_role("link", name=LATE_TASK)).to_have_count(0)
    snoozed = page.get_by_role("region", name="Snoozed")
    expect(snoozed).to_contain_text(LATER_TASK)
    expect(snoozed).to_contain_text("Pharmacy closed for the holiday")
    check_page(page)
    screenshot(page, "today-after")

    assert _overdue_tasks_of_alex(supervisor) == before - 1
    check_page(supervisor)
    screenshot(supervisor, "team-overview")
    supervisor.get_by_role("link", name="Alex Rivera").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Today for Alex Rivera")
    expect(supervisor.get_by_role("button", name=re.compile("done"))).to_have_count(0)
    check_page(supervisor)
