"""Appointments in a real browser (issue 7).

cm1 schedules a home visit for Bob Whitaker's case, sees it on the week view, records a
no-show; then opens another appointment on the calendar (the demo's office visit yesterday),
records it attended and writes the note straight from it, with contact type, date and minutes
already filled in. Screenshots at desktop and phone width.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.core.demo import AGENCY_TIME_ZONE
from casework.e2e.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

CLIENT_NAME = "Bob Whitaker"


def test_worker_schedules_records_a_no_show_and_writes_the_note_of_an_attended_visit(
    new_page: Callable[..., Page],
) -> None:
    page = new_page()
    yesterday = datetime.datetime.now(zoneinfo.ZoneInfo(AGENCY_TIME_ZONE)).date() - datetime.timedelta(days=1)
    sign_in(page, "cm1@example.org")
    # Today is the home page; the caseload is one click away.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()

    # From the case page: "Upcoming appointments" → Schedule.
    caseload = page.locator("#caseload-table").get_by_role("table")
    caseload.get_by_role("link", name=CLIENT_NAME).first.click()
    cases = page.get_by_role("region", name="Cases")
    cases.get_by_role("row").filter(has_not_text="Closed").get_by_role("link", name="Adult Mental Health").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adult Mental Health case")
    upcoming = page.get_by_role("region", name="Upcoming appointments")
    upcoming.get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule an appointment")
    check_page(page)

    # A home visit yesterday afternoon (recorded after the fact); the address comes from the record.
    page.get_by_label("Kind").select_option(label="Home visit")
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Starts").fill("16:00")
    page.get_by_label("Ends").fill("17:00")
    expect(page.get_by_label("Address (home visit)")).not_to_have_value("")
    page.get_by_label("Travel notes").fill("Buzzer 3B; park behind the building.")
    screenshot(page, "appointment-schedule")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Appointment scheduled.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Home visit")
    expect(page.locator("#appointment-outcome")).to_have_text("Scheduled")
    check_page(page)
    screenshot(page, "appointment-detail")
    visit_url = page.url

    # The week view shows it, on its day; the grid links back to it.
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")
    day = page.locator(".calendar-day").filter(has=page.locator(f"#day-{yesterday.isoformat()}"))
    expect(day.get_by_role("link", name="Home visit")).to_have_count(1)
    expect(day).to_contain_text("16:00–17:00")
    expect(page.get_by_role("link", name="← Previous week")).to_be_visible()
    check_page(page)
    screenshot(page, "calendar-week")

    # No-show.
    day.get_by_role("link", name="Home visit").click()
    assert page.url == visit_url
    page.get_by_role("button", name="No-show").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: no-show.")
    expect(page.locator("#appointment-outcome")).to_have_text("No-show")
    expect(page.get_by_role("button", name="No-show")).to_have_count(0)
    check_page(page)

    # Another appointment: yesterday's office visit from the demo. Attended → the note, prefilled.
    page.get_by_role("link", name="Week", exact=True).click()
    day = page.locator(".calendar-day").filter(has=page.locator(f"#day-{yesterday.isoformat()}"))
    expect(day.locator("li.outcome-no_show")).to_contain_text("Home visit")
    day.get_by_role("link", name="Office visit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office visit")
    page.get_by_role("button", name="Attended – write the note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a progress note")
    expect(page.get_by_role("status")).to_contain_text("Attended. Write the note now.")
    expect(page.get_by_label("Contact type")).to_have_value("in_person")
    expect(page.get_by_label("Date of contact")).to_have_value(yesterday.isoformat())
    expect(page.get_by_label("Duration (minutes)")).to_have_value("60")
    check_page(page)
    screenshot(page, "note-from-appointment")
    page.get_by_label("Format").select_option(label="DAP")
    dap = page.get_by_role("group", name="DAP note")
    dap.get_by_label("Data").fill("Office visit: reviewed the week and the benefits letter.")
    dap.get_by_label("Assessment").fill("Engaged, organised, mood steady.")
    dap.get_by_label("Plan").fill("Follow up on the benefits letter next week.")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Note signed.")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    signed = timeline.get_by_role("listitem").filter(has_text="reviewed the week and the benefits letter")
    expect(signed).to_contain_text("In person")
    expect(signed).to_contain_text("60 minutes")
    check_page(page)
    screenshot(page, "note-signed-from-appointment")

    # The day view of yesterday shows both outcomes.
    page.goto(f"/calendar/day/?date={yesterday.isoformat()}")
    items = page.locator(".appointment-list li")
    expect(items.filter(has_text="Home visit")).to_contain_text("No-show")
    expect(items.filter(has_text="Office visit")).to_contain_text("Attended")
    check_page(page)
    screenshot(page, "calendar-day")
