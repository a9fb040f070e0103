"""Fixtures for the browser tests: one app server and one Chromium per session, a fresh page per test.

These tests talk HTTP to a server in a subprocess, so they request none of pytest-django's
database fixtures (and pytest-django has nothing to block).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from casework.e2e.browser import DESKTOP, SCREENSHOT_DIR, launch_chromium, watch_errors
from casework.e2e.server import running_app

ACTION_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Remember each phase's outcome on the test item so fixtures can screenshot failures.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL of the real app (fresh database with the demo data), for the whole session."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, app_url: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Make pages in fresh browser contexts (separate cookies, so separate sign-ins)."""
    contexts = []
    pages: list[Page] = []

    def make(**context_options: Any) -> Page:
        options = {"viewport": DESKTOP, "base_url": app_url, "locale": "en-US", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch_errors(page)
        pages.append(page)
        return page

    yield make

    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for index, page in enumerate(pages):
            if not page.is_closed():
                page.screenshot(path=SCREENSHOT_DIR / f"FAILED-{stem}-{index}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop-sized page in its own browser context."""
    return new_page()
