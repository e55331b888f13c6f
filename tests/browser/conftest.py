"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

The browser is Debian's /usr/bin/chromium, never Playwright's own download. When it is missing
the tests fail with a message saying so: a skipped browser test would pass silently in CI.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Debian's Chromium is missing at {CHROMIUM}: install it (apt-get install chromium) "
            "to run the browser tests.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def foreign_requests():
    """Every request the page tried to send to a host other than the live server."""
    return []


@pytest.fixture
def page_errors():
    """Uncaught JavaScript errors and console errors (a script refused by the CSP, say)."""
    return []


@pytest.fixture
def page(browser, live_server, foreign_requests, page_errors):
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1440, "height": 900}
    )

    def only_the_live_server(route):
        url = route.request.url
        if url == live_server.url or url.startswith(f"{live_server.url}/"):
            route.continue_()
        else:
            foreign_requests.append(url)
            route.abort()

    context.route("**/*", only_the_live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and page_errors.append(message.text),
    )
    yield page
    context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
