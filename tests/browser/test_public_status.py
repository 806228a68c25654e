"""A requester without an email follows their request (issue 17), in Chromium, checked by axe.

The confirmation page repeats what was reported and gives the status link; that link alone
(a fresh browser: no cookies, no email) opens the status page. An agent moves the case along in
the staff pages; the status page says so in words, at the agency's time, with the expected
date; the language switcher keeps the same request. Screenshots at 390 and 1366 px.
"""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation
from django.utils.timezone import localtime
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

CHICAGO = ZoneInfo("America/Chicago")
REFERENCE = re.compile(r"CRM-\d{4}-[0-9A-Z]{6}")
SPANISH_WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                  "septiembre", "octubre", "noviembre", "diciembre"]  # fmt: skip


@pytest.fixture
def pothole(transactional_db):
    """Public Works (Chicago time, Mon-Fri 08:00-12:00 and 13:00-17:00), a pothole service
    with one question and a three-business-day resolution target, and an agent."""
    from agencies.models import Agency
    from agencies.services import calendar_create, team_create
    from cases.models import AttributeDefinition, ServiceCategory, SlaPolicy
    from tests.cases.conftest import make_staff

    agency = Agency.objects.create(
        name="Public Works", slug="pw", timezone="America/Chicago", contact_phone="311"
    )
    hours = [(day, start, end) for day in range(5)
             for start, end in ((time(8), time(12)), (time(13), time(17)))]  # fmt: skip
    calendar = calendar_create(agency=agency, name="Office", intervals=hours, actor=None)
    roads = team_create(agency=agency, name="Roads", slug="roads", calendar=calendar, actor=None)
    category = ServiceCategory.objects.create(
        agency=agency, code="pothole", owning_team=roads,
        name={"en": "Pothole", "es": "Bache"}, group={"en": "Streets", "es": "Calles"},
    )  # fmt: skip
    AttributeDefinition.objects.create(
        category=category, code="size", datatype="singlevaluelist", required=True, order=1,
        label={"en": "How big is it?", "es": "¿Qué tamaño tiene?"},
        values=[{"key": "small", "name": {"en": "Small", "es": "Pequeño"}},
                {"key": "large", "name": {"en": "Large", "es": "Grande"}}],
    )  # fmt: skip
    SlaPolicy.objects.create(agency=agency, name="Standard", resolution_minutes=3 * 8 * 60)
    make_staff("alex", agency, "agent", [roads])
    return category


def _event_time(event, language: str) -> str:
    with translation.override(language):
        return formats.date_format(localtime(event.created_at, CHICAGO), "DATETIME_FORMAT")


def _expected(day, language: str) -> str:
    if language == "en":
        return f"Expected by {day:%A} {day.day} {day:%B} {day.year}"
    weekday, month = SPANISH_WEEKDAYS[day.weekday()], SPANISH_MONTHS[day.month - 1]
    return f"Prevista para el {weekday} {day.day} de {month} de {day.year}"


def _screens(page, name: str) -> None:
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_requester_without_email_follows_the_request_by_its_link(page, browser, pothole):
    from cases.models import Case
    from cases.sla.business_time import deadline_day
    from cases.sla.engine import CalendarCache

    # --- the request, without an email address ----------------------------------------------
    page.goto(page.base_url + "/en/requests/new/pw/pothole/")
    page.get_by_text("Large", exact=True).click()
    page.get_by_label("Description").fill("Deep pothole in front of number 12.")
    page.get_by_label("Address or place").fill("12 Elm Street")
    page.locator(".crm-request-form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    summary = page.locator(".crm-request-summary")
    for fact in ("Pothole", "How big is it?", "Large", "12 Elm Street", "Photos"):
        expect(summary).to_contain_text(fact)
    main = page.locator("main")
    expect(main).to_contain_text("You gave no email address, so this link is the only way")
    expect(main).to_contain_text("The link works for 2 years.")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    case = Case.objects.get(reference=reference)
    day = deadline_day(CalendarCache().for_case(case), case.resolution_due_at)
    expect(main).to_contain_text(_expected(day, "en"))
    assert_no_axe_violations(page)
    _screens(page, "confirmation-en")
    status_link = page.locator(".crm-status-link a").get_attribute("href")
    assert status_link.startswith(page.base_url + "/en/requests/status/")

    # --- the link alone opens the status page (a fresh browser: no cookie, no email) ---------
    citizen = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    status = citizen.new_page()
    status.set_default_timeout(10_000)
    status.goto(status_link)
    expect(status.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    expect(status.locator(".crm-status")).to_have_text("Received")
    expect(status.locator(".crm-event-summary")).to_have_text(["Request received"])

    # --- an agent takes the case and starts work, in the staff pages --------------------------
    sign_in(page, "alex")
    page.goto(f"{page.base_url}/staff/cases/{reference}/")
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".crm-case-summary")).to_contain_text("Open")
    title = page.get_by_text("Change the status", exact=True)
    action = page.locator("details.crm-action", has=title)
    action.locator("summary").click()
    action.get_by_label("New status").select_option(label="In progress")
    action.get_by_role("button", name="Change status").click()
    expect(page.locator(".crm-case-summary .crm-status")).to_have_text("In progress")

    # --- the status page says what happened, when (Chicago time), and by when ---------------
    status.reload()
    expect(status.locator(".crm-status")).to_have_text("In progress")
    expect(status.locator(".crm-event-summary")).to_have_text(
        ["Request received", "Status changed to Open", "Status changed to In progress"]
    )
    event = Case.objects.get(reference=reference).events.filter(kind="status").last()
    last = status.locator(".crm-public-event").last
    expect(last.locator("time")).to_have_text(_event_time(event, "en"))
    offset = localtime(event.created_at, CHICAGO).strftime("%z")
    assert last.locator("time").get_attribute("datetime").replace(":", "").endswith(offset)
    expect(status.locator(".crm-expected")).to_have_text(_expected(day, "en"))
    expect(status.locator(".crm-request-summary")).to_contain_text("12 Elm Street")
    assert_no_axe_violations(status)
    _screens(status, "status-en")
    status.emulate_media(media="print")  # printed: the page without header, menu or buttons
    expect(status.locator("header")).to_be_hidden()
    expect(status.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(status.locator(".crm-status-link")).to_be_visible()
    screenshot(status, "status-en-print")
    status.emulate_media(media="screen")

    # --- Español: the same page, the same request ----------------------------------------------
    status.get_by_role("link", name="Español").click()
    status.wait_for_url(status_link.replace("/en/", "/es/"))
    expect(status.locator("html")).to_have_attribute("lang", "es")
    expect(status.get_by_role("heading", level=1)).to_have_text(f"Solicitud {reference}")
    expect(status.locator(".crm-status")).to_have_text("En curso")
    expect(status.locator(".crm-event-summary").last).to_have_text("Estado cambiado a En curso")
    expect(status.locator(".crm-public-event").last.locator("time")).to_have_text(
        _event_time(event, "es")
    )
    expect(status.locator(".crm-expected")).to_have_text(_expected(day, "es"))
    expect(status.locator(".crm-request-summary")).to_contain_text("Grande")
    assert_no_axe_violations(status)
    _screens(status, "status-es")

    # And back: English, still the same request.
    status.get_by_role("link", name="English").click()
    status.wait_for_url(status_link)
    expect(status.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    citizen.close()


def test_the_confirmation_page_in_spanish_keeps_the_request_when_switching(page, pothole):
    page.goto(page.base_url + "/es/requests/new/pw/pothole/")
    page.get_by_text("Pequeño", exact=True).click()
    page.get_by_label("Descripción").fill("Bache pequeño en la esquina.")
    page.locator(".crm-request-form button[type=submit]").click()

    reference = page.locator("#reference").inner_text()
    expect(page.locator(".crm-request-summary")).to_contain_text("Pequeño")
    expect(page.locator(".crm-request-summary")).to_contain_text("No indicada")
    assert_no_axe_violations(page)
    _screens(page, "confirmation-es")
    done_url = page.url

    page.get_by_role("link", name="English").click()
    page.wait_for_url(done_url.replace("/es/", "/en/"))
    expect(page.locator("#reference")).to_have_text(reference)
    expect(page.locator(".crm-request-summary")).to_contain_text("Small")
