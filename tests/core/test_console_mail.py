"""`make run`'s console: one line per email (who, what, its links), not the whole message."""

import io

from django.core.mail import EmailMultiAlternatives, get_connection

BODY = (
    """Hello Ana,

we received your request CRM-2026-7K3QX9 about a pothole. Follow it here:
https://crm.example.gov/en/requests/status/abc123/

To stop these emails: https://crm.example.gov/en/requests/unsubscribe/def456/
"""
    + "More text.\n" * 40
)


def test_each_email_is_one_line_with_recipients_subject_and_links():
    console = io.StringIO()
    connection = get_connection("core.console_mail.SummaryConsoleBackend", stream=console)
    message = EmailMultiAlternatives(
        subject="Request CRM-2026-7K3QX9 received", body=BODY,
        to=["ana@example.org"], connection=connection,
    )  # fmt: skip
    message.attach_alternative("<p>" + BODY + "</p>", "text/html")

    sent = connection.send_messages([message, message])

    assert sent == 2
    assert (
        console.getvalue().splitlines()
        == [
            "mail to ana@example.org: Request CRM-2026-7K3QX9 received  "
            "https://crm.example.gov/en/requests/status/abc123/ "
            "https://crm.example.gov/en/requests/unsubscribe/def456/"
        ]
        * 2
    )


def test_development_prints_mail_in_one_line_summaries():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.pop("CITIZENCRM_TESTING", None)
    env["DJANGO_SETTINGS_MODULE"] = "citizencrm.settings"  # development, nothing configured
    result = subprocess.run(
        [sys.executable, "manage.py", "sendtestemail", "ana@example.org"],
        cwd=Path(__file__).resolve().parents[2], env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("mail to ana@example.org: Test email from")
    assert len(result.stdout.splitlines()) == 1
