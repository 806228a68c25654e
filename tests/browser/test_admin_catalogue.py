"""An agency admin adds a service with two questions (one with options typed in rows) and an SLA
policy for it, in the browser, by the labels a person reads; axe-core finds nothing on the pages
visited. Screenshots of the category form at 1366 and 390 px go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import ServiceCategory, SlaPolicy
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.test_admin_save_sweep import _agency_admin, _demo_world

pytestmark = pytest.mark.browser


def _question(page, number: int):
    """The number-th question of the form (1-based), as added with "Add another question"."""
    return page.locator(f"#attributes-{number - 1}")


def test_an_admin_adds_a_service_with_two_questions_and_an_sla_policy(page):
    _demo_world()
    admin = _agency_admin()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, admin.username)

    page.goto(page.base_url + "/admin/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Service categories").first.click()
    page.get_by_role("link", name="Add service category").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add service category")

    page.get_by_role("textbox", name="Code:").fill("abandoned-bike")
    name = page.get_by_role("group", name="Name")
    name.get_by_label("English").fill("Abandoned bicycle")
    name.get_by_label("Spanish").fill("Bicicleta abandonada")
    page.get_by_role("group", name="Description").get_by_label("English").fill(
        "A bicycle left locked to public property for weeks."
    )
    page.get_by_role("combobox", name="Owning team:").select_option(label="Sanitation")

    page.get_by_role("button", name="Add another Question").click()
    first = _question(page, 1)
    first.get_by_role("textbox", name="Code:").fill("state")
    first.get_by_role("group", name="Question").get_by_label("English").fill("What state is it in?")
    first.get_by_role("group", name="Question").get_by_label("Spanish").fill("¿En qué estado está?")
    first.get_by_role("combobox", name="Answer type:").select_option(label="Pick one")
    options = first.get_by_role("group", name="Options")
    expect(options).to_be_visible()
    options.get_by_label("Option 1: label (English)").fill("Rideable")
    options.get_by_label("Option 1: label (Spanish)").fill("Se puede usar")
    options.get_by_label("Option 2: value").fill("stripped")
    options.get_by_label("Option 2: label (English)").fill("Stripped of parts")
    options.get_by_role("button", name="Add another option").click()
    options.get_by_label("Option 3: label (English)").fill("Rideable")  # a duplicate, on purpose
    first.get_by_label("An answer is required").check()

    page.get_by_role("button", name="Add another Question").click()
    second = _question(page, 2)
    # Its code is left empty: it is made from the English question ("where-exactly").
    second.get_by_role("group", name="Question").get_by_label("English").fill("Where exactly?")
    second.get_by_role("combobox", name="Answer type:").select_option(label="Short text")
    expect(second.get_by_role("group", name="Options")).to_be_hidden()  # no options to give
    second.get_by_role("spinbutton", name="Order:").fill("1")
    screenshot(page, "admin-category-add-1366")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Save", exact=True).click()
    errors = first.locator(".errorlist")
    expect(errors).to_contain_text("Two options have the value “rideable”")
    assert_no_axe_violations(page)
    options = _question(page, 1).get_by_role("group", name="Options")
    options.get_by_label("Option 3: label (English)").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert_no_axe_violations(page)

    category = ServiceCategory.objects.get(code="abandoned-bike")
    state, where = category.attributes.order_by("order", "id")
    assert (state.datatype, state.required, where.datatype) == ("singlevaluelist", True, "string")
    assert where.code == "where-exactly"
    assert state.values == [
        {"key": "rideable", "name": {"en": "Rideable", "es": "Se puede usar"}},
        {"key": "stripped", "name": {"en": "Stripped of parts"}},
    ]

    page.get_by_role("link", name="SLA policies").first.click()
    page.get_by_role("link", name="Add SLA policy").click()
    page.get_by_role("textbox", name="Name:").fill("Bicycles")
    page.get_by_role("combobox", name="Service:").select_option(label="Abandoned bicycle")
    first_response = page.get_by_role("group", name="First response target")
    first_response.get_by_label("hours").fill("2")
    resolution = page.get_by_role("group", name="Resolution target")
    resolution.get_by_label("hours").fill("16")
    resolution.get_by_label("minutes").fill("30")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    row = page.locator("#result_list tr", has_text="Bicycles")
    expect(row).to_contain_text("Abandoned bicycle")
    expect(row).to_contain_text("2 h")
    expect(row).to_contain_text("16 h 30 min")
    expect(row).to_contain_text("business hours")
    assert_no_axe_violations(page)
    policy = SlaPolicy.objects.get(name="Bicycles")
    assert (policy.category, policy.first_response_minutes, policy.resolution_minutes) == (
        category,
        120,
        990,
    )

    # The form a person sees on a laptop and on a phone (test-artifacts/).
    page.goto(page.base_url + f"/admin/cases/servicecategory/{category.pk}/change/")
    screenshot(page, "admin-category-change-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "admin-category-change-390")
    assert_no_axe_violations(page)
