"""Helpers for the browser tests: Chromium, signing in, the accessibility check, screenshots."""

from __future__ import annotations

import re
import weakref
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, ViewportSize

from casework.e2e.server import ARTIFACTS_DIR, REPO_ROOT

CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium; never a browser downloaded by Playwright
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
DEMO_PASSWORD = "casework-demo"
# axe impacts that fail a test; "minor" and "moderate" are left to review.
BLOCKING_IMPACTS = {"serious", "critical"}

# Console errors and uncaught exceptions per page, collected until the next check_page().
_page_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian Chromium, with everything that would talk to the network turned off."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`).")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def watch_errors(page: Page) -> None:
    """Collect the page's console errors (CSP refusals, failed loads) and uncaught exceptions."""
    errors: list[str] = []
    _page_errors[page] = errors

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # The document itself answering 404 is what a not-found test expects (the test checks
        # the status), and the app has no favicon. A stylesheet or script that fails still counts.
        source = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and (
            source == page.url or source.endswith("/favicon.ico")
        ):
            return
        errors.append(f"console error on {page.url}: {message.text} ({source})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught exception on {page.url}: {error}"))


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page, as a user would, and wait for the page after it."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sign_out(page: Page) -> None:
    """Use the "Sign out" button in the top bar and wait for the login page."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            summary = " ".join(line.strip() for line in node["summary"].splitlines())
            lines.append(f"    {' '.join(str(part) for part in node['target'])} — {summary[:300]}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the current page and return its violations (all impacts)."""
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: install the npm packages (`npm ci`, or `make deps`).")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol rather than add_script_tag(): the app's
        # Content-Security-Policy (script-src 'self') rightly refuses an inline <script>, and
        # bypassing CSP for the whole context would hide CSP breakage in the app's pages.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;void 0;")
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ['violations']});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary || ''})),
            }));
        }"""
    )
    return violations


def check_page(page: Page) -> None:
    """After each navigation: no serious or critical axe violations, no console errors."""
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not violations, f"Accessibility violations on {page.url}:\n{_format_violations(violations)}"
    errors = _page_errors.get(page, [])
    found = list(errors)
    errors.clear()
    assert not found, "\n".join(found)


def assert_fits_width(page: Page) -> None:
    """Nothing sticks out sideways: a phone user never has to scroll horizontally to read."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
                .slice(0, 5)
                .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ` +
                            `${(e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60)}`);
        }"""
    )
    assert not overflow, f"{page.url} is wider than the {page.viewport_size} viewport:\n" + "\n".join(overflow)


def screenshot(page: Page, name: str, *, phone: bool = True) -> None:
    """The page at desktop width (up to three screens) and, unless told otherwise, its first screen on a phone.

    At phone width the whole page must also fit without horizontal scrolling.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or DESKTOP
    page.set_viewport_size(DESKTOP)
    # At most three screens: encoding a 10,000-pixel timeline costs seconds and shows nothing new.
    height = min(page.evaluate("document.documentElement.scrollHeight"), 3 * DESKTOP["height"])
    page.screenshot(
        path=SCREENSHOT_DIR / f"{name}-desktop.png",
        full_page=True,
        clip={"x": 0, "y": 0, "width": DESKTOP["width"], "height": height},
    )
    if phone:
        page.set_viewport_size(PHONE)
        page.screenshot(path=SCREENSHOT_DIR / f"{name}-phone.png")
        assert_fits_width(page)
    page.set_viewport_size(original)
