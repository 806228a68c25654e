"""Subject access: everything the agency holds on a person, for supervisors, audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.services import case_note_add
from citizens.services import citizen_create
from core.models import AuditEvent
from tests.cases.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa(world):
    rosa = citizen_create(actor=world.agent, first_name="Rosa", last_name="Parks",
                          email="rosa@example.org")  # fmt: skip
    case = case_services.case_create(category=world.graffiti, description="Tags on my garage",
                                     channel="phone", citizen=rosa, actor=world.agent)  # fmt: skip
    case_note_add(case=case, body="She sounded upset", actor=world.agent)
    case_services.case_create(category=world.other_category, description="My tax bill",
                              channel="web", citizen=rosa)  # fmt: skip
    return rosa


def test_the_json_export_holds_the_record_cases_and_notes_of_the_own_agency(client, world, rosa):
    client.force_login(world.supervisor)

    response = client.get(reverse("citizens:subject_access_json", args=[rosa.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    sections = {section["title"]: section["records"] for section in data["sections"]}
    assert sections["Citizen record"][0]["email"] == "rosa@example.org"
    (case,) = sections["Cases"]
    assert case["description"] == "Tags on my garage"
    assert "She sounded upset" in [entry["text"] for entry in case["timeline"]]
    # The other agency's case: named as a count, never its content.
    assert "My tax bill" not in response.content.decode()
    assert data["other_agencies"] == [{"agency": "Revenue", "what": "Cases", "count": 1}]
    event = AuditEvent.objects.get(action="citizen.subject_access_exported")
    assert event.actor_user == world.supervisor and event.changes["format"] == [None, "json"]


def test_the_printable_page_shows_the_same_and_is_audited(client, world, rosa):
    client.force_login(world.supervisor)

    page = client.get(reverse("citizens:subject_access", args=[rosa.pk])).content.decode()

    assert "Tags on my garage" in page and "She sounded upset" in page
    assert "My tax bill" not in page and "Revenue" in page
    assert AuditEvent.objects.filter(action="citizen.subject_access_exported").count() == 1


def test_agents_cannot_export(client, world, rosa):
    client.force_login(world.agent)

    assert client.get(reverse("citizens:subject_access_json", args=[rosa.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="citizen.subject_access_exported").exists()


def test_another_agencys_supervisor_sees_only_their_own_part(client, world, rosa):
    other_supervisor = make_staff("ola", world.other_agency, "supervisor")
    client.force_login(other_supervisor)

    data = client.get(reverse("citizens:subject_access_json", args=[rosa.pk])).json()

    (case,) = {s["title"]: s["records"] for s in data["sections"]}["Cases"]
    assert case["description"] == "My tax bill"
    assert "Tags on my garage" not in json.dumps(data)
