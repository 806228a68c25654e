"""A supervisor filters the dashboards to one team and one month and downloads a panel's CSV;
a citizen reads the transparency page on a phone, in English and Spanish, and downloads the
JSON. axe-core finds nothing on any of them."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from reports import figures
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.reports.support import generate
from tests.reports.test_transparency import _cases

world = case_fixtures.world
clock = sla_support.clock

pytestmark = pytest.mark.browser


@pytest.fixture
def figures_ready(world, clock):
    world.pothole.open_data = True
    world.pothole.save()
    generate(world, clock, count=18)
    _cases(world, clock, world.pothole, 10)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    cache.clear()
    return world


def test_supervisor_filters_the_dashboard_and_downloads_the_csv(page, world, figures_ready):
    sign_in(page, world.supervisor.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Dashboards"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboards")
    page.get_by_label("Period").select_option("2026-03")
    page.get_by_label("Team").select_option(label="Roads")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=2026-03**")
    assert f"team={world.roads.pk}" in page.url
    expect(page.get_by_role("heading", name="Volume")).to_be_visible()
    expect(page.locator("#caption-volume")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-roads-march")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV: Volume").click()
    with open(info.value.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    from reports.models import DailyFigure

    expected = sum(
        DailyFigure.objects.filter(team=world.roads, day__month=3).values_list(
            "received", flat=True
        )
    )
    assert rows[0][0] == "Period"
    assert sum(int(r[-1]) for r in rows[1:]) == expected > 0


@pytest.mark.parametrize("language", ["en", "es"])
def test_citizen_reads_transparency_on_a_phone(browser, live_server, figures_ready, language):
    context = browser.new_context(
        locale="es-ES" if language == "es" else "en-US",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/{language}/transparency/")
        heading = "How we are doing" if language == "en" else "Cómo lo estamos haciendo"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(
            page.get_by_text("Pothole" if language == "en" else "Pothole (es)").first
        ).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width} px)"
        assert_no_axe_violations(page)
        screenshot(page, f"transparency-phone-{language}")
        link = "Download JSON" if language == "en" else "Descargar JSON"
        with page.expect_download() as info:
            page.get_by_role("link", name=link).click()
        with open(info.value.path(), encoding="utf-8") as handle:
            data = json.load(handle)
        services = {s["service"] for a in data["agencies"] for s in a["services"]}
        assert services == {"pothole"}
        assert data["licence"] == "CC-BY-4.0"
    finally:
        context.close()
