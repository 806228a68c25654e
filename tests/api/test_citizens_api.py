"""REST API for citizens: the shared record, searched, created, changed safely and merged."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases.services import case_create
from citizens import services
from citizens.models import Citizen
from core.models import AuditEvent
from tests.api._fixtures_people import error_of, staff_of

pytestmark = pytest.mark.django_db

CITIZENS = "/api/v1/citizens/"


def detail(citizen_or_pk) -> str:
    return f"{CITIZENS}{getattr(citizen_or_pk, 'pk', citizen_or_pk)}/"


@pytest.fixture
def ana(world) -> Citizen:
    return services.citizen_create(actor=world.agent, first_name="Ana", last_name="García",
                                   email="ana@example.org", phone="+13125550142")  # fmt: skip


# --- authentication -------------------------------------------------------------------------


def test_no_token_or_a_bad_one_is_a_401_with_the_error_body(world, ana):
    anonymous = APIClient()
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    for client in (anonymous, bad):
        for response in (client.get(CITIZENS), client.get(detail(ana)),
                         client.post(CITIZENS, {"first_name": "X"}, format="json")):  # fmt: skip
            error = error_of(response, 401)
            assert error["code"] in {"not_authenticated", "authentication_failed"}
            assert response["WWW-Authenticate"].startswith("Bearer")
    assert Citizen.objects.count() == 1


def test_a_token_of_any_staff_role_reads_citizens(api_as, world, ana):
    for user in (world.agent, world.supervisor, world.admin):
        response = api_as(user).get(detail(ana))
        assert response.status_code == 200
        assert response.json()["email"] == "ana@example.org"


# --- list and search ------------------------------------------------------------------------


def test_the_list_is_newest_first_with_a_cursor(api_as, world, ana):
    for n in range(3):
        services.citizen_create(actor=None, first_name=f"P{n}", last_name="Lee")
    client = api_as(world.agent)

    first = client.get(CITIZENS, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [c["first_name"] for c in first["results"]] == ["P2", "P1"]
    assert [c["first_name"] for c in second["results"]] == ["P0", "Ana"]
    assert second["next"] is None


def test_search_by_name_email_or_phone_best_first(api_as, world, ana):
    services.citizen_create(actor=None, first_name="Bob", last_name="Stone")
    client = api_as(world.agent)

    by_typo = client.get(CITIZENS, {"q": "ana garcia"}).json()
    by_email = client.get(CITIZENS, {"q": "ANA@example.org"}).json()
    by_phone = client.get(CITIZENS, {"q": "(312) 555-0142"}).json()
    nothing = client.get(CITIZENS, {"q": "zzzz qqqq"}).json()

    assert [c["id"] for c in by_typo["results"]] == [ana.pk]
    assert [c["id"] for c in by_email["results"]] == [ana.pk]
    assert [c["id"] for c in by_phone["results"]] == [ana.pk]
    assert nothing == {"next": None, "previous": None, "results": []}


def test_citizens_are_shared_by_every_agency(api_as, world, ana):
    other = api_as(world.other_agent)

    assert other.get(detail(ana)).status_code == 200
    assert ana.pk in [c["id"] for c in other.get(CITIZENS).json()["results"]]


def test_no_agencys_cases_are_exposed_through_the_citizen(api_as, world, ana):
    case = case_create(category=world.other_category, description="Secret tax matter",
                       channel="phone", actor=world.other_agent, citizen=ana)  # fmt: skip

    body = api_as(world.agent).get(detail(ana))

    assert case.reference not in body.content.decode()
    assert "Secret" not in body.content.decode()
    assert not {"cases", "feedback", "timeline"} & set(body.json())


def test_an_unknown_id_is_a_404(api_as, world):
    client = api_as(world.agent)
    error_of(client.get(detail(999999)), 404)
    for malformed in ("abc", "0.5"):
        error_of(client.get(f"{CITIZENS}{malformed}/"), 404)


# --- create ---------------------------------------------------------------------------------


def test_create_answers_201_with_the_record_and_possible_duplicates(api_as, world, ana):
    response = api_as(world.agent).post(CITIZENS, {
        "first_name": "Ana", "last_name": "Garcia", "email": "Ana.G@Example.org",
        "phone": "312 555 0142", "consent_surveys": True,
    }, format="json")  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    created = Citizen.objects.get(pk=body["id"])
    assert (created.email, created.phone, created.consent_surveys) == (
        "ana.g@example.org", "+13125550142", True,
    )  # fmt: skip
    assert response["ETag"]
    [duplicate] = body["possible_duplicates"]
    assert duplicate["citizen"]["id"] == ana.pk
    assert duplicate["same_phone"] is True and duplicate["score"] >= 30
    audit = AuditEvent.objects.get(action="citizen.created", object_id=str(created.pk))
    assert audit.actor_user == world.agent


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "", "last_name": ""}, "first_name"),
        ({"last_name": "Lee", "email": "not-an-email"}, "email"),
        ({"last_name": "Lee", "phone": "12"}, "phone"),  # refused by the service
        ({"last_name": "Lee", "preferred_channel": "pigeon"}, "preferred_channel"),
        ({"last_name": "x" * 101}, "last_name"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(api_as, world, body, field):
    client = api_as(world.agent)
    audit_rows = AuditEvent.objects.count()

    error = error_of(client.post(CITIZENS, body, format="json"), 400)

    assert error["code"] == "invalid" and field in error["fields"]
    assert not Citizen.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


# --- read and change with If-Match ----------------------------------------------------------


def test_patch_needs_if_match_and_refuses_a_stale_one(api_as, world, ana):
    client = api_as(world.agent)
    etag = client.get(detail(ana))["ETag"]

    missing = client.patch(detail(ana), {"city": "Springfield"}, format="json")
    error_of(missing, 428)
    changed = client.patch(detail(ana), {"city": "Springfield"}, format="json",
                           HTTP_IF_MATCH=etag)  # fmt: skip
    stale = client.patch(detail(ana), {"city": "Shelbyville"}, format="json",
                         HTTP_IF_MATCH=etag)  # fmt: skip

    assert changed.status_code == 200, changed.json()
    assert changed.json()["city"] == "Springfield" and changed["ETag"] != etag
    assert error_of(stale, 412)["code"] == "precondition_failed"
    ana.refresh_from_db()
    assert ana.city == "Springfield"
    [audit] = AuditEvent.objects.filter(action="citizen.updated", object_id=str(ana.pk))
    assert audit.actor_user == world.agent and audit.changes == {"city": ["", "Springfield"]}


def test_patch_bad_input_is_a_400_and_writes_nothing(api_as, world, ana):
    client = api_as(world.agent)
    etag = client.get(detail(ana))["ETag"]

    for body, field in (({"phone": "12"}, "phone"), ({"email": "x"}, "email"),
                        ({"first_name": "", "last_name": ""}, "non_field_errors")):  # fmt: skip
        error = error_of(client.patch(detail(ana), body, format="json", HTTP_IF_MATCH=etag), 400)
        assert field in error["fields"], (body, error)
    ana.refresh_from_db()
    assert (ana.phone, ana.first_name, ana.consent_contact) == ("+13125550142", "Ana", False)
    assert not AuditEvent.objects.filter(action="citizen.updated").exists()


def test_an_empty_patch_changes_nothing(api_as, world, ana):
    client = api_as(world.agent)
    etag = client.get(detail(ana))["ETag"]

    response = client.patch(detail(ana), {}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200 and response["ETag"] == etag
    assert not AuditEvent.objects.filter(action="citizen.updated").exists()


def test_the_service_rechecks_the_version_under_the_row_lock(world, ana):
    """A write that commits between the API's read and its write is never overwritten."""
    seen = ana.updated_at
    services.citizen_update(citizen=ana, actor=world.supervisor, data={"city": "Ogdenville"})

    with pytest.raises(services.CitizenChanged):
        services.citizen_update(citizen=ana, actor=world.agent, data={"city": "Springfield"},
                                if_unchanged_since=seen)  # fmt: skip
    ana.refresh_from_db()
    assert ana.city == "Ogdenville"


def test_another_agencys_staff_may_change_the_shared_record(api_as, world, ana):
    client = api_as(world.other_agent)
    etag = client.get(detail(ana))["ETag"]

    response = client.patch(detail(ana), {"preferred_language": "es"}, format="json",
                            HTTP_IF_MATCH=etag)  # fmt: skip

    assert response.status_code == 200 and response.json()["preferred_language"] == "es"


# --- merge ----------------------------------------------------------------------------------


@pytest.fixture
def twin(world) -> Citizen:
    return services.citizen_create(actor=world.agent, first_name="Ana", last_name="Garcia",
                                   email="ana.garcia@example.org", city="Springfield")  # fmt: skip


def merge_url(citizen) -> str:
    return f"{detail(citizen)}merge/"


def test_an_agent_may_not_merge(api_as, world, ana, twin):
    response = api_as(world.agent).post(merge_url(ana), {"other": twin.pk}, format="json")

    assert error_of(response, 403)["code"] == "permission_denied"
    twin.refresh_from_db()
    assert not twin.is_tombstone


def test_a_supervisor_merges_and_the_tombstone_redirects_to_the_survivor(api_as, world, ana, twin):
    case = case_create(category=world.graffiti, description="Tags", channel="phone",
                       actor=world.agent, citizen=twin)  # fmt: skip
    client = api_as(world.supervisor)

    response = client.post(merge_url(ana), {"other": twin.pk, "keep_from_other": ["address"]},
                           format="json")  # fmt: skip

    assert response.status_code == 200, response.json()
    assert response.json()["city"] == "Springfield" and response["ETag"]
    twin.refresh_from_db()
    case.refresh_from_db()
    assert twin.merged_into_id == ana.pk and case.citizen_id == ana.pk
    audit = AuditEvent.objects.get(action="citizen.merged", object_id=str(ana.pk))
    assert audit.actor_user == world.supervisor and audit.changes["merged_from"] == [None, twin.pk]

    moved = client.get(detail(twin))
    assert moved.status_code == 301 and moved.json() == {"merged_into": ana.pk}
    assert moved["Location"].endswith(detail(ana))
    assert twin.pk not in [c["id"] for c in client.get(CITIZENS).json()["results"]]
    stale_write = client.patch(detail(twin), {"city": "X"}, format="json", HTTP_IF_MATCH="*")
    assert str(ana.pk) in error_of(stale_write, 404)["message"]


def test_merge_bad_input_is_a_400_and_merges_nothing(api_as, world, ana, twin):
    client = api_as(world.admin)

    cases = [
        ({}, "other"),
        ({"other": twin.pk, "keep_from_other": ["password"]}, "keep_from_other"),
        ({"other": 999999}, "other"),
        ({"other": ana.pk}, "non_field_errors"),  # into itself: refused by the service
    ]
    for body, field in cases:
        error = error_of(client.post(merge_url(ana), body, format="json"), 400)
        assert field in error["fields"], (body, error)
    twin.refresh_from_db()
    assert not twin.is_tombstone
    assert not AuditEvent.objects.filter(action="citizen.merged").exists()


def test_merging_a_record_already_merged_is_refused(api_as, world, ana, twin):
    services.citizen_merge(survivor=ana, other=twin, actor=world.supervisor)
    client = api_as(world.supervisor)

    into_tombstone = client.post(merge_url(twin), {"other": ana.pk}, format="json")
    from_tombstone = client.post(merge_url(ana), {"other": twin.pk}, format="json")

    error_of(into_tombstone, 404)
    assert "other" in error_of(from_tombstone, 400)["fields"]


def test_another_agencys_supervisor_may_merge_shared_records(api_as, world, ana, twin):
    other_supervisor = staff_of(world.other_agency, "supervisor", "osman")

    response = api_as(other_supervisor).post(merge_url(ana), {"other": twin.pk}, format="json")

    assert response.status_code == 200
