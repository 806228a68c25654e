"""A world for the Open311 tests: two agencies (two jurisdictions), services, keys, a client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from agencies.models import Agency, Team
from agencies.services import calendar_create, team_create
from cases.models import AttributeDefinition, ServiceCategory
from open311.models import Open311Client
from open311.services import open311_client_create
from tests.cases.conftest import WEEKDAYS_9_TO_5, make_category, make_staff


@dataclass
class Open311World:
    agency: Agency
    other_agency: Agency
    roads: Team
    pothole: ServiceCategory
    graffiti: ServiceCategory
    hidden: ServiceCategory
    other_category: ServiceCategory
    client: Open311Client
    key: str
    other_key: str
    agent: Any


@pytest.fixture
def o311(db) -> Open311World:
    agency = Agency.objects.create(
        name="Public Works", slug="pw", timezone="America/Chicago",
        contact_email="311@pw.example.gov",
    )  # fmt: skip
    other = Agency.objects.create(name="Revenue", slug="rev", timezone="America/Chicago")
    calendar = calendar_create(agency=agency, name="Office", intervals=WEEKDAYS_9_TO_5, actor=None)
    other_calendar = calendar_create(
        agency=other, name="Office", intervals=WEEKDAYS_9_TO_5, actor=None
    )
    roads = team_create(agency=agency, name="Roads", slug="roads", calendar=calendar, actor=None)
    other_team = team_create(
        agency=other, name="Tax", slug="tax", calendar=other_calendar, actor=None
    )
    pothole = make_category(agency, roads, "pothole", "Pothole", keywords="hole, road",
                            description={"en": "A hole in the road"}, order=1,
                            open_data=True)  # fmt: skip
    AttributeDefinition.objects.create(
        category=pothole, code="size", label={"en": "How big is it?"}, datatype="singlevaluelist",
        required=True, order=1, description={"en": "Pick the closest size"},
        values=[{"key": "small", "name": {"en": "Small"}},
                {"key": "large", "name": {"en": "Large"}}],
    )  # fmt: skip
    AttributeDefinition.objects.create(
        category=pothole, code="hazards", label={"en": "Hazards"}, datatype="multivaluelist",
        order=2, values=[{"key": "water", "name": {"en": "Water"}},
                         {"key": "glass", "name": {"en": "Glass"}},
                         {"key": "traffic", "name": {"en": "Traffic"}}],
    )  # fmt: skip
    AttributeDefinition.objects.create(
        category=pothole, code="depth", label={"en": "Depth (cm)"}, datatype="number", order=3
    )
    graffiti = make_category(agency, roads, "graffiti", "Graffiti", order=2, open_data=True)
    hidden = make_category(agency, roads, "internal-only", "Internal only", public=False)
    other_category = make_category(
        other, other_team, "tax-question", "Tax question", open_data=True
    )
    client, key = open311_client_create(name="City app", agency=agency, actor=None)
    _other, other_key = open311_client_create(name="Revenue app", agency=other, actor=None)
    return Open311World(
        agency=agency, other_agency=other, roads=roads, pothole=pothole, graffiti=graffiti,
        hidden=hidden, other_category=other_category, client=client, key=key,
        other_key=other_key, agent=make_staff("alex", agency, "agent", [roads]),
    )  # fmt: skip


def url(path: str) -> str:
    return f"/open311/v2/{path}"


def body(response, fmt: str) -> Any:
    """The parsed body: JSON data, or the XML root element."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def errors(response, fmt: str) -> list[dict]:
    """The spec's error list as [{"code": int, "description": str}], from either format."""
    parsed = body(response, fmt)
    if fmt == "json":
        return parsed
    assert parsed.tag == "errors"
    return [
        {"code": int(e.findtext("code")), "description": e.findtext("description")}
        for e in parsed.findall("error")
    ]


def request_entries(response, fmt: str) -> list[dict]:
    """service_requests/request entries as dicts of text (XML) or values (JSON)."""
    parsed = body(response, fmt)
    if fmt == "json":
        return parsed
    assert parsed.tag == "service_requests"
    return [{child.tag: child.text for child in entry} for entry in parsed.findall("request")]


@pytest.fixture
def api(client: Client) -> Client:
    return client
