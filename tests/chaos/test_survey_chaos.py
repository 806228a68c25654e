"""Chaos: 1,000 case closures while the survey worker is SIGKILLed and Redis is restarted.

The test plays beat (it publishes the dispatch sweep every half second) and runs a real Celery
worker as a subprocess against a Redis server it started itself and a real SMTP server on
loopback. During the closures it kills the worker with SIGKILL several times — at least once
while invitations are claimed (`sending`), which it logs — and stops and restarts Redis. After
draining, every invitation must have been delivered, none may be left `pending`/`sending`
(those would be lost), and duplicates can only be the one message a kill interrupted between
the SMTP server's "250 OK" and the database commit: resent with the same Message-ID, so a mail
system drops it. The figures are printed and written to test-artifacts/survey-chaos.json.

Run with `make chaos` (pytest -m slow).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.utils import timezone

from cases.models import Case
from cases.services import case_close
from citizens.models import Citizen
from feedback.models import SurveyInvitation
from feedback.tasks import surveys_dispatch_task
from tests.conftest import _free_port, point_broker_at, test_database_url, wait_until
from tests.feedback import conftest as feedback_fixtures
from tests.feedback.conftest import make_survey

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
world = feedback_fixtures.world  # the case world of tests/cases/conftest.py

CLOSURES = 1000
SMTP_DELAY_SECONDS = 0.04  # a relay that takes 40 ms to accept a message
LEASE_SECONDS = 4
ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("survey-chaos")

# The closure counts at which something goes wrong.
KILL_WHILE_SENDING_AT = (150, 700)
KILL_ANY_TIME_AT = (350, 900)
REDIS_DOWN_AT, REDIS_UP_AT = 480, 620


# --- a slow SMTP server that keeps every delivery ---------------------------------------------


class _SlowSink:
    """Accepts a message after a delay, and only if the client is still there to hear "250"
    (a client that vanished mid-transaction never learnt it was accepted, like a real relay
    that drops the transaction when the connection breaks before its reply)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deliveries: list[str] = []  # Message-IDs, in order, duplicates kept

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY_SECONDS)
        transport = getattr(server, "transport", None)
        if transport is None or transport.is_closing():
            return "451 Client gone"
        message = message_from_bytes(envelope.content)
        message_id = "".join((message["Message-ID"] or "").split())
        with self.lock:
            self.deliveries.append(message_id)
        return "250 OK"

    def surveys(self) -> list[str]:
        with self.lock:
            return [m for m in self.deliveries if "survey-" in m]


@pytest.fixture
def slow_smtp():
    handler = _SlowSink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


# --- the worker subprocess ----------------------------------------------------------------


class Worker:
    def __init__(self, redis_url: str, smtp_port: int, log_dir: Path) -> None:
        self.env = {
            key: value for key, value in os.environ.items()
            if key not in {"CITIZENCRM_TESTING", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE"}
        }  # fmt: skip
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "citizencrm.settings", "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "false", "DATABASE_URL": test_database_url(), "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
            "SURVEY_LEASE_SECONDS": str(LEASE_SECONDS), "SURVEY_BATCH_SIZE": "25",
            "SURVEY_SWEEP_BUDGET_SECONDS": "5", "SURVEY_RETRY_BASE_SECONDS": "1",
            "SURVEY_MAX_ATTEMPTS": "50", "LOG_LEVEL": "WARNING",
        })  # fmt: skip
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.started = 0

    def start(self) -> None:
        self.started += 1
        logfile = open(self.log_dir / f"worker-{self.started}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "citizencrm", "worker", "-P", "solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
             "-n", f"chaos{self.started}@%h"],
            cwd=ROOT, env=self.env, stdout=logfile, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def ensure_running(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()


def _beat(redis_url: str) -> bool:
    """What beat does every SURVEY_SWEEP_SECONDS (here: whenever the queue is nearly empty)."""
    try:
        if redis.Redis.from_url(redis_url, socket_timeout=0.5).llen("celery") >= 2:
            return False
        surveys_dispatch_task.apply_async(retry=False)
        return True
    except Exception:  # Redis down: beat's publish fails too; the next tick tries again
        return False


def _sending_ids() -> list[int]:
    return list(SurveyInvitation.objects.filter(status="sending").values_list("id", flat=True))


# --- the test -------------------------------------------------------------------------------


def test_a_thousand_closures_through_kills_and_a_redis_restart_send_each_survey_once(
    world, own_redis, broker_url, slow_smtp, settings, tmp_path
):
    settings.SURVEY_SEND_DELAY_MINUTES = 0
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    sink, smtp_port = slow_smtp
    point_broker_at(own_redis.url)
    make_survey(world.agency)
    cases = _resolved_cases(world, CLOSURES)
    worker = Worker(own_redis.url, smtp_port, tmp_path)
    events: list[str] = []
    kills_while_sending: list[list[int]] = []
    kills = 0

    def note(text: str) -> None:
        line = f"{time.monotonic() - started:7.2f}s  {text}"
        events.append(line)
        log.warning("chaos: %s", line)
        print("chaos:", line, flush=True)

    started = time.monotonic()
    worker.start()
    try:
        last_beat = 0.0
        for n, case in enumerate(cases, start=1):
            case_close(case=case, actor=world.agent)
            if time.monotonic() - last_beat > 0.5:
                _beat(own_redis.url)
                last_beat = time.monotonic()
            if n in KILL_WHILE_SENDING_AT:
                for _try in range(20):  # until a kill catches claimed rows
                    _beat(own_redis.url)
                    if not wait_until(lambda: bool(_sending_ids()), timeout=30, interval=0.005):
                        continue
                    worker.kill()
                    kills += 1
                    orphaned = _sending_ids()  # nobody alive can change these now
                    note(f"SIGKILL worker #{worker.started} after {n} closures; {len(orphaned)} "
                         f"invitations left `sending` (ids {sorted(orphaned)[:5]}...)")  # fmt: skip
                    worker.start()
                    if orphaned:
                        kills_while_sending.append(orphaned)
                        break
            if n in KILL_ANY_TIME_AT:
                worker.kill()
                kills += 1
                note(f"SIGKILL worker #{worker.started} after {n} closures")
                worker.start()
            if n == REDIS_DOWN_AT:
                own_redis.stop()
                note(f"Redis stopped after {n} closures")
            if n == REDIS_UP_AT:
                own_redis.start()
                note(f"Redis started again after {n} closures")
            if n % 100 == 0:
                worker.ensure_running()
        note(f"{CLOSURES} closures done; draining")

        def drained() -> bool:
            worker.ensure_running()
            _beat(own_redis.url)
            unfinished = SurveyInvitation.objects.exclude(status__in=["sent", "failed"]).count()
            return unfinished == 0 and len(set(sink.surveys())) >= CLOSURES

        assert wait_until(drained, timeout=300, interval=0.5), _state(sink)
        note("drained")
    finally:
        worker.kill()

    invitations = SurveyInvitation.objects.all()
    stored = set(invitations.values_list("message_id", flat=True))
    deliveries = sink.surveys()
    counts = Counter(deliveries)
    duplicates = {mid: c for mid, c in counts.items() if c > 1}
    figures = {
        "closures": CLOSURES,
        "invitations": invitations.count(),
        "statuses": dict(Counter(invitations.values_list("status", flat=True))),
        "emails_received_raw": len(deliveries),
        "distinct_message_ids": len(counts),
        "duplicate_deliveries": sum(c - 1 for c in duplicates.values()),
        "sigkills": kills,
        "sigkills_while_sending": len(kills_while_sending),
        "rows_sending_at_those_kills": [len(ids) for ids in kills_while_sending],
        "worker_starts": worker.started,
        "redis_restarts": 1,
        "rows_orphaned_by_kills_then_reclaimed": sum(len(ids) for ids in kills_while_sending),
        "seconds": round(time.monotonic() - started, 1),
        "events": events,
    }
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "survey-chaos.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))

    assert figures["invitations"] == CLOSURES  # one per closure, none lost with a rollback
    assert figures["statuses"] == {"sent": CLOSURES}  # nothing pending, sending or failed
    assert set(counts) == stored  # every invitation reached the SMTP server…
    # …exactly once, but for a message a SIGKILL caught between "250 OK" and the commit: at
    # most one per kill, resent with the same Message-ID (mail systems drop the copy).
    assert figures["duplicate_deliveries"] <= kills
    assert all(mid in stored for mid in duplicates)
    assert len(kills_while_sending) == len(KILL_WHILE_SENDING_AT)
    orphaned_ids = [pk for ids in kills_while_sending for pk in ids]
    claimed_then = SurveyInvitation.objects.filter(pk__in=orphaned_ids)
    assert {i.message_id for i in claimed_then} <= set(counts)  # those rows were not lost


def _resolved_cases(world, count: int) -> list[Case]:
    """`count` resolved cases, each of its own consenting citizen (set up in bulk)."""
    now = timezone.now()
    citizens = Citizen.objects.bulk_create(
        Citizen(first_name=f"Chaos{n}", last_name="Citizen", email=f"chaos{n}@example.org",
                consent_surveys=True, consent_surveys_at=now, search_name=f"chaos{n} citizen")
        for n in range(count)
    )  # fmt: skip
    Case.objects.bulk_create(
        Case(reference=f"CRM-2026-C{n:05d}", agency=world.agency, category=world.graffiti,
             team=world.parks, assignee=world.agent, citizen=citizen, description="Chaos",
             channel="phone", status="resolved", opened_at=now, resolved_at=now,
             resolution_code="resolved", citizen_contacted=True)
        for n, citizen in enumerate(citizens)
    )  # fmt: skip
    return list(Case.objects.filter(status="resolved").order_by("id"))


def _state(sink) -> str:
    statuses = Counter(SurveyInvitation.objects.values_list("status", flat=True))
    return f"statuses={dict(statuses)} delivered={len(set(sink.surveys()))}"
