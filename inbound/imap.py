"""The IMAP poller (beat, every INBOUND_IMAP_POLL_SECONDS when INBOUND_IMAP_HOST is set).

For agencies that only have a mailbox: it reads the folder's unseen messages by UID, stores
each one through `inbound_receive` (exactly once: Message-ID and content hash), and only then
marks it \\Seen. A poller killed between the two reads the message again next time and
`inbound_receive` recognises it, so nothing is lost and nothing is doubled.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl

from django.conf import settings

from inbound.models import InboundMessage
from inbound.services import MessageTooLarge, inbound_receive

logger = logging.getLogger(__name__)
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _connect() -> imaplib.IMAP4:
    if settings.INBOUND_IMAP_SSL:  # the server's certificate is verified (imaplib's default is not)
        return imaplib.IMAP4_SSL(settings.INBOUND_IMAP_HOST, settings.INBOUND_IMAP_PORT,
                                 ssl_context=ssl.create_default_context(), timeout=30)  # fmt: skip
    return imaplib.IMAP4(settings.INBOUND_IMAP_HOST, settings.INBOUND_IMAP_PORT, timeout=30)


def imap_poll(*, batch: int = 200) -> int:
    """Store the mailbox's unseen messages; returns how many were new to us."""
    if not settings.INBOUND_IMAP_HOST:
        return 0
    stored = 0
    with _connect() as imap:
        imap.login(settings.INBOUND_IMAP_USER, settings.INBOUND_IMAP_PASSWORD)
        imap.select(settings.INBOUND_IMAP_FOLDER)
        _typ, data = imap.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:batch]
        for uid in uids:
            stored += _take(imap, uid)
        imap.close()
    return stored


def _take(imap: imaplib.IMAP4, uid: bytes) -> int:
    _typ, meta = imap.uid("FETCH", uid, "(RFC822.SIZE)")
    size = SIZE.search(b" ".join(m if isinstance(m, bytes) else b"" for m in meta or []))
    if size and int(size.group(1)) > settings.INBOUND_MAX_BYTES:
        logger.warning("imap: message UID %s is too large (%s bytes); left unread", uid,
                       size.group(1))  # fmt: skip
        return 0
    _typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((part[1] for part in data or [] if isinstance(part, tuple)), None)
    if raw is None:
        return 0
    try:
        _message, created = inbound_receive(
            raw=raw, source=InboundMessage.Source.IMAP,
            envelope_to=list(settings.INBOUND_IMAP_ADDRESSES),
        )  # fmt: skip
    except MessageTooLarge:
        return 0
    imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")  # only once it is stored
    return int(created)
