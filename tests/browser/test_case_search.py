"""Issue 16: an agent finds a case from the search box in the staff header, by its reference
and by a word of an internal note, in Chromium, with axe-core watching."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cases.models import ServiceCategory
from cases.services import case_create, case_note_add, case_take
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def _case():
    from cases.demo import catalogue_load

    catalogue_load()
    agent = get_user_model().objects.get(username="agent")
    pothole = ServiceCategory.objects.get(agency__slug="public-works", code="pothole")
    case = case_create(category=pothole, description="Hole outside the library",
                       channel="phone", attributes={"size": "small"})  # fmt: skip
    case_take(case=case, actor=agent)
    case_note_add(case=case, body="Crew says the asphalt lorry comes on Thursday", actor=agent)
    return case


def _search(page, text: str) -> None:
    box = page.get_by_role("search").get_by_label("Search cases by reference or words")
    box.fill(text)
    box.press("Enter")


@pytest.mark.parametrize("width", [1366, 390])
def test_agent_finds_a_case_by_reference_and_by_a_word_of_a_note(page, demo_data, width):
    case = _case()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "agent", demo_data)
    # The staff home: the agent's work, and a header that fits without sideways scrolling.
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    screenshot(page, f"staff-home-{width}")
    if width < 1024:  # the header collapses into the menu on a phone
        page.get_by_role("button", name="Menu").click()
    _search(page, case.reference.lower().removeprefix("crm-"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")

    page.goto(page.base_url + "/staff/")
    if width < 1024:
        page.get_by_role("button", name="Menu").click()
    _search(page, "lorry")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases matching “lorry”")
    hit = page.locator(".crm-search-hit", has_text=case.reference)
    expect(hit.locator("mark")).to_have_text("lorry")
    assert_no_axe_violations(page)
    screenshot(page, f"search-results-{width}")
    hit.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(f"/staff/cases/{case.reference}/$"))
