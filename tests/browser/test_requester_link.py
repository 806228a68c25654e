"""Issue 17 in the browser on the demo organisation: a web request gives the email of an existing
citizen, so the case is not linked but the record is suggested; the agent confirms it on the
case page and the case appears on the citizen's 360° page. axe-core finds nothing; the case
page at 1366 px goes to test-artifacts/requester-suggestion-1366.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def _web_request_from(citizen):
    """What the public form does for a requester who types `citizen`'s email (a suggestion)."""
    from agencies.models import Agency, Team
    from cases.citizen_services import Requester, case_create_for_requester
    from cases.models import ServiceCategory

    agency = Agency.objects.get(slug="public-works")
    bins, _ = ServiceCategory.objects.get_or_create(
        agency=agency, code="overflowing-bin",
        defaults={"name": {"en": "Overflowing bin"}, "group": {"en": "Streets"},
                  "owning_team": Team.objects.get(agency=agency, slug="sanitation")},
    )  # fmt: skip
    return case_create_for_requester(
        requester=Requester(name="Someone Typing", email=citizen.email, consent_surveys=True),
        source="web", category=bins, description="The bin on the corner is overflowing.",
        channel="web",
    )  # fmt: skip


def test_an_agent_confirms_the_suggested_citizen_and_the_case_joins_the_360_view(page, demo_data):
    from citizens.services import citizen_create

    citizen = citizen_create(actor=None, first_name="Marisol", last_name="Quintero",
                             email="marisol.quintero@example.org")  # fmt: skip
    case = _web_request_from(citizen)
    assert case.citizen is None and case.suggested_citizen == citizen

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "agent", demo_data)
    page.goto(f"{page.base_url}/staff/cases/{case.reference}/")
    box = page.locator("section.crm-requester")
    expect(box.get_by_role("heading", name="Requester")).to_be_visible()
    expect(box).to_contain_text("Not linked to a citizen record")
    suggestion = box.get_by_role("region", name="Possibly an existing citizen")
    expect(suggestion).to_contain_text(f"Record {citizen.pk}, {citizen.full_name}")
    expect(box).to_contain_text("Agreed to a short survey after the request is closed.")
    assert_no_axe_violations(page)
    screenshot(page, "requester-suggestion-1366")

    suggestion.get_by_role("button", name=f"Yes, link to {citizen.full_name}").click()

    expect(page.locator("main")).to_contain_text("The case is now linked to the citizen record.")
    expect(box).to_contain_text("Linked to a citizen record")
    assert_no_axe_violations(page)
    screenshot(page, "requester-linked-1366")
    box.get_by_role("link", name=f"Everything about {citizen.full_name} (360° view)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(citizen.full_name)
    expect(page.get_by_role("link", name=f"{case.reference} ·", exact=False)).to_be_visible()
    # The survey consent given with the request joined the record, with where it was given.
    expect(page.locator("#consent")).to_contain_text("Public web form")
    assert_no_axe_violations(page)
    screenshot(page, "requester-360-1366")

    # --- another request with her address: set aside, then linked through the search ---------
    other = _web_request_from(citizen)
    page.goto(f"{page.base_url}/staff/cases/{other.reference}/")
    box.get_by_role("button", name="Not the same person").click()
    expect(page.locator("main")).to_contain_text("The suggested record was set aside.")
    expect(box.get_by_role("region", name="Possibly an existing citizen")).to_have_count(0)
    box.get_by_role("link", name="Link to another citizen record…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Who made request {other.reference}?"
    )
    page.get_by_label("Name, email or phone number").fill("quintero")
    page.get_by_role("search", name="Find a citizen").get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 citizen found.")
    assert_no_axe_violations(page)
    screenshot(page, "requester-page-1366")
    page.get_by_role("button", name=f"Link to {citizen.full_name}").click()
    expect(page.locator("main")).to_contain_text(f"linked to the record of {citizen.full_name}")
    other.refresh_from_db()
    assert other.citizen_id == citizen.pk
