"""Playwright driving a real Chromium against pytest-django's live server.

Loaded once for the whole suite from tests/conftest.py (`pytest_plugins`): a fixture imported
into several conftest files would start several Playwright instances in one process, which
Playwright's sync API refuses.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.chromium import chromium_path

# Playwright's sync API runs an event loop in the test thread; the ORM calls in these tests
# are ordinary blocking calls, so Django's async-safety guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),  # None: Playwright's own download
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def demo_data(transactional_db):
    from agencies.demo import DEMO_PASSWORD, demo_data_load

    demo_data_load()
    return DEMO_PASSWORD


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


STAFF_PASSWORD = "pw-0123456789"  # tests.cases.conftest.make_staff's


def sign_in(page, username: str, password: str = STAFF_PASSWORD) -> None:
    """Sign in on the staff login page and land on the staff home (in any page language)."""
    page.goto(page.base_url + "/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/")


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus; fails if the keyboard cannot reach it or the
    focus is not visible there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")
