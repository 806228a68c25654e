"""The 360° page and the merge screen in Chromium: htmx under the CSP, keyboard, axe-core."""

import pytest
from playwright.sync_api import expect

from citizens.models import Citizen
from citizens.services import citizen_consent_set
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.citizens.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_360_page_loads_possible_duplicates_in_place(page, agent, make_citizen):
    jose = make_citizen("José", "Muñoz", email="jose@example.org", phone="+12175550001")
    make_citizen("Jose", "Munoz", phone="(217) 555-0001")
    citizen_consent_set(citizen=jose, kind="surveys", granted=False, source="email-unsubscribe")
    sign_in(page, "alex", PASSWORD)

    page.goto(f"{page.base_url}/staff/citizens/{jose.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("José Muñoz")
    expect(page.locator("main")).to_contain_text("Consent to surveys refused or withdrawn")
    button = page.get_by_role("link", name="Check for possible duplicates")
    button.focus()
    page.keyboard.press("Enter")

    expect(page.locator("#duplicates-result")).to_contain_text("Jose Munoz")
    expect(page.locator("#duplicates-result")).to_contain_text("Same phone")
    assert page.url.endswith(f"/staff/citizens/{jose.pk}/")  # swapped in place by htmx
    screenshot(page, "citizen-360-test")
    assert_no_axe_violations(page)


def test_supervisor_merges_two_records_choosing_values(page, supervisor, make_citizen):
    survivor = make_citizen("John", "Smith", email="john@example.org")
    other = make_citizen("Jonh", "Smith", email="jonh@example.org", phone="+13125550142")
    sign_in(page, "sam", PASSWORD)

    page.goto(f"{page.base_url}/staff/citizens/{survivor.pk}/merge/{other.pk}/")
    assert_no_axe_violations(page)
    page.get_by_role("group", name="Phone").get_by_text("+1 312-555-0142").click()
    # USWDS draws its own box: people click the label, the real input is visually hidden.
    page.get_by_text("I have checked that both records are the same person").click()
    expect(
        page.get_by_label("I have checked that both records are the same person")
    ).to_be_checked()
    page.get_by_role("button", name="Merge records").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("John Smith")
    expect(page.locator("main")).to_contain_text(f"Record {other.pk} (Jonh Smith) merged")
    expect(page.locator("main")).to_contain_text("+1 312-555-0142")
    expect(page.locator("main")).to_contain_text("john@example.org")
    assert Citizen.objects.get(pk=other.pk).merged_into_id == survivor.pk
