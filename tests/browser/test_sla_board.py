"""A supervisor opens the SLA board, sees a breached case and reassigns it with the bulk bar;
the case page shows its clocks. axe-core finds nothing on either page.

The cases are made through the services with the clock set back (a round-the-clock policy, so
the calendar's hours play no part), then the SLA sweep records the breach, as beat would.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Case
from cases.services import case_assign, case_create, case_transition
from cases.sla.services import sla_sweep
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.cases.sla.support import make_level, make_policy

# The fixtures of the case tests: their small world and a controllable clock.
world = case_fixtures.world
clock = sla_support.clock

pytestmark = pytest.mark.browser


def _case(world, category, **extra) -> Case:
    answers = {"size": "small"} if category == world.pothole else None
    return case_create(category=category, description="Blocked footpath", channel="phone",
                       actor=world.agent, attributes=answers, **extra)  # fmt: skip


def _resolved(world, clock, category, minutes: int) -> None:
    case = case_assign(case=_case(world, category), assignee=world.agent, actor=world.agent)
    clock.advance(minutes=minutes)
    case_transition(case=case, to_status=Case.Status.RESOLVED, actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip


@pytest.fixture
def breached(world, clock):
    """A case 2 h past its 1-hour target, one at risk, and a few resolved ones for the chart."""
    policy = make_policy(world, "Round the clock", first_response_minutes=None,
                         resolution_minutes=60, business_hours=False)  # fmt: skip
    make_level(policy, 1, 30)
    now = datetime.now(UTC)  # the real time (the clock fixture starts in March 2026)
    clock.set(now - timedelta(days=3))
    _resolved(world, clock, world.graffiti, 30)  # parks: met
    _resolved(world, clock, world.graffiti, 40)  # parks: met
    _resolved(world, clock, world.pothole, 90)  # roads: breached
    _resolved(world, clock, world.pothole, 20)  # roads: met
    clock.set(now - timedelta(hours=3))
    case = _case(world, world.pothole, priority="high")
    clock.set(now - timedelta(minutes=50))
    _case(world, world.graffiti)  # 50 of 60 minutes gone: at risk
    clock.set(now)
    sla_sweep(now=now)
    return Case.objects.get(pk=case.pk)


def test_supervisor_reassigns_a_breached_case_from_the_board(page, world, breached):
    sign_in(page, world.supervisor.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="SLA board"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("SLA board")
    row = page.locator("tr", has=page.get_by_role("link", name=breached.reference))
    expect(row).to_contain_text("Breached")
    expect(row).to_contain_text("2 h overdue")
    expect(row).to_contain_text("Nobody")
    counts = page.locator("#sla-counts")
    expect(counts.locator(".crm-sla-count--breached")).to_contain_text("1")
    expect(counts.locator(".crm-sla-count--at_risk")).to_contain_text("1")
    compliance = page.locator("table.crm-compliance-table")
    expect(compliance.locator("tr", has_text="Parks")).to_contain_text("100.0 %")
    expect(compliance.locator("tr", has_text="Roads")).to_contain_text("50.0 %")
    assert_no_axe_violations(page)
    screenshot(page, "sla-board")

    page.locator(f"label[for=select-{breached.pk}]").click()
    expect(page.locator(f"#select-{breached.pk}")).to_be_checked()
    page.get_by_label("Reassign to").select_option(label="Blair")
    page.get_by_role("button", name="Reassign selected").click()

    expect(page.locator("main .usa-alert--success")).to_contain_text("1 case assigned to Blair.")
    row = page.locator("tr", has=page.get_by_role("link", name=breached.reference))
    expect(row).to_contain_text("Blair")
    assert Case.objects.get(pk=breached.pk).assignee == world.agent2
    assert_no_axe_violations(page)

    row.get_by_role("link", name=breached.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {breached.reference}")
    box = page.get_by_role("region", name=re.compile("^SLA"))
    expect(box).to_contain_text("Breached")
    expect(box).to_contain_text("Round the clock")
    expect(box).to_contain_text("2 h overdue")
    expect(box).to_contain_text("Level 1")
    expect(box).to_contain_text("breach: resolution overdue")
    expect(box).to_contain_text("escalated to level 1")
    assert_no_axe_violations(page)
    screenshot(page, "sla-case-page")
