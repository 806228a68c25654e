"""Staff dashboards: scope per role, shared filters, CSV of what is shown."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from reports import figures
from tests.cases.conftest import make_staff
from tests.reports.support import generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world, clock):
    generate(world, clock, count=14)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    clock.set(clock.now.replace(day=28))
    return world


def _panel_rows(response, key: str) -> list[list[str]]:
    body = response.content.decode()
    return list(csv.reader(io.StringIO(body))) if key else body


def test_supervisor_sees_every_panel_of_the_agency(client, data):
    client.force_login(data.supervisor)
    page = client.get("/staff/dashboards/?period=2026-03")
    assert page.status_code == 200
    text = page.content.decode()
    for title in ("Volume", "Backlog and ageing", "Speed", "SLA compliance", "Satisfaction",
                  "Workload"):  # fmt: skip
        assert title in text
    volume = list(csv.reader(io.StringIO(client.get(
        "/staff/dashboards/panel.csv?panel=volume&period=2026-03").content.decode())))  # fmt: skip
    assert volume[0][0] == "Period" and volume[0][-1] == "Total"
    from reports.models import DailyFigure

    own = sum(DailyFigure.objects.filter(agency=data.agency).values_list("received", flat=True))
    assert sum(int(r[-1]) for r in volume[1:]) == own


def test_team_filter_narrows_and_another_agencys_team_is_ignored(client, data):
    client.force_login(data.supervisor)
    base = "/staff/dashboards/panel.csv?panel=volume&period=2026-03"
    parks = list(csv.reader(io.StringIO(
        client.get(f"{base}&team={data.parks.pk}").content.decode())))  # fmt: skip
    from reports.models import DailyFigure

    expected = sum(DailyFigure.objects.filter(team=data.parks).values_list("received", flat=True))
    assert sum(int(r[-1]) for r in parks[1:]) == expected
    # Another agency's team is not a choice: the filter falls back to the viewer's scope.
    foreign = client.get(f"{base}&team={data.other_team.pk}").content.decode()
    assert foreign == client.get(base).content.decode()


def test_agent_sees_their_teams_only(client, data):
    parks_agent = make_staff("pat", data.agency, "agent", [data.parks])
    client.force_login(parks_agent)
    rows = list(csv.reader(io.StringIO(client.get(
        "/staff/dashboards/panel.csv?panel=volume&period=2026-03").content.decode())))  # fmt: skip
    from reports.models import DailyFigure

    expected = sum(DailyFigure.objects.filter(team=data.parks).values_list("received", flat=True))
    assert sum(int(r[-1]) for r in rows[1:]) == expected


def test_every_panel_downloads_and_cells_are_neutralised(client, data):
    client.force_login(data.supervisor)
    for key in ("volume", "backlog", "speed", "sla", "satisfaction", "workload"):
        response = client.get(f"/staff/dashboards/panel.csv?panel={key}&period=90d")
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("text/csv")
    assert client.get("/staff/dashboards/panel.csv?panel=nope").status_code == 404
