"""Discovery, the service list and service definitions; jurisdiction rules; error lists."""

from __future__ import annotations

import pytest

from agencies.models import Agency
from agencies.services import calendar_create, team_create
from tests.cases.conftest import WEEKDAYS_9_TO_5, make_category
from tests.open311.conftest import body, errors, url

FORMATS = ["xml", "json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_the_endpoint_and_its_formats(o311, api, fmt):
    response = api.get(url(f"discovery.{fmt}"), {"jurisdiction_id": "pw"})
    assert response.status_code == 200
    parsed = body(response, fmt)
    if fmt == "json":
        endpoint = parsed["endpoints"][0]
        assert parsed["changeset"] and "311@pw.example.gov" in parsed["contact"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2")
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        assert parsed.tag == "discovery"
        assert parsed.findtext("key_service")
        endpoint = parsed.find("endpoints/endpoint")
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in endpoint.findall("formats/format")] == [
            "text/xml",
            "application/json",
        ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_needs_no_jurisdiction(o311, api, fmt):
    assert api.get(url(f"discovery.{fmt}")).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_shows_the_jurisdictions_public_services(o311, api, fmt):
    response = api.get(url(f"services.{fmt}"), {"jurisdiction_id": "pw"})
    assert response.status_code == 200
    parsed = body(response, fmt)
    if fmt == "json":
        services = parsed
    else:
        assert parsed.tag == "services"
        services = [{c.tag: c.text for c in s} for s in parsed.findall("service")]
    assert [s["service_code"] for s in services] == ["pothole", "graffiti"]  # no hidden, no rev
    pothole = services[0]
    assert pothole["service_name"] == "Pothole"
    assert pothole["description"] == "A hole in the road"
    assert pothole["keywords"] == "hole, road"
    assert pothole["group"] == "Streets"
    assert pothole["type"] == "realtime"
    assert pothole["metadata"] in (True, "true")
    assert services[1]["metadata"] in (False, "false")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_attributes(o311, api, fmt):
    response = api.get(url(f"services/pothole.{fmt}"), {"jurisdiction_id": "pw"})
    assert response.status_code == 200
    parsed = body(response, fmt)
    if fmt == "json":
        assert parsed["service_code"] == "pothole"
        size, hazards, depth = parsed["attributes"]
        assert size == {
            "variable": True, "code": "size", "datatype": "singlevaluelist", "required": True,
            "datatype_description": "Pick the closest size", "order": 1,
            "description": "How big is it?",
            "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
        }  # fmt: skip
        assert [v["key"] for v in hazards["values"]] == ["water", "glass", "traffic"]
        assert hazards["required"] is False and hazards["order"] == 2
        assert depth["datatype"] == "number" and "values" not in depth
    else:
        assert parsed.tag == "service_definition"
        assert parsed.findtext("service_code") == "pothole"
        attributes = parsed.findall("attributes/attribute")
        assert [a.findtext("code") for a in attributes] == ["size", "hazards", "depth"]
        size = attributes[0]
        assert size.findtext("variable") == "true"
        assert size.findtext("required") == "true"
        assert size.findtext("datatype") == "singlevaluelist"
        assert size.findtext("order") == "1"
        assert size.findtext("description") == "How big is it?"
        values = size.findall("values/value")
        assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
            ("small", "Small"),
            ("large", "Large"),
        ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["nothing", "internal-only", "tax-question"])
def test_unknown_or_other_jurisdictions_service_is_404(o311, api, fmt, code):
    response = api.get(url(f"services/{code}.{fmt}"), {"jurisdiction_id": "pw"})
    assert response.status_code == 404
    assert errors(response, fmt) == [
        {"code": 404, "description": f"service_code '{code}' was not found."}
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "path", ["services", "services/pothole", "requests", "requests/CRM-2026-AAAAAA", "tokens/x"]
)
def test_jurisdiction_is_required_when_there_are_several(o311, api, fmt, path):
    response = api.get(url(f"{path}.{fmt}"))
    assert response.status_code == 400
    [error] = errors(response, fmt)
    assert error["code"] == 400 and "jurisdiction_id was not provided" in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_jurisdiction_is_404(o311, api, fmt):
    response = api.get(url(f"services.{fmt}"), {"jurisdiction_id": "nowhere.gov"})
    assert response.status_code == 404
    assert errors(response, fmt) == [
        {"code": 404, "description": "jurisdiction_id 'nowhere.gov' was not found."}
    ]


def test_a_single_jurisdiction_may_be_left_out(db, api):
    agency = Agency.objects.create(name="Town", slug="town", timezone="UTC")
    calendar = calendar_create(agency=agency, name="Office", intervals=WEEKDAYS_9_TO_5, actor=None)
    team = team_create(agency=agency, name="Works", slug="works", calendar=calendar, actor=None)
    make_category(agency, team, "litter", "Litter")
    response = api.get(url("services.json"))
    assert response.status_code == 200
    assert [s["service_code"] for s in body(response, "json")] == ["litter"]
    # "Optional" per the spec: given empty is the same as not given.
    assert api.get(url("services.json"), {"jurisdiction_id": ""}).status_code == 200
    assert api.get(url("services.json"), {"jurisdiction_id": "town"}).status_code == 200
    assert api.get(url("services.json"), {"jurisdiction_id": "city"}).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_resource_and_wrong_method_answer_with_an_error_list(o311, api, fmt):
    response = api.get(url(f"nothing-here.{fmt}"))
    assert response.status_code == 404
    assert errors(response, fmt)[0]["code"] == 404
    response = api.delete(url(f"services.{fmt}"))
    assert response.status_code == 405
    assert errors(response, fmt)[0]["code"] == 405
