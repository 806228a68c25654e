"""The updates extension driven as FixMyStreet's client (perllib/Open311.pm) drives it:
`send_service_request` posts a report, `get_service_request_updates` fetches the updates
between two times (api_key, start_date, end_date, jurisdiction_id) and reads
service_request_updates/request_update; `post_service_request_update` posts a comment and reads
request_update/update_id back."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.services import case_assign, case_note_add, case_public_update, case_transition
from open311.models import Open311Update
from tests.open311.conftest import url

pytestmark = pytest.mark.django_db


def fms_send_service_request(api, o311) -> str:
    response = api.post(url("requests.xml"), {
        "api_key": o311.key, "jurisdiction_id": "pw", "service_code": "pothole",
        "email": "ana@example.org", "first_name": "Ana", "last_name": "Ruiz",
        "description": "title: Hole\n\ndetail: A deep hole\n\nurl: https://fms.example/report/1",
        "lat": "41.878113", "long": "-87.629799", "attribute[size]": "large",
    })  # fmt: skip
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content).findtext("request/service_request_id")


def fms_get_updates(api, o311, start, end) -> list[dict]:
    response = api.get(url("servicerequestupdates.xml"), {
        "api_key": o311.key, "jurisdiction_id": "pw",
        "start_date": start.isoformat(timespec="seconds"),
        "end_date": end.isoformat(timespec="seconds"),
    })  # fmt: skip
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    assert root.tag == "service_request_updates"
    return [{child.tag: child.text for child in entry} for entry in root.findall("request_update")]


def fms_post_update(api, o311, reference: str, comment_id: int, text: str) -> str:
    response = api.post(url("servicerequestupdates.xml"), {
        "updated_datetime": timezone.now().replace(microsecond=0).isoformat(),
        "service_request_id": reference, "status": "OPEN", "email": "ana@example.org",
        "description": text, "last_name": "Ruiz", "first_name": "Ana",
        "update_id": str(comment_id), "email_alerts_requested": "FALSE", "title": "MS",
        "api_key": o311.key, "jurisdiction_id": "pw",
    })  # fmt: skip
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content).findtext("request_update/update_id")


def test_fixmystreet_exchanges_updates_both_ways(o311, api):
    start = timezone.now() - timedelta(minutes=1)
    reference = fms_send_service_request(api, o311)
    case = Case.objects.get(reference=reference)
    case_assign(case=case, assignee=o311.agent, actor=o311.agent)
    case_note_add(case=case, body="Crew says the hole is near Ana's house", actor=o311.agent)
    case_public_update(case=case, body="Dear Ana, we are on it", actor=o311.agent)
    case_transition(case=case, to_status="in_progress", actor=o311.agent,
                    feed_note="Crew scheduled")  # fmt: skip
    case_transition(case=case, to_status="waiting_on_citizen", actor=o311.agent,
                    note="Ana, is it by the school gate?")  # fmt: skip

    updates = fms_get_updates(api, o311, start, timezone.now() + timedelta(minutes=1))
    assert [(u["service_request_id"], u["status"]) for u in updates] == [
        (reference, "OPEN"),
        (reference, "IN_PROGRESS"),
        (reference, "INVESTIGATING"),
    ]
    assert updates[1]["description"] == "Crew scheduled"
    text = " ".join(u["description"] or "" for u in updates)
    assert "Ana" not in text and "house" not in text  # only what was written for the feed
    assert all(u["update_id"] and u["updated_datetime"] for u in updates)

    # The citizen answers in the app; FixMyStreet posts the comment (twice: a retry).
    first = fms_post_update(api, o311, reference, 77, "Yes, by the gate.\n\nAna")
    again = fms_post_update(api, o311, reference, 77, "Yes, by the gate.\n\nAna")
    assert first and first == again
    reply = CaseEvent.objects.get(case=case, kind="citizen_reply")
    assert reply.body.startswith("Yes, by the gate.")
    assert reply.data["channel"] == "open311"
    assert Open311Update.objects.count() == 1
    case.refresh_from_db()
    assert case.status == "in_progress"  # the clock runs again

    case_transition(case=case, to_status="resolved", actor=o311.agent, resolution_code="resolved",
                    citizen_contacted=True, feed_note="Pothole filled")  # fmt: skip
    later = fms_get_updates(api, o311, start, timezone.now() + timedelta(minutes=1))
    assert (later[-1]["status"], later[-1]["description"]) == ("FIXED", "Pothole filled")


def test_updates_of_unpublished_services_are_not_listed(o311, api):
    case = Case.objects.create(
        reference="CRM-2026-AAAAAA", agency=o311.agency, category=o311.hidden, description="x",
        channel="phone", team=o311.roads, assignee=o311.agent, status="open",
    )  # fmt: skip
    case_transition(case=case, to_status="in_progress", actor=o311.agent)
    now = timezone.now()
    assert fms_get_updates(api, o311, now - timedelta(hours=1), now + timedelta(hours=1)) == []


@pytest.mark.parametrize(
    ("extra", "status"),
    [({"api_key": "o311_wrong"}, 403), ({"service_request_id": "CRM-2026-ZZZZZZ"}, 404),
     ({"update_id": ""}, 400), ({"description": ""}, 400)],
)  # fmt: skip
def test_bad_update_posts_are_refused_and_write_nothing(o311, api, extra, status):
    reference = fms_send_service_request(api, o311)
    data = {"api_key": o311.key, "jurisdiction_id": "pw", "service_request_id": reference,
            "update_id": "5", "description": "Hello", **extra}  # fmt: skip
    response = api.post(url("servicerequestupdates.json"), data)
    assert response.status_code == status
    assert not CaseEvent.objects.filter(kind="citizen_reply").exists()


def test_another_jurisdictions_key_cannot_post_an_update(o311, api):
    reference = fms_send_service_request(api, o311)
    response = api.post(url("servicerequestupdates.json"), {
        "api_key": o311.other_key, "jurisdiction_id": "pw", "service_request_id": reference,
        "update_id": "5", "description": "Hello",
    })  # fmt: skip
    assert response.status_code == 403
