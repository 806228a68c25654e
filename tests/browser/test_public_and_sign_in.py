"""The landing page in both languages and the staff sign-in, in Chromium, checked by axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser


def test_landing_page_in_english_links_to_every_public_service(page):
    page.goto(page.base_url + "/")

    assert page.url.endswith("/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help you?")
    main = page.locator("main")
    for name in ["Start a request", "Check status", "Give feedback", "Staff sign-in"]:
        expect(main.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()
    screenshot(page, "landing-en")
    assert_no_axe_violations(page)


def test_language_switcher_shows_the_landing_page_in_spanish(page):
    page.goto(page.base_url + "/en/")

    page.get_by_role("link", name="Español").click()

    assert page.url.endswith("/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Cómo podemos ayudarle?")
    expect(page.locator("main").get_by_role("link", name="Empezar una solicitud")).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_be_visible()
    screenshot(page, "landing-es")
    assert_no_axe_violations(page)


def test_demo_staff_member_signs_in_and_sees_their_agency(page, demo_data):
    page.goto(page.base_url + "/staff/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    assert_no_axe_violations(page)

    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill(demo_data)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex Agent")
    expect(page.locator("main")).to_contain_text("Springfield Public Works")
    screenshot(page, "staff-home")
    assert_no_axe_violations(page)


def test_wrong_password_shows_an_error_and_keeps_the_user_out(page, demo_data):
    page.goto(page.base_url + "/staff/login/")

    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert").first).to_contain_text("Please enter a correct username")
    assert page.url.endswith("/staff/login/")
    assert_no_axe_violations(page)
