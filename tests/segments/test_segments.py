"""Segments: membership (own agency's records only), the size and members, a survey campaign
under the fatigue rules, outreach email only to those who agreed, audited; and segments are
not offered to routing, SLA policies, priorities or queues."""

from __future__ import annotations

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from core.geo import distance_between
from core.models import AuditEvent, OutboxMessage
from feedback.models import SurveyInvitation
from segments import selectors, services
from segments.links import unsubscribe_token
from segments.models import Segment
from tests.cases import conftest as case_fixtures
from tests.segments.support import people, survey

pytestmark = pytest.mark.django_db
world = case_fixtures.world


def _definition(world, **extra):
    today = timezone.localdate()
    return {"languages": ["es"], "categories": [world.pothole.pk],
            "case_from": (today - timedelta(days=45)).isoformat(),
            "case_to": today.isoformat(), **extra}  # fmt: skip


def test_members_by_language_and_own_agency_cases(world):
    p = people(world)
    members = selectors.segment_members(agency=world.agency, definition=_definition(world))
    assert {c.first_name for c in members} == {"ana", "berta", "carlos"}
    consenting = _definition(world, consent="surveys")
    assert selectors.segment_members(agency=world.agency, definition=consenting).count() == 2
    old = _definition(world, case_from=(timezone.localdate() - timedelta(days=5)).isoformat())
    assert selectors.segment_members(agency=world.agency, definition=old).count() == 0
    # Another agency's case never makes anyone a member.
    other = {"languages": ["es"], "categories": [world.other_category.pk]}
    assert selectors.segment_members(agency=world.agency, definition=other).count() == 0
    assert p["fer"] not in selectors.segment_members(
        agency=world.agency, definition={"statuses": ["closed"]}
    )


def test_survey_campaign_applies_the_fatigue_rules_and_is_audited(world):
    people(world)
    s = survey(world)
    segment = services.segment_create(name="Spanish pothole", definition=_definition(world),
                                      actor=world.supervisor)  # fmt: skip
    counts = services.segment_survey_campaign(segment=segment, survey=s, actor=world.supervisor)
    assert counts == {"invited": 2, "no survey consent": 1}
    assert set(SurveyInvitation.objects.values_list("citizen__first_name", flat=True)) == {
        "ana", "berta"}  # fmt: skip
    again = services.segment_survey_campaign(segment=segment, survey=s, actor=world.supervisor)
    assert again["invited"] == 0 and again["already invited for this case"] == 2
    audit = AuditEvent.objects.filter(action="segment.survey_campaign").order_by("pk").first()
    assert json.loads(audit.changes["definition"][1])["languages"] == ["es"]
    assert audit.changes["invited"] == [None, 2]


def test_outreach_email_only_to_people_who_agreed_in_their_language(world, client):
    p = people(world)
    segment = services.segment_create(name="Pothole", actor=world.supervisor,
                                      definition={"categories": [world.pothole.pk]})  # fmt: skip
    OutboxMessage.objects.all().delete()
    counts = services.segment_outreach_send(
        segment=segment, actor=world.supervisor,
        subject={"en": "Works next week", "es": "Obras la semana que viene"},
        body={"en": "We resurface Oak St.", "es": "Repavimentamos la calle Oak."},
    )  # fmt: skip
    assert counts == {"sent": 1, "not agreed to be contacted": 3}
    (email,) = OutboxMessage.objects.filter(topic="core.email")
    assert email.payload["to"] == ["ana@example.org"]
    assert email.payload["subject"] == "Obras la semana que viene"
    assert "/es/outreach/unsubscribe/" in email.payload["body"]
    url = reverse("outreach_unsubscribe", kwargs={"token": unsubscribe_token(p["ana"].pk)})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    p["ana"].refresh_from_db()
    assert p["ana"].consent_contact is False


def test_builder_pages(world, client):
    people(world)
    client.force_login(world.supervisor)
    assert client.get(reverse("segments:create")).status_code == 200
    count = client.get(reverse("segments:count"), {"languages": "es",
                                                   "categories": world.pothole.pk})  # fmt: skip
    assert b"3 citizens match" in count.content
    response = client.post(reverse("segments:create"), {"name": "Spanish", "languages": "es"})
    segment = Segment.objects.get()
    assert response["Location"] == reverse("segments:detail", kwargs={"pk": segment.pk})
    page = client.get(response["Location"])
    assert b"5 members" in page.content


def _place(case, latitude, longitude):
    type(case).objects.filter(pk=case.pk).update(latitude=latitude, longitude=longitude)


def test_members_near_a_point_are_those_who_reported_within_the_distance(world):
    p = people(world)
    point = (39.781700, -89.650100)
    # ana reported 150 m north of the point, berta about 900 m east; dan has no location.
    _place(p["ana"].cases.get(), 39.783049, -89.650100)
    _place(p["berta"].cases.get(), 39.781700, -89.639600)
    assert distance_between(*point, 39.783049, -89.650100) == pytest.approx(150, abs=1)
    assert distance_between(*point, 39.781700, -89.639600) == pytest.approx(899, abs=2)

    def members(metres):
        near = {"latitude": point[0], "longitude": point[1], "metres": metres}
        found = selectors.segment_members(agency=world.agency, definition={"near": near})
        return {c.first_name for c in found}

    assert members(100) == set()
    assert members(200) == {"ana"}
    assert members(1000) == {"ana", "berta"}
    # The point combines with the other case conditions: the same case must match them all.
    near = {"latitude": point[0], "longitude": point[1], "metres": 1000}
    graffiti = {"near": near, "categories": [world.graffiti.pk]}
    assert selectors.segment_members(agency=world.agency, definition=graffiti).count() == 0


def test_the_point_needs_all_three_values(world, client):
    people(world)
    client.force_login(world.supervisor)
    response = client.post(reverse("segments:create"),
                           {"name": "Oak St", "near_latitude": "39.7817"})  # fmt: skip
    assert response.status_code == 400
    assert "Give the point&#x27;s latitude and longitude and a distance" in response.text
    assert 'value="39.7817"' in response.text  # what was typed is kept
    assert not Segment.objects.exists()


def test_a_segment_is_changed_from_its_page_and_audited(world, client):
    p = people(world)
    _place(p["ana"].cases.get(), 39.783049, -89.650100)
    segment = services.segment_create(name="Spanish", definition={"languages": ["es"]},
                                      actor=world.supervisor)  # fmt: skip
    client.force_login(world.supervisor)
    edit = reverse("segments:edit", kwargs={"pk": segment.pk})
    page = client.get(edit)
    assert page.status_code == 200 and 'value="Spanish"' in page.text
    assert re.search(r'value="es"[^>]*checked', page.text)  # the language box stays ticked
    response = client.post(edit, {"name": "Oak St works", "languages": "es",
                                  "near_latitude": "39.7817", "near_longitude": "-89.6501",
                                  "near_metres": "500"})  # fmt: skip
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Oak St works"
    assert segment.definition["near"] == {"latitude": 39.7817, "longitude": -89.6501,
                                          "metres": 500}  # fmt: skip
    detail = client.get(response["Location"])
    assert "1 member" in detail.text
    assert "located within 500 m of 39.7817, -89.6501" in detail.text
    audit = AuditEvent.objects.get(action="segment.updated")
    assert audit.changes["name"] == ["Spanish", "Oak St works"]
    assert audit.changes["size"] == [None, 1]
    # Another agency's supervisor cannot open it.
    client.force_login(world.other_agent)
    assert client.get(edit).status_code in (403, 404)


# --- segments decide whom we write to, never how anyone is served -------------------------

SERVICE_LEVEL_MODULES = ("cases", "agencies", "visits")


def test_no_model_of_routing_sla_priority_or_queues_links_to_a_segment():
    for model in apps.get_models():
        if model._meta.app_label == "segments":
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            assert related is not Segment or model._meta.app_label == "segments", (
                f"{model._meta.label}.{field.name} links to a segment"
            )


def test_no_service_level_code_imports_segments():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in SERVICE_LEVEL_MODULES:
        for path in (root / app).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == "segments" or n.startswith("segments.") for n in names):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []
