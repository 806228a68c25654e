"""Staff are told of work that reaches them: an assignment, a transfer to their team, a
mention in an internal note; never of what they did themselves, never across agencies."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from agencies.models import StaffMember
from cases.services import (
    case_assign,
    case_create,
    case_note_add,
    case_take,
    case_transfer,
    cases_bulk_assign,
)
from cases.staff_notices import mentioned_usernames
from core.models import Notification
from tests.cases.conftest import make_staff


def _told(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    return list(found.filter(kind=kind) if kind else found)


@pytest.fixture
def pothole_case(world):
    return case_create(
        category=world.pothole, description="Deep hole on Main St", channel="phone",
        actor=world.supervisor, attributes={"size": "large"},
    )  # fmt: skip


@pytest.mark.django_db
def test_an_agent_is_told_when_a_case_is_assigned_to_them_and_by_email_in_their_digest(
    world, pothole_case
):
    world.agent.email = "alex@pw.example.gov"
    world.agent.save()
    case_assign(case=pothole_case, assignee=world.agent, actor=world.supervisor)

    [notice] = _told(world.agent)
    assert notice.kind == "case.assigned"
    assert notice.title == f"Assigned to you: {pothole_case.reference}"
    assert "Sam gave you this case" in notice.body and "Pothole" in notice.body
    assert notice.url == reverse("cases:detail", args=[pothole_case.reference])
    assert notice.email_after is not None  # it asks something of them: in the digest too


@pytest.mark.django_db
def test_nobody_is_told_of_what_they_did_themselves(world, pothole_case):
    case_take(case=pothole_case, actor=world.agent)
    case_note_add(case=pothole_case, body="@alex note to self", actor=world.agent)

    assert _told(world.agent) == []


@pytest.mark.django_db
def test_a_bulk_assignment_is_one_notice_with_the_count_in_words(world):
    cases = [
        case_create(
            category=world.graffiti, description=f"Tag {n}", channel="phone", actor=world.supervisor
        )
        for n in range(3)
    ]

    assert cases_bulk_assign(cases=cases, assignee=world.agent2, actor=world.supervisor) == 3

    [notice] = _told(world.agent2)
    assert notice.title == "3 cases assigned to you"
    assert notice.url == reverse("cases:queue") + "?queue=mine"


@pytest.mark.django_db
def test_a_transfer_tells_the_receiving_team_in_app_only(world, new_case):
    parks_agent = make_staff("pat", world.agency, "agent", [world.parks])

    case_transfer(case=new_case, team=world.roads, actor=parks_agent, reason="Road, not park")

    for member in (world.agent, world.agent2, world.supervisor):
        [notice] = _told(member, "case.transferred")
        assert notice.title == f"New for Roads: {new_case.reference}"
        assert notice.email_after is None  # a whole team: in-app, not a flood of email
    assert _told(parks_agent) == []
    assert _told(world.other_agent) == []


@pytest.mark.django_db
def test_a_mention_tells_that_colleague_only_in_the_cases_agency(world, new_case):
    StaffMember.objects.filter(user=world.agent2).update(preferred_language="es")
    type(world.agent2).objects.filter(pk=world.agent2.pk).update(email="blair@pw.example.gov")

    event = case_note_add(
        case=new_case,
        body="@Blair can you check the CCTV? Olga (@olga) is in Revenue; mail me at "
        "sam@example.org, not @nobody.",
        actor=world.agent,
    )

    [notice] = _told(world.agent2)
    assert notice.kind == "case.mentioned"
    assert notice.title == f"Alex le mencionó en {new_case.reference}"  # in her language
    assert "can you check the CCTV?" in notice.body
    assert notice.email_after is not None
    assert _told(world.other_agent) == []  # another agency's staff cannot be reached
    assert event.data == {"mentions": ["blair"]}


def test_mentions_are_read_as_a_person_writes_them():
    assert mentioned_usernames("@ana, ask @bob.smith. (@carla) or joe@example.org @ana") == [
        "ana",
        "bob.smith",
        "carla",
    ]


@pytest.mark.django_db
def test_mention_suggestions_offer_only_the_callers_agency(client, world):
    client.force_login(world.agent)

    found = client.get(reverse("staff:people_suggest"), {"q": "bl"}).json()["results"]
    assert found == [{"username": "blair", "name": "Blair"}]
    assert client.get(reverse("staff:people_suggest"), {"q": "ol"}).json()["results"] == []


@pytest.mark.django_db
def test_the_home_shows_the_unread_notice_and_times_in_the_readers_own_zone(
    client, world, pothole_case
):
    case_assign(case=pothole_case, assignee=world.agent, actor=world.supervisor)
    Notification.objects.filter(recipient=world.agent).update(
        created_at=datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    )
    client.force_login(world.agent)

    home = client.get(reverse("staff:home")).content.decode()
    assert "1 unread notification" in home
    assert f"Assigned to you: {pothole_case.reference}" in home
    assert "9:30" in home  # 15:30 UTC in the agency's America/Chicago
    assert "America/Chicago time zone (CST)" in home  # the zone named

    StaffMember.objects.filter(user=world.agent).update(timezone="Europe/Madrid")
    page = client.get(reverse("notifications")).content.decode()
    assert "16:30" in page and "Europe/Madrid time zone (CET)" in page
