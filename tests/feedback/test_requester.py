"""Issue 17 for feedback: the person who wrote matched to the citizen records (a suggestion for
an unproved email or phone, never a link), triage confirms, sets aside or creates; the survey
question is asked and recorded with its source."""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse

from citizens.models import Citizen, ConsentRecord
from citizens.services import citizen_create
from core.models import AuditEvent
from feedback import services
from feedback.models import FeedbackSubmission

pytestmark = pytest.mark.django_db
_addresses = (f"198.51.100.{n}" for n in itertools.count(120))


def _submit(client, world, **extra) -> FeedbackSubmission:
    data = {"kind": "complaint", "about": f"c{world.pothole.pk}",
            "message": "The pothole on Main St is still there.", **extra}  # fmt: skip
    response = client.post(reverse("feedback"), data, REMOTE_ADDR=next(_addresses))
    assert response.status_code == 302, response.content.decode()[:1500]
    return FeedbackSubmission.objects.select_related("citizen", "suggested_citizen").latest("id")


@pytest.fixture
def ana(world) -> Citizen:
    return citizen_create(actor=world.agent, first_name="Ana", last_name="García",
                          email="ana@example.org", phone="+13125550142")  # fmt: skip


def test_a_new_person_gets_a_record_with_the_survey_answer(client, world):
    feedback = _submit(client, world, contact_name="Rosa Díaz", contact_email="rosa@example.org",
                       consent_surveys="on")  # fmt: skip

    assert feedback.citizen.email == "rosa@example.org" and feedback.suggested_citizen is None
    record = ConsentRecord.objects.get(citizen=feedback.citizen)
    assert (record.kind, record.granted, record.source) == ("surveys", True, "feedback")


def test_an_unproved_email_or_phone_never_links_the_feedback(client, world, ana):
    by_email = _submit(client, world, contact_name="X", contact_email="ANA@example.org",
                       consent_surveys="on")  # fmt: skip
    by_phone = _submit(client, world, contact_name="Y", contact_phone="312 555 0142")

    for feedback in (by_email, by_phone):
        assert feedback.citizen is None and feedback.suggested_citizen == ana
    assert not ana.feedback_submissions.exists()
    assert not ConsentRecord.objects.filter(citizen=ana).exists()
    assert Citizen.objects.count() == 1


def test_triage_shows_the_suggestion(client, world, ana):
    feedback = _submit(client, world, contact_name="X", contact_email="ana@example.org")
    client.force_login(world.agent)

    listing = client.get(reverse("feedback:list")).content.decode()
    assert "possible match: confirm" in listing
    html = client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    assert f"Record {ana.pk}, Ana García, has the email address this feedback gave" in html
    assert reverse("feedback:reject_suggested_citizen", args=[feedback.pk]) in html


def test_triage_confirms_the_suggestion_and_the_yes_joins_the_record(client, world, ana):
    feedback = _submit(client, world, contact_name="X", contact_email="ana@example.org",
                       consent_surveys="on")  # fmt: skip
    client.force_login(world.agent)

    client.post(reverse("feedback:link_citizen", args=[feedback.pk]), {"citizen": ana.pk})

    feedback.refresh_from_db()
    assert feedback.citizen == ana and feedback.suggested_citizen is None
    event = AuditEvent.objects.get(action="feedback.citizen_linked")
    assert event.changes == {"citizen": [None, ana.pk], "suggested_citizen": [ana.pk, None]}
    ana.refresh_from_db()
    assert ana.consent_surveys is True
    assert ConsentRecord.objects.get(citizen=ana).source == "feedback"


def test_triage_sets_the_suggestion_aside(client, world, ana):
    feedback = _submit(client, world, contact_name="X", contact_email="ana@example.org")
    client.force_login(world.agent)

    client.post(reverse("feedback:reject_suggested_citizen", args=[feedback.pk]))

    feedback.refresh_from_db()
    assert feedback.citizen is None and feedback.suggested_citizen is None
    event = AuditEvent.objects.get(action="feedback.citizen_suggestion_rejected")
    assert (event.actor_user, event.changes) == (world.agent, {"suggested_citizen": [ana.pk, None]})


def test_triage_creates_a_record_after_the_duplicate_check(client, world, ana):
    feedback = _submit(client, world, contact_name="Xavier Ruiz", contact_email="ana@example.org")
    services.feedback_reject_suggested_citizen(feedback=feedback, actor=world.agent)
    client.force_login(world.agent)
    url = reverse("feedback:create_citizen", args=[feedback.pk])
    data = {"new-first_name": "Xavier", "new-last_name": "Ruiz", "new-email": "ana@example.org",
            "new-preferred_language": "en"}  # fmt: skip

    first = client.post(url, data)
    assert first.status_code == 400 and "may already have a record" in first.content.decode()
    seen = re.search(r'name="new-duplicates_seen" value="([^"]*)"', first.content.decode())
    client.post(url, {**data, "new-duplicates_seen": seen.group(1), "new-create_anyway": "on"})

    feedback.refresh_from_db()
    assert feedback.citizen not in (None, ana)
    assert (feedback.citizen.first_name, feedback.citizen.last_name) == ("Xavier", "Ruiz")
    assert AuditEvent.objects.filter(action="feedback.citizen_created_and_linked").exists()


def test_another_agencys_feedback_cannot_be_touched(client, world, ana):
    feedback = _submit(client, world, contact_name="X", contact_email="ana@example.org")
    client.force_login(world.other_agent)
    for name in ("reject_suggested_citizen", "create_citizen"):
        assert client.post(reverse(f"feedback:{name}", args=[feedback.pk])).status_code == 404


def test_a_case_opened_from_feedback_keeps_the_suggestion_and_the_answer(client, world, ana):
    feedback = _submit(client, world, contact_name="X", contact_email="ana@example.org",
                       consent_contact="on", consent_surveys="on")  # fmt: skip

    case = services.feedback_open_case(
        feedback=feedback, category=world.graffiti, actor=world.agent
    )

    assert case.citizen is None and case.suggested_citizen == ana
    assert case.consent_surveys is True


# --- the survey honours the consent given on the public form ---------------------------------


def _web_case(client, world, **contact):
    from cases.models import Case

    data = {"description": "Tags on the wall", "website": "", **contact}
    url = f"/en/requests/new/{world.agency.slug}/{world.graffiti.code}/"
    response = client.post(url, data, REMOTE_ADDR=next(_addresses))
    assert response.status_code == 302, response.content.decode()[:1500]
    return Case.objects.latest("id")


def _close(case, world):
    from cases import services as case_services

    case = case_services.case_take(case=case, actor=world.agent)
    case = case_services.case_transition(
        case=case, to_status="resolved", actor=world.agent, resolution_code="resolved",
        citizen_contacted=True,
    )  # fmt: skip
    return case_services.case_close(case=case, actor=world.agent)


@pytest.mark.usefixtures("survey_settings")
def test_a_web_request_with_consent_gets_a_survey_after_closure(client, world, survey):
    from django.core import mail
    from django.utils import timezone

    from feedback import survey_services
    from tests.feedback.conftest import invitation_of

    case = _web_case(client, world, contact_name="Rosa Díaz", contact_email="rosa@example.org",
                     consent_surveys="on")  # fmt: skip
    refused = _web_case(client, world, contact_name="Lu Chen", contact_email="lu@example.org")
    mail.outbox = []

    invitation = invitation_of(_close(case, world))
    assert invitation_of(_close(refused, world)) is None  # box left unticked: no survey
    assert invitation is not None and invitation.email == "rosa@example.org"

    report = survey_services.surveys_dispatch(now=timezone.now())

    assert report.sent == 1
    [message] = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert case.reference in message.subject


@pytest.mark.usefixtures("survey_settings")
def test_a_suggested_requester_gets_the_survey_once_staff_confirm(client, world, survey, ana):
    from cases.citizen_services import case_link_citizen
    from tests.feedback.conftest import invitation_of

    case = _web_case(client, world, contact_name="Ana", contact_email="ana@example.org",
                     consent_surveys="on")  # fmt: skip
    unconfirmed = _web_case(client, world, contact_name="Ana", contact_email="ana@example.org",
                            consent_surveys="on")  # fmt: skip
    case_link_citizen(case=case, citizen=ana, actor=world.agent)

    assert invitation_of(_close(case, world)) is not None
    # Not linked: nobody's record, no survey (the unproved address is nobody's yet).
    assert invitation_of(_close(unconfirmed, world)) is None
