"""REST API for cases: what an integration (phone system, portal) can do, and cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Attachment, Case, CaseEvent
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def _create(client, world, **extra):
    body = {
        "category": "pothole",
        "description": "Deep hole on Elm",
        "attributes": {"size": "large"},
        "reporter_email": "rosa@example.org",
        **extra,
    }
    return client.post(CASES, body, format="json")


def test_a_token_creates_a_case_in_the_categorys_team_with_channel_api(api_as, world):
    response = _create(api_as(world.agent), world)

    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert (case.channel, case.team, case.status) == ("api", world.roads, "new")
    assert body["category"] == "pothole" and body["team"] == "Roads"
    assert response["ETag"]
    assert AuditEvent.objects.filter(action="case.created", object_id=str(case.pk)).exists()


def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(api_as, world):
    client = api_as(world.agent)

    missing_attribute = _create(client, world, attributes={})
    unknown_category = _create(client, world, category="nope")
    not_json_types = client.post(CASES, {"category": "pothole", "latitude": "north"}, format="json")

    assert missing_attribute.status_code == 400
    assert missing_attribute.json()["error"]["code"] == "invalid"
    assert "size" in missing_attribute.json()["error"]["fields"]
    assert unknown_category.json()["error"]["fields"]["category"] == ["No such service category."]
    assert set(not_json_types.json()["error"]["fields"]) >= {"description", "latitude"}
    assert not Case.objects.exists()


def test_another_agencys_category_cannot_be_used(api_as, world):
    response = _create(api_as(world.agent), world, category="tax-question")

    assert response.status_code == 400 and not Case.objects.exists()


def test_no_token_a_bad_token_or_a_revoked_one_is_a_401(client, api_as, world):
    from core.models import ApiToken
    from core.services import api_token_revoke

    revoked = api_as(world.agent)
    api_token_revoke(token=ApiToken.objects.get(), actor=None)

    assert client.get(CASES).status_code == 401
    assert client.get(CASES, HTTP_AUTHORIZATION="Bearer ccrm_wrong").status_code == 401
    response = revoked.get(CASES)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid or revoked token."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_list_is_scoped_filtered_and_cursor_paginated(api_as, world, new_case):
    other = services.case_create(category=world.other_category, description="Tax", channel="web")
    services.case_create(category=world.pothole, description="Hole", channel="phone",
                         attributes={"size": "small"})  # fmt: skip
    client = api_as(world.agent)

    everything = client.get(CASES).json()
    graffiti = client.get(CASES, {"category": "graffiti"}).json()
    one_per_page = client.get(CASES, {"page_size": 1}).json()

    references = {row["reference"] for row in everything["results"]}
    assert other.reference not in references and len(references) == 2
    assert [row["reference"] for row in graffiti["results"]] == [new_case.reference]
    assert len(one_per_page["results"]) == 1 and "cursor=" in one_per_page["next"]
    second = client.get(one_per_page["next"]).json()
    assert second["results"][0]["reference"] != one_per_page["results"][0]["reference"]


def test_the_list_query_count_does_not_grow_with_rows(api_as, world, django_assert_max_num_queries):
    client = api_as(world.agent)
    for n in range(30):
        services.case_create(category=world.graffiti, description=f"Tag {n}", channel="web")

    with django_assert_max_num_queries(6):
        response = client.get(CASES)

    assert len(response.json()["results"]) == 30


def test_another_agencys_case_is_a_404_for_every_verb(api_as, world):
    other = services.case_create(category=world.other_category, description="Tax", channel="web")
    client = api_as(world.agent)
    url = f"{CASES}{other.reference}/"

    assert client.get(url).status_code == 404
    assert client.get(f"{url}events/").status_code == 404
    assert client.post(f"{url}notes/", {"body": "x"}, format="json").status_code == 404
    assert client.post(f"{url}transition/", {"to_status": "open"}, format="json").status_code == 404
    assert (
        client.patch(url, {"priority": "high"}, format="json", HTTP_IF_MATCH="*").status_code == 404
    )
    assert not other.events.exclude(kind="created").exists()


def test_a_case_is_worked_through_the_api(api_as, world, new_case, mailoutbox):
    client = api_as(world.agent)
    url = f"{CASES}{new_case.reference}/"

    assigned = client.post(f"{url}assign/", {"assignee": world.agent.pk}, format="json")
    note = client.post(f"{url}notes/", {"body": "Called the parks crew"}, format="json")
    update = client.post(f"{url}updates/", {"body": "Crew booked for Monday"}, format="json")
    started = client.post(f"{url}transition/", {"to_status": "in_progress"}, format="json")
    resolved = client.post(
        f"{url}transition/",
        {"to_status": "resolved", "resolution_code": "resolved", "citizen_contacted": True},
        format="json",
    )

    assert assigned.json()["assignee"]["username"] == "alex"
    assert note.status_code == 201 and note.json()["is_public"] is False
    assert update.status_code == 201 and update.json()["is_public"] is True
    assert started.json().get("status") == "in_progress", started.json()
    assert resolved.json().get("status") == "resolved", resolved.json()
    kinds = [event["kind"] for event in client.get(f"{url}events/").json()]
    assert "note" in kinds and "public_update" in kinds


def test_a_refused_transition_is_a_400_with_the_reason(api_as, world, new_case):
    response = api_as(world.agent).post(
        f"{CASES}{new_case.reference}/transition/", {"to_status": "closed"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]
    new_case.refresh_from_db()
    assert new_case.status == "new"


def test_patch_needs_if_match_and_a_stale_one_is_a_412(api_as, world, new_case):
    client = api_as(world.agent)
    url = f"{CASES}{new_case.reference}/"
    etag = client.get(url)["ETag"]

    without = client.patch(url, {"priority": "high"}, format="json")
    fresh = client.patch(url, {"priority": "high"}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"priority": "low"}, format="json", HTTP_IF_MATCH=etag)

    assert without.status_code == 428
    assert fresh.status_code == 200 and fresh.json()["priority"] == "high"
    assert fresh["ETag"] != etag
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    new_case.refresh_from_db()
    assert new_case.priority == "high"


def test_the_service_refuses_a_write_based_on_an_old_read(world, new_case):
    seen = new_case.updated_at
    services.case_set_priority(case=new_case, priority="high", actor=world.agent2)

    with pytest.raises(services.CaseChanged):
        services.case_change(
            case=new_case, actor=world.agent, priority="low", if_unchanged_since=seen
        )

    new_case.refresh_from_db()
    assert new_case.priority == "high"


def test_attachments_are_checked_by_content_and_downloaded_by_staff(api_as, world, new_case):
    client = api_as(world.agent)
    url = f"{CASES}{new_case.reference}/attachments/"

    forged = client.post(url, {"file": SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a jpeg")},
                         format="multipart")  # fmt: skip
    text = client.post(url, {"file": SimpleUploadedFile("notes.txt", b"Plain words")},
                       format="multipart")  # fmt: skip

    assert forged.status_code == 400
    assert text.status_code == 201
    token = text.json()["token"]
    listing = client.get(url).json()
    assert [row["token"] for row in listing] == [token]
    download = client.get(f"{url}{token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Plain words"
    assert "attachment" in download["Content-Disposition"]


def test_categories_list_the_own_catalogue_with_questions(api_as, world):
    response = api_as(world.agent).get("/api/v1/categories/")

    codes = {row["code"] for row in response.json()}
    assert codes == {"pothole", "graffiti"}
    pothole = next(row for row in response.json() if row["code"] == "pothole")
    assert pothole["attributes"][0]["code"] == "size" and pothole["attributes"][0]["required"]
    assert api_as(world.agent).get("/api/v1/categories/tax-question/").status_code == 404


def test_sla_breaches_are_for_supervisors(api_as, world):
    assert api_as(world.agent).get("/api/v1/sla/breaches/").status_code == 403
    assert api_as(world.supervisor).get("/api/v1/sla/breaches/").json() == []


def test_notes_posted_through_the_api_are_audited_with_the_token_owner(api_as, world, new_case):
    api_as(world.agent).post(
        f"{CASES}{new_case.reference}/notes/", {"body": "Checked"}, format="json"
    )

    event = CaseEvent.objects.get(case=new_case, kind="note")
    assert event.actor == world.agent
    assert AuditEvent.objects.filter(action="case.note_added", object_id=str(new_case.pk)).exists()


def test_a_client_over_its_rate_gets_a_429_with_the_error_body(api_as, world, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    client = api_as(world.agent)

    statuses = [client.get(CASES).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = client.get(CASES)
    assert limited.json()["error"]["code"] == "throttled" and "Retry-After" in limited


@pytest.mark.parametrize("url", ["/api/v1/citizens/?q=ab%00c", "/api/v1/cases/?category=a%00"])
def test_a_nul_byte_in_the_query_is_a_400_not_a_server_error(api_as, world, url):
    response = api_as(world.agent).get(url)

    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_a_nul_byte_in_a_staff_search_is_a_400(client, world):
    client.force_login(world.agent)

    assert client.get("/staff/citizens/?q=ab%00c").status_code == 400


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2026-11-24T09:30:00Z", 200),
        ("5420-06-17T03:16:30+20:08", 200),  # valid RFC 3339, beyond PostgreSQL's offsets
        ("0001-01-01T00:00:00+01:00", 400),  # before year 1 in UTC
        ("2026-11-24", 400),
        ("", 400),
    ],
)
def test_date_filters_take_rfc3339_instants_only(api_as, world, value, status):
    response = api_as(world.agent).get(CASES, {"created_after": value})

    assert response.status_code == status


def test_the_api_keeps_working_when_the_throttles_cache_is_down(api_as, world, settings):
    client = api_as(world.agent)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    assert client.get(CASES).status_code == 200
    assert _create(client, world).status_code == 201


def test_a_case_referred_away_stays_readable_through_the_api_but_not_writable(
    api_as, world, new_case
):
    services.case_refer(case=new_case, category=world.other_category, reason="Tax matter",
                        actor=world.agent)  # fmt: skip
    sender, receiver = api_as(world.agent), api_as(world.other_agent)
    url = f"{CASES}{new_case.reference}/"

    assert sender.get(url).status_code == 200
    assert sender.get(f"{url}events/").status_code == 200
    assert sender.post(f"{url}notes/", {"body": "more"}, format="json").status_code == 404
    assert sender.patch(url, {"priority": "high"}, format="json",
                        HTTP_IF_MATCH="*").status_code == 404  # fmt: skip
    assert receiver.post(f"{url}notes/", {"body": "ours now"}, format="json").status_code == 201


def test_an_uploaded_name_never_reaches_the_disk_path(api_as, world, new_case, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = api_as(world.agent)
    upload = SimpleUploadedFile("../../../etc/passwd.txt", b"Plain words")

    created = client.post(f"{CASES}{new_case.reference}/attachments/", {"file": upload},
                          format="multipart")  # fmt: skip

    assert created.status_code == 201
    attachment = Attachment.objects.get(token=created.json()["token"])
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(tmp_path.resolve()) and ".." not in attachment.file.name
    assert "passwd" not in attachment.file.name
    download = client.get(f"{CASES}{new_case.reference}/attachments/{attachment.token}/")
    assert "attachment;" in download["Content-Disposition"]
    assert "/" not in download["Content-Disposition"].split("filename=")[1]


def test_an_unreachable_database_is_a_503_to_retry_not_a_500(api_as, world, monkeypatch):
    from django.db import OperationalError

    client = api_as(world.agent)

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("cases.selectors.cases_visible", gone)
    response = client.get(CASES)

    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize(
    "query",
    ["citizen=", "team=1&team=2", "assignee=", "status=new&status=open&priority="],
)
def test_an_empty_or_repeated_single_filter_is_a_400(api_as, world, query):
    response = api_as(world.agent).get(f"{CASES}?{query}")

    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_repeating_a_multiple_choice_filter_is_fine(api_as, world, new_case):
    response = api_as(world.agent).get(f"{CASES}?status=new&status=open")

    assert [row["reference"] for row in response.json()["results"]] == [new_case.reference]


def test_an_empty_string_is_not_read_as_unassign(api_as, world, new_case):
    services.case_assign(case=new_case, assignee=world.agent, actor=world.agent)
    response = api_as(world.agent).post(
        f"{CASES}{new_case.reference}/assign/", {"assignee": ""}, format="json"
    )

    assert response.status_code == 400
    new_case.refresh_from_db()
    assert new_case.assignee == world.agent


def test_a_case_cannot_move_to_a_retired_service_or_team(api_as, world, new_case):
    world.pothole.active = False
    world.pothole.save()
    world.roads.active = False
    world.roads.save()
    client = api_as(world.agent)
    url = f"{CASES}{new_case.reference}/"

    moved = client.patch(url, {"category": "pothole"}, format="json",
                         HTTP_IF_MATCH=client.get(url)["ETag"])  # fmt: skip

    assert moved.status_code == 400
    assert moved.json()["error"]["fields"]["category"] == [
        "This service is not accepting requests."
    ]
    with pytest.raises(services.CaseRuleError):
        services.case_transfer(case=new_case, team=world.roads, actor=world.agent)
    new_case.refresh_from_db()
    assert (new_case.category, new_case.team) == (world.graffiti, world.parks)
