"""The public transparency page and open data: public services only, small cells withheld."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache

from cases.models import Case
from reports import figures
from tests.cases.conftest import make_category
from tests.reports.support import _resolve

pytestmark = pytest.mark.django_db


def _cases(world, clock, category, count: int, resolve: bool = True) -> None:
    from cases.services import case_create

    for i in range(count):
        answers = {"size": "small"} if category.code == "pothole" else None
        case = case_create(category=category, description=f"Case {i}", channel="web",
                           actor=world.agent, attributes=answers)  # fmt: skip
        if resolve:
            clock.advance(hours=5 + i)
            _resolve(case, world.agent)
        clock.advance(hours=1)


@pytest.fixture
def published(world, clock):
    world.pothole.open_data = True
    world.pothole.save()
    lights = make_category(world.agency, world.roads, "street-light", "Street light",
                           open_data=True)  # fmt: skip
    secret = make_category(world.agency, world.roads, "tax-secret", "Tax secret")
    _cases(world, clock, world.pothole, 12)
    _cases(world, clock, lights, 4)
    _cases(world, clock, secret, 11)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    cache.clear()
    return {"lights": lights, "secret": secret}


def test_only_public_services_and_no_small_cell_is_published(client, world, published):
    data = client.get("/en/transparency.json").json()
    services = {s["service"]: s for a in data["agencies"] for s in a["services"]}
    assert set(services) == {"pothole", "street-light"}  # never tax-secret or graffiti
    assert services["pothole"]["total"]["received"] == 12
    assert services["pothole"]["total"]["resolved"] == 12
    assert services["pothole"]["total"]["median_days_to_resolve"] is not None
    lights = services["street-light"]["total"]
    assert lights["received"] is None and "received" in lights["suppressed"]
    assert lights["median_days_to_resolve"] is None
    # Exactly one service withheld: the agency total is withheld too (no subtraction).
    agency = data["agencies"][0]
    assert agency["total"]["received"] is None
    # No published figure anywhere comes from fewer than 10 cases.
    for a in data["agencies"]:
        for s in a["services"]:
            for cell in [s["total"], *s["months"]]:
                for name in ("received", "resolved", "csat_answers"):
                    assert cell[name] is None or cell[name] >= 10
    body = client.get("/en/transparency.csv").content.decode()
    assert "tax-secret" not in body and "Tax secret" not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["service"] for r in rows} == {"pothole", "street-light"}
    for row in rows:
        for name in ("received", "resolved"):
            assert row[name] == "" or int(row[name]) >= 10
    page = client.get("/es/transparency/").content.decode()
    assert "Tax secret" not in page and "Pothole (es)" in page
    assert "resident@example.org" not in page and "Case 1" not in page


def test_open_data_is_cacheable_with_an_etag(client, published):
    first = client.get("/en/transparency.json")
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public, max-age=")
    etag = first["ETag"]
    again = client.get("/en/transparency.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    data = first.json()
    assert data["licence"] == "CC-BY-4.0" and data["schema_version"]
    assert data["last_updated"] != "never"
    csv_response = client.get("/en/transparency.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["ETag"] != etag
    assert client.get("/es/transparency/").status_code == 200


def test_a_change_moves_the_etag(client, world, clock, published):
    etag = client.get("/en/transparency.json")["ETag"]
    _cases(world, clock, world.pothole, 1)
    clock.advance(minutes=1)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    response = client.get("/en/transparency.json", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert Case.objects.count() == 28
