"""The Django admin per agency: an agency admin sees and edits only their own agency's
organisation; another agency's objects are absent (never shown, never assignable)."""

from datetime import date

import pytest

from agencies import services
from agencies.models import Agency, StaffMember, Team
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def holidays(org, other_org):
    return (
        services.holiday_add(calendar=org.calendar, date=date(2026, 8, 14), name="Town Fair",
                             actor=None),
        services.holiday_add(calendar=other_org.calendar, date=date(2026, 9, 1),
                             name="Shelbyville Day", actor=None),
    )  # fmt: skip


def _page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


# --- what an agency admin sees --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "own", "foreign"),
    [
        ("team", "Roads and Sidewalks", "Property Tax"),
        ("businesscalendar", "Public Works hours", "Revenue counter hours"),
        ("holiday", "Town Fair", "Shelbyville Day"),
        ("staffmember", "alex", "elena"),
        ("agency", "Springfield Public Works", "Shelbyville Revenue"),
    ],
)
def test_changelists_list_the_own_agency_only(agency_admin_client, holidays, path, own, foreign):
    page = _page(agency_admin_client, f"/admin/agencies/{path}/")

    assert own in page
    assert foreign not in page  # neither in the rows nor in the list filters
    for name in ("Shelbyville Revenue", "Revenue counter hours", "Property Tax", "elena"):
        assert name not in page


@pytest.mark.parametrize("path", ["team", "businesscalendar", "holiday", "staffmember", "agency"])
def test_another_agencys_object_answers_as_if_it_did_not_exist(
    agency_admin_client, org, other_org, holidays, path
):
    foreign = {
        "team": other_org.team,
        "businesscalendar": other_org.calendar,
        "holiday": holidays[1],
        "staffmember": other_org.agent,
        "agency": other_org.agency,
    }[path]

    deletable = path in ("team", "businesscalendar", "holiday")  # the others: 403 for all
    for view in ("change", "history", "delete") if deletable else ("change", "history"):
        response = agency_admin_client.get(f"/admin/agencies/{path}/{foreign.pk}/{view}/")
        assert response.status_code == 404  # DESIGN.md: another agency's object is a 404
        assert str(foreign) not in response.content.decode()


def test_a_delete_post_for_another_agencys_team_deletes_nothing(agency_admin_client, other_org):
    agency_admin_client.post(f"/admin/agencies/team/{other_org.team.pk}/delete/", {"post": "yes"})
    agency_admin_client.post(
        "/admin/agencies/team/",
        {"action": "delete_selected", "_selected_action": [other_org.team.pk], "post": "yes"},
    )

    assert Team.objects.filter(pk=other_org.team.pk).exists()


def test_the_own_objects_open_for_editing_without_an_agency_field(agency_admin_client, org):
    page = _page(agency_admin_client, f"/admin/agencies/team/{org.team.pk}/change/")

    assert 'name="name"' in page and "Roads and Sidewalks" in page
    assert 'name="agency"' not in page


def test_the_superuser_sees_every_agency(superuser_client, org, other_org):
    teams = _page(superuser_client, "/admin/agencies/team/")
    foreign = _page(superuser_client, f"/admin/agencies/team/{other_org.team.pk}/change/")

    assert "Roads and Sidewalks" in teams and "Property Tax" in teams
    assert "Property Tax" in foreign and 'name="name"' in foreign


# --- what an agency admin can assign --------------------------------------------------------


def _team_post(calendar_id: int, **extra) -> dict:
    return {"name": "Parks", "slug": "parks", "calendar": str(calendar_id), "active": "on", **extra}


def test_the_calendar_choices_are_the_own_agencys_only(agency_admin_client, org, other_org):
    page = _page(agency_admin_client, "/admin/agencies/team/add/")

    assert f'<option value="{org.calendar.pk}">Public Works hours</option>' in page
    assert "Revenue counter hours" not in page


def test_another_agencys_calendar_cannot_be_assigned(agency_admin_client, org, other_org):
    response = agency_admin_client.post(
        "/admin/agencies/team/add/", _team_post(other_org.calendar.pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Team.objects.filter(slug="parks").exists()


def test_a_new_team_goes_to_the_admins_agency_whatever_is_posted(
    agency_admin_client, agency_admin, org, other_org
):
    response = agency_admin_client.post(
        "/admin/agencies/team/add/", _team_post(org.calendar.pk, agency=str(other_org.agency.pk))
    )

    assert response.status_code == 302
    team = Team.objects.get(slug="parks")
    assert team.agency == org.agency
    event = AuditEvent.objects.get(action="team.created", object_id=str(team.pk))
    assert event.actor_user == agency_admin.user


def test_a_duplicate_slug_is_a_form_error_not_a_crash(agency_admin_client, org):
    response = agency_admin_client.post(
        "/admin/agencies/team/add/", {**_team_post(org.calendar.pk), "slug": "roads"}
    )

    assert response.status_code == 200
    assert "This agency already has a team with this slug." in response.content.decode()


def _member_post(member: StaffMember, **extra) -> dict:
    return {"role": member.role, "preferred_language": member.preferred_language, **extra}


def test_another_agencys_team_cannot_be_given_to_staff(agency_admin_client, org, other_org):
    url = f"/admin/agencies/staffmember/{org.agent.pk}/change/"
    page = _page(agency_admin_client, url)
    assert "Property Tax" not in page

    response = agency_admin_client.post(url, _member_post(org.agent, teams=[other_org.team.pk]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(org.agent.teams.all()) == []


def test_an_agency_admin_sets_teams_and_roles_through_the_services(
    agency_admin_client, agency_admin, org, other_org
):
    response = agency_admin_client.post(
        f"/admin/agencies/staffmember/{org.agent.pk}/change/",
        _member_post(org.agent, role="admin", teams=[org.team.pk], agency=other_org.agency.pk),
    )

    assert response.status_code == 302
    org.agent.refresh_from_db()
    org.agent.user.refresh_from_db()
    assert org.agent.agency == org.agency  # the posted agency is ignored
    assert list(org.agent.teams.all()) == [org.team]
    assert org.agent.role == "admin" and org.agent.user.is_staff
    assert not org.agent.user.is_superuser
    actions = set(
        AuditEvent.objects.filter(actor_user=agency_admin.user).values_list("action", flat=True)
    )
    assert {"staff_member.updated", "staff_member.teams_set"} <= actions


def test_agency_admins_cannot_reach_user_accounts_or_superuser_profiles(agency_admin_client, org):
    root = services.staff_member_create(
        user=_superuser("deploy-root"), agency=org.agency, role="admin", actor=None
    )

    assert agency_admin_client.get("/admin/auth/user/").status_code == 403
    assert agency_admin_client.get("/admin/auth/user/add/").status_code == 403
    assert agency_admin_client.get("/admin/agencies/staffmember/add/").status_code == 403
    response = agency_admin_client.post(
        f"/admin/agencies/staffmember/{root.pk}/change/", _member_post(root, role="agent")
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.role == "admin"


def _superuser(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username=username, password="x" * 16)


def test_agency_admins_only_view_their_agency(agency_admin_client, org):
    url = f"/admin/agencies/agency/{org.agency.pk}/change/"
    response = agency_admin_client.post(url, {"name": "Renamed", "slug": "renamed",
                                               "timezone": "UTC"})  # fmt: skip

    assert response.status_code == 403
    assert Agency.objects.get(pk=org.agency.pk).name == "Springfield Public Works"
    page = _page(agency_admin_client, url)  # read-only view of their own agency
    assert "View agency" in page and "Springfield Public Works" in page
    assert 'name="name"' not in page


def test_the_superuser_can_move_staff_and_pick_any_agency(superuser_client, org, other_org):
    response = superuser_client.post(
        f"/admin/agencies/staffmember/{org.agent.pk}/change/",
        _member_post(org.agent, agency=other_org.agency.pk),
    )

    assert response.status_code == 302
    org.agent.refresh_from_db()
    assert org.agent.agency == other_org.agency


def test_the_superuser_cannot_mix_agencies_either(superuser_client, org, other_org):
    response = superuser_client.post(
        "/admin/agencies/team/add/",
        _team_post(other_org.calendar.pk, agency=str(org.agency.pk)),
    )

    assert response.status_code == 200
    assert "Choose a business calendar of the team&#x27;s own agency." in response.content.decode()
    assert not Team.objects.filter(slug="parks").exists()
