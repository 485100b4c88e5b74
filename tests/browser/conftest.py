"""Real Chromium (Debian's, not Playwright's download) driven by Playwright, with axe-core."""

from __future__ import annotations

import os

import pytest

from tests.conftest import chromium_path

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside one
# unless told that this (test-only) use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _flushable_audit_log(request):
    """Browser tests run against a live server, so their database is emptied by Django's flush
    after each test. The append-only triggers would refuse that, as they should: they are
    switched off only for the flush, and back on before the next test."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    from tests.audit import triggers

    triggers.ready_after_flush()
    yield
    triggers.drop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.console_problems = []

    def on_console(message):
        # A page answered with 4xx on purpose (a form error, a refused file) is asserted by the
        # test itself; anything else the browser complains about (a CSP violation, a missing
        # stylesheet or icon, a script error) is a defect.
        if message.type in {"error", "warning"} and not message.text.startswith("Failed to load resource"):
            page.console_problems.append(message.text)

    def on_response(response):
        if response.request.resource_type != "document" and response.status >= 400:
            page.console_problems.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    context.close()


def assert_accessible(page, label: str) -> None:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA rules, plus its best practices: zero violations."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")  # never run the rules on a page still being replaced (seen under load)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    assert results.violations_count == 0, f"{label}: {results.generate_report()}"
    assert not page.console_problems, f"{label}: the browser reported {page.console_problems}"


def html(page, timeout: float = 15.0) -> str:
    """The page's HTML once a document is there. Read straight after a click that navigates,
    `page.content()` can come back empty or fail while the next document replaces the last (seen
    under CI's load), and an empty page would make every "not shown" assertion pass for nothing."""
    import time

    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            page.wait_for_load_state("load")
            content = page.content()
        except Error:
            content = ""
        if "</body>" in content or time.monotonic() > deadline:
            return content
        time.sleep(0.05)


def shows(page, text: str, timeout: float = 15.0) -> bool:
    """Whether the page shows `text`, allowing for a navigation still under way after a click."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        if text in html(page):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
