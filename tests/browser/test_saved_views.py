"""Saved views in the browser, at 1366 px: a supervisor filters the dashboard, saves the view
and reopens it from the saved list; an agent saves a queue view shared with the team and a
teammate opens it. axe-core finds nothing on any page visited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from cases.services import case_assign, case_create
from reports import figures
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.feedback.conftest import make_survey
from tests.reports.support import generate
from tests.reports.test_more_panels import _invite, _respond, _visit
from tests.visits.world import office_make

world = case_fixtures.world
clock = sla_support.clock
chi = sla_support.chi

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def dashboard_data(world, clock):
    """Three weeks of March 2026 cases, survey answers, walk-in visits, a reassignment."""
    generate(world, clock, count=18)
    survey = make_survey(world.agency)
    for i, (nps, resolved) in enumerate(((10, True), (9, True), (6, False), (8, True))):
        _respond(world, survey, chi(2026, 3, 10 + i, 11), nps=nps, resolved=resolved)
    _invite(world, survey, chi(2026, 3, 10, 9), 6)
    office = office_make(agency=world.agency, categories=[world.pothole], slug="city-hall")
    for i, (wait, desk) in enumerate(((5, 8), (12, 6), (20, 15))):
        _visit(office, world.pothole, i + 1, chi(2026, 3, 11, 9 + i), wait, desk)
    clock.set(chi(2026, 3, 24, 10))
    case = case_create(category=world.pothole, description="Hole", channel="phone",
                       actor=world.agent, attributes={"size": "small"})  # fmt: skip
    case_assign(case=case, assignee=world.agent, actor=world.supervisor)
    case.refresh_from_db()
    case_assign(case=case, assignee=world.agent2, actor=world.supervisor)
    clock.set(chi(2026, 3, 25, 12))
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    cache.clear()
    return world


def test_supervisor_saves_a_dashboard_view_and_reopens_it(page, world, dashboard_data):
    page.set_viewport_size(WIDE)
    sign_in(page, world.supervisor.username)
    page.goto(page.base_url + "/staff/dashboards/")
    page.get_by_label("Period").select_option("2026-03")
    page.get_by_label("Team").select_option(label="Roads")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=2026-03**")
    for title in ("Escalations", "Recommendation and resolution", "Reassignments",
                  "Walk-in waits"):  # fmt: skip
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    page.get_by_text("Save this view").click()
    page.get_by_label("Name of the view").fill("Roads in March")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("View saved: Roads in March.")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-new-panels-1366")

    page.goto(page.base_url + "/staff/dashboards/")  # back to the default view
    expect(page.get_by_label("Period")).to_have_value("30d")
    saved = page.get_by_role("region", name="Saved views")
    saved.get_by_role("link", name="Roads in March").click()
    page.wait_for_url(f"**team={world.roads.pk}**")
    expect(page.get_by_label("Period")).to_have_value("2026-03")
    expect(page.get_by_label("Team")).to_have_value(str(world.roads.pk))
    expect(saved.get_by_role("link", name="Roads in March")).to_have_attribute(
        "aria-current", "page"
    )
    assert_no_axe_violations(page)


def test_agent_shares_a_queue_view_and_a_teammate_opens_it(browser, page, world, clock):
    clock.set(chi(2026, 3, 24, 10))
    for priority in ("high", "normal", "high"):
        case_create(category=world.pothole, description="Hole", channel="phone",
                    actor=world.agent, priority=priority, attributes={"size": "small"})  # fmt: skip
    page.set_viewport_size(WIDE)
    sign_in(page, world.agent.username)
    page.goto(page.base_url + "/staff/cases/?queue=team")
    page.get_by_text("Filters and order").click()
    page.get_by_label("Priority", exact=True).select_option("high")
    page.get_by_label("Order", exact=True).select_option("sla")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**priority=high**")
    page.get_by_text("Save this view").click()
    page.get_by_label("Name of the view").fill("Urgent roads")
    page.get_by_label("Who can open it").select_option(label="Me and the Roads team")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("View saved: Urgent roads.")).to_be_visible()
    saved = page.get_by_role("region", name="Saved views")
    expect(saved).to_contain_text("(shared with your team)")
    assert_no_axe_violations(page)
    screenshot(page, "queue-saved-views-1366")

    context = browser.new_context(locale="en-US", viewport=WIDE)
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.base_url = page.base_url
    try:
        sign_in(other, world.agent2.username)
        other.goto(other.base_url + "/staff/cases/")
        shared = other.get_by_role("region", name="Saved views")
        expect(shared).to_contain_text("(shared by Alex)")
        assert_no_axe_violations(other)
        shared.get_by_role("link", name="Urgent roads").click()
        other.wait_for_url("**priority=high**")
        assert "queue=team" in other.url and "sort=sla" in other.url
        expect(other.get_by_role("status")).to_contain_text("Matching cases: 2")
        other.get_by_role("link", name="Manage saved views").click()
        expect(other.get_by_role("heading", name="Shared with you by your team")).to_be_visible()
        expect(other.get_by_role("button", name="Delete")).to_have_count(0)  # read-only
        assert_no_axe_violations(other)
        screenshot(other, "saved-views-list-teammate-1366")
    finally:
        context.close()
