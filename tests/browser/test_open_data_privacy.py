"""Issue 13 in the browser: what staff write for the public feed, and what they write to one
citizen, go to different places; an app's unproved email is a suggestion staff confirm."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cases.models import Case, ServiceCategory
from cases.services import case_create, case_take
from citizens.services import citizen_create
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

TO_CITIZEN = "Hello Martin, as agreed on the phone we come to your flat 4B on Monday."
FOR_THE_FEED = "Pothole filled"


def _demo_pothole() -> ServiceCategory:
    from cases.demo import catalogue_load

    catalogue_load()
    return ServiceCategory.objects.get(agency__slug="public-works", code="pothole")


def _open_action(page, title: str):
    action = page.locator("details.crm-action", has=page.get_by_text(title, exact=True))
    action.locator("summary").click()
    return action


def test_agent_writes_to_the_citizen_and_for_the_feed_and_only_the_feed_note_is_published(
    page, demo_data
):
    pothole = _demo_pothole()
    assert pothole.open_data  # the demo publishes street problems
    martin = citizen_create(actor=None, first_name="Martin", last_name="Vogel",
                            email="martin.vogel@example.org")  # fmt: skip
    case = case_create(category=pothole, description="Hole outside flat 4B", channel="phone",
                       citizen=martin, address="Flat 4B, 12 Elm Street",
                       attributes={"size": "large"})  # fmt: skip
    case_take(case=case, actor=get_user_model().objects.get(username="agent"))
    sign_in(page, "agent", demo_data)
    page.goto(f"{page.base_url}/staff/cases/{case.reference}/")

    action = _open_action(page, "Send an update to the citizen")
    expect(action).to_contain_text("never published on the open data feed")
    action.get_by_label("Message to the citizen").fill(TO_CITIZEN)
    action.get_by_role("button", name="Send update").click()
    expect(page.locator("main")).to_contain_text("Update sent to the citizen.")

    action = _open_action(page, "Change the status")
    expect(action).to_contain_text("Do not address the citizen or write anything personal.")
    action.get_by_label("New status").select_option(label="Resolved")
    action.get_by_label("Resolution").select_option(label="Resolved")
    action.get_by_text("Yes", exact=True).click()
    action.get_by_label("Note for the public feed (optional)").fill(FOR_THE_FEED)
    assert_no_axe_violations(page)
    screenshot(page, "case-feed-note")
    action.get_by_role("button", name="Change status").click()
    expect(page.locator("main")).to_contain_text("Status changed to “Resolved”.")
    expect(page.locator(".crm-event", has_text=FOR_THE_FEED)).to_contain_text(
        "Note for the public feed"
    )
    assert_no_axe_violations(page)

    # What anyone on the internet reads about it.
    page.goto(f"{page.base_url}/open311/v2/requests/{case.reference}.json"
              "?jurisdiction_id=public-works")  # fmt: skip
    [entry] = json.loads(page.locator("body").inner_text())
    assert entry["status_notes"] == FOR_THE_FEED
    assert entry["address"] is None
    published = json.dumps(entry)
    for private in ("Martin", "4B", "Elm", "flat"):
        assert private not in published


def test_an_apps_report_with_a_known_email_is_linked_only_when_staff_confirm(page, demo_data):
    pothole = _demo_pothole()
    martin = citizen_create(actor=None, first_name="Martin", last_name="Vogel",
                            email="martin.vogel@example.org")  # fmt: skip
    case = case_create(category=pothole, description="Pothole", channel="open311",
                       reporter_email="martin.vogel@example.org", suggested_citizen=martin,
                       attributes={"size": "small"})  # fmt: skip
    sign_in(page, "agent", demo_data)
    page.goto(f"{page.base_url}/staff/cases/{case.reference}/")
    citizen_box = page.locator("section", has=page.get_by_role("heading", name="Requester"))
    expect(citizen_box).to_contain_text("Not linked to a citizen record")
    expect(citizen_box).to_contain_text("Nobody has proved that address")
    assert_no_axe_violations(page)
    screenshot(page, "case-suggested-citizen")
    citizen_box.get_by_role("button", name=re.compile("link to Martin Vogel")).click()
    expect(page.locator("main")).to_contain_text("The case is now linked to the citizen record.")
    expect(citizen_box).to_contain_text("Everything about Martin Vogel")
    assert Case.objects.get(pk=case.pk).citizen == martin
