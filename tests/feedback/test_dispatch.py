"""The dispatch sweep: claims, one SMTP connection per batch, backoff, leases, reminders, expiry.

The clock is passed in (`now=`), so delays, leases and expiry are tested by the recorded times.
"""

from __future__ import annotations

import smtplib
import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cases import services as case_services
from citizens.models import ConsentSource
from citizens.services import citizen_consent_set
from core.models import AuditEvent
from feedback import survey_services
from feedback.models import SurveyInvitation
from tests.feedback import mail_backends
from tests.feedback.conftest import invitation_of

pytestmark = [pytest.mark.usefixtures("survey_settings")]


@pytest.fixture
def counting_mail(settings):
    mail_backends.reset()
    settings.EMAIL_BACKEND = "tests.feedback.mail_backends.CountingBackend"
    mail.outbox = []
    yield mail_backends
    mail_backends.reset()


def _invitations(make_citizen, close_case, n: int, **citizen_fields) -> list[SurveyInvitation]:
    return [invitation_of(close_case(make_citizen(**citizen_fields))) for _ in range(n)]


@pytest.mark.django_db
def test_a_due_invitation_is_sent_once_in_the_citizens_language(
    world, survey, make_citizen, close_case, counting_mail
):
    citizen = make_citizen(language="es")
    invitation = invitation_of(close_case(citizen))
    now = timezone.now()

    report = survey_services.surveys_dispatch(now=now)

    assert report.sent == 1
    [message] = mail.outbox
    assert message.to == [citizen.email]
    assert invitation.case.reference in message.subject
    assert 'lang="es"' in message.alternatives[0][0]  # rendered in Spanish (texts: locale/es)
    assert message.extra_headers["Message-ID"] == invitation.message_id
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/es/survey/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/es/survey/" in message.body
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    assert invitation.sent_at == now
    assert invitation.expires_at == now + timedelta(days=14)
    assert invitation.remind_after == now + timedelta(days=5)
    assert (invitation.attempts, invitation.claim_token, invitation.lease_until) == (0, None, None)
    assert AuditEvent.objects.filter(action="survey.sent", object_id=str(invitation.pk)).exists()

    assert survey_services.surveys_dispatch(now=now).emails == 0  # a rerun finds nothing to do
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_nothing_is_sent_before_the_delay(
    world, survey, citizen, close_case, counting_mail, settings
):
    settings.SURVEY_SEND_DELAY_MINUTES = 60
    invitation = invitation_of(close_case(citizen))

    assert (
        survey_services.surveys_dispatch(now=invitation.send_after - timedelta(seconds=1)).sent == 0
    )
    assert survey_services.surveys_dispatch(now=invitation.send_after).sent == 1


@pytest.mark.django_db
def test_one_smtp_connection_per_batch(
    world, survey, make_citizen, close_case, counting_mail, settings
):
    settings.SURVEY_BATCH_SIZE = 2
    _invitations(make_citizen, close_case, 5)

    report = survey_services.surveys_dispatch(now=timezone.now())

    assert (report.sent, report.batches) == (5, 3)
    assert len(counting_mail.opened) == 3  # 2 + 2 + 1 messages, one connection each
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5


@pytest.mark.django_db
def test_an_smtp_error_retries_with_backoff_then_fails(
    world, survey, citizen, close_case, counting_mail
):
    invitation = invitation_of(close_case(citizen))
    counting_mail.failures[citizen.email] = smtplib.SMTPDataError
    now = timezone.now()

    report = survey_services.surveys_dispatch(now=now)
    invitation.refresh_from_db()
    assert report.retried == 1
    assert (invitation.status, invitation.attempts) == ("pending", 1)
    assert invitation.send_after == now + timedelta(seconds=60)
    assert "SMTPDataError" in invitation.last_error

    # Not due again yet.
    assert survey_services.surveys_dispatch(now=now + timedelta(seconds=59)).retried == 0
    second = now + timedelta(seconds=61)
    survey_services.surveys_dispatch(now=second)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("pending", 2)
    assert invitation.send_after == second + timedelta(seconds=120)  # doubled

    report = survey_services.surveys_dispatch(now=invitation.send_after)
    invitation.refresh_from_db()
    assert report.failed == 1
    assert (invitation.status, invitation.attempts) == ("failed", 3)  # SURVEY_MAX_ATTEMPTS
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="survey.failed").count() == 1


@pytest.mark.django_db
def test_a_refused_recipient_does_not_stop_the_rest_of_the_batch(
    world, survey, make_citizen, close_case, counting_mail
):
    invitations = _invitations(make_citizen, close_case, 3)
    counting_mail.failures[invitations[1].email] = smtplib.SMTPRecipientsRefused

    report = survey_services.surveys_dispatch(now=timezone.now())

    assert (report.sent, report.retried) == (2, 1)
    assert len(counting_mail.opened) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([invitations[0].email,
                                                           invitations[2].email])  # fmt: skip


@pytest.mark.django_db
def test_a_broken_connection_releases_the_rest_of_the_batch_without_counting_attempts(
    world, survey, make_citizen, close_case, counting_mail
):
    invitations = _invitations(make_citizen, close_case, 4)
    counting_mail.disconnect_on[0] = 2  # the server hangs up on the second message
    now = timezone.now()

    report = survey_services.surveys_dispatch(now=now)

    assert report.sent == 1
    rows = {i.pk: i for i in SurveyInvitation.objects.all()}
    states = sorted((rows[i.pk].status, rows[i.pk].attempts) for i in invitations)
    assert states == [("pending", 0), ("pending", 0), ("pending", 1), ("sent", 0)]
    assert all(r.claim_token is None for r in rows.values())
    assert all(r.send_after >= now + timedelta(seconds=60) for r in rows.values()
               if r.status == "pending")  # fmt: skip


@pytest.mark.django_db
def test_an_unreachable_smtp_server_releases_the_batch(
    world, survey, citizen, close_case, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    invitation = invitation_of(close_case(citizen))

    report = survey_services.surveys_dispatch(now=timezone.now())

    invitation.refresh_from_db()
    assert report.emails == 0 and report.errors
    assert (invitation.status, invitation.attempts, invitation.claim_token) == ("pending", 0, None)


@pytest.mark.django_db
def test_a_row_left_sending_past_its_lease_is_reclaimed_and_sent_with_the_same_message_id(
    world, survey, make_citizen, close_case, counting_mail
):
    abandoned, busy = _invitations(make_citizen, close_case, 2)
    now = timezone.now()
    # A worker died holding `abandoned`; another one is still working on `busy`.
    SurveyInvitation.objects.filter(pk=abandoned.pk).update(
        status="sending", claim_token=uuid.uuid4(), lease_until=now - timedelta(seconds=1),
        attempts=1,
    )  # fmt: skip
    SurveyInvitation.objects.filter(pk=busy.pk).update(
        status="sending", claim_token=uuid.uuid4(), lease_until=now + timedelta(seconds=60)
    )

    report = survey_services.surveys_dispatch(now=now)

    assert report.sent == 1
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == abandoned.message_id
    assert SurveyInvitation.objects.get(pk=busy.pk).status == "sending"  # not stolen


@pytest.mark.django_db
def test_a_dispatcher_that_lost_its_claim_does_not_send(
    world, survey, citizen, close_case, counting_mail
):
    invitation = invitation_of(close_case(citizen))
    now = timezone.now()
    token, ids = survey_services._claim(now=now, limit=10)
    assert ids == [invitation.pk]
    # The first dispatcher stalls past its lease; a second one reclaims the row and sends it.
    assert survey_services.surveys_dispatch(now=now + timedelta(seconds=301)).sent == 1

    report = survey_services.DispatchReport()
    survey_services._send_batch(ids, token, lambda: now + timedelta(seconds=302), report)

    assert (report.sent, report.lost_claims) == (0, 1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_opt_out_after_closing_cancels_the_unsent_invitation(
    world, survey, citizen, close_case, counting_mail
):
    invitation = invitation_of(close_case(citizen))
    citizen_consent_set(citizen=citizen, kind="surveys", granted=False,
                        source=ConsentSource.STAFF, actor=world.agent)  # fmt: skip

    report = survey_services.surveys_dispatch(now=timezone.now())

    invitation.refresh_from_db()
    assert (report.sent, report.cancelled) == (0, 1)
    assert (invitation.status, invitation.cancel_reason) == ("cancelled", "opt-out")
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_case_reopened_before_sending_cancels_the_invitation(
    world, survey, citizen, close_case, counting_mail
):
    case = close_case(citizen)
    case_services.case_transition(case=case, to_status="open", actor=world.agent)

    survey_services.surveys_dispatch(now=timezone.now())

    invitation = invitation_of(case)
    assert (invitation.status, invitation.cancel_reason) == ("cancelled", "case reopened")
    assert mail.outbox == []


@pytest.mark.django_db
def test_one_reminder_after_n_days_then_expiry(world, survey, citizen, close_case, counting_mail):
    invitation = invitation_of(close_case(citizen))
    t0 = timezone.now()
    survey_services.surveys_dispatch(now=t0)

    assert (
        survey_services.surveys_dispatch(now=t0 + timedelta(days=5) - timedelta(seconds=1)).emails
        == 0
    )
    report = survey_services.surveys_dispatch(now=t0 + timedelta(days=5))
    assert report.reminded == 1
    reminder = mail.outbox[-1]
    assert reminder.extra_headers["Message-ID"] == invitation.reminder_message_id
    assert reminder.subject.startswith("Reminder")
    assert survey_services.surveys_dispatch(now=t0 + timedelta(days=10)).emails == 0  # only one

    assert (
        survey_services.surveys_dispatch(now=t0 + timedelta(days=14) - timedelta(seconds=1)).expired
        == 0
    )
    assert survey_services.surveys_dispatch(now=t0 + timedelta(days=14)).expired == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.reminded_at) == ("expired", t0 + timedelta(days=5))
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_no_reminder_once_answered(world, survey, citizen, close_case, counting_mail):
    invitation = invitation_of(close_case(citizen))
    t0 = timezone.now()
    survey_services.surveys_dispatch(now=t0)
    invitation.refresh_from_db()
    csat = survey.questions.get(code="csat")
    resolved = survey.questions.get(code="resolved")
    survey_services.survey_respond(invitation=invitation, answers={csat.pk: 5, resolved.pk: 1},
                            now=t0 + timedelta(days=1))  # fmt: skip

    assert survey_services.surveys_dispatch(now=t0 + timedelta(days=6)).emails == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_invitation_once(
    world, survey, make_citizen, close_case, counting_mail, settings
):
    settings.SURVEY_BATCH_SIZE = 3
    invitations = _invitations(make_citizen, close_case, 20)
    now = timezone.now()
    reports = []

    def run():
        try:
            reports.append(survey_services.surveys_dispatch(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert sorted(ids) == sorted(i.message_id for i in invitations)
    assert sum(r.sent for r in reports) == 20
    assert SurveyInvitation.objects.filter(status="sent").count() == 20
