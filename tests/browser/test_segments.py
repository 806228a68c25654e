"""A supervisor builds a segment of Spanish-speaking citizens with a pothole case last month,
watching its size change, and sends them a survey: two are invited, one is left out by the
fatigue rules (no survey consent). axe-core finds nothing on each page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import SurveyInvitation
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures
from tests.segments.support import people, survey

world = case_fixtures.world
pytestmark = pytest.mark.browser


def test_supervisor_builds_a_segment_and_sends_a_survey(page, world):
    people(world)
    survey(world)
    sign_in(page, world.supervisor.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Segments"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Segments for outreach")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="New segment").click()

    size = page.locator("#segment-size")
    page.get_by_label("Name of the segment").fill("Spanish speakers, potholes last month")
    page.locator("label", has_text="Spanish").click()
    expect(size).to_contain_text("5 citizens match.")
    page.locator("label", has_text="Pothole").click()
    expect(size).to_contain_text("3 citizens match.")
    today = timezone.localdate()
    page.get_by_label("…opened on or after").fill((today - timedelta(days=45)).isoformat())
    page.get_by_label("…opened on or before").fill(today.isoformat())
    page.get_by_label("…opened on or before").dispatch_event("change")
    expect(size).to_contain_text("3 citizens match.")
    assert_no_axe_violations(page)
    screenshot(page, "segment-builder")
    page.get_by_role("button", name="Save the segment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Spanish speakers, potholes last month"
    )
    expect(page.locator("main")).to_contain_text("3 members")
    members = page.get_by_role("table")
    for name in ("ana Test", "berta Test", "carlos Test"):
        expect(members).to_contain_text(name)
    assert_no_axe_violations(page)
    page.get_by_label("Survey").select_option(label="Street works")
    page.get_by_role("button", name="Send the survey to this segment").click()
    alert = page.locator("main .usa-alert--success")
    expect(alert).to_contain_text("2 members invited to the survey.")
    expect(alert).to_contain_text("did not agree to surveys: 1")
    assert_no_axe_violations(page)
    screenshot(page, "segment-survey-sent")
    assert set(SurveyInvitation.objects.values_list("citizen__first_name", flat=True)) == {
        "ana",
        "berta",
    }
