"""An agent's phone call from intake to resolution, in Chromium, checked by axe-core.

The intake is done with the keyboard only (Tab, typing, arrows, Enter): the citizen is new, the
service's questions load with htmx when the service is chosen. Then the agent assigns the
case, adds an internal note and a public update and resolves it; the citizen's status page
shows the update and never the note.
"""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, Team
from cases.models import AttributeDefinition, Case, ServiceCategory
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in, tab_to

pytestmark = pytest.mark.browser

EMAIL = "quentin.zyborski@example.org"
NOTE = "Crew lead says the asphalt truck is booked"
UPDATE = "A crew will fill the pothole on Monday morning."


def _categories() -> ServiceCategory:
    agency = Agency.objects.get(slug="public-works")
    roads = Team.objects.get(agency=agency, slug="roads-and-sidewalks")
    pothole, _ = ServiceCategory.objects.get_or_create(
        agency=agency, code="pothole-flow",
        defaults={"name": {"en": "Pothole", "es": "Bache"}, "group": {"en": "Streets"},
                  "owning_team": roads, "order": 0},
    )  # fmt: skip
    AttributeDefinition.objects.get_or_create(
        category=pothole, code="size",
        defaults={"label": {"en": "How big is it?"}, "datatype": "singlevaluelist",
                  "required": True, "values": [{"key": "small", "name": {"en": "Small"}},
                                               {"key": "large", "name": {"en": "Large"}}]},
    )  # fmt: skip
    ServiceCategory.objects.get_or_create(
        agency=agency, code="streetlight-flow",
        defaults={"name": {"en": "Streetlight out"}, "group": {"en": "Streets"},
                  "owning_team": roads, "order": 1},
    )  # fmt: skip
    return pothole


def _open_action(page, title: str):
    action = page.locator("details.crm-action", has=page.get_by_text(title, exact=True))
    action.locator("summary").click()
    return action


def test_agent_logs_a_phone_request_and_resolves_it(page, demo_data):
    pothole = _categories()
    sign_in(page, "agent", demo_data)

    # --- intake, keyboard only ---------------------------------------------------------------
    page.goto(page.base_url + "/staff/cases/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New case")
    expect(page.get_by_role("button", name="Show questions for this service")).to_be_hidden()
    assert_no_axe_violations(page)

    tab_to(page, "#id_new-first_name")
    page.keyboard.type("Quentin")
    page.keyboard.press("Tab")
    page.keyboard.type("Zyborski")
    page.keyboard.press("Tab")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type("312 555 0177")
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")  # the first service: Pothole; its questions load (htmx)
    question = page.get_by_role("group", name=re.compile("How big is it?"))
    expect(question).to_be_visible()
    tab_to(page, "#id_attr_size_0")
    page.keyboard.press("ArrowDown")  # the next radio: Large
    expect(page.get_by_label("Large")).to_be_checked()
    tab_to(page, "#id_description")
    page.keyboard.type("Deep pothole in front of number 12, cars swerve around it.")
    page.keyboard.press("Tab")
    page.keyboard.type("12 Oak Street")
    assert_no_axe_violations(page)
    screenshot(page, "intake")
    page.keyboard.press("Enter")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Case CRM-\d{4}-[0-9A-Z]+$"))
    case = Case.objects.select_related("citizen").get(category=pothole)
    assert case.citizen.full_name == "Quentin Zyborski" and case.citizen.email == EMAIL
    assert case.attributes == {"size": "large"}
    assert (case.team.slug, case.channel, case.status) == ("roads-and-sidewalks", "phone", "new")
    expect(page.locator("main")).to_contain_text(f"Case {case.reference} created.")
    expect(page.locator("main")).to_contain_text("How big is it?")
    assert_no_axe_violations(page)

    # --- assign, note, public update, resolve ------------------------------------------------
    action = _open_action(page, "Assign")
    action.get_by_label("Assign to").select_option(label="Alex Agent")
    action.get_by_role("button", name="Assign").click()
    expect(page.locator("main")).to_contain_text("Case assigned to Alex Agent.")
    expect(page.locator(".crm-case-summary")).to_contain_text("Open")

    action = _open_action(page, "Add an internal note")
    action.get_by_role("button", name="Save note").click()  # empty: refused, said where
    errors = page.locator(".crm-form-errors")
    expect(errors).to_be_focused()
    expect(page.locator("#action-note")).to_contain_text("This field is required.")
    action = page.locator("#action-note")  # the page part was replaced, the form is open
    action.get_by_label("Internal note").fill(NOTE)
    action.get_by_role("button", name="Save note").click()
    expect(page.locator("main")).to_contain_text("Internal note added.")
    expect(page.locator("main .usa-alert").first).to_be_focused()  # the news, for the keyboard
    note = page.locator(".crm-event", has_text=NOTE)
    expect(note).to_contain_text("Internal")

    action = _open_action(page, "Send an update to the citizen")
    action.get_by_label("Message to the citizen").fill(UPDATE)
    action.get_by_role("button", name="Send update").click()
    expect(page.locator("main")).to_contain_text("Update sent to the citizen.")
    expect(page.locator(".crm-event", has_text=UPDATE)).to_contain_text("Sent to citizen")

    action = _open_action(page, "Change the status")
    assert_no_axe_violations(page)  # with an action form open
    action.get_by_label("New status").select_option(label="Resolved")
    action.get_by_label("Resolution").select_option(label="Resolved")
    action.get_by_text("Yes", exact=True).click()
    action.get_by_role("button", name="Change status").click()
    expect(page.locator("main")).to_contain_text("Status changed to “Resolved”.")
    expect(page.locator(".crm-case-summary .crm-status")).to_have_text("Resolved")
    assert_no_axe_violations(page)
    screenshot(page, "case")
    case.refresh_from_db()
    assert (case.status, case.resolution_code, case.citizen_contacted) == (
        "resolved", "resolved", True,
    )  # fmt: skip

    # --- the queue -----------------------------------------------------------------------------
    page.goto(page.base_url + "/staff/cases/?queue=all&status=any")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    row = page.get_by_role("row", name=re.compile(case.reference))
    expect(row).to_contain_text("Resolved")
    expect(row).to_contain_text("Quentin Zyborski")
    expect(page.get_by_label(f"Select {case.reference}")).to_be_attached()
    assert_no_axe_violations(page)
    screenshot(page, "queue")

    # --- the citizen's status page --------------------------------------------------------------
    page.goto(page.base_url + "/en/requests/status/")
    page.get_by_label("Reference number").fill(case.reference)
    page.get_by_label("Email address you gave us").fill(EMAIL)
    page.get_by_role("button", name="Check status").click()
    main = page.locator("main")
    expect(main).to_contain_text(UPDATE)
    expect(main).not_to_contain_text(NOTE)


def test_agent_finds_an_existing_citizen_as_they_type(page, demo_data):
    from citizens.services import citizen_create

    _categories()
    maria = citizen_create(actor=None, first_name="María", last_name="López",
                           email="maria.lopez@example.org")  # fmt: skip
    sign_in(page, "agent", demo_data)
    page.goto(page.base_url + "/staff/cases/new/")

    tab_to(page, "#citizen-q")
    page.keyboard.type("maria lopez")
    results = page.get_by_role("region", name="Citizen search results")
    pick = results.get_by_role("link", name="Choose María López")
    expect(pick).to_be_visible()
    assert page.url.endswith("/staff/cases/new/")  # results came in place, no page load
    tab_to(page, ".crm-result__pick")
    page.keyboard.press("Enter")

    chosen = page.locator("#citizen-chosen")
    expect(chosen).to_contain_text("Request from María López")
    # The keyboard focus moves to the news (document.activeElement, what screen readers
    # follow); polled, as htmx settles the swap a moment after the content appears.
    page.wait_for_function("() => document.activeElement?.id === 'citizen-chosen'", timeout=10000)
    assert page.locator("input[name=citizen]").input_value() == str(maria.pk)
    assert_no_axe_violations(page)


def test_intake_works_without_javascript(browser, live_server, demo_data):
    pothole = _categories()
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    try:
        sign_in(page, "agent", demo_data)
        page.goto(page.base_url + "/staff/cases/new/")
        page.get_by_label("Service").select_option(label="Pothole")
        page.get_by_role("button", name="Show questions for this service").click()
        expect(page.get_by_role("group", name=re.compile("How big is it?"))).to_be_visible()
        expect(page.locator(".usa-error-message")).to_have_count(0)
        page.get_by_text("Small", exact=True).click()
        page.get_by_label("What is the request?").fill("Small hole near the bus stop")
        page.get_by_role("button", name="Create case", exact=True).last.click()

        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Case CRM-"))
        assert Case.objects.get(category=pothole).attributes == {"size": "small"}
    finally:
        context.close()
