"""The mail gateway as a mail server meets it: a real SMTP client (smtplib) talking to the
running gateway on loopback; processing then runs as the worker runs it (the outbox job)."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEmail, CaseEvent
from cases.services import case_assign, case_transition
from inbound.management.commands.mail_gateway import gateway_stop, make_controller
from inbound.models import InboundMessage
from tests.inbound.conftest import PNG, make_mail, run_processing

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gateway(inbound_world) -> Iterator[int]:
    controller = make_controller(host="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        gateway_stop(controller)


def send(port: int, raw: bytes, *, mail_from: str = "ana@example.org",
         to: tuple[str, ...] = ("roads@city.example",)) -> dict:  # fmt: skip
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        return client.sendmail(mail_from, list(to), raw)


def test_a_new_mail_makes_one_case_with_its_attachment(gateway):
    assert send(gateway, make_mail(attachment=("photo.png", PNG, "image/png"))) == {}
    assert InboundMessage.objects.get().status == "received"  # stored before the 250
    run_processing()
    case = Case.objects.get()
    assert case.channel == "email"
    assert case.attachments.get().content_type == "image/png"


def test_the_same_message_delivered_twice_makes_one_case(gateway):
    raw = make_mail()
    send(gateway, raw)
    send(gateway, raw)  # a sending server that did not see our 250 retries
    run_processing()
    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_unknown_recipients_are_refused_at_rcpt(gateway):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(gateway, make_mail(to="nobody@city.example"), to=("nobody@city.example",))
    assert not InboundMessage.objects.exists()


def test_oversized_mail_is_refused(gateway, settings):
    settings.INBOUND_MAX_BYTES = 2000
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused,
                        smtplib.SMTPServerDisconnected)):  # fmt: skip
        send(gateway, make_mail(body="x" * 5000))
    assert not InboundMessage.objects.exists()


def test_an_auto_reply_and_a_bounce_do_nothing(gateway):
    send(gateway, make_mail(headers={"Auto-Submitted": "auto-replied"}, subject="Out of office"))
    send(gateway, make_mail(sender="MAILER-DAEMON@mx.example.org", subject="Undelivered"),
         mail_from="")  # fmt: skip
    run_processing()
    assert not Case.objects.exists()
    assert sorted(InboundMessage.objects.values_list("status", flat=True)) == ["ignored", "ignored"]


def test_a_reply_lands_on_the_case_and_resumes_the_clock(gateway, inbound_world):
    send(gateway, make_mail())
    run_processing()
    case = Case.objects.get()
    case_assign(case=case, assignee=inbound_world.agent, actor=inbound_world.agent)
    case_transition(case=case, to_status="waiting_on_citizen", actor=inbound_world.agent,
                    note="Which side of the street?")  # fmt: skip
    question = CaseEmail.objects.filter(case=case).last()
    reply = make_mail(subject=f"Re: Your request {case.reference} is now: Waiting on you",
                      body="North side.\n\n> Which side of the street?",
                      headers={"In-Reply-To": question.message_id,
                               "References": question.message_id})  # fmt: skip
    send(gateway, reply)
    run_processing()
    assert Case.objects.count() == 1
    assert CaseEvent.objects.get(case=case, kind="citizen_reply").body == "North side."
    case.refresh_from_db()
    assert case.status == "in_progress" and not case.sla_paused


def test_list_addresses_prints_the_routed_addresses(inbound_world):
    out = StringIO()
    call_command("mail_gateway", "--list-addresses", stdout=out)
    assert out.getvalue().split() == ["roads@city.example"]


def test_beyond_the_gateways_rate_the_sender_is_told_to_retry_later(inbound_world, settings):
    settings.MAIL_GATEWAY_MAX_PER_MINUTE = 1
    controller = make_controller(host="127.0.0.1", port=_free_port())
    controller.start()
    try:
        send(controller.port, make_mail(subject="First"))
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(controller.port, make_mail(subject="Second"))
        assert refused.value.smtp_code == 451  # temporary: the sending server retries later
    finally:
        gateway_stop(controller)
    assert list(InboundMessage.objects.values_list("subject", flat=True)) == ["First"]
