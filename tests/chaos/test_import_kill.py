"""Chaos: a citizen import's worker is SIGKILLed mid-run, again and again, then the import is
finished by another run. Every row must give exactly one citizen record: nothing lost, nothing
twice, and the job's counts must add up. Figures in test-artifacts/import-kill.json. Run with
`make chaos`."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db.models import Count

from agencies.models import Agency
from agencies.services import staff_member_create
from citizen_import import services
from citizen_import.models import CitizenImport
from citizens.models import Citizen
from tests.conftest import test_database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 1500
CHUNK = 50
KILLS = 4
ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "import-kill.json"
WORKER = (
    "import sys, django; django.setup()\n"
    "from citizen_import.services import import_run_chunk\n"
    f"while import_run_chunk(import_id=int(sys.argv[1]), chunk={CHUNK}):\n"
    "    pass\n"
)


def _worker(import_id: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "citizencrm.test_settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
    }
    return subprocess.Popen([sys.executable, "-c", WORKER, str(import_id)], cwd=ROOT, env=env)


def _name(seed: int) -> str:
    """A made-up name unlike the others (so no row looks like a duplicate of another)."""
    letters = random.Random(seed).choices("bcdfghjklmnprstvwz", k=4)
    vowels = random.Random(-seed).choices("aeiou", k=4)
    return "".join(c + v for c, v in zip(letters, vowels, strict=True)).title()


def _cursor(pk: int) -> int:
    return CitizenImport.objects.values_list("cursor", flat=True).get(pk=pk)


def test_an_import_killed_mid_run_creates_each_citizen_once():
    agency = Agency.objects.create(slug="pw", name="Public Works")
    user = get_user_model().objects.create_user(username="boss", password="pw-0123456789")
    staff_member_create(user=user, agency=agency, role="admin", actor=None)
    rows = "".join(f"{_name(i)},{_name(i + ROWS)},person{i}@example.org\n" for i in range(ROWS))
    job = services.import_upload(actor=user, file_name="big.csv",
                                 raw=("first,last,email\n" + rows).encode())  # fmt: skip
    services.import_set_mapping(job=job, mapping={"0": "first_name", "1": "last_name",
                                                  "2": "email"}, actor=user)  # fmt: skip
    services.import_start(job=job, actor=user)

    kills = []
    rng = random.Random(21)
    for _ in range(KILLS):
        worker = _worker(job.pk)
        start = _cursor(job.pk)
        deadline = time.monotonic() + 60
        while _cursor(job.pk) == start and time.monotonic() < deadline:
            time.sleep(0.05)  # let it commit at least one chunk
        time.sleep(rng.uniform(0.05, 0.6))  # then kill it anywhere, likely inside a chunk
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills.append(_cursor(job.pk))
    assert kills[-1] < ROWS, "the import finished before the last kill: use more rows"

    while services.import_run_chunk(import_id=job.pk, chunk=CHUNK):
        pass
    job.refresh_from_db()
    twice = Citizen.objects.values("email").annotate(n=Count("pk")).filter(n__gt=1).count()
    figures = {"rows": ROWS, "chunk": CHUNK, "cursor_at_each_kill": kills,
               "citizens": Citizen.objects.count(), "created": job.created,
               "duplicated_emails": twice}  # fmt: skip
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2))
    assert (job.status, job.cursor, job.created) == ("done", ROWS, ROWS)
    assert Citizen.objects.count() == ROWS and twice == 0
