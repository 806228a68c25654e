"""GET requests, requests/{id} and tokens/{token}: public, no personal data, spec's rules."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case
from cases.services import case_create, case_note_add, case_public_update, case_transition
from citizens.services import citizen_create
from open311.tokens import request_token
from tests.open311.conftest import body, errors, request_entries, url

FORMATS = ["xml", "json"]
FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip


def make_case(category, *, days_ago: float = 0, **extra) -> Case:
    case = case_create(
        category=category,
        description=extra.pop("description", "Something to fix"),
        channel=extra.pop("channel", "phone"),
        attributes=extra.pop("attributes", {"size": "small"} if category.code == "pothole" else {}),
        **extra,
    )
    if days_ago:
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        case.refresh_from_db()
    return case


def close(case: Case, agent) -> None:
    case_transition(case=case, to_status="open", actor=agent)
    case_transition(case=case, to_status="resolved", actor=agent, resolution_code="resolved",
                    citizen_contacted=True)  # fmt: skip


def ids(response, fmt: str) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["service_request_id"] for entry in request_entries(response, fmt)]


@pytest.fixture
def cases(o311):
    old = make_case(o311.graffiti, days_ago=100)
    recent = make_case(o311.pothole, days_ago=2, address="5 Oak Ave", latitude=41.5,
                       longitude=-87.5, address_public=True)  # fmt: skip
    newest = make_case(o311.graffiti, days_ago=1)
    closed = make_case(o311.pothole, days_ago=3)
    close(closed, o311.agent)
    hidden = make_case(o311.hidden, days_ago=1)
    other = make_case(o311.other_category, days_ago=1)
    return {"old": old, "recent": recent, "newest": newest, "closed": closed, "hidden": hidden,
            "other": other}  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_default_to_the_last_90_days_newest_first(o311, api, cases, fmt):
    response = api.get(url(f"requests.{fmt}"), {"jurisdiction_id": "pw"})
    wanted = [cases["newest"], cases["recent"], cases["closed"]]  # not old, hidden or other
    assert ids(response, fmt) == [c.reference for c in wanted]
    for entry in request_entries(response, fmt):
        assert set(entry) == FIELDS


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_explicit_window_finds_older_requests(o311, api, cases, fmt):
    now = timezone.now()
    params = {
        "jurisdiction_id": "pw",
        "start_date": (now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (now - timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert ids(api.get(url(f"requests.{fmt}"), params), fmt) == [cases["old"].reference]
    # Only a start date: the 90 days from it.
    params.pop("end_date")
    assert ids(api.get(url(f"requests.{fmt}"), params), fmt) == [cases["old"].reference]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z", "end_date must not be before start_date."),
        ("2026-01-01T00:00:00Z", "2026-04-02T00:00:00Z",
         "start_date and end_date may not span more than 90 days."),
        ("yesterday", "", "start_date must be a W3C date-time, e.g. 2010-01-01T00:00:00Z."),
    ],
)  # fmt: skip
def test_bad_date_windows_are_400(o311, api, fmt, start, end, message):
    params = {"jurisdiction_id": "pw", "start_date": start, "end_date": end}
    response = api.get(url(f"requests.{fmt}"), params)
    assert response.status_code == 400
    assert errors(response, fmt) == [{"code": 400, "description": message}]


def test_a_90_day_window_with_offsets_is_accepted(o311, api):
    params = {"jurisdiction_id": "pw", "start_date": "2026-01-01T00:00:00-06:00",
              "end_date": "2026-04-01T00:00:00-06:00"}  # fmt: skip
    assert api.get(url("requests.json"), params).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_and_service_code_filters(o311, api, cases, fmt):
    def get(**params):
        return ids(api.get(url(f"requests.{fmt}"), {"jurisdiction_id": "pw", **params}), fmt)

    assert get(status="closed") == [cases["closed"].reference]
    assert get(status="open") == [cases["newest"].reference, cases["recent"].reference]
    assert len(get(status="open,closed")) == 3
    assert get(service_code="pothole") == [cases["recent"].reference, cases["closed"].reference]
    assert get(service_code="pothole", status="open") == [cases["recent"].reference]
    response = api.get(url(f"requests.{fmt}"), {"jurisdiction_id": "pw", "status": "pending"})
    assert response.status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_list_overrides_the_other_filters(o311, api, cases, fmt):
    wanted = f"{cases['old'].reference},{cases['recent'].reference},CRM-2026-ZZZZZZ"
    params = {"jurisdiction_id": "pw", "service_request_id": wanted, "status": "closed"}
    assert set(ids(api.get(url(f"requests.{fmt}"), params), fmt)) == {
        cases["old"].reference,
        cases["recent"].reference,
    }
    # Another jurisdiction's request is not listed.
    params["service_request_id"] = cases["other"].reference
    assert ids(api.get(url(f"requests.{fmt}"), params), fmt) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_maps_our_case_to_the_spec(o311, api, cases, fmt):
    case = cases["recent"]
    Case.objects.filter(pk=case.pk).update(media_url="https://img.example.org/1.jpg")
    case_transition(case=case, to_status="open", actor=o311.agent,
                    feed_note="A crew is booked for Monday.")  # fmt: skip
    case.refresh_from_db()
    response = api.get(url(f"requests/{case.reference}.{fmt}"), {"jurisdiction_id": "pw"})
    [entry] = request_entries(response, fmt)
    assert entry["service_request_id"] == case.reference
    assert entry["status"] == "open"
    assert entry["status_notes"] == "A crew is booked for Monday."
    assert entry["service_code"] == "pothole" and entry["service_name"] == "Pothole"
    assert entry["agency_responsible"] == "Roads"
    assert entry["address"] == "5 Oak Ave"
    assert entry["media_url"] == "https://img.example.org/1.jpg"
    assert parse_datetime(entry["requested_datetime"]) == case.created_at.replace(microsecond=0)
    assert entry["requested_datetime"][-6:] in ("-05:00", "-06:00")  # with the offset (Chicago)
    if fmt == "json":
        assert entry["lat"] == 41.5 and entry["long"] == -87.5
        assert entry["zipcode"] is None
    else:
        assert entry["lat"] == "41.5" and entry["long"] == "-87.5"
    if case.resolution_due_at:
        assert entry["expected_datetime"]
    closed = request_entries(
        api.get(url(f"requests/{cases['closed'].reference}.{fmt}"), {"jurisdiction_id": "pw"}),
        fmt,
    )[0]
    assert closed["status"] == "closed"


def test_expected_datetime_is_the_sla_resolution_deadline(o311, api, cases):
    case = cases["recent"]
    due = timezone.now() + timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(resolution_due_at=due)
    [entry] = body(api.get(url(f"requests/{case.reference}.json"), {"jurisdiction_id": "pw"}),
                   "json")  # fmt: skip
    assert parse_datetime(entry["expected_datetime"]) == due.replace(microsecond=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_or_foreign_request_is_404(o311, api, cases, fmt):
    for reference in ("CRM-2026-ZZZZZZ", cases["other"].reference, cases["hidden"].reference):
        response = api.get(url(f"requests/{reference}.{fmt}"), {"jurisdiction_id": "pw"})
        assert response.status_code == 404
        assert errors(response, fmt) == [
            {"code": 404, "description": f"service_request_id '{reference}' was not found."}
        ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_output_has_no_personal_data_and_no_internal_notes(o311, api, fmt):
    citizen = citizen_create(actor=None, first_name="Zelda", last_name="Quixote",
                             email="zelda.q@example.org", phone="+13125550199")  # fmt: skip
    case = make_case(o311.graffiti, citizen=citizen, reporter_email="zelda.q@example.org",
                     reporter_name="Zelda Quixote")  # fmt: skip
    case_transition(case=case, to_status="open", actor=o311.agent,
                    note="Hello Zelda, as agreed we come to flat 4B")  # fmt: skip
    case_public_update(case=case, body="Hello Zelda, we will clean it this week.",
                       actor=o311.agent)  # fmt: skip
    case_note_add(case=case, body="SECRET: caller is the landlord", actor=o311.agent)
    for path in (f"requests.{fmt}", f"requests/{case.reference}.{fmt}"):
        response = api.get(url(path), {"jurisdiction_id": "pw"})
        text = response.content.decode()
        for secret in ("Zelda", "Quixote", "zelda.q@example.org", "5550199", "SECRET",
                       "landlord", "alex", "Alex", "flat 4B", "clean it"):  # fmt: skip
            assert secret not in text, (path, secret)
        [entry] = request_entries(response, fmt)
        # Updates and status messages are addressed to one citizen: never status_notes.
        assert entry["status_notes"] in (None, "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens_resolve_to_the_request(o311, api, cases, fmt):
    reference = cases["recent"].reference
    token = request_token(reference)
    response = api.get(url(f"tokens/{token}.{fmt}"), {"jurisdiction_id": "pw"})
    assert response.status_code == 200
    [entry] = request_entries(response, fmt)
    assert entry == {"service_request_id": reference, "token": token}
    for bad in ("12345", f"{reference}:forged", request_token(cases["other"].reference)):
        response = api.get(url(f"tokens/{bad}.{fmt}"), {"jurisdiction_id": "pw"})
        assert response.status_code == 404
        assert errors(response, fmt)[0]["code"] == 404


def test_xml_is_well_formed_even_with_control_characters(o311, api):
    from xml.etree import ElementTree as ET

    case = make_case(o311.graffiti, description='Tags \x0b on <wall> & "door" ü', channel="open311")
    response = api.get(url(f"requests/{case.reference}.xml"), {"jurisdiction_id": "pw"})
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.find("request/description").text == 'Tags  on <wall> & "door" ü'


def test_the_request_listing_is_capped_at_1000(o311, api, monkeypatch):
    from open311 import selectors

    monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
    for _ in range(3):
        make_case(o311.graffiti)
    assert len(ids(api.get(url("requests.json"), {"jurisdiction_id": "pw"}), "json")) == 2


@pytest.mark.parametrize("channel", ["phone", "walk_in", "email", "web", "api"])
def test_only_descriptions_written_for_an_open311_app_are_published(o311, api, channel):
    case = make_case(o311.graffiti, description="Call me at 555-0100, I'm Ana", channel=channel)

    body = api.get(url(f"requests/{case.reference}.json"), {"jurisdiction_id": "pw"}).json()

    assert body[0]["description"] is None
    assert "555-0100" not in str(body)


# --- what is published (issue 13) ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_not_on_the_open_data_feed_has_no_requests(o311, api, fmt):
    o311.graffiti.open_data = False
    o311.graffiti.save()
    unpublished = make_case(o311.graffiti, days_ago=1)
    published = make_case(o311.pothole, days_ago=1)
    listed = ids(api.get(url(f"requests.{fmt}"), {"jurisdiction_id": "pw"}), fmt)
    assert listed == [published.reference]
    response = api.get(url(f"requests/{unpublished.reference}.{fmt}"), {"jurisdiction_id": "pw"})
    assert response.status_code == 404
    by_id = {"jurisdiction_id": "pw", "service_request_id": unpublished.reference}
    assert ids(api.get(url(f"requests.{fmt}"), by_id), fmt) == []
    token = request_token(unpublished.reference)
    assert api.get(url(f"tokens/{token}.{fmt}"), {"jurisdiction_id": "pw"}).status_code == 404


def test_a_phone_case_shows_no_street_address_and_coordinates_rounded_to_100_m(o311, api):
    case = make_case(o311.pothole, address="Flat 4B, 12 Elm Street",
                     latitude=Decimal("41.878113"), longitude=Decimal("-87.629799"))  # fmt: skip
    [entry] = body(api.get(url(f"requests/{case.reference}.json"), {"jurisdiction_id": "pw"}),
                   "json")  # fmt: skip
    assert entry["address"] is None
    assert "Elm" not in json.dumps(entry)
    assert (entry["lat"], entry["long"]) == (41.878, -87.63)


def test_an_address_given_for_publication_or_by_an_app_is_shown(o311, api):
    chosen = make_case(o311.pothole, address="Corner of Oak and 5th", latitude=41.5,
                       longitude=-87.5, address_public=True)  # fmt: skip
    app = make_case(o311.pothole, channel="open311", address="7 Lake St",
                    latitude=Decimal("41.512345"), longitude=Decimal("-87.512345"))  # fmt: skip
    for case, address, lat in (
        (chosen, "Corner of Oak and 5th", 41.5),
        (app, "7 Lake St", 41.512345),
    ):
        [entry] = body(api.get(url(f"requests/{case.reference}.json"), {"jurisdiction_id": "pw"}),
                       "json")  # fmt: skip
        assert entry["address"] == address and entry["lat"] == lat


def test_status_notes_are_the_latest_note_written_for_the_feed(o311, api):
    case = make_case(o311.pothole)
    case_transition(case=case, to_status="open", actor=o311.agent, feed_note="Inspection booked")
    case_public_update(case=case, body="Dear Ms Smith, we come on Monday", actor=o311.agent)
    case_transition(case=case, to_status="resolved", actor=o311.agent,
                    resolution_code="resolved", citizen_contacted=True,
                    note="Dear Ms Smith, it is fixed", feed_note="Pothole filled")  # fmt: skip
    [entry] = body(api.get(url(f"requests/{case.reference}.json"), {"jurisdiction_id": "pw"}),
                   "json")  # fmt: skip
    assert entry["status_notes"] == "Pothole filled"
    assert "Smith" not in json.dumps(entry)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["services", "services/pothole", "discovery", "requests/X",
                                  "tokens/abc"])  # fmt: skip
def test_a_post_to_a_get_only_resource_is_the_specs_405_not_a_csrf_page(api, o311, path, fmt):
    from django.test import Client

    browserless = Client(enforce_csrf_checks=True)
    response = browserless.post(url(f"{path}.{fmt}"), {"jurisdiction_id": "pw", "api_key": "x"})
    assert response.status_code == 405
    assert errors(response, fmt) == [{"code": 405, "description": "Method POST is not allowed."}]
