"""A supervisor opens a citizen's subject access export from the 360° page; axe finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.services import case_create, case_note_add
from citizens.services import citizen_create
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures

world = case_fixtures.world

pytestmark = pytest.mark.browser


def test_supervisor_opens_the_subject_access_export(page, world):
    rosa = citizen_create(actor=world.agent, first_name="Rosa", last_name="Parks",
                          email="rosa@example.org")  # fmt: skip
    case = case_create(category=world.graffiti, description="Tags on my garage", channel="phone",
                       citizen=rosa, actor=world.agent)  # fmt: skip
    case_note_add(case=case, body="Called back on Monday", actor=world.agent)
    sign_in(page, world.supervisor.username)

    page.goto(page.base_url + f"/staff/citizens/{rosa.pk}/")
    page.get_by_role("link", name="Subject access export").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Subject access export")
    expect(page.get_by_text("Called back on Monday")).to_be_visible()
    expect(page.get_by_role("link", name="Download as JSON")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "subject-access")
