"""A small world for case tests: two agencies, a calendar, teams, categories, staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMember, Team
from agencies.services import calendar_create, team_create
from cases.models import AttributeDefinition, ServiceCategory
from tests.cases.sla.support import clock  # noqa: F401  (a controllable "now" for SLA tests)

WEEKDAYS_9_TO_5 = [(day, time(9), time(17)) for day in range(5)]


@dataclass
class CaseWorld:
    agency: Agency
    other_agency: Agency
    roads: Team
    parks: Team
    other_team: Team
    pothole: ServiceCategory
    graffiti: ServiceCategory
    other_category: ServiceCategory
    agent: object
    agent2: object
    supervisor: object
    admin: object
    other_agent: object


def make_staff(username: str, agency: Agency, role: str, teams=()) -> object:
    user = get_user_model().objects.create_user(
        username=username, password="pw-0123456789", first_name=username.title()
    )
    member = StaffMember.objects.create(user=user, agency=agency, role=role)
    member.teams.set(teams)
    return user


def make_category(agency: Agency, team: Team, code: str, name: str, **extra) -> ServiceCategory:
    return ServiceCategory.objects.create(
        agency=agency, code=code, name={"en": name, "es": f"{name} (es)"}, owning_team=team,
        group={"en": "Streets", "es": "Calles"}, **extra,
    )  # fmt: skip


@pytest.fixture
def world(db) -> CaseWorld:
    agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
    other = Agency.objects.create(name="Revenue", slug="rev", timezone="America/Chicago")
    calendar = calendar_create(agency=agency, name="Office", intervals=WEEKDAYS_9_TO_5, actor=None)
    other_calendar = calendar_create(
        agency=other, name="Office", intervals=WEEKDAYS_9_TO_5, actor=None
    )
    roads = team_create(agency=agency, name="Roads", slug="roads", calendar=calendar, actor=None)
    parks = team_create(agency=agency, name="Parks", slug="parks", calendar=calendar, actor=None)
    other_team = team_create(
        agency=other, name="Tax", slug="tax", calendar=other_calendar, actor=None
    )
    pothole = make_category(agency, roads, "pothole", "Pothole")
    AttributeDefinition.objects.create(
        category=pothole, code="size", label={"en": "Size"}, datatype="singlevaluelist",
        required=True, values=[{"key": "small", "name": {"en": "Small"}},
                               {"key": "large", "name": {"en": "Large"}}],
    )  # fmt: skip
    graffiti = make_category(agency, parks, "graffiti", "Graffiti")
    other_category = make_category(other, other_team, "tax-question", "Tax question")
    return CaseWorld(
        agency=agency, other_agency=other, roads=roads, parks=parks, other_team=other_team,
        pothole=pothole, graffiti=graffiti, other_category=other_category,
        agent=make_staff("alex", agency, "agent", [roads]),
        agent2=make_staff("blair", agency, "agent", [roads]),
        supervisor=make_staff("sam", agency, "supervisor", [roads, parks]),
        admin=make_staff("ada", agency, "admin"),
        other_agent=make_staff("olga", other, "agent", [other_team]),
    )  # fmt: skip


@pytest.fixture
def new_case(world):
    from cases.services import case_create

    return case_create(
        category=world.graffiti, description="Tags on the park wall", channel="phone",
        actor=world.agent, reporter_email="resident@example.org",
    )  # fmt: skip
