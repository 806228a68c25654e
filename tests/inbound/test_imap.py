"""The IMAP poller against a real IMAP server on loopback (tests/inbound/imap_server.py):
unseen messages are stored once, marked seen only after, and a re-read changes nothing."""

from __future__ import annotations

import pytest

from cases.models import Case
from inbound.imap import imap_poll
from inbound.models import InboundMessage
from tests.inbound.conftest import make_mail, run_processing
from tests.inbound.imap_server import ImapServer, Mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, inbound_world):
    box = Mailbox()
    with ImapServer(box) as server:
        settings.INBOUND_IMAP_HOST = "127.0.0.1"
        settings.INBOUND_IMAP_PORT = server.port
        settings.INBOUND_IMAP_SSL = False  # a loopback test server without a certificate
        settings.INBOUND_IMAP_USER = box.user
        settings.INBOUND_IMAP_PASSWORD = box.password
        settings.INBOUND_IMAP_FOLDER = "INBOX"
        settings.INBOUND_IMAP_ADDRESSES = ["roads@city.example"]
        yield box


def test_unseen_mail_is_stored_once_then_marked_seen(mailbox):
    first = mailbox.add(make_mail())
    second = mailbox.add(make_mail(headers={"Auto-Submitted": "auto-replied"}))

    assert imap_poll() == 2
    assert sorted(mailbox.seen()) == [first, second]
    run_processing()
    assert Case.objects.count() == 1
    assert sorted(InboundMessage.objects.values_list("status", flat=True)) == [
        "ignored",
        "processed",
    ]
    assert all(m.source == "imap" for m in InboundMessage.objects.all())

    assert imap_poll() == 0  # nothing unseen left


def test_a_poller_that_died_before_marking_seen_reads_again_and_doubles_nothing(mailbox):
    mailbox.add(make_mail())
    imap_poll()
    mailbox.forget_seen()  # as if the poller was killed between storing and \\Seen

    assert imap_poll() == 0
    run_processing()
    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert mailbox.seen() == [1]


def test_without_a_host_the_poller_does_nothing(settings, db):
    settings.INBOUND_IMAP_HOST = ""
    assert imap_poll() == 0
