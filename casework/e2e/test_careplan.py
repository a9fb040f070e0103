"""A care plan in a real browser: from a positive food-insecurity screen to an approved, printed plan.

cm1 (Alex Rivera) opens Ana Sofía Ramírez's Adult Mental Health case (the demo gave her an AHC
screen that suggests a food need), starts a care plan, takes the suggested need into it, adds a
goal and an action step, and submits it (Adult Mental Health requires approval). The North Team's
supervisor finds it on Today and approves it in another browser; cm1 records the client's
acknowledgement and prints her copy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import PHONE, SCREENSHOT_DIR, check_page, screenshot, sign_in
from casework.e2e.test_assessments import open_clients_case

pytestmark = pytest.mark.browser

CLIENT_NAME = "Ana Sofía Ramírez"  # demo: food-only AHC screen, no plan yet; no other browser test uses her
GOAL = "Have enough food for the whole month"
STEP = "Apply for SNAP with Ana Sofía"


def _in_days(days: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def build_plan(page: Page) -> str:
    """From the client's case: start a plan, accept the suggested food need, add a goal and a step; return its URL."""
    open_clients_case(page, CLIENT_NAME)
    plans = page.get_by_role("region", name="Care plan")
    expect(plans).to_contain_text("No care plan yet")
    plans.get_by_role("link", name="Start a care plan").click()
    check_page(page)
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Care / service plan")

    needs = page.get_by_role("region", name="Needs")
    expect(needs).to_contain_text("Suggested from screens")
    expect(needs).to_contain_text("Food insecurity")
    check_page(page)
    needs.get_by_role("button", name="Add to plan: Food").click()
    expect(page.get_by_role("status")).to_contain_text("Need taken into the plan: Food")
    needs = page.get_by_role("region", name="Needs")
    expect(needs).not_to_contain_text("Suggested from screens")
    expect(needs.locator("li", has_text="Food insecurity")).to_have_count(1)

    add_goal = page.locator("#add-goal")
    add_goal.locator("summary").click()
    # A target date in the past is refused with a clear message; what was typed stays.
    add_goal.get_by_label("Goal", exact=False).first.fill(GOAL)
    add_goal.get_by_label("In the client's words").fill("I don't want to skip meals so my kids can eat")
    add_goal.get_by_label("Measurable target").fill("No skipped meals for 4 weeks in a row")
    add_goal.get_by_label("Target date").fill(_in_days(-3))
    add_goal.get_by_label("For the need").select_option(label="Food: Food insecurity")
    add_goal.get_by_role("button", name="Add goal").click()
    add_goal = page.locator("#add-goal")
    expect(add_goal).to_contain_text("The target date is in the past")
    expect(add_goal.get_by_label("Measurable target")).to_have_value("No skipped meals for 4 weeks in a row")
    add_goal.get_by_label("Target date").fill(_in_days(60))
    add_goal.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("status")).to_contain_text("Goal added")

    goal = page.locator("article.goal-card", has_text=GOAL)
    goal.locator("summary", has_text="Add an action step").click()
    goal.get_by_role("textbox", name="Action step").fill(STEP)
    goal.get_by_label("Who is responsible").select_option(label="Case manager")
    goal.get_by_label("Due").fill(_in_days(7))
    goal.get_by_role("button", name="Add step").click()
    expect(page.get_by_role("status")).to_contain_text("Action step added")
    expect(page.locator("article.goal-card", has_text=GOAL)).to_contain_text(STEP)
    check_page(page)
    return page.url.split("#")[0]


def test_build_submit_approve_and_print_a_care_plan(new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, "cm1@example.org")
    plan_url = build_plan(page)
    screenshot(page, "careplan-draft")

    page.get_by_role("button", name="Submit the plan").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for approval")
    expect(page.get_by_role("region", name="Approval")).to_contain_text("another supervisor approves it")

    # The supervisor, in another browser, finds the plan on Today and approves it.
    supervisor = new_page()
    sign_in(supervisor, "supervisor@example.org")
    supervisor.goto("/today/")
    supervisor.get_by_role("link", name="Approve plan: Care / service plan").first.click()
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text("Care / service plan")
    approval = supervisor.get_by_role("region", name="Approval")
    approval.get_by_label("Comments").fill("Clear goal and a first step this week. Approved.")
    check_page(supervisor)
    approval.get_by_role("button", name="Approve").click()
    expect(supervisor.get_by_role("status")).to_contain_text("Plan approved")
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text("Active")

    # Back with the client: the plan is active; she acknowledges it and gets her copy.
    page.goto(plan_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Active")
    ack = page.get_by_role("region", name="Client's acknowledgement")
    ack.locator("summary").click()
    ack.get_by_label("How").select_option(label="In person")
    ack.get_by_label("Client's typed signature").fill("Ana Sofía Ramírez")
    ack.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("acknowledgement is recorded")
    expect(page.get_by_role("region", name="Client's acknowledgement")).to_contain_text("Ana Sofía Ramírez")
    check_page(page)
    screenshot(page, "careplan-active")

    page.get_by_role("link", name="Client copy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My plan: Care / service plan")
    expect(page.locator("main")).to_contain_text(GOAL)
    expect(page.locator("main")).to_contain_text(STEP)
    check_page(page)
    screenshot(page, "careplan-client-copy")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Client copy")).to_be_hidden()
    page.screenshot(path=SCREENSHOT_DIR / "careplan-client-copy-print.png", full_page=True)
    page.emulate_media(media="screen")
    pdf = page.request.get(page.get_by_role("link", name="Download PDF").get_attribute("href") or "")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # On a phone the plan reads without sideways scrolling.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(phone, "cm1@example.org")
    phone.goto(plan_url)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Care / service plan")
    screenshot(phone, "careplan-active-phone-signed-in")
