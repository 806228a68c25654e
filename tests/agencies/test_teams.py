"""Teams and staff: agency consistency, admin access of agency admins, audit, scoped reads."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from agencies import selectors, services
from agencies.models import AGENCY_ADMINS_GROUP, StaffMember, Team
from core.models import AuditEvent
from tests.agencies.conftest import make_calendar, make_staff, make_team, make_user

pytestmark = pytest.mark.django_db


# --- teams ----------------------------------------------------------------------------------


def test_a_team_cannot_use_another_agencys_calendar(org, other_org):
    with pytest.raises(ValidationError) as refused:
        services.team_create(
            agency=org.agency, name="Parks", slug="parks", calendar=other_org.calendar, actor=None
        )

    assert refused.value.message_dict["calendar"] == [
        "Choose a business calendar of the team's own agency."
    ]
    assert not Team.objects.filter(slug="parks").exists()
    with pytest.raises(ValidationError):
        services.team_update(team=org.team, calendar=other_org.calendar, actor=None)
    org.team.refresh_from_db()
    assert org.team.calendar == org.calendar


def test_team_slugs_are_unique_within_an_agency_only(org, other_org):
    with pytest.raises(ValidationError, match="already has a team with this slug"):
        make_team(org.agency, org.calendar, "Roads again", "roads")

    elsewhere = make_team(other_org.agency, other_org.calendar, "Roads", "roads")
    assert elsewhere.agency == other_org.agency


def test_team_create_and_update_are_audited_and_an_unchanged_update_is_not(org):
    night = make_calendar(org.agency, "Night shift")
    team = services.team_create(
        agency=org.agency, name="Sanitation", slug="sanitation", calendar=org.calendar,
        actor=org.agent.user,
    )  # fmt: skip

    services.team_update(team=team, name="Sanitation", active=False, calendar=night, actor=None)
    services.team_update(team=team, name="Sanitation", active=False, actor=None)  # no change

    created = AuditEvent.objects.get(action="team.created", object_id=str(team.pk))
    assert created.actor_user == org.agent.user and created.agency_id == org.agency.pk
    updated = AuditEvent.objects.get(action="team.updated", object_id=str(team.pk))
    assert updated.changes == {"active": [True, False], "calendar": [org.calendar.pk, night.pk]}
    team.refresh_from_db()
    assert (team.active, team.calendar) == (False, night)


def test_staff_of_another_agency_cannot_change_this_agencys_organisation(org, other_org):
    outsider = make_staff("olga", other_org.agency, role="admin").user

    with pytest.raises(PermissionDenied):
        services.team_create(
            agency=org.agency, name="Parks", slug="parks", calendar=org.calendar, actor=outsider
        )
    with pytest.raises(PermissionDenied):
        services.calendar_set_hours(calendar=org.calendar, intervals=[], actor=outsider)
    with pytest.raises(PermissionDenied):
        services.staff_member_set_teams(member=org.agent, teams=[], actor=outsider)
    assert list(org.agent.teams.all()) == []


# --- staff and their teams ------------------------------------------------------------------


def test_staff_can_only_be_in_teams_of_their_own_agency(org, other_org):
    with pytest.raises(ValidationError) as refused:
        services.staff_member_set_teams(
            member=org.agent, teams=[org.team, other_org.team], actor=None
        )

    assert refused.value.message_dict["teams"] == [
        "Teams must belong to the member's own agency: Property Tax is not."
    ]
    assert list(org.agent.teams.all()) == []
    with pytest.raises(ValidationError):
        services.staff_member_create(
            user=make_user("newbie"), agency=org.agency, role="agent", teams=[other_org.team],
            actor=None,
        )  # fmt: skip
    assert not StaffMember.objects.filter(user__username="newbie").exists()


def test_the_model_clean_finds_a_member_in_another_agencys_team(org, other_org):
    org.agent.teams.add(other_org.team)  # bypassing the service, as a raw script might

    with pytest.raises(ValidationError, match="Property Tax is not"):
        org.agent.full_clean()


def test_set_teams_puts_the_member_in_exactly_those_teams_and_audits_the_change(org):
    parks = make_team(org.agency, org.calendar, "Parks", "parks")
    services.staff_member_set_teams(member=org.agent, teams=[org.team, parks], actor=None)

    services.staff_member_set_teams(member=org.agent, teams=[parks], actor=org.agent.user)
    services.staff_member_set_teams(member=org.agent, teams=[parks], actor=None)  # no change

    assert list(org.agent.teams.all()) == [parks]
    events = AuditEvent.objects.filter(action="staff_member.teams_set").order_by("id")
    assert [e.changes["teams"] for e in events] == [
        ["", "Parks, Roads and Sidewalks"],
        ["Parks, Roads and Sidewalks", "Parks"],
    ]
    assert events.last().actor_user == org.agent.user


def test_an_admin_gets_the_django_admin_through_the_group_and_others_do_not(org):
    admin = make_staff("ada", org.agency, role="admin")

    group = Group.objects.get(name=AGENCY_ADMINS_GROUP)
    assert admin.user.is_staff and not admin.user.is_superuser
    assert list(admin.user.groups.all()) == [group]
    assert admin.user.has_perm("agencies.add_businesscalendar")
    assert not admin.user.has_perm("agencies.add_staffmember")
    assert not org.agent.user.is_staff
    assert not org.agent.user.has_perm("agencies.view_team")
    event = AuditEvent.objects.get(action="staff_member.created", object_id=str(admin.pk))
    assert event.changes["role"] == [None, "admin"]
    assert event.changes["is_staff"] == [False, True]


def test_the_migration_gives_the_group_exactly_the_intended_permissions(db):
    group = Group.objects.get(name=AGENCY_ADMINS_GROUP)

    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == {
        f"{key.split('.')[0]}.{action}_{key.split('.')[1]}"
        for key, actions in services.AGENCY_ADMIN_PERMISSIONS.items()
        for action in actions
    }
    assert "agencies.change_agency" not in granted and "agencies.add_staffmember" not in granted
    assert "cases.change_servicecategory" in granted and "feedback.change_survey" in granted
    assert "cases.delete_servicecategory" not in granted


def test_the_group_is_recreated_with_its_permissions_if_it_went_missing(org):
    Group.objects.filter(name=AGENCY_ADMINS_GROUP).delete()

    admin = make_staff("ada", org.agency, role="admin")

    assert admin.user.has_perm("agencies.change_team")


def test_a_role_change_grants_or_removes_admin_access_and_is_audited(org, superuser):
    services.staff_member_update(member=org.agent, role="admin", actor=superuser)
    org.agent.user.refresh_from_db()
    assert org.agent.user.is_staff
    assert org.agent.user.groups.filter(name=AGENCY_ADMINS_GROUP).exists()

    services.staff_member_update(member=org.agent, role="supervisor", actor=superuser)

    user = org.agent.user
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.groups.exists()
    last = AuditEvent.objects.filter(action="staff_member.updated").order_by("id").last()
    assert last.changes["role"] == ["admin", "supervisor"]
    assert last.changes["is_staff"] == [True, False]
    assert last.actor_user == superuser


def test_a_deployment_superuser_keeps_admin_access_whatever_their_role(org):
    root = make_user("root2", is_superuser=True, is_staff=True)
    member = services.staff_member_create(user=root, agency=org.agency, role="agent", actor=None)

    services.staff_member_update(member=member, role="supervisor", actor=None)

    root.refresh_from_db()
    assert root.is_staff and root.is_superuser


def test_moving_staff_to_another_agency_takes_them_out_of_the_old_teams(org, other_org, superuser):
    services.staff_member_set_teams(member=org.agent, teams=[org.team], actor=None)

    services.staff_member_update(member=org.agent, agency=other_org.agency, actor=superuser)

    org.agent.refresh_from_db()
    assert org.agent.agency == other_org.agency
    assert list(org.agent.teams.all()) == []
    event = AuditEvent.objects.get(action="staff_member.updated")
    assert event.changes["agency"] == [org.agency.pk, other_org.agency.pk]
    assert event.changes["teams"] == ["Roads and Sidewalks", ""]


def test_an_agency_admin_cannot_move_staff_to_another_agency(org, other_org, agency_admin):
    with pytest.raises(PermissionDenied):
        services.staff_member_update(
            member=org.agent, agency=other_org.agency, actor=agency_admin.user
        )

    org.agent.refresh_from_db()
    assert org.agent.agency == org.agency


# --- scoped reads ---------------------------------------------------------------------------


def test_selectors_show_staff_their_own_agency_only(org, other_org, superuser):
    viewer = org.agent.user

    assert list(selectors.teams_visible_to(viewer)) == [org.team]
    assert list(selectors.calendars_visible_to(viewer)) == [org.calendar]
    assert set(selectors.staff_visible_to(viewer)) == {org.agent}
    assert set(selectors.teams_visible_to(superuser)) == {org.team, other_org.team}
    with pytest.raises(Http404):
        selectors.team_get(viewer, team_id=other_org.team.pk)
    with pytest.raises(Http404):
        selectors.calendar_get(viewer, calendar_id=other_org.calendar.pk)


def test_inactive_teams_can_be_left_out(org):
    services.team_update(team=org.team, active=False, actor=None)
    parks = make_team(org.agency, org.calendar, "Parks", "parks")

    assert list(selectors.teams_visible_to(org.agent.user, active_only=True)) == [parks]
    assert len(selectors.teams_visible_to(org.agent.user)) == 2
