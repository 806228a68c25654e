"""Walk-in queue, end to end in Chromium, checked by axe-core: a citizen checks in on a 390 px
phone, an agent calls them from a desk, the waiting-room display shows the number and the
desk, the citizen's ticket page follows by itself, and the agent opens a case from the visit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, Team
from cases.models import Case, ServiceCategory
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.visits.world import office_make
from visits.models import Visit

pytestmark = pytest.mark.browser


def _office():
    agency = Agency.objects.get(slug="public-works")
    team = Team.objects.get(agency=agency, slug="roads-and-sidewalks")
    permits, _ = ServiceCategory.objects.get_or_create(
        agency=agency, code="parking-permit",
        defaults={"name": {"en": "Parking permit", "es": "Permiso de aparcamiento"},
                  "owning_team": team},
    )  # fmt: skip
    bins, _ = ServiceCategory.objects.get_or_create(
        agency=agency, code="new-bin",
        defaults={"name": {"en": "New bin", "es": "Contenedor nuevo"}, "owning_team": team},
    )  # fmt: skip
    return office_make(agency=agency, categories=[permits, bins], slug="depot")


def test_citizen_checks_in_on_a_phone_is_called_and_a_case_is_opened(browser, page, demo_data):
    office = _office()
    base = page.base_url

    # --- the citizen, on a phone, from the QR code at the door --------------------------------
    phone = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)  # fmt: skip
    citizen = phone.new_page()
    citizen.set_default_timeout(10_000)
    citizen.goto(f"{base}/es/check-in/{office.slug}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"Sacar turno en {office.name}")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(citizen)
    citizen.get_by_text("Permiso de aparcamiento").click()  # the radio's label
    citizen.get_by_label("Correo electrónico (opcional)").fill("lucia@example.org")
    screenshot(citizen, "walk-in-checkin-phone")
    citizen.get_by_role("button", name="Sacar turno").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Su turno: 001")
    expect(citizen.locator("#ticket-status")).to_contain_text("Usted es el siguiente.")
    expect(citizen.locator("#ticket-status")).to_contain_text("Espera estimada")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(citizen)
    screenshot(citizen, "walk-in-ticket-phone")

    # --- the waiting-room display -------------------------------------------------------------
    screen = browser.new_context(locale="en-US", viewport={"width": 1920, "height": 1080})
    display = screen.new_page()
    display.set_default_timeout(15_000)
    display.goto(f"{base}/en/check-in/{office.slug}/display/")
    expect(display.locator("#display-board")).to_contain_text("No ticket has been called yet.")
    expect(display.locator("#display-board")).to_have_attribute("aria-live", "polite")
    display.get_by_role("button", name="Turn on the chime").click()
    expect(display.get_by_role("button", name=re.compile("Chime is on"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_no_axe_violations(display)

    # --- the agent at Desk 1 ------------------------------------------------------------------
    sign_in(page, "agent", demo_data)
    page.get_by_role("link", name="Walk-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk-in desks")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Work at Desk 1").first.click()
    expect(page.locator("#desk-waiting")).to_contain_text("Parking permit")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Call next").click()
    expect(page.get_by_role("status").first).to_contain_text("Ticket 001 called to Desk 1.")
    expect(page.get_by_role("heading", name="At this desk now")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "walk-in-desk")

    # The display shows the number and where to go (polling, no reload); so does the phone.
    expect(display.locator(".crm-display__row--latest")).to_contain_text("001")
    expect(display.locator(".crm-display__row--latest")).to_contain_text("go to Desk 1")
    expect(display.locator(".crm-display__row--latest")).to_contain_text("Just called")
    assert_no_axe_violations(display)
    screenshot(display, "walk-in-display")
    citizen.wait_for_timeout(100)
    expect(citizen.locator("#ticket-status")).to_contain_text(
        "Es su turno: acuda a Desk 1.", timeout=15_000
    )
    screenshot(citizen, "walk-in-ticket-called-phone")

    page.get_by_role("button", name="Serving").click()
    expect(page.locator(".crm-desk-current")).to_contain_text("Being served")

    # --- a case from this visit, for a new citizen ---------------------------------------------
    page.get_by_role("link", name="Open a case from this visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a case from this visit")
    assert_no_axe_violations(page)
    page.get_by_label("First name").fill("Lucía")
    page.get_by_label("Last name").fill("Quintanilla")
    page.get_by_label("What the citizen asked for").fill("Residents' parking permit for Oak St.")
    screenshot(page, "walk-in-open-case")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/staff/cases/[A-Z0-9-]+/$"))
    visit = Visit.objects.get(office=office)
    case = Case.objects.get()
    assert (visit.case_id, case.channel, case.citizen.last_name) == (
        case.pk, "walk_in", "Quintanilla")  # fmt: skip
    assert case.reporter_email == "lucia@example.org"
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    phone.close()
    screen.close()
