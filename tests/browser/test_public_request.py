"""A citizen files a request with the keyboard only, in English and Spanish, checked by axe-core."""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, tab_to

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"CRM-\d{4}-[0-9A-Z]{6}")


@pytest.fixture
def services(transactional_db):
    """Two agencies with public services; "Streetlight out" asks three questions."""
    from agencies.models import Agency
    from agencies.services import calendar_create, team_create
    from cases.models import AttributeDefinition, ServiceCategory

    hours = [(day, time(9), time(17)) for day in range(5)]
    made = {}
    for slug, name, code, label, group in [
        ("pw", "Public Works", "streetlight", ("Streetlight out", "Farola apagada"),
         ("Streets and lighting", "Calles y alumbrado")),
        ("pw", "Public Works", "pothole", ("Pothole", "Bache"),
         ("Streets and lighting", "Calles y alumbrado")),
        ("rev", "Revenue", "tax-question", ("Tax question", "Consulta de impuestos"),
         ("Taxes", "Impuestos")),
    ]:  # fmt: skip
        agency, created = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name, "timezone": "America/Chicago"}
        )
        if created:
            calendar = calendar_create(agency=agency, name="Office", intervals=hours, actor=None)
            made[slug] = team_create(
                agency=agency, name="Team", slug="team", calendar=calendar, actor=None
            )
        made[code] = ServiceCategory.objects.create(
            agency=agency, code=code, owning_team=made[slug],
            name={"en": label[0], "es": label[1]}, group={"en": group[0], "es": group[1]},
            description={"en": f"Report: {label[0].lower()}.", "es": f"Avise: {label[1].lower()}."},
        )  # fmt: skip
    light = made["streetlight"]
    AttributeDefinition.objects.create(
        category=light, code="pole", datatype="string", required=True, order=1,
        label={"en": "Pole number", "es": "Número del poste"},
        description={"en": "On a sticker on the pole.", "es": "En una etiqueta del poste."},
    )  # fmt: skip
    AttributeDefinition.objects.create(
        category=light, code="state", datatype="singlevaluelist", required=True, order=2,
        label={"en": "What is wrong?", "es": "¿Qué ocurre?"},
        values=[{"key": "dark", "name": {"en": "It is dark", "es": "Está apagada"}},
                {"key": "flicker", "name": {"en": "It flickers", "es": "Parpadea"}}],
    )  # fmt: skip
    AttributeDefinition.objects.create(
        category=light, code="hazards", datatype="multivaluelist", order=3,
        label={"en": "Any hazards?", "es": "¿Algún peligro?"},
        values=[{"key": "wires", "name": {"en": "Loose wires", "es": "Cables sueltos"}},
                {"key": "leaning", "name": {"en": "Leaning pole", "es": "Poste inclinado"}}],
    )  # fmt: skip
    return made


@pytest.fixture
def csp_errors(page):
    """Console messages about the Content Security Policy (inline scripts or styles)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return errors


def test_a_citizen_files_a_request_with_the_keyboard_and_checks_its_status(
    page, services, csp_errors
):
    page.goto(page.base_url + "/en/requests/new/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Make a request")
    expect(page.get_by_role("heading", name="Streets and lighting")).to_be_visible()
    expect(page.locator(".crm-service-group__agency").first).to_have_text("Public Works")
    screenshot(page, "public-request-step1")
    assert_no_axe_violations(page)

    # Step 1: search as you type, then open the service.
    tab_to(page, "#service-search")
    page.keyboard.type("streetlight")
    expect(page.get_by_role("link", name="Pothole")).to_be_hidden()
    expect(page.get_by_role("link", name="Tax question")).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("1 service matches your search.")
    tab_to(page, "a[href$='/requests/new/pw/streetlight/']")
    page.keyboard.press("Enter")

    # Step 2: the questions, the description, contact details.
    expect(page.get_by_role("heading", level=1)).to_have_text("Streetlight out")
    expect(page.locator(".usa-step-indicator__current-step")).to_have_text("2")
    screenshot(page, "public-request-step2")
    assert_no_axe_violations(page)
    tab_to(page, "#id_attr_pole")
    page.keyboard.type("PL-1234")
    tab_to(page, "#id_attr_state_0")
    page.keyboard.press("ArrowDown")  # moves to and selects "It flickers"
    tab_to(page, "#id_attr_hazards_1")
    page.keyboard.press("Space")
    tab_to(page, "#id_description")
    page.keyboard.type("The lamp outside number 12 flickers all night.")
    tab_to(page, "#id_address")
    page.keyboard.type("12 Elm Street")
    tab_to(page, "#id_contact_email")
    page.keyboard.type("rosa@example.org")
    tab_to(page, "#id_email_updates")
    page.keyboard.press("Space")
    expect(page.locator("#id_attr_state_1")).to_be_checked()
    expect(page.locator("#id_attr_hazards_1")).to_be_checked()
    expect(page.locator("#id_email_updates")).to_be_checked()
    tab_to(page, ".crm-request-form button[type=submit]")
    page.keyboard.press("Enter")

    # The confirmation.
    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    expect(page.locator("main")).to_contain_text("We have sent a confirmation email")
    screenshot(page, "public-request-done")
    assert_no_axe_violations(page)

    # Checking the status with the reference and the email address.
    tab_to(page, "main a[href='/en/requests/status/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a request's status")
    assert_no_axe_violations(page)
    tab_to(page, "#id_reference")
    page.keyboard.type(reference.lower())
    tab_to(page, "#id_email")
    page.keyboard.type("rosa@example.org")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    expect(page.locator(".crm-status")).to_have_text("Received")
    expect(page.locator("main")).to_contain_text("Streetlight out")
    assert_no_axe_violations(page)
    assert csp_errors == []

    from cases.models import Case

    case = Case.objects.get(reference=reference)
    assert (case.channel, case.language, case.reporter_email) == ("web", "en", "rosa@example.org")
    assert case.attributes == {"pole": "PL-1234", "state": "flicker", "hazards": ["leaning"]}


def test_the_same_form_in_spanish(page, services, csp_errors):
    page.goto(page.base_url + "/en/requests/new/")
    page.get_by_role("link", name="Español").focus()
    page.keyboard.press("Enter")

    page.wait_for_url("**/es/requests/new/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hacer una solicitud")
    expect(page.get_by_role("heading", name="Calles y alumbrado")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Impuestos")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Avise: farola apagada.")
    screenshot(page, "public-request-step1-es")
    assert_no_axe_violations(page)

    tab_to(page, "#service-search")
    page.keyboard.type("farola")
    expect(page.get_by_role("link", name="Bache")).to_be_hidden()
    tab_to(page, "a[href$='/es/requests/new/pw/streetlight/']")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Farola apagada")
    expect(page.get_by_label("Número del poste")).to_be_visible()
    expect(page.get_by_role("group", name="¿Qué ocurre?")).to_be_visible()
    expect(page.get_by_label("Parpadea")).to_be_visible()
    assert_no_axe_violations(page)

    tab_to(page, "#id_attr_pole")
    page.keyboard.type("PL-77")
    tab_to(page, "#id_attr_state_0")
    page.keyboard.press("Space")
    expect(page.get_by_label("Está apagada")).to_be_checked()
    tab_to(page, "#id_description")
    page.keyboard.type("La farola de la esquina está apagada.")
    tab_to(page, ".crm-request-form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    screenshot(page, "public-request-done-es")
    assert_no_axe_violations(page)

    page.locator("main a[href*='/es/requests/status/']").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("Farola apagada")
    assert_no_axe_violations(page)
    assert csp_errors == []

    from cases.models import Case

    assert Case.objects.get(reference=reference).language == "es"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_missing_required_answer_shows_the_error_summary_and_the_field_error(
    page, services, csp_errors, language
):
    from cases.models import Case

    page.goto(f"{page.base_url}/{language}/requests/new/pw/streetlight/")
    tab_to(page, "#id_attr_state_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_description")
    page.keyboard.type("Dark lamp" if language == "en" else "Farola apagada")
    tab_to(page, ".crm-request-form button[type=submit]")
    page.keyboard.press("Enter")

    summary = page.locator(".crm-error-summary")
    expect(summary).to_have_attribute("role", "alert")
    pole = "Pole number" if language == "en" else "Número del poste"
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_contain_text(pole)
    expect(page.locator("#id_attr_pole-error")).to_be_visible()
    expect(page.locator("#id_attr_pole")).to_have_attribute("aria-invalid", "true")
    # What was entered is kept.
    expect(page.locator("#id_attr_state_0")).to_be_checked()
    expect(page.locator("#id_description")).to_have_value(
        "Dark lamp" if language == "en" else "Farola apagada"
    )
    if language == "en":
        expect(page.locator("#id_attr_pole-error")).to_have_text("This field is required.")
        expect(summary).to_contain_text("There is a problem with your request")
        screenshot(page, "public-request-step2-errors")
    assert_no_axe_violations(page)

    # The summary's link takes the keyboard to the question.
    tab_to(page, ".crm-error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("#id_attr_pole")).to_be_focused()
    page.keyboard.type("PL-5")
    tab_to(page, ".crm-request-form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("#reference")).to_have_text(REFERENCE)
    assert Case.objects.count() == 1
    assert csp_errors == []
