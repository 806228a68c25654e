"""A supervisor opens the audit trail after a status change, an assignment and a holiday added
to the calendar: the rows read as words, cases are linked by their reference, the holiday's
recomputation of twelve cases' deadlines is one row with its count and the cases behind it.
axe-core finds nothing, at a laptop's width and a phone's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from agencies.services import holiday_add
from cases.models import Case
from cases.services import case_assign, case_create, case_transition
from core.models import AuditEvent
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.cases.sla.support import chi, make_policy

world = case_fixtures.world
clock = sla_support.clock

pytestmark = pytest.mark.browser


def _case(world) -> Case:
    return case_create(category=world.graffiti, description="Tags on the park wall",
                       channel="phone", actor=world.agent)  # fmt: skip


@pytest.fixture
def history(world, clock):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 9, 15))
    cases = [_case(world) for _ in range(12)]
    worked = cases[0]
    clock.set(chi(2026, 3, 2, 9, 40))
    case_assign(case=worked, assignee=world.agent2, actor=world.supervisor)
    clock.set(chi(2026, 3, 2, 10, 5))
    case_transition(case=worked, to_status=Case.Status.IN_PROGRESS, actor=world.agent2)
    clock.set(chi(2026, 3, 2, 11))
    holiday_add(calendar=world.parks.calendar, date=date(2026, 3, 2), name="Snow day",
                actor=world.admin)  # fmt: skip
    clock.set(datetime.now(UTC))
    return worked


def test_supervisor_reads_the_audit_trail_in_words(page, world, history):
    recomputations = AuditEvent.objects.filter(action="sla.recomputed")
    assert recomputations.count() == 1

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, world.supervisor.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Audit trail"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")

    table = page.locator("table.crm-audit-table")
    expect(table).to_contain_text("Status changed to In progress")
    expect(table).to_contain_text("Assigned to Blair")
    expect(table).to_contain_text("Holiday added: Snow day, March 2, 2026")
    row = table.locator("tr", has_text="SLA deadlines recomputed")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("SLA deadlines recomputed for 12 cases after the calendar changed")
    expect(table).not_to_contain_text("case.")
    expect(table).not_to_contain_text("sla.recomputed")

    status_row = table.locator("tr", has_text="Status changed to In progress")
    expect(status_row).to_contain_text("March 2, 2026, 10:05 a.m.")  # Chicago time
    expect(status_row.get_by_role("link", name=history.reference, exact=True)).to_have_attribute(
        "href", f"/staff/cases/{history.reference}/"
    )

    row.locator("summary").click()
    expect(row.get_by_role("link", name="and 2 more")).to_be_visible()
    expect(row.locator(".crm-audit-related__list a")).to_have_count(10)
    assert_no_axe_violations(page)
    screenshot(page, "audit-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_axe_violations(page)
    screenshot(page, "audit-390")

    # The row's own page lists every case behind it.
    row.get_by_role("link", name="and 2 more").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("for 12 cases")
    expect(page.locator(".crm-audit-related__list a")).to_have_count(12)
    assert_no_axe_violations(page)

    # The history of one case: its own rows and the recomputation that moved it.
    page.goto(page.base_url + "/staff/audit/")
    status_row = page.locator("tr", has_text="Status changed to In progress")
    status_row.get_by_role("link", name=f"History {history.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"History of {history.reference}")
    expect(page.locator("table.crm-audit-table")).to_contain_text("recomputed for 12 cases")
    expect(page.locator("table.crm-audit-table")).to_contain_text("Case created")

    # Filters a supervisor uses: what happened.
    page.goto(page.base_url + "/staff/audit/")
    page.get_by_label("What happened").select_option(label="Status changes")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.crm-audit-table")).to_contain_text("Status changed to In progress")
    expect(page.locator("table.crm-audit-table")).not_to_contain_text("Assigned to Blair")
