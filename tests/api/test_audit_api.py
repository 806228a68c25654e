"""REST API for the audit trail: admins only, their own agency's events and shared records'."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from citizens.services import citizen_create
from core.models import AuditEvent
from feedback.services import feedback_submit
from tests.api._fixtures_people import error_of, staff_of

pytestmark = pytest.mark.django_db

AUDIT = "/api/v1/audit/"


def actions(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["action"] for row in response.json()["results"]]


def test_only_admins_read_the_audit_trail(api_as, world):
    error_of(APIClient().get(AUDIT), 401)
    assert error_of(api_as(world.agent).get(AUDIT), 403)["code"] == "permission_denied"
    error_of(api_as(world.supervisor).get(AUDIT), 403)
    assert api_as(world.admin).get(AUDIT).status_code == 200


def test_an_admin_sees_their_agencys_events_and_own_actions_on_shared_records_only(api_as, world):
    own = feedback_submit(agency=world.agency, kind="complaint", message="Ours")
    other = feedback_submit(agency=world.other_agency, kind="complaint", message="Theirs")
    citizen = citizen_create(actor=world.other_agent, first_name="Ana", last_name="Ruiz")
    ours = citizen_create(actor=world.agent, first_name="Bea", last_name="Ruiz")

    rows = api_as(world.admin).get(AUDIT).json()["results"]
    seen = {(row["action"], row["object_id"]) for row in rows}

    assert ("feedback.submitted", str(own.pk)) in seen
    assert ("feedback.submitted", str(other.pk)) not in seen
    # A shared record's history: our own actions on it, never another agency's (issue 13).
    assert ("citizen.created", str(ours.pk)) in seen
    assert ("citizen.created", str(citizen.pk)) not in seen
    other_admin = staff_of(world.other_agency, "admin", "oona")
    other_seen = {(r["action"], r["object_id"])
                  for r in api_as(other_admin).get(AUDIT).json()["results"]}  # fmt: skip
    assert ("feedback.submitted", str(other.pk)) in other_seen
    assert ("feedback.submitted", str(own.pk)) not in other_seen


def test_writes_through_the_api_are_in_the_audit_trail(api_as, world):
    response = api_as(world.agent).post(
        "/api/v1/citizens/", {"first_name": "Rosa", "last_name": "Diaz"}, format="json"
    )
    assert response.status_code == 201

    [row] = api_as(world.admin).get(AUDIT, {"action": "citizen.created"}).json()["results"]

    assert (row["object_type"], row["object_id"]) == (
        "citizens.citizen",
        str(response.json()["id"]),
    )
    assert (row["actor_type"], row["actor"], row["actor_user"]) == ("staff", "alex", world.agent.pk)
    assert row["changes"]["last_name"] == [None, "Diaz"]


def test_newest_first_with_a_cursor_and_filters(api_as, world):
    now = timezone.now()
    for n in range(5):
        AuditEvent.objects.create(
            occurred_at=now - timedelta(minutes=n), actor_type="system", actor_label="system",
            action=f"test.step{n}", object_type="feedback.feedbacksubmission", object_id=str(n),
            agency_id=world.agency.pk,
        )  # fmt: skip
    client = api_as(world.admin)

    first = client.get(AUDIT, {"action": "test.", "page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert [r["action"] for r in first["results"]] == ["test.step0", "test.step1", "test.step2"]
    assert [r["action"] for r in second["results"]] == ["test.step3", "test.step4"]
    assert actions(client.get(AUDIT, {"object_id": "3", "action": "test."})) == ["test.step3"]
    until = (now - timedelta(days=2)).date().isoformat()
    assert actions(client.get(AUDIT, {"action": "test.", "until": until})) == []
    assert "since" in error_of(client.get(AUDIT, {"since": "last week"}), 400)["fields"]
    assert "until" in error_of(client.get(AUDIT, {"until": ""}), 400)["fields"]


def test_one_row_for_many_names_the_objects_behind_it_and_is_in_their_history(api_as, world):
    from cases.models import Case
    from core.services import audit_record

    audit_record(action="sla.recomputed", obj=world.agency, actor=world.admin,
                 agency_id=world.agency.pk, changes={"cases": (None, 2)},
                 related_model=Case, related_ids=[7, 8])  # fmt: skip
    client = api_as(world.admin)

    [row] = client.get(AUDIT, {"action": "sla.recomputed"}).json()["results"]
    assert (row["related_type"], row["related_ids"]) == ("cases.case", ["7", "8"])
    assert row["changes"]["cases"] == [None, 2]
    history = client.get(AUDIT, {"object_type": "cases.case", "object_id": "8"})
    assert actions(history) == ["sla.recomputed"]
