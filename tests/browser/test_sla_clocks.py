"""Issue 16, part 3 in the browser: a supervisor's home and the SLA board show both clocks
and the escalation level of each case (one whose first response is overdue, one whose
resolution is at risk, one escalated twice), at 1366 px without sideways scrolling and at
390 px stacked; the queue in SLA order pages on with its keyset cursor. axe-core finds
nothing on any of them.

The cases are made through the services with the clock set back (round-the-clock policies,
so the calendar's hours play no part whatever the hour of the run), then the SLA sweep
records breaches and escalations, as beat would.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from cases import references
from cases.models import Case
from cases.services import case_create, case_public_update
from cases.sla.services import sla_sweep
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.cases.sla.support import CHICAGO, make_level, make_policy

world = case_fixtures.world
clock = sla_support.clock

pytestmark = pytest.mark.browser


def _case(world, **extra) -> Case:
    return case_create(category=world.graffiti, description="Paint on the play area wall",
                       channel="phone", actor=world.agent, **extra)  # fmt: skip


@pytest.fixture
def clocks(world, clock):
    """Now: a case 1 h past its first response, one answered whose resolution is at risk
    (40 min left of 4 h), and an urgent one 2 h past resolution, escalated twice."""
    make_policy(world, "Round the clock", first_response_minutes=60, resolution_minutes=240,
                business_hours=False)  # fmt: skip
    urgent = make_policy(world, "Urgent, round the clock", priority="urgent",
                         first_response_minutes=30, resolution_minutes=120,
                         business_hours=False)  # fmt: skip
    make_level(urgent, 1, 30)
    make_level(urgent, 2, 60)
    now = datetime.now(UTC)  # the real time: the live server's pages are read now
    clock.set(now - timedelta(hours=4))
    escalated = _case(world, priority="urgent")
    clock.set(now - timedelta(hours=3, minutes=20))
    at_risk = _case(world)
    clock.set(now - timedelta(hours=3))
    case_public_update(case=at_risk, body="We will clean it this week.", actor=world.agent)
    clock.set(now - timedelta(hours=2))
    overdue = _case(world)
    clock.set(now)
    sla_sweep(now=now)
    return {"overdue": overdue, "at_risk": at_risk, "escalated": escalated}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways"
    )


def test_supervisor_sees_both_clocks_and_the_escalation_on_the_board(page, world, clocks):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, world.supervisor.username)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    breached = page.locator(".crm-figure", has_text="Breached in the agency")
    expect(breached.locator(".crm-figure__count")).to_have_text("2")
    at_risk_figure = page.locator(".crm-figure", has_text="At risk in the agency")
    expect(at_risk_figure.locator(".crm-figure__count")).to_have_text("1")
    _no_sideways_scroll(page)  # a supervisor's ten links and the search fit the header
    assert_no_axe_violations(page)
    screenshot(page, "staff-home-supervisor-1366")

    breached.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SLA board")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="First response")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Resolution")).to_be_visible()

    def row(name: str):
        return table.locator("tbody tr", has=page.get_by_role("link", name=clocks[name].reference))

    overdue = row("overdue")
    expect(overdue.locator("td").nth(0)).to_contain_text("Breached")
    expect(overdue.locator("td").nth(0)).to_contain_text("Not escalated")
    expect(overdue.locator("td").nth(1)).to_contain_text("1 h overdue")
    expect(overdue.locator("td").nth(1)).to_contain_text("was due")
    expect(overdue.locator("td").nth(2)).to_contain_text("2 h left")
    at_risk = row("at_risk")
    expect(at_risk.locator("td").nth(0)).to_contain_text("At risk")
    expect(at_risk.locator("td").nth(1)).to_contain_text("Met")
    expect(at_risk.locator("td").nth(2)).to_contain_text("40 min left")
    escalated = row("escalated")
    expect(escalated.locator("td").nth(0)).to_contain_text("Escalated, level 2")
    expect(escalated.locator("td").nth(2)).to_contain_text("2 h overdue")
    # Times read in the agency's zone (Chicago), whatever the server's (UTC).
    due = Case.objects.get(pk=clocks["at_risk"].pk).resolution_due_at.astimezone(CHICAGO)
    time = at_risk.locator("td").nth(2).locator("time")
    expect(time).to_have_attribute("datetime", due.isoformat())
    # Django's words for the hour ("11:40 a.m.", "noon" when the deadline falls on it).
    expect(time).to_contain_text(f"{due:%m/%d/%Y}, {dateformat.format(due, 'P')}")
    region = page.locator(".crm-sla-table-region")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the board scrolls sideways"
    _no_sideways_scroll(page)
    assert_no_axe_violations(page)
    screenshot(page, "sla-board-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".crm-sla-table thead")).to_be_hidden()  # stacked: a block per case
    expect(escalated.locator("td").nth(0)).to_be_visible()
    box = escalated.locator("td").nth(2).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    _no_sideways_scroll(page)
    page.locator(f"label[for=select-{clocks['escalated'].pk}]").click()
    expect(page.locator(f"#select-{clocks['escalated'].pk}")).to_be_checked()
    assert_no_axe_violations(page)
    screenshot(page, "sla-board-390")

    page.goto(page.base_url + "/staff/")
    _no_sideways_scroll(page)
    assert_no_axe_violations(page)
    screenshot(page, "staff-home-supervisor-390")


def test_the_queue_in_sla_order_pages_on_with_its_cursor(page, world):
    """60 open cases with deadlines in an order unlike their creation's, 5 without one: the
    first page holds the 50 nearest deadlines, the next page the rest, then those without."""
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(reference=references.reference_new(), agency=world.agency, category=world.graffiti,
             team=world.parks, description="Bulk", channel="phone",
             created_at=now - timedelta(days=2, minutes=i),
             resolution_due_at=now + timedelta(minutes=(i * 37) % 600) if i < 60 else None,
             sla_state="ok" if i < 60 else "none")
        for i in range(65)
    )  # fmt: skip
    last = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(cases, key=lambda c: (c.resolution_due_at or last, c.pk))
    expected = [c.reference for c in ordered]
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, world.agent.username)
    page.goto(page.base_url + "/staff/cases/?queue=all")
    page.locator(".crm-filters-panel__summary").click()
    page.get_by_label("Order", exact=True).select_option(label="SLA time left, most urgent first")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"sort=sla"))

    table = page.locator(".crm-queue-table")
    first = table.locator("tbody th[scope=row]").all_inner_texts()
    assert first == expected[:50]
    expect(page.get_by_label("Order", exact=True)).to_have_value("sla")
    assert_no_axe_violations(page)
    screenshot(page, "queue-sla-order-1366")

    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"cursor="))
    second = table.locator("tbody th[scope=row]").all_inner_texts()
    assert second == expected[50:]
    assert "sort=sla" in page.url
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    expect(table.locator("tbody tr").last).to_contain_text("No SLA")
    assert_no_axe_violations(page)
