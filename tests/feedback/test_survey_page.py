"""The public survey page: signed single-use link, answers, "not resolved" reopens, opt-out."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import CaseEvent
from citizens.models import ConsentRecord
from core.models import AuditEvent, Notification, OutboxMessage
from feedback import links, services, survey_services
from feedback.models import Answer, SurveyInvitation, SurveyResponse
from feedback.selectors import results_csv_rows
from tests.feedback.conftest import invitation_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("survey_settings")]


@pytest.fixture
def sent(world, survey, citizen, close_case) -> SurveyInvitation:
    invitation = invitation_of(close_case(citizen))
    survey_services.surveys_dispatch(now=timezone.now())
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    return invitation


def _url(invitation: SurveyInvitation, language: str = "en") -> str:
    with translation.override(language):
        return reverse("survey", args=[links.survey_token(invitation.pk)])


def _answers(survey, *, resolved: str = "1", csat: str = "4", nps: str = "9",
             comment: str = "Quick and kind.") -> dict:  # fmt: skip
    q = {question.code: question.pk for question in survey.questions.all()}
    return {f"q{q['resolved']}": resolved, f"q{q['csat']}": csat, f"q{q['nps']}": nps,
            f"q{q['comment']}": comment}  # fmt: skip


def test_the_link_in_the_email_opens_the_survey_with_the_case_and_service(client, sent):
    [message] = mail.outbox
    path = message.body.split("http://localhost:8000", 1)[1].split()[0]

    response = client.get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert sent.case.reference in page
    assert "Graffiti" in page
    assert "How satisfied are you with how we handled it?" in page
    assert "Was your request resolved?" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]  # works without JS


def test_the_survey_page_in_spanish(client, sent):
    response = client.get(_url(sent, "es"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert "¿Qué tan satisfecho está con cómo lo gestionamos?" in page
    assert "¿Qué tal lo hicimos?" in page
    assert "Graffiti (es)" in page


def test_one_response_then_already_answered(client, sent, survey):
    response = client.post(_url(sent), _answers(survey))
    assert response.status_code == 302
    # The thanks page of this invitation (its signed token carries the second it was made).
    token = response["Location"].removeprefix("/en/survey/").split("/")[0]
    assert response["Location"] == reverse("survey_thanks", args=[token])
    assert links.invitation_id_from_survey_token(token) == sent.pk
    assert "Thank you for your answers" in client.get(response["Location"]).content.decode()

    again = client.post(_url(sent), _answers(survey, csat="1"))
    assert again.status_code == 200
    assert "You have already answered" in again.content.decode()
    assert "You have already answered" in client.get(_url(sent)).content.decode()

    [stored] = SurveyResponse.objects.all()
    assert stored.case == sent.case and stored.invitation == sent
    assert sorted(
        (a.question.code, a.number, a.text) for a in Answer.objects.select_related("question")
    ) == [("comment", None, "Quick and kind."), ("csat", 4, ""), ("nps", 9, ""),
          ("resolved", 1, "")]  # fmt: skip
    sent.refresh_from_db()
    assert sent.status == "answered"
    assert AuditEvent.objects.filter(action="survey.answered").count() == 1


def test_the_service_refuses_a_second_answer(sent, survey):
    csat = survey.questions.get(code="csat").pk
    resolved = survey.questions.get(code="resolved").pk
    survey_services.survey_respond(invitation=sent, answers={csat: 5, resolved: 1})
    with pytest.raises(services.SurveyClosed) as closed:
        survey_services.survey_respond(invitation=sent, answers={csat: 1, resolved: 1})
    assert closed.value.reason == "answered"
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # a changed signature
        lambda token: token.replace(token.split(":")[0], "OTk5OQ", 1),  # another invitation id
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_404(client, sent, tamper):
    token = links.survey_token(sent.pk)
    response = client.get(reverse("survey", args=[tamper(token)]))
    assert response.status_code == 404


def test_a_token_for_another_purpose_is_refused(client, sent):
    response = client.get(reverse("survey", args=[links.unsubscribe_token(sent.pk)]))
    assert response.status_code == 404
    response = client.get(reverse("survey_unsubscribe", args=[links.survey_token(sent.pk)]))
    assert response.status_code == 404


def test_an_unsent_invitation_is_404(client, world, survey, citizen, close_case, settings):
    settings.SURVEY_SEND_DELAY_MINUTES = 60
    invitation = invitation_of(close_case(citizen))
    assert client.get(_url(invitation)).status_code == 404


def test_an_expired_survey_says_so(client, sent, survey):
    SurveyInvitation.objects.filter(pk=sent.pk).update(expires_at=timezone.now())

    page = client.get(_url(sent)).content.decode()
    assert "This survey is closed" in page
    response = client.post(_url(sent), _answers(survey))
    assert "This survey is closed" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_a_required_question_left_empty_is_an_error_and_nothing_is_stored(client, sent, survey):
    data = _answers(survey)
    data.pop(f"q{survey.questions.get(code='csat').pk}")

    response = client.post(_url(sent), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Answer this question." in page
    assert 'aria-invalid="true"' in page
    assert SurveyResponse.objects.count() == 0
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_an_out_of_range_answer_is_refused(client, sent, survey):
    response = client.post(_url(sent), _answers(survey, csat="9"))
    assert "Choose one of the answers." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_not_resolved_reopens_the_case_writes_an_event_and_notifies_the_team(
    client, world, sent, survey
):
    world.agent.email = "alex@pw.example"
    world.agent.save()
    world.supervisor.email = "sam@pw.example"  # in the Parks team, whose case it is
    world.supervisor.save()
    mail.outbox = []

    response = client.post(_url(sent), _answers(survey, resolved="0", csat="2"))

    assert response.status_code == 302 and "reopened=1" in response["Location"]
    assert "we have reopened request" in client.get(response["Location"]).content.decode()
    case = sent.case
    case.refresh_from_db()
    assert case.status == "open"
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).last()
    assert event.data["reopened"] is True
    assert event.actor_label == "citizen (satisfaction survey)"
    assert "not resolved" in event.body
    assert AuditEvent.objects.filter(action="case.reopened", object_id=str(case.pk),
                                     actor_type="citizen").exists()  # fmt: skip
    team_emails = [
        m for m in OutboxMessage.objects.filter(topic="core.email")
        if m.payload["to"][0] in {"alex@pw.example", "sam@pw.example"}
    ]  # fmt: skip
    assert sorted(m.payload["to"][0] for m in team_emails) == ["alex@pw.example",
                                                               "sam@pw.example"]  # fmt: skip
    assert all(case.reference in m.payload["subject"] for m in team_emails)
    assert SurveyResponse.objects.get().reopened_case is True
    # The same notice in their in-app list (notify_staff), already emailed: not in a digest.
    told = Notification.objects.filter(kind="case.reopened_by_survey")
    assert {world.agent, world.supervisor} <= {n.recipient for n in told}
    assert all(case.reference in n.title and n.email_queued_at for n in told if n.recipient.email)


def test_resolved_does_not_reopen(client, sent, survey):
    client.post(_url(sent), _answers(survey, resolved="1"))
    sent.case.refresh_from_db()
    assert sent.case.status == "closed"


def test_anonymous_answers_are_not_linked_to_the_case_or_the_person(client, sent, survey):
    client.post(_url(sent), {**_answers(survey), "anonymous": "on"})

    response = SurveyResponse.objects.get()
    assert response.anonymous is True
    assert (response.invitation, response.case) == (None, None)
    assert (response.category_id, response.team_id) == (sent.category_id, sent.team_id)
    sent.refresh_from_db()
    assert sent.status == "answered"  # still single-use
    assert "You have already answered" in client.get(_url(sent)).content.decode()


def test_an_anonymous_answer_cannot_be_tied_back_by_time_audit_or_export(
    client, sent, survey, world
):
    """Issue 13: the answer's time, the audit trail and the CSV must not single the person out."""
    client.post(_url(sent), {**_answers(survey, resolved="0"), "anonymous": "on"})

    response = SurveyResponse.objects.get()
    sent.refresh_from_db()
    # The day only, on both sides: nothing to line up to the second.
    local = timezone.localtime(response.submitted_at, ZoneInfo(world.agency.timezone))
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert sent.answered_at == response.submitted_at
    # No audit row names the invitation or the case, and the row keeps no address.
    assert not AuditEvent.objects.filter(
        action__startswith="survey.answered", object_type="feedback.surveyinvitation"
    ).exists()
    [row] = AuditEvent.objects.filter(action="survey.answered_anonymously")
    assert (row.object_type, row.object_id) == ("feedback.survey", str(survey.pk))
    assert row.ip_address is None
    # "Not resolved" does not reopen a named case at that moment.
    sent.case.refresh_from_db()
    assert sent.case.status == "closed" and response.reopened_case is False
    assert not CaseEvent.objects.filter(case=sent.case, data__reopened=True).exists()
    # The export shows the day, not the time, and no case.
    rows = list(results_csv_rows(world.supervisor))
    [line] = [r for r in rows[1:] if r[6] == "yes"]
    assert line[0] == local.date().isoformat() and line[2] == ""


def test_the_survey_says_anonymous_answers_cannot_reopen_before_the_citizen_chooses(client, sent):
    page = client.get(_url(sent)).content.decode()
    assert "we cannot reopen your request if you tell us it was not resolved" in page


def test_anonymous_is_offered_only_where_the_survey_allows_it(client, sent, survey):
    assert 'name="anonymous"' in client.get(_url(sent)).content.decode()
    survey.allow_anonymous = False
    survey.save()
    assert 'name="anonymous"' not in client.get(_url(sent)).content.decode()
    client.post(_url(sent), {**_answers(survey), "anonymous": "on"})
    assert SurveyResponse.objects.get().anonymous is False


# --- unsubscribe ----------------------------------------------------------------------------


def _unsubscribe_url(invitation, language="en"):
    with translation.override(language):
        return reverse("survey_unsubscribe", args=[links.unsubscribe_token(invitation.pk)])


def test_unsubscribe_page_asks_first_a_get_changes_nothing(client, sent, citizen):
    response = client.get(_unsubscribe_url(sent))
    assert response.status_code == 200
    assert "Stop surveys" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.consent_surveys is True


def test_one_click_unsubscribe_withdraws_consent_and_stops_reminders(
    world, sent, citizen, close_case
):
    from django.test import Client

    other = invitation_of(close_case(citizen)) or None  # inside the recontact window: none
    assert other is None
    csrf_client = Client(enforce_csrf_checks=True)  # a mail client's RFC 8058 POST has no token

    response = csrf_client.post(_unsubscribe_url(sent), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "We will not send you satisfaction surveys any more" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.consent_surveys is False
    record = ConsentRecord.objects.filter(citizen=citizen, kind="surveys").first()
    assert (record.granted, record.source) == (False, "email-unsubscribe")
    sent.refresh_from_db()
    assert sent.remind_after is None
    assert survey_services.surveys_dispatch(now=timezone.now() + timedelta(days=6)).emails == 0
    assert AuditEvent.objects.filter(action="survey.unsubscribed").count() == 1


def test_unsubscribing_cancels_pending_invitations(world, survey, make_citizen, close_case):
    citizen = make_citizen()
    invitation = invitation_of(close_case(citizen))  # pending: not sent yet

    assert survey_services.survey_unsubscribe(invitation=invitation) is True
    invitation.refresh_from_db()
    assert (invitation.status, invitation.cancel_reason) == ("cancelled", "opt-out")
    assert survey_services.survey_unsubscribe(invitation=invitation) is False  # nothing left to do
