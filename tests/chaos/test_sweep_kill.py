"""Chaos: the SLA sweep is SIGKILLed mid-run, again and again, then run to completion twice.

Hundreds of cases are past their targets. A sweep runs in a separate process (as a Celery
worker would) and is killed with SIGKILL at random moments, several times, at least once
while it had recorded part of the work (shown in the log); then a sweep finishes the job and
a second one finds nothing. Every case must carry each of its SLA events (warning, breach,
escalation) exactly once, and every supervisor exactly one notification per case and kind:
nothing lost, nothing twice. Figures in test-artifacts/sweep-kill.json. Run with `make chaos`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db.models import Count

from cases.models import Case, CaseEvent
from cases.services import case_create
from cases.sla.services import sla_sweep
from core.models import Notification
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.cases.sla.support import make_level, make_policy
from tests.conftest import test_database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
world = case_fixtures.world
clock = sla_support.clock

CASES = 400
KILLS = 5
ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "sweep-kill.json"
SWEEPER = (
    "import django; django.setup()\n"
    "from cases.sla.services import sla_sweep\n"
    "sla_sweep(batch_size=10, max_batches=10000)\n"
)
logger = logging.getLogger(__name__)


def _sweeper() -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "citizencrm.test_settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
    }
    return subprocess.Popen([sys.executable, "-c", SWEEPER], cwd=ROOT, env=env)


def _recorded() -> int:
    return CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_BREACH).count()


def test_a_sweep_killed_mid_run_loses_and_repeats_nothing(world, clock):
    policy = make_policy(world, "Round the clock", first_response_minutes=None,
                         resolution_minutes=60, business_hours=False)  # fmt: skip
    make_level(policy, 1, 0)  # escalate at the breach: notifies the team's supervisors
    now = datetime.now(UTC)
    clock.set(now - timedelta(hours=3))
    for n in range(CASES):
        case_create(category=world.pothole if n % 2 else world.graffiti,
                    description=f"Blocked {n}", channel="phone", actor=world.agent,
                    attributes={"size": "small"} if n % 2 else None)  # fmt: skip
    clock.set(now)

    kills = []
    for _ in range(KILLS):
        sweeper = _sweeper()
        start = _recorded()
        while _recorded() == start and sweeper.poll() is None:  # wait for progress
            time.sleep(0.005)
        before = _recorded()
        sweeper.send_signal(signal.SIGKILL)  # at once: mid-run, between or inside batches
        sweeper.wait()
        kills.append({"breaches_recorded_when_killed": before})
        logger.warning("SIGKILL sent to the sweep; %s breaches recorded so far", before)
        if before >= CASES:
            break
    partial = any(0 < kill["breaches_recorded_when_killed"] < CASES for kill in kills)

    finished = sla_sweep(now=datetime.now(UTC))
    again = sla_sweep(now=datetime.now(UTC))

    per_case = (
        CaseEvent.objects.filter(kind__startswith="sla_")
        .values("case_id", "kind")
        .annotate(n=Count("id"))
    )
    kinds_per_case = _cases_per_kind(per_case)
    duplicated_events = sum(row["n"] - 1 for row in per_case if row["n"] > 1)
    notifications = Notification.objects.values("recipient_id", "kind", "url").annotate(
        n=Count("id")
    )
    duplicated_notifications = sum(row["n"] - 1 for row in notifications if row["n"] > 1)
    figures = {
        "cases_due": CASES, "kills": kills, "killed_mid_work": partial,
        "claimed_by_the_finishing_sweep": finished.claimed,
        "claimed_by_a_second_sweep": again.claimed,
        "cases_with_a_breach": kinds_per_case.get("sla_breach", 0),
        "cases_with_an_escalation": kinds_per_case.get("sla_escalation", 0),
        "duplicated_sla_events": duplicated_events,
        "notifications": sum(row["n"] for row in notifications),
        "duplicated_notifications": duplicated_notifications,
    }  # fmt: skip
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2))
    print("sweep kill:", figures)
    assert partial, "no kill landed while the sweep was half-way: the test proved nothing"
    assert figures["cases_with_a_breach"] == CASES
    assert figures["cases_with_an_escalation"] == CASES
    assert duplicated_events == 0 and duplicated_notifications == 0
    assert again.claimed == 0
    assert Case.objects.filter(sla_state=Case.SlaState.BREACHED).count() == CASES


def _cases_per_kind(rows) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    return counts
