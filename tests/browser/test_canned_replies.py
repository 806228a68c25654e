"""Issue 20: an agent inserts a Spanish saved reply into an update to a Spanish-speaking
citizen, edits it and sends it; the citizen's status page shows it. Chromium, axe-core."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cases.models import ServiceCategory
from cases.services import case_create, case_take
from citizens.models import Citizen
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_an_agent_sends_a_spanish_saved_reply_edited(page, demo_data):
    from cases.demo import canned_replies_load, catalogue_load, sla_policies_load

    catalogue_load()
    sla_policies_load()
    canned_replies_load()
    agent = get_user_model().objects.get(username="agent")
    lucia = Citizen.objects.create(first_name="Lucía", last_name="Gómez", preferred_language="es")
    pothole = ServiceCategory.objects.get(agency__slug="public-works", code="pothole")
    case = case_create(category=pothole, description="Bache frente a la escuela", channel="phone",
                       attributes={"size": "large"}, citizen=lucia)  # fmt: skip
    case_take(case=case, actor=agent)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "agent", demo_data)
    page.goto(f"{page.base_url}/staff/cases/{case.reference}/")

    page.locator("#action-update summary").click()
    action = page.locator("#action-update")
    action.get_by_label("Saved reply").select_option(label="Repair scheduled")
    action.get_by_role("button", name="Insert the saved reply").click()
    box = page.locator("#action-update").get_by_label("Message to the citizen")
    expect(box).to_have_value(re.compile(r"^Hola Lucía, gracias por avisarnos\."))
    assert box.input_value().endswith(f"Su referencia es {case.reference}. Alex Agent")
    assert re.search(r"antes del \w+ \d+ de \w+\.", box.input_value())  # "lunes 7 de diciembre"
    assert "{" not in box.input_value()  # every placeholder filled
    assert_no_axe_violations(page)
    screenshot(page, "saved-reply-inserted-1366")
    box.press("Control+End")
    box.press_sequentially(" Gracias por su paciencia.")
    page.locator("#action-update").get_by_role("button", name="Send update").click()
    expect(page.get_by_text("Update sent to the citizen.")).to_be_visible()

    event = case.events.get(kind="public_update")
    assert event.body.startswith("Hola Lucía") and event.body.endswith("Gracias por su paciencia.")
    assert event.data["canned_reply"]
