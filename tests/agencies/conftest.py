"""Two agencies with calendars, teams and staff; signed-in admin clients for the Django admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import services
from agencies.models import Agency, BusinessCalendar, StaffMember, Team

PASSWORD = "correct-horse-battery-staple"
OFFICE_HOURS = [(day, time(8), time(12)) for day in range(5)] + [
    (day, time(13), time(17)) for day in range(5)
]


def make_user(username: str, **extra) -> object:
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )


def make_staff(username: str, agency: Agency, role: str = "agent") -> StaffMember:
    return services.staff_member_create(
        user=make_user(username), agency=agency, role=role, actor=None
    )


def make_calendar(agency: Agency, name: str = "Office hours", hours=None) -> BusinessCalendar:
    return services.calendar_create(
        agency=agency, name=name, intervals=hours or OFFICE_HOURS, actor=None
    )


def make_team(agency: Agency, calendar: BusinessCalendar, name: str, slug: str) -> Team:
    return services.team_create(agency=agency, name=name, slug=slug, calendar=calendar, actor=None)


@dataclass
class Org:
    """One agency's organisation."""

    agency: Agency
    calendar: BusinessCalendar
    team: Team
    agent: StaffMember


@pytest.fixture
def org(db) -> Org:
    agency = Agency.objects.create(
        name="Springfield Public Works", slug="public-works", timezone="America/Chicago"
    )
    calendar = make_calendar(agency, "Public Works hours")
    team = make_team(agency, calendar, "Roads and Sidewalks", "roads")
    return Org(agency, calendar, team, make_staff("alex", agency))


@pytest.fixture
def other_org(db) -> Org:
    agency = Agency.objects.create(
        name="Shelbyville Revenue", slug="shelbyville-revenue", timezone="America/New_York"
    )
    calendar = make_calendar(agency, "Revenue counter hours")
    team = make_team(agency, calendar, "Property Tax", "property-tax")
    return Org(agency, calendar, team, make_staff("elena", agency))


def signed_in_client(user) -> Client:
    """A client signed in with a verified second factor, as the admin requires of admins."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def agency_admin(org) -> StaffMember:
    """An agency administrator of `org` (not a superuser): Django admin through the group."""
    return make_staff("ada", org.agency, role="admin")


@pytest.fixture
def agency_admin_client(agency_admin) -> Client:
    return signed_in_client(agency_admin.user)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="root", password=PASSWORD, email="root@example.org"
    )


@pytest.fixture
def superuser_client(superuser) -> Client:
    return signed_in_client(superuser)
