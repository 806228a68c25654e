"""The case-closed hook and the fatigue rules (DESIGN.md "Surveys")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from citizens.models import ConsentSource
from citizens.services import citizen_consent_set
from core.models import AuditEvent
from feedback import selectors
from feedback.models import SurveyInvitation
from feedback.survey_services import survey_invite_for_closed_case
from tests.feedback.conftest import invitation_of, make_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("survey_settings")]


def test_closing_a_case_creates_one_invitation_in_the_closing_transaction(
    world, survey, citizen, close_case, settings
):
    settings.SURVEY_SEND_DELAY_MINUTES = 60
    before = timezone.now()
    case = close_case(citizen)

    invitation = invitation_of(case)
    assert invitation is not None
    assert invitation.status == "pending"
    assert invitation.survey == survey
    assert invitation.citizen == citizen
    assert invitation.email == citizen.email
    assert invitation.agency == world.agency
    assert (invitation.category_id, invitation.team_id, invitation.agent_id) == (
        world.graffiti.pk, world.parks.pk, world.agent.pk,
    )  # fmt: skip
    # send_after = closing time + the configured delay (default 1 hour).
    assert before + timedelta(minutes=60) <= invitation.send_after
    assert invitation.send_after <= timezone.now() + timedelta(minutes=60)
    # A stable Message-ID per invitation, with its id, stored before anything is sent.
    assert f"survey-invitation-{invitation.pk}@" in invitation.message_id
    assert f"survey-reminder-{invitation.pk}@" in invitation.reminder_message_id
    assert AuditEvent.objects.filter(
        action="survey.invitation_created", object_id=str(invitation.pk)
    ).exists()


def test_no_invitation_when_the_closing_transaction_rolls_back(world, survey, citizen, close_case):
    case = close_case(citizen)
    case = case_services.case_transition(case=case, to_status="open", actor=world.agent)
    case = case_services.case_transition(
        case=case, to_status="resolved", actor=world.agent, resolution_code="resolved",
        citizen_contacted=True,
    )  # fmt: skip
    SurveyInvitation.objects.all().delete()

    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.case_close(case=case, actor=world.agent)
        assert SurveyInvitation.objects.filter(case=case).count() == 1  # made inside…
        raise RuntimeError("something later in the closing transaction failed")

    assert SurveyInvitation.objects.count() == 0  # …and gone with the closure
    case.refresh_from_db()
    assert case.status == "resolved"


def test_the_default_delay_is_one_hour_and_the_window_thirty_days():
    from citizencrm import settings as project_settings

    assert project_settings.SURVEY_SEND_DELAY_MINUTES == 60
    assert project_settings.SURVEY_RECONTACT_DAYS == 30


def test_a_survey_attached_to_the_service_wins_over_the_agency_default(
    world, survey, citizen, close_case
):
    special = make_survey(world.agency, name="Graffiti survey", default=False,
                          categories=[world.graffiti])  # fmt: skip
    case = close_case(citizen)
    assert invitation_of(case).survey == special


def test_an_agency_without_a_survey_sends_none(world, citizen, close_case):
    case = close_case(citizen)
    assert invitation_of(case) is None


def test_one_invitation_per_case_and_survey_even_when_closed_again(
    world, survey, citizen, close_case, settings
):
    case = close_case(citizen)
    settings.SURVEY_RECONTACT_DAYS = 0  # only the (case, survey) rule is under test here
    case = case_services.case_transition(case=case, to_status="open", actor=world.agent)
    case = case_services.case_transition(
        case=case, to_status="resolved", actor=world.agent, resolution_code="resolved",
        citizen_contacted=True,
    )  # fmt: skip
    case_services.case_close(case=case, actor=world.agent)

    assert SurveyInvitation.objects.filter(case=case).count() == 1


def test_an_invitation_cancelled_before_sending_is_rearmed_when_the_case_closes_again(
    world, survey, citizen, close_case
):
    case = close_case(citizen)
    SurveyInvitation.objects.filter(case=case).update(status="cancelled",
                                                      cancel_reason="case reopened")  # fmt: skip
    case = case_services.case_transition(case=case, to_status="open", actor=world.agent)
    case = case_services.case_transition(
        case=case, to_status="resolved", actor=world.agent, resolution_code="resolved",
        citizen_contacted=True,
    )  # fmt: skip
    case_services.case_close(case=case, actor=world.agent)

    invitation = invitation_of(case)
    assert (invitation.status, invitation.cancel_reason) == ("pending", "")
    assert SurveyInvitation.objects.filter(case=case).count() == 1


# --- fatigue rules --------------------------------------------------------------------------


def test_no_survey_without_consent(world, survey, make_citizen, close_case):
    refused = make_citizen(consent=False)
    never_asked = make_citizen(consent=None)
    assert invitation_of(close_case(refused)) is None
    assert invitation_of(close_case(never_asked)) is None


def test_no_survey_after_opt_out(world, survey, citizen, close_case):
    citizen_consent_set(citizen=citizen, kind="surveys", granted=False,
                        source=ConsentSource.EMAIL_UNSUBSCRIBE)  # fmt: skip
    assert invitation_of(close_case(citizen)) is None


def test_no_survey_without_a_citizen_record_even_with_a_reporter_email(world, survey, close_case):
    assert invitation_of(close_case(None, reporter_email="walkin@example.org")) is None


def test_no_survey_without_an_email_address(world, survey, make_citizen, close_case):
    assert invitation_of(close_case(make_citizen(email=""))) is None


def test_no_survey_for_a_case_closed_without_contact(world, survey, make_citizen, close_case):
    assert invitation_of(close_case(make_citizen(), contacted=False)) is None
    assert invitation_of(close_case(make_citizen(), contacted=True)) is not None


@pytest.mark.parametrize(
    ("resolution", "invited"),
    [("duplicate", False), ("spam", False), ("resolved", True), ("no_action", True),
     ("referred", True)],
)  # fmt: skip
def test_no_survey_for_duplicate_or_spam(world, survey, make_citizen, close_case, resolution,
                                         invited):  # fmt: skip
    case = close_case(make_citizen(), resolution=resolution)
    assert (invitation_of(case) is not None) is invited


def test_recontact_window_allows_one_invitation_per_citizen_across_agencies(
    world, citizen, close_case
):
    make_survey(world.agency)
    make_survey(world.other_agency)
    first = close_case(citizen)
    second = close_case(citizen, category=world.other_category, agent=world.other_agent)

    assert invitation_of(first) is not None
    assert invitation_of(second) is None  # another agency, same person: still too soon


@pytest.mark.parametrize(
    ("days_ago", "invited"),
    [
        (timedelta(days=30) - timedelta(seconds=1), False),  # just inside the window
        (timedelta(days=30), True),  # exactly 30 days: the window has passed
        (timedelta(days=31), True),
    ],
)
def test_recontact_window_boundaries(world, survey, citizen, close_case, days_ago, invited):
    earlier = close_case(citizen)
    later_case = close_case(citizen)
    assert invitation_of(later_case) is None  # closed right after: inside the window

    now = timezone.now()
    SurveyInvitation.objects.filter(case=earlier).update(created_at=now - days_ago)
    result = survey_invite_for_closed_case(case=later_case, now=now)

    assert (result is not None) is invited


def test_recontact_window_is_configurable(world, survey, citizen, close_case, settings):
    settings.SURVEY_RECONTACT_DAYS = 0
    assert invitation_of(close_case(citizen)) is not None
    assert invitation_of(close_case(citizen)) is not None


def test_cancelled_or_failed_invitations_do_not_use_up_the_window(
    world, survey, citizen, close_case
):
    first = close_case(citizen)
    SurveyInvitation.objects.filter(case=first).update(status="failed")
    second = close_case(citizen)
    assert invitation_of(second) is not None
    SurveyInvitation.objects.filter(case=second).update(status="cancelled")
    assert invitation_of(close_case(citizen)) is not None


def test_refusal_reasons_are_named(world, survey, make_citizen, close_case):
    case = close_case(make_citizen(), contacted=False)
    now = timezone.now()
    assert selectors.invitation_refusal(case, survey=survey, now=now) == "closed without contact"
    assert selectors.invitation_refusal(case, survey=None, now=now) == "closed without contact"
