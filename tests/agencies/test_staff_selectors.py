"""What other apps ask agencies about staff: whose staff a user is, and whom to notify."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from agencies import selectors
from tests.agencies.conftest import make_staff, make_team, make_user


def test_staff_of_an_agency_and_who_acts_for_it(org, other_org, superuser):
    alex = org.agent.user

    assert selectors.is_staff_of(alex, org.agency.pk)
    assert not selectors.is_staff_of(alex, other_org.agency.pk)
    assert not selectors.is_staff_of(make_user("nobody"), org.agency.pk)
    assert not selectors.is_staff_of(AnonymousUser(), org.agency.pk)
    assert not selectors.is_staff_of("citizen (web form)", org.agency.pk)  # a system actor
    assert selectors.acts_for_agency(superuser, other_org.agency.pk)
    assert not selectors.is_staff_of(superuser, other_org.agency.pk)
    assert selectors.staff_agency(alex) == org.agency and selectors.staff_agency(superuser) is None
    assert selectors.staff_member(alex) == org.agent


def test_team_ids_of_a_staff_member(org):
    org.agent.teams.add(org.team)

    assert selectors.staff_team_ids(org.agent.user) == [org.team.pk]
    assert selectors.staff_team_ids(AnonymousUser()) == []


def test_supervisors_of_a_team_fall_back_to_the_agencys(org, other_org):
    team_lead = make_staff("sam", org.agency, role="supervisor")
    head = make_staff("hana", org.agency, role="supervisor")
    make_staff("omar", other_org.agency, role="supervisor")
    team_lead.teams.add(org.team)
    empty = make_team(org.agency, org.calendar, "Parks", "parks")
    gone = make_staff("gus", org.agency, role="supervisor")
    gone.teams.add(org.team)
    gone.user.is_active = False
    gone.user.save()

    assert selectors.supervisors_for_team(agency_id=org.agency.pk, team_id=org.team.pk) == [
        team_lead.user
    ]
    everyone = [team_lead.user, head.user]
    assert selectors.supervisors_for_team(agency_id=org.agency.pk, team_id=empty.pk) == everyone
    assert selectors.supervisors_for_team(agency_id=org.agency.pk, team_id=None) == everyone
    assert selectors.supervisors_of_agency(agency_id=org.agency.pk) == everyone


def test_team_staff_with_the_assignee(org, other_org):
    member = make_staff("mia", org.agency)
    member.teams.add(org.team)
    outsider = other_org.agent.user

    team = selectors.team_staff(
        agency_id=org.agency.pk, team_id=org.team.pk, also_user_id=org.agent.user.pk
    )
    assert team == [org.agent.user, member.user]
    assert selectors.team_staff(
        agency_id=org.agency.pk, team_id=None, also_user_id=outsider.pk
    ) == []  # fmt: skip
