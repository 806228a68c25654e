"""Issue 16: an agent sees a case a supervisor assigned to them appear on their home with a
notification, opens it from there, and mentions a colleague in an internal note by picking
them from the suggestions offered while typing. In Chromium, with axe-core watching."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cases.models import ServiceCategory
from cases.services import case_assign, case_create
from core.models import Notification
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def _assigned_case():
    from cases.demo import catalogue_load

    catalogue_load()
    users = get_user_model().objects
    pothole = ServiceCategory.objects.get(agency__slug="public-works", code="pothole")
    case = case_create(category=pothole, description="Hole by the school crossing",
                       channel="phone", attributes={"size": "large"})  # fmt: skip
    case_assign(case=case, assignee=users.get(username="agent"),
                actor=users.get(username="supervisor"))  # fmt: skip
    return case


@pytest.mark.parametrize("width", [1366, 390])
def test_an_assigned_case_reaches_the_agents_home_and_a_mention_reaches_a_colleague(
    page, demo_data, width
):
    case = _assigned_case()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "agent", demo_data)

    notices = page.get_by_role("region", name="Notifications")
    expect(notices.get_by_role("link", name="1 unread notification")).to_be_visible()
    expect(notices.get_by_role("link", name=f"Assigned to you: {case.reference}")).to_be_visible()
    my_work = page.get_by_role("region", name="My work")
    expect(my_work.get_by_role("link", name=case.reference)).to_be_visible()
    expect(page.locator(".crm-time-zone")).to_contain_text("America/Chicago")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    screenshot(page, f"home-assigned-notice-{width}")

    notices.get_by_role("link", name=f"Assigned to you: {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")

    page.locator("#action-note summary").click()  # "Add an internal note"
    note = page.get_by_label("Internal note")
    note.click()
    note.press_sequentially("Please check the depth, @sup")
    suggestions = page.get_by_role("listbox", name="Colleagues to mention")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option")).to_contain_text("@supervisor")
    assert_no_axe_violations(page)
    screenshot(page, f"mention-suggestions-{width}")
    note.press("Enter")  # picks the highlighted colleague, does not submit
    expect(note).to_have_value("Please check the depth, @supervisor ")
    note.press_sequentially("before Friday.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Internal note added.")).to_be_visible()

    [told] = Notification.objects.filter(recipient__username="supervisor", kind="case.mentioned")
    assert told.title.endswith(f"mentioned you on {case.reference}")
    assert "@supervisor before Friday." in told.body
