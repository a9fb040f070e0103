"""The case manager's day from issue 2, in a real browser.

cm1 (Alex Rivera, North Team) finds Bob Whitaker by a nickname and a misspelt surname,
writes a DAP note for his case, signs it and sees it on his timeline. cm2 (Priya Shah, South
Team) then gets "Not found" for the same client. An auditor sees cm1's view of the record and
the note's events in the client's audit trail. One test, because each step needs the last.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.e2e.browser import check_page, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

CLIENT_NAME = "Bob Whitaker"  # Robert James Whitaker, preferred name Bob, on cm1's caseload
MISTYPED_SEARCH = "bob whittaker"  # nickname and a doubled t


def test_note_written_by_the_worker_is_hidden_from_another_team_and_audited(new_page: Callable[..., Page]) -> None:
    page = new_page()

    # Sign in: Today is the home page; the caseload is one click away.
    sign_in(page, "cm1@example.org")
    expect(page).to_have_url(re.compile(r"/today/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    caseload = page.locator("#caseload-table").get_by_role("table")
    expect(caseload.get_by_role("link", name=CLIENT_NAME)).to_have_count(2)  # two open cases
    expect(caseload.get_by_role("row")).not_to_have_count(0)
    check_page(page)
    screenshot(page, "caseload")

    # Find a client: the results come as the user types, without submitting the form.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a client")
    check_page(page)
    search_box = page.get_by_label("Name, date of birth, phone or identifier")
    search_box.press_sequentially(MISTYPED_SEARCH, delay=20)
    results = page.get_by_role("region", name="Search results")
    hit = results.get_by_role("listitem").filter(has=page.get_by_role("link", name=CLIENT_NAME))
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("1961-04-12")
    expect(hit).to_contain_text("same preferred name")
    expect(page).to_have_url(re.compile(r"/clients/\?q=bob(\+|%20)whittaker$"))  # hx-push-url: shareable
    check_page(page)
    screenshot(page, "client-search")

    # Open the client, then the open adult mental health case.
    hit.get_by_role("link", name=CLIENT_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CLIENT_NAME)
    client_url = page.url
    assert re.search(r"/clients/\d+/$", client_url), client_url
    check_page(page)
    screenshot(page, "client")
    cases = page.get_by_role("region", name="Cases")
    cases.get_by_role("row").filter(has_not_text="Closed").get_by_role("link", name="Adult Mental Health").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adult Mental Health case")
    check_page(page)
    screenshot(page, "case")

    # Write a DAP note: only the DAP sections show; fill them with contact type, date, duration.
    page.get_by_role("link", name="Write a note").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a progress note")
    check_page(page)
    page.get_by_label("Format").select_option(label="SOAP")
    expect(page.get_by_role("group", name="SOAP note")).to_be_visible()
    expect(page.get_by_role("group", name="DAP note")).to_be_hidden()
    page.get_by_label("Format").select_option(label="DAP")
    dap = page.get_by_role("group", name="DAP note")
    expect(dap).to_be_visible()
    for other in ("SOAP note", "BIRP note", "Narrative note"):
        expect(page.get_by_role("group", name=other)).to_be_hidden()
    expect(dap.get_by_role("textbox")).to_have_count(3)
    page.get_by_label("Contact type").select_option(label="Phone")
    contact_date = datetime.date.today() - datetime.timedelta(days=1)  # never in the future, in any zone
    page.get_by_label("Date of contact").fill(contact_date.isoformat())
    page.get_by_label("Duration (minutes)").fill("35")
    dap.get_by_label("Data").fill("Phoned Bob about the housing voucher; he has the paperwork ready.")
    dap.get_by_label("Assessment").fill("Mood brighter than last week; engaged and planning ahead.")
    dap.get_by_label("Plan").fill("Drive him to the housing office on Thursday at 10:00.")
    screenshot(page, "note-form")
    page.get_by_role("button", name="Save draft").click()

    # The draft shows on the client's timeline; open it and sign it.
    expect(page).to_have_url(re.compile(re.escape(client_url) + r"#note-\d+$"))
    note_id = page.url.rsplit("#note-", 1)[1]
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    draft = timeline.get_by_role("listitem").filter(has_text="Drive him to the housing office on Thursday")
    expect(draft).to_contain_text("Draft")
    check_page(page)
    draft.get_by_role("link", name=f"DAP note, {contact_date.isoformat()}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress note")
    expect(page.get_by_role("article")).to_contain_text("Phoned Bob about the housing voucher")
    check_page(page)
    screenshot(page, "note-draft")
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(client_url) + f"#note-{note_id}$"))
    expect(page.get_by_role("status").filter(has_text="Note signed.")).to_be_visible()
    signed = (
        page.get_by_role("region", name="Timeline")
        .get_by_role("listitem")
        .filter(has_text="Drive him to the housing office on Thursday")
    )
    expect(signed).to_have_count(1)
    expect(signed).to_contain_text("Signed")
    expect(signed).to_contain_text("Phone")
    expect(signed).to_contain_text("35 minutes")
    expect(signed).to_contain_text("Signed by Alex Rivera")
    check_page(page)
    screenshot(page, "client-timeline")
    sign_out(page)
    check_page(page)

    # cm2, on the other team, may not know the client exists: search finds nobody, the URL is 404.
    sign_in(page, "cm2@example.org")
    page.goto("/clients/?q=" + MISTYPED_SEARCH.replace(" ", "+"))
    expect(page.get_by_role("heading", name="No client matches")).to_be_visible()
    response = page.goto(client_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_text(CLIENT_NAME)).to_have_count(0)
    check_page(page)
    screenshot(page, "not-found-for-cm2", phone=False)
    sign_out(page)

    # The auditor finds the client and sees cm1's reading of the record and the note's events.
    sign_in(page, "auditor@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    check_page(page)
    page.get_by_label("Record number or name").fill("Whitaker")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Robert James Whitaker").click()
    expect(page.get_by_role("heading", name="Events for Robert James Whitaker")).to_be_visible()
    page.get_by_label("Actor e-mail").fill("cm1@example.org")
    page.get_by_role("button", name="Filter").click()
    events = page.get_by_role("region", name="Events for Robert James Whitaker").get_by_role("row")
    # Events from the browser carry its address; the demo data was written without a request.
    from_browser = events.filter(has_text="127.0.0.1")
    expect(from_browser.filter(has_text="Viewed the client's record").first).to_contain_text("Alex Rivera")
    for action in ("Wrote a progress note", "Signed a progress note"):
        event = from_browser.filter(has_text=action)
        expect(event).to_have_count(1)
        expect(event).to_contain_text(f"#{note_id}")
        expect(event).to_contain_text("Alex Rivera")
    expect(events.filter(has_text="Priya Shah")).to_have_count(0)
    check_page(page)
    screenshot(page, "audit-trail")
