"""Fixtures of the citizen tests: two agencies with staff, citizens made through the service."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMember
from citizens.models import Citizen
from citizens.services import citizen_create
from citizens.timeline import register_timeline_provider, unregister_timeline_provider

PASSWORD = "pw-0123456789"


def make_staff(username: str, agency: Agency, role: str):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    StaffMember.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(name="Springfield Public Works", slug="public-works")


@pytest.fixture
def other_agency(db) -> Agency:
    return Agency.objects.create(name="Springfield Revenue Department", slug="revenue")


@pytest.fixture
def agent(agency):
    return make_staff("alex", agency, "agent")


@pytest.fixture
def supervisor(agency):
    return make_staff("sam", agency, "supervisor")


@pytest.fixture
def make_citizen(agent) -> Callable[..., Citizen]:
    """A citizen created the way staff create one; keyword arguments as for citizen_create."""

    def make(first_name: str = "John", last_name: str = "Smith", **fields) -> Citizen:
        return citizen_create(actor=agent, first_name=first_name, last_name=last_name, **fields)

    return make


@pytest.fixture
def timeline_provider() -> Iterator[Callable]:
    """Register providers for one test only: `timeline_provider(func)`."""
    registered = []

    def register(provider):
        registered.append(register_timeline_provider(provider))
        return provider

    yield register
    for provider in registered:
        unregister_timeline_provider(provider)
