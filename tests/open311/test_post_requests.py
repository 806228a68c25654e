"""POST requests.{xml,json}: form-encoded service requests become ordinary open311 cases."""

from __future__ import annotations

import pytest

from cases.models import Case
from citizens.models import Citizen
from citizens.services import citizen_create
from core.models import AuditEvent
from open311.models import Open311Client
from open311.services import open311_client_revoke
from tests.open311.conftest import body, errors, url

FORMATS = ["xml", "json"]


def form(o311, **extra) -> dict:
    data = {
        "api_key": o311.key,
        "jurisdiction_id": "pw",
        "service_code": "pothole",
        "lat": "41.878113",
        "long": "-87.629799",
        "address_string": "100 Main St",
        "description": "A large hole by the school",
        "attribute[size]": "large",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def created_reference(response, fmt: str) -> str:
    parsed = body(response, fmt)
    if fmt == "json":
        [entry] = parsed
        assert set(entry) == {"service_request_id", "service_notice", "account_id"}
        return entry["service_request_id"]
    assert parsed.tag == "service_requests"
    [entry] = parsed.findall("request")
    assert entry.find("service_notice") is not None and entry.find("account_id") is not None
    return entry.findtext("service_request_id")


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), Citizen.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_form_encoded_request_becomes_an_open311_case(o311, api, fmt):
    data = form(
        o311, **{"attribute[hazards][]": ["water", "glass"]}, email="Maria@Example.org",
        first_name="María", last_name="López", phone="(312) 555-0142", device_id="dev-1",
        account_id="acc-7", media_url="https://img.example.org/p/1.jpg",
    )  # fmt: skip
    response = api.post(url(f"requests.{fmt}"), data)  # Django's client form-encodes
    assert response.status_code == 200, response.content
    reference = created_reference(response, fmt)
    case = Case.objects.select_related("citizen").get(reference=reference)
    assert case.channel == Case.Channel.OPEN311
    assert case.agency == o311.agency and case.category == o311.pothole
    assert case.team == o311.roads
    assert case.attributes == {"size": "large", "hazards": ["water", "glass"]}
    assert case.description == "A large hole by the school"
    assert case.address == "100 Main St"
    assert str(case.latitude) == "41.878113" and str(case.longitude) == "-87.629799"
    assert case.media_url == "https://img.example.org/p/1.jpg"
    citizen = case.citizen
    assert (citizen.first_name, citizen.last_name) == ("María", "López")
    assert citizen.email == "maria@example.org" and citizen.phone == "+13125550142"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.created", "citizen.created", "open311.request_created"} <= actions
    audit = AuditEvent.objects.get(action="open311.request_created")
    assert audit.changes["client"] == [None, "City app"]
    assert audit.changes["device_id"] == [None, "dev-1"]
    o311.client.refresh_from_db()
    assert o311.client.last_used_at is not None
    if fmt == "json":
        assert body(response, fmt)[0]["account_id"] == "acc-7"


def test_the_raw_body_with_bracketed_names_is_understood(o311, api):
    """The spec's own example encoding: attribute[code][]=v repeated, percent-encoded."""
    raw = (
        f"api_key={o311.key}&jurisdiction_id=pw&service_code=pothole&address_string=1+Elm+St"
        "&attribute%5Bsize%5D=small&attribute%5Bhazards%5D%5B%5D=traffic"
        "&attribute%5Bhazards%5D%5B%5D=water&attribute[depth]=12"
    )
    response = api.post(
        url("requests.json"), raw, content_type="application/x-www-form-urlencoded; charset=utf-8"
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get(reference=created_reference(response, "json"))
    assert case.attributes == {"size": "small", "hazards": ["traffic", "water"], "depth": 12}
    assert case.description == "Pothole"  # optional in the spec: the service names it
    assert case.citizen is None


def test_an_existing_citizens_email_is_a_suggestion_for_staff_not_a_link(o311, api):
    """An app's email is not proved: anyone can type Ana's. The report must not join her record
    (her 360° view, her surveys); staff see the record suggested and confirm it."""
    known = citizen_create(actor=None, first_name="Ana", last_name="García",
                           email="ana@example.org")  # fmt: skip
    before = Citizen.objects.count()
    data = form(o311, email="ANA@example.org", first_name="Someone", last_name="Else")
    response = api.post(url("requests.json"), data)
    assert response.status_code == 200
    case = Case.objects.get(reference=created_reference(response, "json"))
    assert case.citizen is None
    assert case.suggested_citizen == known
    assert case.reporter_email == "ana@example.org"
    assert Citizen.objects.count() == before  # no second record for the same address either
    assert not known.cases.exists()


def test_an_email_without_a_name_stays_on_the_case_only(o311, api):
    response = api.post(url("requests.json"), form(o311, email="anon@example.org"))
    case = Case.objects.get(reference=created_reference(response, "json"))
    assert case.citizen is None and case.reporter_email == "anon@example.org"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_required_attribute_is_400_and_writes_nothing(o311, api, fmt):
    before = counts()
    response = api.post(
        url(f"requests.{fmt}"),
        form(o311, **{"attribute[size]": None}, email="new@example.org", first_name="New"),
    )
    assert response.status_code == 400
    assert errors(response, fmt) == [
        {"code": 400, "description": "attribute[size]: This field is required."}
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"attribute[size]": "huge"}, "attribute[size]: Choose one of the listed options."),
        ({"attribute[hazards][]": ["lava"]}, "attribute[hazards]: Choose only from"),
        ({"attribute[color]": "red"}, "attribute[color]: This category has no question"),
        ({"attribute[depth]": "deep"}, "attribute[depth]: Enter a number."),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https URL."),
        ({"media_url": "ftp://example.org/x.jpg"}, "media_url must be an http or https URL."),
        ({"email": "not-an-email"}, "email: Enter a valid email address."),
        ({"description": "x" * 4001}, "description: Keep the description under 4000"),
        ({"lat": "91"}, "lat must be a number between -90 and 90."),
        ({"long": "abc"}, "long must be a number between -180 and 180."),
        ({"long": None}, "lat and long must be sent together."),
    ],
)
def test_bad_input_is_400_with_a_description_and_writes_nothing(o311, api, extra, needle):
    before = counts()
    response = api.post(url("requests.json"), form(o311, **extra))
    assert response.status_code == 400, response.content
    descriptions = [e["description"] for e in errors(response, "json")]
    assert any(needle in d for d in descriptions), descriptions
    assert counts() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_location_is_required(o311, api, fmt):
    response = api.post(
        url(f"requests.{fmt}"), form(o311, lat=None, long=None, address_string=None)
    )
    assert response.status_code == 400
    assert errors(response, fmt) == [
        {
            "code": 400,
            "description": "A location is required: lat and long, address_string or address_id.",
        }
    ]


def test_any_one_location_form_is_enough(o311, api):
    for location in (
        {"address_string": None},
        {"lat": None, "long": None},
        {"lat": None, "long": None, "address_string": None, "address_id": "545483"},
    ):
        response = api.post(url("requests.json"), form(o311, **location))
        assert response.status_code == 200, (location, response.content)
    assert Case.objects.filter(address="address_id 545483").exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", [None, "", "o311_not-a-real-key"])
def test_a_missing_or_bad_api_key_is_403(o311, api, fmt, key):
    before = counts()
    response = api.post(url(f"requests.{fmt}"), form(o311, api_key=key))
    assert response.status_code == 403
    [error] = errors(response, fmt)
    assert error["code"] == 403 and "api_key" in error["description"]
    assert counts() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_revoked_key_is_403(o311, api, fmt):
    open311_client_revoke(client=o311.client, actor=None)
    response = api.post(url(f"requests.{fmt}"), form(o311))
    assert response.status_code == 403
    assert errors(response, fmt)[0]["code"] == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_works_only_for_its_own_jurisdiction(o311, api, fmt):
    response = api.post(url(f"requests.{fmt}"), form(o311, api_key=o311.other_key))
    assert response.status_code == 403
    assert "not valid for this jurisdiction_id" in errors(response, fmt)[0]["description"]
    # Nor can the other agency's service be reached through our key.
    response = api.post(
        url(f"requests.{fmt}"), form(o311, jurisdiction_id="rev", service_code="tax-question")
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_code_is_404_and_a_missing_one_400(o311, api, fmt):
    response = api.post(url(f"requests.{fmt}"), form(o311, service_code="unicorns"))
    assert response.status_code == 404
    assert errors(response, fmt) == [
        {"code": 404, "description": "service_code 'unicorns' was not found."}
    ]
    response = api.post(url(f"requests.{fmt}"), form(o311, service_code=None))
    assert response.status_code == 400
    assert errors(response, fmt) == [{"code": 400, "description": "service_code was not provided."}]
    # A category that is not public is not an Open311 service.
    response = api.post(url(f"requests.{fmt}"), form(o311, service_code="internal-only"))
    assert response.status_code == 404


def test_post_needs_the_jurisdiction_when_there_are_several(o311, api):
    response = api.post(url("requests.json"), form(o311, jurisdiction_id=None))
    assert response.status_code == 400
    assert "jurisdiction_id was not provided" in errors(response, "json")[0]["description"]


def test_post_needs_no_csrf_token(o311):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url("requests.json"), form(o311)).status_code == 200


def test_posts_with_a_key_are_rate_limited_per_client_key(o311, api, settings):
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_OPEN311_POSTS = 1  # per address: not what counts for a known key
    settings.RATELIMIT_OPEN311_POSTS_PER_CLIENT = 2
    assert api.post(url("requests.json"), form(o311)).status_code == 200
    assert api.post(url("requests.json"), form(o311)).status_code == 200
    response = api.post(url("requests.json"), form(o311))
    assert response.status_code == 429
    assert errors(response, "json")[0]["code"] == 429
    assert Open311Client.objects.get(pk=o311.client.pk).active


def test_posts_without_a_valid_key_are_rate_limited_per_address(o311, api, settings):
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_OPEN311_POSTS = 1
    assert api.post(url("requests.json"), form(o311, api_key="o311_wrong")).status_code == 403
    response = api.post(url("requests.json"), form(o311, api_key="o311_wrong"))
    assert response.status_code == 429


def test_200_posts_from_one_client_key_in_ten_minutes_are_accepted(o311, api, settings):
    """A FixMyStreet server posting for a whole city, with the default limits."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    settings.RATELIMIT_ENABLED = True
    statuses = [api.post(url("requests.json"), form(o311)).status_code for _ in range(200)]
    assert statuses == [200] * 200
    assert Case.objects.filter(channel="open311").count() == 200


def test_a_phone_number_we_cannot_read_is_kept_as_given_and_flagged(o311, api):
    from cases.models import CaseEvent

    response = api.post(url("requests.json"), form(o311, phone="0800 FIX IT", first_name="Al",
                                                    email="al@example.org"))  # fmt: skip
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.citizen.phone == ""
    note = CaseEvent.objects.get(case=case, kind="note")
    assert "0800 FIX IT" in note.body
