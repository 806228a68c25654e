"""Issue 16 in the browser on the demo data: the queue shows an SLA column and fits 1366 px
without sideways scrolling; "select all on this page" ticks every row; the staff home shows
the agent's work. axe-core finds nothing on either page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_the_queue_and_the_home_on_the_demo_data(page, transactional_db):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "agent", "demo-password-2026")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    breached = page.locator(".crm-figure", has_text="Breached")
    assert int(breached.locator(".crm-figure__count").inner_text()) > 0  # the demo's backlog
    assert_no_axe_violations(page)
    screenshot(page, "staff-home-demo-1366")

    page.goto(page.base_url + "/staff/cases/?queue=all")
    expect(page.get_by_role("columnheader", name="SLA")).to_be_visible()
    region = page.locator(".crm-queue .usa-table-container--scrollable")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the queue scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("label[for=select-all]").click()
    boxes = page.locator('input[name="cases"]')
    assert boxes.count() > 1
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert_no_axe_violations(page)
    screenshot(page, "queue-demo-1366")
