"""Inbound email into cases: new mail, replies, automatic mail, duplicates, dead letters."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from cases.models import Case, CaseEmail, CaseEvent
from cases.services import case_assign, case_transition
from citizens.services import citizen_create
from core.models import Notification, OutboxMessage
from inbound import mail
from inbound.models import InboundMessage
from inbound.selectors import reply_address_for
from inbound.services import inbound_receive, inbound_requeue
from tests.inbound.conftest import PNG, make_mail, run_processing

pytestmark = pytest.mark.django_db


def receive(raw: bytes, *, mail_from: str = "ana@example.org",
            to: tuple[str, ...] = ("roads@city.example",)) -> InboundMessage:  # fmt: skip
    message, _created = inbound_receive(raw=raw, source="smtp", envelope_from=mail_from,
                                        envelope_to=list(to))  # fmt: skip
    run_processing()
    message.refresh_from_db()
    return message


def test_a_new_mail_opens_one_email_case_in_the_routed_team(inbound_world):
    message = receive(make_mail(attachment=("photo.png", PNG, "image/png")))
    assert message.status == "processed", message.reason
    case = Case.objects.get()
    assert (case.channel, case.team, case.category) == (
        "email",
        inbound_world.roads,
        inbound_world.unclassified,
    )
    assert "deep pothole" in case.description
    assert case.reporter_email == "ana@example.org"
    assert case.attachments.get().original_name == "photo.png"
    assert message.case == case
    # A receipt with the reference, through the outbox, carrying our Message-ID and reply-to.
    receipt = OutboxMessage.objects.get(topic="core.email", payload__to=["ana@example.org"])
    assert case.reference in receipt.payload["subject"]
    sent = CaseEmail.objects.get(case=case)
    assert receipt.payload["headers"]["Message-ID"] == sent.message_id
    assert receipt.payload["reply_to"] == reply_address_for(case)
    assert receipt.payload["reply_to"].startswith(f"roads+{case.reference.lower()}.")


def test_the_same_message_twice_is_one_case(inbound_world):
    raw = make_mail()
    receive(raw)
    _again, created = inbound_receive(
        raw=raw.replace(b"From:", b"Received: by relay2\r\nFrom:", 1),
        source="imap",
        envelope_to=["roads@city.example"],
    )
    run_processing()
    assert not created
    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_an_unproved_sender_address_is_only_suggested(inbound_world):
    known = citizen_create(actor=None, first_name="Ana", last_name="Ruiz", email="ana@example.org")
    receive(make_mail())
    case = Case.objects.get()
    assert case.citizen is None
    assert case.suggested_citizen == known


def test_an_unknown_sender_with_a_name_gets_a_new_record(inbound_world):
    receive(make_mail(sender="Bo Lee <bo@example.org>"), mail_from="bo@example.org")
    case = Case.objects.get()
    assert case.citizen.email == "bo@example.org"
    assert (case.citizen.first_name, case.citizen.last_name) == ("Bo", "Lee")


def test_html_only_mail_becomes_plain_text(inbound_world):
    message = mail.parse(make_mail())
    message.clear_content()
    message.set_content("<p>Broken <b>light</b></p><script>alert(1)</script>", subtype="html")
    receive(bytes(message))
    description = Case.objects.get().description
    assert "Broken light" in description
    assert "<" not in description and "alert" not in description


@pytest.mark.parametrize(
    ("headers", "mail_from"),
    [
        ({"Auto-Submitted": "auto-replied"}, "ana@example.org"),
        ({"Precedence": "bulk"}, "ana@example.org"),
        ({"List-Id": "<news.example.org>"}, "ana@example.org"),
        ({}, ""),  # null sender: a bounce
        ({"X-Autoreply": "yes"}, "ana@example.org"),
    ],
)
def test_automatic_mail_opens_nothing_and_gets_no_receipt(inbound_world, headers, mail_from):
    message = receive(make_mail(headers=headers), mail_from=mail_from)
    assert message.status == "ignored" and message.reason
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.filter(topic="core.email").exists()


def test_a_bounce_report_opens_nothing(inbound_world):
    raw = make_mail(sender="MAILER-DAEMON@mx.example.org", subject="Undelivered Mail")
    message = receive(raw, mail_from="")
    assert message.status == "ignored"
    assert not Case.objects.exists()


def test_a_sender_over_the_hourly_cap_is_ignored(inbound_world, settings):
    settings.INBOUND_SENDER_MAX_PER_HOUR = 2
    outcomes = [receive(make_mail(subject=f"Report {i}")).status for i in range(3)]
    assert outcomes == ["processed", "processed", "ignored"]
    assert Case.objects.count() == 2


def test_oversized_mail_is_refused(inbound_world, settings):
    from inbound.services import MessageTooLarge

    settings.INBOUND_MAX_BYTES = 1000
    with pytest.raises(MessageTooLarge):
        inbound_receive(raw=make_mail(body="x" * 2000), source="smtp", envelope_to=[])
    assert not InboundMessage.objects.exists()


def test_a_refused_attachment_is_named_not_stored(inbound_world):
    message = receive(make_mail(attachment=("run.exe", b"MZ\x90\x00" * 20, "application/x-msdos")))
    assert message.status == "processed"
    assert "run.exe" in message.reason
    assert not Case.objects.get().attachments.exists()


def test_mail_to_no_routed_address_is_a_dead_letter(inbound_world):
    message = receive(make_mail(to="nobody@city.example"), to=("nobody@city.example",))
    assert message.status == "dead"
    assert not Case.objects.exists()
    # Fixed by configuring the address, the admin processes it again.
    inbound_world.address.address = "nobody@city.example"
    inbound_world.address.save()
    assert inbound_requeue(message=message, actor=inbound_world.agent)
    run_processing()
    message.refresh_from_db()
    assert message.status == "processed"


def _open_case(world) -> Case:
    receive(make_mail())
    case = Case.objects.get()
    case_assign(case=case, assignee=world.agent, actor=world.agent)
    case_transition(case=case, to_status="waiting_on_citizen", actor=world.agent,
                    note="Which side of the street?")  # fmt: skip
    case.refresh_from_db()
    assert case.sla_paused or case.sla_clock_started_at is None
    return case


REPLY_BODY = ("It is on the north side.\n\n-- \nAna\n\n"
              "On Thu, 3 Dec 2026 at 10:00, Public Works <no-reply@city.example> wrote:\n"
              "> Which side of the street?\n")  # fmt: skip


def test_a_reply_by_in_reply_to_lands_on_the_case_and_resumes_the_clock(inbound_world):
    case = _open_case(inbound_world)
    sent = CaseEmail.objects.filter(case=case).last()
    raw = make_mail(subject=f"Re: Your request {case.reference}", body=REPLY_BODY,
                    headers={"In-Reply-To": sent.message_id})  # fmt: skip
    message = receive(raw)
    assert message.status == "processed", message.reason
    assert Case.objects.count() == 1
    event = CaseEvent.objects.get(case=case, kind="citizen_reply")
    assert event.body == "It is on the north side."
    assert "Which side" in event.data["full_text"]
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert not case.sla_paused
    assert Notification.objects.filter(recipient=inbound_world.agent,
                                       kind="case.citizen_replied").exists()  # fmt: skip
    # No receipt for a reply.
    assert not OutboxMessage.objects.filter(
        topic="core.email", payload__subject__icontains="received", created_at__gt=event.created_at
    ).exists()


def test_a_reply_to_the_signed_address_lands_on_the_case(inbound_world):
    case = _open_case(inbound_world)
    address = reply_address_for(case)
    message = receive(make_mail(to=address, subject=f"Re: {case.reference}", body="North side."),
                      to=(address,))  # fmt: skip
    assert message.status == "processed"
    assert CaseEvent.objects.filter(case=case, kind="citizen_reply").count() == 1


def test_a_forged_reply_address_does_not_land_on_the_case(inbound_world):
    case = _open_case(inbound_world)
    forged = f"roads+{case.reference.lower()}.0123456789abcdef@city.example"
    receive(make_mail(to=forged, subject=f"Re: {case.reference}"), to=(forged,))
    assert not CaseEvent.objects.filter(case=case, kind="citizen_reply").exists()
    assert Case.objects.count() == 2  # a new case, like any mail to roads@


def test_trim_reply_cuts_quotes_and_signature():
    assert mail.trim_reply(REPLY_BODY) == "It is on the north side."
    assert mail.trim_reply("> only quoted") == "> only quoted"


def test_receipts_still_send_without_inbound_addresses(db):
    """Agencies without inbound email send their receipts as before (no reply-to)."""
    assert django_mail.outbox == []


def test_the_reply_shows_on_the_staff_case_page_trimmed_and_escaped(inbound_world, client):
    from django.urls import reverse

    case = _open_case(inbound_world)
    sent = CaseEmail.objects.filter(case=case).last()
    body = "<b>North</b> side.\n\nOn Thu, 3 Dec 2026, Public Works wrote:\n> Which side?"
    receive(make_mail(subject=f"Re: {case.reference}", body=body,
                      headers={"In-Reply-To": sent.message_id}))  # fmt: skip
    client.force_login(inbound_world.agent)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Citizen replied" in page
    assert "&lt;b&gt;North&lt;/b&gt; side." in page
    assert "Which side?</" not in page.split("Citizen replied", 1)[1][:2000]


def test_retention_removes_old_messages_content_and_keeps_the_row(inbound_world):
    from datetime import timedelta

    from django.utils import timezone

    from core.retention import retention_apply

    message = receive(make_mail())
    InboundMessage.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - timedelta(days=4000)
    )
    counts = retention_apply(cutoff=timezone.now() - timedelta(days=3000))
    assert counts["received emails"] == 1
    message.refresh_from_db()
    assert (bytes(message.raw), message.sender, message.subject) == (b"", "", "")
    assert message.status == "processed" and message.message_id


def test_a_bounce_read_from_a_mailbox_is_known_by_its_empty_return_path(inbound_world):
    raw = b"Return-Path: <>\r\n" + make_mail(subject="Delivery Status Notification")
    inbound_receive(raw=raw, source="imap", envelope_to=["roads@city.example"])
    run_processing()
    assert InboundMessage.objects.get().status == "ignored"
    assert not Case.objects.exists()
