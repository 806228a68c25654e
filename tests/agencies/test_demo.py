"""The demo organisation: teams, calendars with real Illinois holidays, staff in teams."""

from datetime import date, time

import pytest

from agencies.demo import demo_data_load, load
from agencies.models import BusinessCalendar, Holiday, OpeningInterval, StaffMember, Team
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "teams": Team.objects.count(),
        "calendars": BusinessCalendar.objects.count(),
        "intervals": OpeningInterval.objects.count(),
        "holidays": Holiday.objects.count(),
        "staff": StaffMember.objects.count(),
        "memberships": StaffMember.teams.through.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_loading_the_demo_twice_changes_nothing_the_second_time():
    load()  # what `load_demo_data` runs for this app
    first = _counts()

    load()

    assert _counts() == first
    assert first["teams"] == 5 and first["calendars"] == 2


def test_the_demo_organisation_is_what_the_readme_promises():
    demo_data_load()

    teams = {(t.agency.slug, t.name) for t in Team.objects.select_related("agency")}
    assert teams == {
        ("public-works", "Roads and Sidewalks"),
        ("public-works", "Sanitation"),
        ("public-works", "Parks"),
        ("revenue", "Property Tax"),
        ("revenue", "Business Licences"),
    }
    works = BusinessCalendar.objects.get(agency__slug="public-works")
    assert works.timezone == "America/Chicago"
    schedule = works.weekly_schedule()
    assert schedule[0] == [(time(8), time(12)), (time(13), time(17))]
    assert schedule[5] == [(time(9), time(12))]
    assert schedule[6] == []
    revenue = BusinessCalendar.objects.get(agency__slug="revenue")
    assert revenue.weekly_schedule()[5] == []
    assert {date(2026, 7, 3), date(2026, 2, 12), date(2027, 12, 24)} <= works.holiday_dates(
        2026
    ) | works.holiday_dates(2027)
    assert all(team.calendar.agency_id == team.agency_id for team in Team.objects.all())
    members = {m.user.username: {t.name for t in m.teams.all()} for m in StaffMember.objects.all()}
    assert members["agent"] == {"Roads and Sidewalks"}
    assert members["agente"] == {"Property Tax", "Business Licences"}


def test_load_demo_data_refuses_to_run_in_production(settings):
    """The demo resets users to the published password and makes `admin` a superuser."""
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_data")
    assert not get_user_model().objects.filter(username="admin").exists()
