"""The case export: streamed, own agency only, filtered like the queue, audited, safe cells."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from cases.services import case_create
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def cases(world):
    world.parks.name = "=HYPERLINK(1)"
    world.parks.save()
    mine = case_create(category=world.graffiti, description="Tags", channel="phone",
                       actor=world.agent)  # fmt: skip
    road = case_create(category=world.pothole, description="Hole", channel="web",
                       actor=world.agent, attributes={"size": "small"})  # fmt: skip
    theirs = case_create(category=world.other_category, description="Tax", channel="email",
                         actor=world.other_agent)  # fmt: skip
    return mine, road, theirs


def test_export_is_scoped_filtered_audited_and_neutralised(client, world, cases):
    mine, road, _theirs = cases
    client.force_login(world.supervisor)
    rows = _rows(client.get("/staff/dashboards/cases.csv?queue=all&status=any"))
    assert rows[0][0] == "reference"
    references = {r[0] for r in rows[1:]}
    assert references == {mine.reference, road.reference}  # never another agency's
    parks_row = next(r for r in rows if r[0] == mine.reference)
    assert parks_row[6] == "'=HYPERLINK(1)"  # a formula is text in a spreadsheet
    only_web = _rows(client.get("/staff/dashboards/cases.csv?status=any&channel=web"))
    assert [r[0] for r in only_web[1:]] == [road.reference]
    audit = AuditEvent.objects.filter(action="cases.exported")
    assert audit.count() == 2
    assert audit.first().agency_id == world.agency.pk


def test_agents_cannot_export(client, world, cases):
    client.force_login(world.agent)
    assert client.get("/staff/dashboards/cases.csv").status_code == 403
