"""Fixtures of the feedback tests: the case world (tests/cases/conftest.py), a survey, citizens
who agreed to surveys, and a helper that takes a case all the way to closed through the
services (so the real case-closed hook runs)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from citizens.models import Citizen
from citizens.services import citizen_create
from feedback.models import Question, Survey, SurveyInvitation
from tests.cases import conftest as case_fixtures

# The case world of tests/cases/conftest.py, shared with these tests.
world = case_fixtures.world
new_case = case_fixtures.new_case

_numbers = itertools.count(1)


@pytest.fixture
def survey_settings(settings):
    settings.SURVEY_SEND_DELAY_MINUTES = 0
    settings.SURVEY_REMINDER_DAYS = 5
    settings.SURVEY_EXPIRY_DAYS = 14
    settings.SURVEY_RECONTACT_DAYS = 30
    settings.SURVEY_MAX_ATTEMPTS = 3
    settings.SURVEY_RETRY_BASE_SECONDS = 60
    settings.SURVEY_LEASE_SECONDS = 300
    settings.SURVEY_BATCH_SIZE = 50
    return settings


def make_survey(agency, *, name: str = "Satisfaction", default: bool = True, categories=(),
                allow_anonymous: bool = True) -> Survey:  # fmt: skip
    survey = Survey.objects.create(
        agency=agency, name=name, is_default=default, allow_anonymous=allow_anonymous,
        title={"en": "How did we do?", "es": "¿Qué tal lo hicimos?"},
        intro={"en": "Tell us about your request.", "es": "Cuéntenos sobre su solicitud."},
    )  # fmt: skip
    survey.categories.set(categories)
    Question.objects.create(survey=survey, code="resolved", kind="yes_no", is_resolution=True,
                            required=True, order=0)  # fmt: skip
    Question.objects.create(
        survey=survey, code="csat", kind="csat", required=True, order=1,
        text={"en": "How satisfied are you with how we handled it?",
              "es": "¿Qué tan satisfecho está con cómo lo gestionamos?"},
    )  # fmt: skip
    Question.objects.create(
        survey=survey, code="nps", kind="nps", order=2,
        text={"en": "How likely are you to recommend us?",
              "es": "¿Qué probabilidad hay de que nos recomiende?"},
    )  # fmt: skip
    Question.objects.create(
        survey=survey, code="comment", kind="text", order=3,
        text={"en": "Anything else?", "es": "¿Algo más?"},
    )  # fmt: skip
    return survey


@pytest.fixture
def survey(world) -> Survey:
    return make_survey(world.agency)


@pytest.fixture
def make_citizen(world) -> Callable[..., Citizen]:
    def make(*, consent: bool | None = True, language: str = "en", email: str | None = None,
             **fields) -> Citizen:  # fmt: skip
        n = next(_numbers)
        return citizen_create(
            actor=world.agent, first_name=fields.pop("first_name", f"Ana{n}"),
            last_name=fields.pop("last_name", "Ruiz"),
            email=f"citizen{n}@example.org" if email is None else email,
            preferred_language=language, consent_surveys=consent, **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def citizen(make_citizen) -> Citizen:
    return make_citizen()


@pytest.fixture
def close_case(world) -> Callable[..., Case]:
    """A case through new → open → resolved → closed with the services (hooks run)."""

    def close(citizen: Citizen | None, *, contacted: bool = True, resolution: str = "resolved",
              category=None, agent=None, at=None, reporter_email: str = "",
              attributes=None) -> Case:  # fmt: skip
        agent = agent or world.agent
        case = case_services.case_create(
            category=category or world.graffiti, description="Tags on the wall", channel="phone",
            actor=agent, citizen=citizen, reporter_email=reporter_email, attributes=attributes,
        )  # fmt: skip
        case = case_services.case_take(case=case, actor=agent)
        case = case_services.case_transition(
            case=case, to_status="resolved", actor=agent, resolution_code=resolution,
            citizen_contacted=contacted,
        )  # fmt: skip
        return case_services.case_close(case=case, actor=agent, at=at)

    return close


def invitation_of(case: Case) -> SurveyInvitation | None:
    return SurveyInvitation.objects.filter(case=case).first()


def later(**delta) -> timezone.datetime:
    return timezone.now() + timezone.timedelta(**delta)
