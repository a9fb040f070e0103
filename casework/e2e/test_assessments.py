"""Assessments in a real browser, on a phone: administer a PHQ-9 from the case, see the result and the trend.

cm1 (Alex Rivera) gives Bob Whitaker a PHQ-9 during a home visit, answers item 9 with "Several days",
completes it and sees the self-harm flag on the result. The demo data holds Bob's earlier PHQ-9s,
so the trend page draws a line over the band thresholds, with the same points in a table.
The C-SSRS sheet hides questions 3-5 until question 2 is answered "Yes".

The steps are functions so later checks (e.g. the at-risk flag on the caseload) can reuse them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from casework.e2e.browser import DESKTOP, PHONE, SCREENSHOT_DIR, assert_fits_width, check_page, screenshot, sign_in

pytestmark = pytest.mark.browser

CLIENT_NAME = "Bob Whitaker"  # on cm1's caseload, with PHQ-9 history in the demo data
PHQ9_NAME = "PHQ-9 (Patient Health Questionnaire, depression)"
CSSRS_NAME = "C-SSRS screener (Columbia suicide severity, past month)"
# Item 9 ("thoughts that you would be better off dead...") answered "Several days" (1): a flag.
PHQ9_ANSWERS = {
    1: "Several days",
    2: "More than half the days",
    3: "Several days",
    4: "More than half the days",
    5: "Not at all",
    6: "Several days",
    7: "Not at all",
    8: "Not at all",
    9: "Several days",
}
PHQ9_TOTAL = 8


def open_clients_case(page: Page, client_name: str = CLIENT_NAME) -> str:
    """From the caseload, open the client's open Adult Mental Health case; return its URL."""
    page.goto("/cases/caseload/")
    page.locator("#caseload-table").get_by_role("link", name=client_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(client_name)
    cases = page.get_by_role("region", name="Cases")
    cases.get_by_role("row").filter(has_not_text="Closed").get_by_role("link", name="Adult Mental Health").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adult Mental Health case")
    return page.url


def caseload_row(page: Page, client_name: str = CLIENT_NAME) -> Locator:
    """The client's (first) row on the caseload table."""
    return page.locator("#caseload-table").get_by_role("row").filter(has_text=client_name).first


def start_instrument(page: Page, instrument: str, method: str = "In person") -> None:
    """On a case page: "Administer an instrument", choose it and how it is given (now), and start the draft."""
    section = page.get_by_role("region", name="Assessments", exact=True)
    section.locator("summary", has_text="Administer an instrument").click()
    section.get_by_label("Instrument").select_option(label=instrument)
    section.get_by_label(method, exact=True).check()
    section.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(instrument)


def answer(page: Page, number: int | str, label: str) -> None:
    """Choose an answer on the sheet by the question's number and the answer's label."""
    question = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
    question.get_by_label(label, exact=True).check()


def administer_phq9(page: Page, answers: dict[int, str] = PHQ9_ANSWERS) -> str:
    """From a case page: give a PHQ-9 in person now, answer it, complete it; return the result page's URL."""
    start_instrument(page, PHQ9_NAME)
    check_page(page)
    assert_fits_width(page)
    for number, label in answers.items():
        answer(page, number, label)
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
    return page.url


def test_worker_administers_a_phq9_on_a_phone_and_sees_the_flag_and_the_trend(new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(page, "cm1@example.org")
    # Bob starts the day not at risk.
    page.goto("/cases/caseload/")
    expect(caseload_row(page)).to_be_visible()
    expect(caseload_row(page).get_by_role("link", name="At risk")).to_have_count(0)
    open_clients_case(page)
    check_page(page)

    start_instrument(page, PHQ9_NAME)
    check_page(page)
    assert_fits_width(page)
    # Large tap targets: every answer is at least 44 CSS pixels high on a phone.
    first = page.get_by_role("group", name=re.compile(r"^1\. ")).locator("label.option").first
    box = first.bounding_box()
    assert box is not None and box["height"] >= 44, box
    running = page.locator("#running-score [data-running-total]")
    for number, label in PHQ9_ANSWERS.items():
        answer(page, number, label)
    expect(running).to_have_text(str(PHQ9_TOTAL))  # worked out as the answers are chosen, never typed
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / "assessment-phq9-sheet-phone.png")
    page.get_by_role("button", name="Complete").click()

    # The result: score, band, and the item-9 flag in an alert box.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
    flag = page.locator("#assessment-flags")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("Thoughts of self-harm (item 9 above 0): assess safety today")
    expect(page.locator("strong.score")).to_have_text(str(PHQ9_TOTAL))
    expect(page.get_by_text("Mild", exact=True)).to_be_visible()
    check_page(page)
    assert_fits_width(page)
    screenshot(page, "assessment-result")
    result_url = page.url

    # The caseload now marks Bob at risk, with the urgent safety task.
    page.goto("/cases/caseload/")
    row = caseload_row(page)
    expect(row.get_by_role("link", name="At risk")).to_be_visible()
    expect(row).to_contain_text("Urgent: Complete a safety assessment / safety plan today")
    check_page(page)
    screenshot(page, "caseload-after-phq9-item9")
    page.goto(result_url)

    # Back on the case page, the new assessment heads the list with its score, band and flag.
    page.get_by_role("link", name="Adult Mental Health").first.click()
    newest = page.get_by_role("region", name="Assessments", exact=True).locator("tbody tr").first
    expect(newest).to_contain_text(PHQ9_NAME)
    expect(newest).to_contain_text(f"{PHQ9_TOTAL} · Mild")
    expect(newest).to_contain_text("Flag")
    check_page(page)
    assert_fits_width(page)
    page.get_by_role("region", name="Assessments", exact=True).screenshot(
        path=SCREENSHOT_DIR / "case-assessments-phone.png"
    )
    newest.get_by_role("link", name=PHQ9_NAME).click()
    expect(page.locator("#assessment-flags")).to_be_visible()

    # The trend: earlier PHQ-9s from the demo data and this one; chart and table.
    page.get_by_role("link", name="Trend").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("scores over time")
    rows = page.locator("#trend-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.last).to_contain_text(str(PHQ9_TOTAL))
    expect(rows.first).to_contain_text("baseline")
    expect(rows.last).to_contain_text("-8")  # 16 at baseline
    canvas = page.locator("#trend-chart")
    expect(canvas).to_be_visible()
    page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('trend-chart'))")
    drawn = page.evaluate(
        "() => { const c = window.Chart.getChart(document.getElementById('trend-chart'));"
        " return {points: c.data.datasets[0].data.map((p) => p.y),"
        " bands: c.options.plugins.caseworkBands.bands.length}; }"
    )
    assert drawn["points"][-1] == PHQ9_TOTAL and len(drawn["points"]) == 4, drawn
    assert drawn["bands"] == 5, drawn
    check_page(page)
    assert_fits_width(page)
    page.screenshot(path=SCREENSHOT_DIR / "assessment-trend-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.wait_for_function(
        "(w) => window.Chart.getChart(document.getElementById('trend-chart')).width > w", arg=PHONE["width"]
    )
    page.locator("main").screenshot(path=SCREENSHOT_DIR / "assessment-trend.png")


def test_cssrs_sheet_asks_questions_3_to_5_only_after_a_yes_to_question_2(new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "cm1@example.org")
    open_clients_case(page)
    start_instrument(page, CSSRS_NAME, method="Phone")
    later = [page.locator(f"#question-cssrs_{n}") for n in (3, 4, 5)]
    for block in later:
        expect(block).to_be_hidden()
    expect(page.locator("#question-cssrs_6_recent")).to_be_hidden()
    answer(page, 1, "Yes")
    answer(page, 2, "Yes")
    for block in later:
        expect(block).to_be_visible()
    answer(page, 3, "Yes")
    answer(page, 2, "No")  # changed: 3-5 are skipped again, and their answers are not sent
    for block in later:
        expect(block).to_be_hidden()
    expect(page.locator("#question-cssrs_3 input").first).to_be_disabled()
    answer(page, 6, "No")
    check_page(page)
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
    expect(page.get_by_text("Moderate risk", exact=True)).to_be_visible()
    expect(page.get_by_text("Skipped (not asked after the earlier answers)")).to_have_count(4)  # 3, 4, 5 and 6a
    check_page(page)
