"""Chaos: PostgreSQL restarts under a running system (gunicorn, Celery worker, beat).

The whole stack runs as subprocesses against a PostgreSQL and a Redis this test started
itself (embedded PostgreSQL from pgserver, never the machine's). Staff create cases through
the API; the database is stopped and started again; requests during the outage may fail (the
database is gone), but afterwards the system serves again without anyone touching it, and
every receipt email owed for a case that was created is delivered exactly once to a real SMTP
server on loopback. Figures go to test-artifacts/postgres-restart.json. Run with `make chaos`.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from aiosmtpd.controller import Controller

from tests.conftest import _Collect, _free_port, healthz_ok, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "postgres-restart.json"
BEFORE, DURING, AFTER = 20, 10, 20


class EmbeddedPostgres:
    """pgserver's PostgreSQL in a directory of the test's; stopped and started with pg_ctl."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@/postgres?host={quote(str(self.socket_dir), safe='/')}"

    def _pg_ctl(self, *args: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver._commands import pg_ctl

        user = "pgserver" if os.geteuid() == 0 else None
        pg_ctl(["-w", *args], pgdata=self.directory, user=user, timeout=30)

    def start(self) -> None:
        if self.socket_dir is None:  # first start: pgserver initialises the cluster
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pgserver

                pgserver.get_server(self.directory, cleanup_mode=None)
            lines = (self.directory / "postmaster.pid").read_text().splitlines()
            self.socket_dir = Path(lines[4])
        else:  # a restart, as an operator (or a crash-restarting supervisor) would do it
            self._pg_ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}",
                         "-l", str(self.directory / "restart.log"), "start")  # fmt: skip

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _start(env: dict, *command: str) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def _post_case(api: requests.Session, base: str, n: int) -> int:
    try:
        response = api.post(f"{base}/api/v1/cases/", timeout=10, json={
            "category": "pothole", "description": f"Hole {n}", "attributes": {"size": "small"},
            "reporter_email": f"caller{n}@example.org",
        })  # fmt: skip
    except requests.RequestException:
        return 0
    return response.status_code


def test_the_system_recovers_from_a_database_restart_and_loses_no_email(tmp_path, own_redis):
    handler = _Collect()
    smtp = Controller(handler, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    database = EmbeddedPostgres(tmp_path / "pg")
    database.start()
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "citizencrm.settings",
        "DATABASE_URL": database.url,
        "REDIS_URL": own_redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "OUTBOX_RELAY_SECONDS": "1",
        "SLA_SWEEP_SECONDS": "5",
    }
    processes: list[subprocess.Popen] = []
    try:
        _manage(env, "migrate", "--no-input")
        _manage(env, "load_demo_data")
        token = _manage(env, "api_token", "create", "agent", "--name", "chaos").strip()
        celery = [sys.executable, "-m", "celery", "-A", "citizencrm"]
        processes += [
            _start(env, sys.executable, "-m", "gunicorn", "citizencrm.wsgi:application",
                   "--bind", f"127.0.0.1:{port}", "--workers", "2"),
            _start(env, *celery, "worker", "--pool", "solo", "--loglevel", "WARNING"),
            _start(env, *celery, "beat", "--loglevel", "WARNING",
                   "--schedule", str(tmp_path / "beat-schedule")),
        ]  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        assert wait_until(lambda: healthz_ok(base), timeout=60), "the stack did not come up"
        demo_receipts = len(handler.messages)  # the demo data's own emails, if any went yet

        before = Counter(_post_case(api, base, n) for n in range(BEFORE))
        database.stop()
        during = Counter(_post_case(api, base, BEFORE + n) for n in range(DURING))
        database.start()
        recovered_after = time.monotonic()
        assert wait_until(lambda: healthz_ok(base), timeout=60), "no recovery without help"
        recovery_seconds = round(time.monotonic() - recovered_after, 2)
        after = Counter(_post_case(api, base, BEFORE + DURING + n) for n in range(AFTER))

        created = before[201] + during[201] + after[201]
        callers = lambda: [m for m in handler.messages if str(m["To"]).startswith("caller")]  # noqa: E731
        wait_until(lambda: len(callers()) >= created, timeout=120)
        time.sleep(3)  # a duplicate would arrive now, if any
        delivered = callers()
        ids = [message["Message-ID"] for message in delivered]
        figures = {
            "requests_before": sum(before.values()), "created_before": before[201],
            "requests_during_outage": DURING, "created_during_outage": during[201],
            "failed_during_outage": DURING - during[201],
            "answers_during_outage": dict(during),
            "seconds_to_recover_after_restart": recovery_seconds,
            "requests_after": sum(after.values()), "created_after": after[201],
            "receipts_owed": created, "receipts_delivered": len(delivered),
            "lost": max(0, created - len(delivered)),
            "duplicated": len(ids) - len(set(ids)),
            "demo_emails_ignored": demo_receipts,
        }  # fmt: skip
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(json.dumps(figures, indent=2))
        print("postgres restart:", figures)
        assert before == {201: BEFORE} and after == {201: AFTER}
        # During the outage: "try again" (503) or no answer at all, never a half-done case.
        assert set(during) <= {503, 0}, during
        assert figures["lost"] == 0 and figures["duplicated"] == 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # clean-up only: best effort
            database.stop()
