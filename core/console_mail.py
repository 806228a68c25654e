"""Development mail: one line per message on the console, not the whole MIME text.

`make run` sends the demo data's receipts and notifications at once; printed in full they
would bury the sign-in details under thousands of lines. Each message becomes
`mail to <recipients>: <subject>` and the links in its text (status pages, survey links),
which is what a developer follows. EMAIL_URL=consolemail:// prints messages in full instead.
"""

from __future__ import annotations

import re
import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://[^\s<>\"')]+")
MAX_LINKS = 3


class SummaryConsoleBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The process's own stdout: a Celery worker redirects sys.stdout into its log.
        self.stream = stream or sys.__stdout__
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        lines = [self.summary(message) for message in email_messages]
        with self._lock:
            for line in lines:
                self.stream.write(line + "\n")
            self.stream.flush()
        return len(lines)

    @staticmethod
    def summary(message) -> str:
        links = list(dict.fromkeys(LINK.findall(str(message.body))))
        line = f"mail to {', '.join(message.recipients())}: {message.subject}"
        if links:
            more = f" (+{len(links) - MAX_LINKS} more)" if len(links) > MAX_LINKS else ""
            line += "  " + " ".join(links[:MAX_LINKS]) + more
        return line
