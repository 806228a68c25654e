"""Email backends for the dispatch tests: count connections, or fail on purpose."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

opened: list[int] = []
_lock = threading.Lock()
# address → exception class to raise when sending to it; "*" for every address.
failures: dict[str, type[Exception]] = {}
# Raise SMTPServerDisconnected on the n-th message sent over a connection (1-based), or None.
disconnect_on: list[int | None] = [None]


def reset() -> None:
    opened.clear()
    failures.clear()
    disconnect_on[0] = None


class CountingBackend(LocmemBackend):
    """locmem, plus a record of each connection opened and a way to make sends fail."""

    def open(self):
        with _lock:
            opened.append(id(self))
        self._sent_here = 0
        return True

    def send_messages(self, messages):
        for message in messages:
            self._sent_here = getattr(self, "_sent_here", 0) + 1
            if disconnect_on[0] is not None and self._sent_here == disconnect_on[0]:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            for address in message.to:
                error = failures.get(address) or failures.get("*")
                if error is smtplib.SMTPRecipientsRefused:
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"No such user")})
                if error is not None and issubclass(error, smtplib.SMTPResponseException):
                    raise error(451, "temporary failure")
                if error is not None:
                    raise error("temporary failure")
        return super().send_messages(messages)
