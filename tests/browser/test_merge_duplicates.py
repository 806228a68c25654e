"""Issue 20: an agent opens a phone report, sees the same pothole already reported nearby among
its possible duplicates, and merges the phone report into it through the confirmation page
(keyboard); the kept case shows the merged case and its requester as a new follower.
Chromium at 1366 px, axe-core on every page of the journey."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cases.models import Case, CaseFollower, ServiceCategory
from cases.services import case_create, case_take
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in, tab_to

pytestmark = pytest.mark.browser


def test_an_agent_merges_a_phone_report_into_the_case_kept(page, demo_data):
    from cases.demo import catalogue_load, sla_policies_load

    catalogue_load()
    sla_policies_load()
    agent = get_user_model().objects.get(username="agent")
    pothole = ServiceCategory.objects.get(agency__slug="public-works", code="pothole")
    kept = case_create(
        category=pothole, description="Deep pothole outside 12 Elm Street", channel="web",
        attributes={"size": "large"}, address="12 Elm Street", latitude=Decimal("41.100000"),
        longitude=Decimal("-87.900000"), reporter_email="first@example.org",
        reporter_name="Fran First",
    )  # fmt: skip
    case_take(case=kept, actor=agent)
    phoned = case_create(
        category=pothole, description="Caller says a big hole near Elm Street", channel="phone",
        attributes={"size": "large"}, address="Elm Street by number 14",
        latitude=Decimal("41.100350"), longitude=Decimal("-87.900000"), actor=agent,
        reporter_email="sam.second@example.org", reporter_name="Sam Second", language="es",
    )  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "agent", demo_data)

    # The phone report: the pothole reported on the web 39 m away is a possible duplicate.
    page.goto(f"{page.base_url}/staff/cases/{phoned.reference}/")
    panel = page.locator("section.crm-duplicates")
    expect(panel.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    row = panel.get_by_role("row").filter(has_text=kept.reference).first
    expect(row).to_contain_text("39 m")
    expect(row).to_contain_text("Open")
    assert "first@example.org" not in panel.inner_text()  # nothing about the other requester
    assert_no_axe_violations(page)
    screenshot(page, "merge-case-page-panels-1366")
    panel.scroll_into_view_if_needed()
    page.locator(".crm-duplicates, .crm-related, .crm-followers").first.screenshot(
        path="test-artifacts/merge-possible-duplicates-panel-1366.png"
    )

    # "Merge into another case…": pick the possible duplicate, then confirm.
    page.get_by_role("link", name="Merge into another case…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Merge case {phoned.reference}")
    assert_no_axe_violations(page)
    screenshot(page, "merge-choose-1366")
    page.locator(f"label[for=into-{kept.reference}]").click()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Merge {phoned.reference} into {kept.reference}?"
    )
    expect(page.get_by_text("no survey is sent for it")).to_be_visible()
    expect(page.get_by_text(f"follows {kept.reference}: they get its news")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "merge-confirmation-1366")
    assert Case.objects.get(pk=phoned.pk).merged_into is None  # nothing until confirmed

    # Confirmed with the keyboard.
    tab_to(page, "#merge-confirm")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/staff/cases/{kept.reference}/")
    expect(page.get_by_text(f"{phoned.reference} is merged into {kept.reference}")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(f"Merged from {phoned.reference}")
    related = page.locator("section.crm-related")
    expect(related.get_by_role("link", name=phoned.reference)).to_be_visible()
    followers = page.locator("section.crm-followers")
    expect(followers).to_contain_text("Sam Second")
    expect(followers).to_contain_text(f"Requester of a merged case ({phoned.reference})")
    assert_no_axe_violations(page)
    screenshot(page, "merge-kept-case-1366")

    merged = Case.objects.get(pk=phoned.pk)
    assert (merged.status, merged.resolution_code, merged.merged_into_id) == (
        "closed", "duplicate", kept.pk,
    )  # fmt: skip
    assert CaseFollower.objects.filter(case=kept, email="sam.second@example.org").exists()

    # The merged case says where it went, and links there.
    timeline.get_by_role("link", name=f"Open {phoned.reference} and its timeline").click()
    expect(page.get_by_role("heading", name=f"Merged into {kept.reference}")).to_be_visible()
    expect(page.get_by_role("button", name="Undo the merge (reopen this case)")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "merge-merged-case-1366")


def test_a_follower_stops_following_from_the_emails_link_in_spanish(page, demo_data):
    """The follower email's link: a page that asks (390 px, Spanish), then stops; axe 0."""
    from cases.demo import catalogue_load
    from cases.follower_services import case_follower_add_citizen
    from cases.links import follower_unsubscribe_url

    catalogue_load()
    pothole = ServiceCategory.objects.get(agency__slug="public-works", code="pothole")
    case = case_create(
        category=pothole, description="Bache", channel="web", attributes={"size": "large"},
        reporter_email="first@example.org",
    )  # fmt: skip
    follower = case_follower_add_citizen(case=case, email="lucia@example.org", name="Lucía",
                                         language="es", source="web")  # fmt: skip
    link = follower_unsubscribe_url(follower.token, "es").split("/es/", 1)[1]
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{page.base_url}/es/{link}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dejar de seguir esta solicitud")
    expect(page.locator("main")).to_contain_text(case.reference)
    assert "first@example.org" not in page.content()
    assert_no_axe_violations(page)
    screenshot(page, "follower-unfollow-ask-390-es")
    page.get_by_role("button", name="Dejar de seguir").click()

    expect(page.get_by_role("status")).to_contain_text("Ya no sigue la solicitud")
    assert_no_axe_violations(page)
    screenshot(page, "follower-unfollow-done-390-es")
    follower.refresh_from_db()
    assert follower.unsubscribed_at is not None
