"""Load on loopback: 50 staff users and public form traffic against gunicorn for a bounded
time. Every answer must be a success (0 errors); p50/p95 per kind of request are printed and
written to test-artifacts/load.json. Run with `make chaos`.

Staff users cycle through what an agent does all day: the queue, a case page, a note through
the API. Citizens open a service's form and submit it (CSRF token and all).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from cases import services as case_services
from core.services import api_token_create
from tests.cases import conftest as case_fixtures
from tests.cases.public import test_request as public_request
from tests.conftest import _free_port, healthz_ok, test_database_url, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
world = case_fixtures.world
streetlight = public_request.streetlight

STAFF_USERS = 50
CITIZENS = 10
SECONDS = 20
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "load.json"


def _gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "citizencrm.test_settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "citizencrm.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            # Keep-alive longer than any pause between a user's requests: otherwise the
            # server may close an idle connection just as the client reuses it (a client-side
            # ConnectionError that says nothing about the application).
            "--keep-alive",
            "60",
            "--timeout",
            "120",
        ],
        env=env,
    )


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Recorder:
    def __init__(self) -> None:
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def call(self, kind: str, send) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = send()
        except requests.RequestException as exc:
            with self.lock:
                self.errors.append(f"{kind}: {type(exc).__name__}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.timings[kind].append(elapsed)
            if response.status_code >= 400:
                self.errors.append(f"{kind}: {response.status_code}")
        return response


def _staff_user(base: str, cookie: str, token: str, references: list[str], stop, record) -> None:
    browser = requests.Session()
    browser.cookies.set(django_settings.SESSION_COOKIE_NAME, cookie)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    n = 0
    while not stop.is_set():
        reference = references[n % len(references)]
        record.call("queue page", lambda: browser.get(f"{base}/staff/cases/?queue=all"))
        record.call("case page", lambda r=reference: browser.get(f"{base}/staff/cases/{r}/"))
        record.call("API note", lambda r=reference: api.post(
            f"{base}/api/v1/cases/{r}/notes/", json={"body": f"Checked ({n})"}))  # fmt: skip
        n += 1


def _citizen(base: str, form_url: str, stop, record, number: int) -> None:
    n = 0
    while not stop.is_set():
        browser = requests.Session()
        page = record.call("public form", lambda: browser.get(base + form_url))
        if page is None:
            continue
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {**public_request._valid(contact_email=f"c{number}.{n}@example.org"),
                "csrfmiddlewaretoken": token}  # fmt: skip
        record.call("public submit", lambda: browser.post(
            base + form_url, data=data, headers={"Referer": base + form_url},
            allow_redirects=False))  # fmt: skip
        n += 1


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_fifty_staff_users_and_public_traffic_get_no_errors(world, streetlight):
    teams = [world.roads, world.parks]
    agents = [
        case_fixtures.make_staff(f"load{n}", world.agency, "agent", teams)
        for n in range(STAFF_USERS)
    ]
    references = [
        case_services.case_create(category=world.graffiti, description=f"Tags {n}",
                                  channel="phone", actor=world.agent).reference
        for n in range(40)
    ]  # fmt: skip
    logins = [(_session_cookie(user), api_token_create(user=user, name="load", actor=None)[1])
              for user in agents]  # fmt: skip
    port = _free_port()
    server = _gunicorn(port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: healthz_ok(base), timeout=30), "gunicorn did not start"
        record, stop = Recorder(), threading.Event()
        form_url = public_request._url(streetlight)
        threads = [
            threading.Thread(target=_staff_user, args=(base, c, t, references, stop, record))
            for c, t in logins
        ] + [
            threading.Thread(target=_citizen, args=(base, form_url, stop, record, n))
            for n in range(CITIZENS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)

    figures = {
        "staff_users": STAFF_USERS, "citizens": CITIZENS, "seconds": SECONDS,
        "server": "gunicorn gthread, 3 workers x 8 threads, loopback",
        "requests": sum(len(v) for v in record.timings.values()),
        "errors": len(record.errors),
        "per_kind": {
            kind: {"count": len(values), "p50_ms": round(1000 * statistics.median(values), 1),
                   "p95_ms": round(1000 * _percentile(values, 0.95), 1)}
            for kind, values in sorted(record.timings.items())
        },
    }  # fmt: skip
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2))
    print("load:", json.dumps(figures, indent=2))
    assert record.errors == [], record.errors[:20]
    assert all(figures["per_kind"][kind]["count"] > 0 for kind in figures["per_kind"])
