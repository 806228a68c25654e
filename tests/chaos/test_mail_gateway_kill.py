"""Chaos: the mail gateway is SIGKILLed after it stored a message and before it answered 250.

The sending server sees the connection drop, so it keeps the message and delivers it again to
the restarted gateway, which answers 250. Each message must make exactly one stored row and,
once the worker has run, exactly one case: nothing lost (the first copy was committed before
the kill), nothing twice (the retry is recognised by its Message-ID and content hash). Figures
in test-artifacts/mail-gateway-kill.json. Run with `make chaos`.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from cases.models import Case
from inbound.models import InboundMessage
from tests.conftest import test_database_url, wait_until
from tests.inbound.conftest import inbound_world, make_mail, run_processing  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "mail-gateway-kill.json"
MESSAGES = 5
# The real command, with its store step followed by SIGKILL: dies after the commit, before 250.
DIES_AFTER_STORE = (
    "import os, signal, sys, django; django.setup()\n"
    "from inbound.management.commands import mail_gateway as gateway\n"
    "store = gateway._store\n"
    "def store_then_die(*args):\n"
    "    store(*args)\n"
    "    os.kill(os.getpid(), signal.SIGKILL)\n"
    "gateway._store = store_then_die\n"
    "from django.core.management import call_command\n"
    "call_command('mail_gateway', '--port', sys.argv[1])\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "citizencrm.test_settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
    }


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _start(args: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(args, cwd=ROOT, env=_env())
    assert wait_until(lambda: _listening(port) or process.poll() is not None, timeout=60)
    assert process.poll() is None, "the gateway did not start"
    return process


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("ana@example.org", ["roads@city.example"], raw)


def test_a_gateway_killed_before_acknowledging_makes_exactly_one_case(inbound_world):  # noqa: F811
    figures = {"messages": MESSAGES, "kills": 0, "dropped_connections": 0, "retries_acked": 0}
    started = time.monotonic()
    for n in range(MESSAGES):
        raw = make_mail(subject=f"Pothole {n}", body=f"Hole number {n} on Main St.")
        port = _free_port()
        dying = _start([sys.executable, "-c", DIES_AFTER_STORE, str(port)], port)
        with pytest.raises((smtplib.SMTPServerDisconnected, ConnectionError)):
            _send(port, raw)
        figures["dropped_connections"] += 1
        assert dying.wait(timeout=30) == -signal.SIGKILL
        figures["kills"] += 1
        assert InboundMessage.objects.filter(subject=f"Pothole {n}").count() == 1  # kept

        port = _free_port()
        gateway = _start([sys.executable, "manage.py", "mail_gateway", "--port", str(port)], port)
        try:
            _send(port, raw)  # the sending server's retry: acknowledged this time
            figures["retries_acked"] += 1
        finally:
            gateway.send_signal(signal.SIGTERM)
            gateway.wait(timeout=30)

    run_processing()
    figures.update(
        stored=InboundMessage.objects.count(), cases=Case.objects.count(),
        seconds=round(time.monotonic() - started, 1),
    )  # fmt: skip
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n")
    assert figures["stored"] == MESSAGES
    assert figures["cases"] == MESSAGES
    assert sorted(Case.objects.values_list("description", flat=True)) == sorted(
        f"Pothole {n}\n\nHole number {n} on Main St." for n in range(MESSAGES)
    )
