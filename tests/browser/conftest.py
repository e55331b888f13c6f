"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

The browser is Debian's /usr/bin/chromium, never Playwright's own download. When it is missing
the tests fail with a message saying so: a skipped browser test would pass silently in CI.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings

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
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django see this thread as async from here on: its database
    # connections then live in a new context-local slot, without the copy of the migrated data
    # that serialized_rollback restores after each transactional test. The copy is carried over.
    serialized = {
        db.alias: db._test_serialized_contents
        for db in connections.all()
        if hasattr(db, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
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


def open_page(browser, live_server, foreign_requests, page_errors, **context_options):
    """A page of a new browser context on the live server: any request to another host is
    aborted and recorded, /media/ is served from MEDIA_ROOT (the web server's job in
    production: Django's test server does not), and every script error is recorded."""
    context = browser.new_context(base_url=live_server.url, **context_options)

    def only_the_live_server(route):
        url = route.request.url
        if url == live_server.url or url.startswith(f"{live_server.url}/"):
            route.continue_()
        else:
            foreign_requests.append(url)
            route.abort()

    def media(route):
        path = urlsplit(route.request.url).path.removeprefix(settings.MEDIA_URL)
        root = Path(settings.MEDIA_ROOT).resolve()
        file = (root / unquote(path)).resolve()
        if file.is_relative_to(root) and file.is_file():
            route.fulfill(path=file)
        else:
            route.fulfill(status=404, body="not found")

    context.route("**/*", only_the_live_server)
    # Registered last, so tried first (Playwright's rule), for the live server's addresses only.
    context.route(f"{live_server.url}{settings.MEDIA_URL}**", media)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and page_errors.append(message.text),
    )
    return context, page


@pytest.fixture
def page(browser, live_server, foreign_requests, page_errors):
    context, page = open_page(
        browser,
        live_server,
        foreign_requests,
        page_errors,
        locale="vi-VN",
        viewport={"width": 1440, "height": 900},
    )
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, foreign_requests, page_errors):
    """A page the size of a phone's screen (390 by 844 CSS pixels, as an iPhone 12 to 15)."""
    context, page = open_page(
        browser,
        live_server,
        foreign_requests,
        page_errors,
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()


@pytest.fixture
def demo(settings, tmp_path):
    """The demo data (Gia Lai's register and the seed articles), photos in a fresh MEDIA_ROOT.

    Thumbnails are recorded in the cache as well as the database: the cache is emptied so that
    none points to a file of an earlier test's MEDIA_ROOT.
    """
    from django.core.cache import cache

    from activities.demo import load_demo
    from agreements.models import Agreement, AgreementStatus

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    load_demo()
    yield
    cache.clear()
    # A transactional test ends with a flush, which on SQLite deletes parties row by row: the
    # trigger keeping two parties on a published agreement would refuse (agreements migration
    # 0002). Unpublished first, the agreements go quietly.
    Agreement.objects.update(status=AgreementStatus.DRAFT)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
