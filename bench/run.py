"""`make bench`: generate the data set into the bench database, measure, print one table and
merge the figures into bench/results/latest.json (key "bench"; "sla_sweep" as sla_sweep.py left it).

    .venv/bin/python bench/run.py --cases 100000        # quick
    .venv/bin/python bench/run.py --skip-generate       # measure the data already loaded

Environment: BENCH_DATABASE_URL (default: DATABASE_URL's server, database citizencrm_bench;
the name must contain "bench": every application table is emptied), BENCH_REDIS_URL (default:
REDIS_URL's server, database 12, flushed before the dispatch run), BENCH_CASES. See
bench/README.md for what each figure is and how it is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "latest.json"

from bench.citizen_import import measure_import  # noqa: E402  (after the path is set)
from bench.report import print_table  # noqa: E402
from bench.sql import INVITE_SQL, PLANT_SQL, SMTP_FLOOR  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def _bench_urls() -> tuple[str, str]:
    """The bench database and Redis database: BENCH_DATABASE_URL / BENCH_REDIS_URL, else the
    configured server's (DATABASE_URL, REDIS_URL, as `make` exports them) with the database
    `citizencrm_bench` and Redis database 12; else 127.0.0.1's defaults."""
    from urllib.parse import urlsplit, urlunsplit

    database = os.environ.get("BENCH_DATABASE_URL")
    if not database:
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/citizencrm")
        parts = urlsplit(base)
        database = base if "bench" in parts.path else urlunsplit(
            parts._replace(path="/citizencrm_bench"))  # fmt: skip
    cache = os.environ.get("BENCH_REDIS_URL")
    if not cache:
        parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        cache = urlunsplit(parts._replace(path="/12"))
    return database, cache


os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = _bench_urls()
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DJANGO_ENV", "development")

AGENT = "metro-agent-00-0"
SUPERVISOR = "metro-supervisor-0"
ADMIN = "metro-admin"


class NotMeasured(Exception):
    """A figure that could not be measured: the table says why instead of a number."""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup() -> None:
    from citizencrm import devstack

    url = os.environ["DATABASE_URL"]
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit(f"refusing to use {url!r}: the benchmark needs a database named *bench*")
    devstack.ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _user(username: str):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise NotMeasured(f"no user {username!r}: generate the data set first") from None


# --- 1. create-case API throughput ----------------------------------------------------------


class Gunicorn:
    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        binary = VENV_BIN / "gunicorn"
        if not binary.exists():
            raise NotMeasured("gunicorn is not installed in the venv")
        self.process = subprocess.Popen(
            [str(binary), "citizencrm.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--log-level", "warning", "--backlog", "256"],
            cwd=ROOT, env=os.environ.copy(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status < 500:
                    return self
            if self.process.poll() is not None:
                raise NotMeasured("gunicorn exited at start")
            time.sleep(0.3)
        raise NotMeasured("gunicorn did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _load(port: int, path: str, token: str, bodies: list[bytes], clients: int,
          seconds: float) -> dict[str, Any]:  # fmt: skip
    """`clients` threads POST in a closed loop for `seconds`; requests/s of 201 answers."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def client(index: int) -> None:
        own: list[float] = []
        n = index
        while time.monotonic() < stop:
            body = bodies[n % len(bodies)]
            n += clients
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                key = str(response.status)
            except (OSError, http.client.HTTPException) as exc:
                key = type(exc).__name__
            if key == "201":
                own.append(time.perf_counter() - began)
            else:
                with lock:
                    errors[key] = errors.get(key, 0) + 1
        with lock:
            latencies.extend(own)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "ok": len(latencies),
        "errors": errors,
        "p50_ms": ms(percentile(latencies, 0.5)),
        "p95_ms": ms(percentile(latencies, 0.95)),
    }


def _pgbench(clients: int, seconds: float) -> dict[str, Any]:
    from urllib.parse import urlsplit

    binary = shutil.which("pgbench")
    if not binary:
        return {"not_measured": "pgbench is not installed (apt-get install postgresql-client)"}
    from urllib.parse import parse_qs

    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    host = parts.hostname or parse_qs(parts.query).get("host", ["127.0.0.1"])[0]

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_pgbench (id bigserial PRIMARY KEY, "
                       "v integer NOT NULL, at timestamptz NOT NULL DEFAULT now())")  # fmt: skip
        cursor.execute("TRUNCATE bench_pgbench")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_pgbench (v) VALUES (1);\n")
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    out = subprocess.run(
        [binary, "-n", "-c", str(clients), "-j", "2", "-T", str(int(seconds)), "-f", script.name,
         "-h", host, "-p", str(parts.port or 5432),
         "-U", parts.username or "postgres", parts.path.lstrip("/")],
        capture_output=True, text=True, env=env, timeout=seconds + 60,
    )  # fmt: skip
    os.unlink(script.name)
    match = re.search(r"tps = ([\d.]+)", out.stdout)
    if not match:
        return {"not_measured": f"pgbench failed: {out.stderr.strip()[:200]}"}
    return {"tps": round(float(match.group(1)), 1)}


def measure_api(runs: int, clients: int, seconds: float, workers: int) -> dict[str, Any]:
    from cases.models import ServiceCategory
    from citizens.models import Citizen
    from core.services import api_token_create

    user = _user(AGENT)
    _token, raw = api_token_create(user=user, name="bench", actor=None)
    agency_id = user.staff_profile.agency_id
    codes = list(ServiceCategory.objects.filter(agency_id=agency_id).values_list("code", flat=True))
    citizen_ids = list(Citizen.objects.order_by("?").values_list("id", flat=True)[:500])
    rnd = random.Random(7)  # noqa: S311
    bodies = [
        json.dumps({"category": rnd.choice(codes), "citizen": rnd.choice(citizen_ids),
                    "channel": "phone", "priority": rnd.choice(["normal", "high", "low"]),
                    "description": f"Bench request {i}: streetlight out at {i} Oak St"}).encode()
        for i in range(500)
    ]  # fmt: skip
    floor_body = [b"{}"]
    floor_runs, api_runs, pg_runs = [], [], []
    with Gunicorn(workers) as server:
        _load(server.port, "/api/v1/cases/", raw, bodies, clients, 2)  # warm-up
        _load(server.port, "/bench/floor/", raw, floor_body, clients, 2)
        for _ in range(runs):
            floor_runs.append(_load(server.port, "/bench/floor/", raw, floor_body, clients,
                                    seconds))  # fmt: skip
            api_runs.append(_load(server.port, "/api/v1/cases/", raw, bodies, clients, seconds))
    for _ in range(runs):
        pg_runs.append(_pgbench(clients, seconds))
    floor = statistics.median(r["rps"] for r in floor_runs)
    api = statistics.median(r["rps"] for r in api_runs)
    ratios = [a["rps"] / f["rps"] for a, f in zip(api_runs, floor_runs, strict=True) if f["rps"]]
    pg = [r["tps"] for r in pg_runs if "tps" in r]
    return {
        "how": f"gunicorn {workers} sync workers on 127.0.0.1, {clients} client threads "
        f"(http.client, one connection per request) in a closed loop, {seconds:g} s "
        f"per run, {runs} runs alternating floor and API; medians of runs",
        "clients": clients,
        "api_rps": api,
        "floor_rps": floor,
        "ratio": round(statistics.median(ratios), 2) if ratios else None,
        "goal_ratio": 0.5,
        "api_p50_ms": statistics.median(r["p50_ms"] for r in api_runs),
        "api_p95_ms": statistics.median(r["p95_ms"] for r in api_runs),
        "floor_p50_ms": statistics.median(r["p50_ms"] for r in floor_runs),
        "pgbench_tps": round(statistics.median(pg), 1) if pg else None,
        "pgbench_note": pg_runs[0].get("not_measured")
        if not pg
        else f"pgbench -c {clients} -j 2 -T {seconds:g}, one single-row INSERT per transaction",
        "api_runs": api_runs,
        "floor_runs": floor_runs,
        "pgbench_runs": pg_runs,
    }


# --- 2, 6: staff pages in-process -----------------------------------------------------------


def _page_timings(client: Any, urls: dict[str, str], runs: int, reps: int) -> dict[str, Any]:
    """p50/p95 of GETs of each URL, interleaved (so noise hits them alike), and query counts."""
    from django.db import connection

    out: dict[str, Any] = {}
    for name, url in urls.items():
        for _ in range(3):
            response = client.get(url)
            if response.status_code != 200:
                raise NotMeasured(f"GET {url} answered {response.status_code}")
        queries: list[str] = []  # (CaptureQueriesContext is emptied by request_started)

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        out[name] = {"url": url, "queries": len(queries), "runs": []}
    for _ in range(runs):
        samples: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(reps):
            for name, url in urls.items():
                began = time.perf_counter()
                client.get(url)
                samples[name].append(time.perf_counter() - began)
        for name, values in samples.items():
            out[name]["runs"].append(
                {"p50_ms": ms(percentile(values, 0.5)), "p95_ms": ms(percentile(values, 0.95))}
            )
    for figures in out.values():
        figures["p50_ms"] = round(statistics.median(r["p50_ms"] for r in figures["runs"]), 1)
        figures["p95_ms"] = round(statistics.median(r["p95_ms"] for r in figures["runs"]), 1)
    return out


def _client(username: str):
    from django.test import Client

    client = Client()
    client.force_login(_user(username))
    return client


def measure_queue(runs: int, reps: int) -> dict[str, Any]:
    from django.http import QueryDict

    from cases import selectors
    from cases.filters import CaseFilter

    user = _user(AGENT)
    client = _client(AGENT)
    cases = selectors.cases_for_queue(user, "all")
    filtered = CaseFilter(QueryDict(""), queryset=cases, agency=user.staff_profile.agency).qs
    depth = 10_000
    row = filtered.order_by("-created_at", "-id").only("id", "created_at")[depth - 1 : depth]
    row = list(row)
    if not row:
        raise NotMeasured(f"fewer than {depth:,} open cases in the agent's agency")
    cursor = selectors._encode(selectors.SORTS["newest"], row[0])
    pages = _page_timings(client, {
        "healthz": "/healthz", "page1": "/staff/cases/?queue=all",
        "deep": f"/staff/cases/?queue=all&cursor={cursor}", "mine": "/staff/cases/",
    }, runs, reps)  # fmt: skip
    baseline, page1, deep, mine = (pages[k] for k in ("healthz", "page1", "deep", "mine"))
    return {
        "how": f"Django test Client in-process (server time: URL resolution, middleware, "
        f"view, queries, template; no network), agent {AGENT!r}, queue 'all' with the "
        f"default filters (open cases of the agency), 50 rows; {runs} runs x {reps} "
        "requests of each page, interleaved, after 3 warm-up; p50/p95 per run, median "
        "of runs; the depth ratio on p50 (p95 on a shared machine is mostly noise)",
        "baseline_healthz": baseline,
        "page1": page1,
        "page1_over_healthz_p50": round(page1["p50_ms"] / baseline["p50_ms"], 1),
        "depth_10000": deep,
        "mine_page1": mine,
        "depth_ratio_p50": round(deep["p50_ms"] / page1["p50_ms"], 2),
        "depth_ratio_p95": round(deep["p95_ms"] / page1["p95_ms"], 2),
        "goal_p95_ms": 30,
        "goal_depth_ratio": 1.2,
    }


def measure_pages(runs: int, reps: int) -> dict[str, Any]:
    client = _client(SUPERVISOR)
    pages = _page_timings(client, {"board": "/staff/cases/sla/",
                                   "results": "/staff/feedback/results/"}, runs, reps)  # fmt: skip
    board, results = pages["board"], pages["results"]
    from django.contrib.auth import get_user_model

    from cases.sla.selectors import sla_board_cases
    from feedback.selectors import results_period, survey_results

    user = get_user_model().objects.get(username=SUPERVISOR)
    samples_board, samples_results = [], []
    start, end = results_period(None, None)
    for _ in range(reps):
        began = time.perf_counter()
        rows = sla_board_cases(user)
        samples_board.append(time.perf_counter() - began)
        began = time.perf_counter()
        survey_results(user, start=start, end=end)
        samples_results.append(time.perf_counter() - began)
    return {
        "how": f"Django test Client in-process, supervisor {SUPERVISOR!r}, default filters; "
        f"{runs} runs x {reps} requests after 3 warm-up; selectors timed alone too",
        "sla_board": board,
        "sla_board_rows": len(rows),
        "sla_board_selector_p95_ms": ms(percentile(samples_board, 0.95)),
        "survey_results": results,
        "survey_results_selector_p95_ms": ms(percentile(samples_results, 0.95)),
    }


# --- 7. dashboards, transparency, figures rebuild -------------------------------------------


def measure_reports(runs: int, reps: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.test import Client

    from agencies.models import Team
    from cases.models import ServiceCategory
    from reports import figures

    began = time.perf_counter()
    rebuilt = figures.rebuild_all()
    rebuild_seconds = time.perf_counter() - began
    began = time.perf_counter()
    figures.figures_refresh()
    refresh_seconds = time.perf_counter() - began
    user = _user(SUPERVISOR)
    agency_id = user.staff_profile.agency_id
    team = Team.objects.filter(agency_id=agency_id).order_by("pk").first()
    category = ServiceCategory.objects.filter(agency_id=agency_id).order_by("pk").first()
    ServiceCategory.objects.filter(agency_id=agency_id).update(open_data=True)
    cache.clear()
    dashboard = _page_timings(_client(SUPERVISOR), {
        "default": "/staff/dashboards/",
        "year": "/staff/dashboards/?period=365d",
        "team": f"/staff/dashboards/?period=90d&team={team.pk if team else ''}",
        "service": f"/staff/dashboards/?period=365d&category={category.pk if category else ''}",
        "channel_priority": "/staff/dashboards/?period=365d&channel=web&priority=high",
    }, runs, reps)  # fmt: skip
    public = _page_timings(Client(), {
        "page": "/en/transparency/", "json": "/en/transparency.json",
    }, runs, reps * 2)  # fmt: skip
    worst = max(v["p95_ms"] for v in dashboard.values())
    return {
        "how": f"figures.rebuild_all once (every fact and daily row), one figures_refresh; "
        f"then Django test Client in-process: supervisor {SUPERVISOR!r} on the dashboards "
        f"with 5 filter sets, anonymous on the transparency page and JSON (every service of "
        f"the agency made public; the cache warm as beat leaves it); {runs} runs x {reps} "
        "requests after 3 warm-up",
        "rebuild_seconds": round(rebuild_seconds, 1),
        "rebuilt_cases": rebuilt["cases"],
        "refresh_seconds": round(refresh_seconds, 2),
        "dashboard": dashboard,
        "dashboard_worst_p95_ms": worst,
        "transparency": public,
        "goal_dashboard_p95_ms": 200,
        "goal_transparency_p95_ms": 50,
        "goal_rebuild_seconds": 120,
    }


# --- 3. citizen fuzzy search ----------------------------------------------------------------


def _typo(rnd: random.Random, text: str) -> str:
    chars = list(text)
    positions = [i for i, ch in enumerate(chars) if ch.isalpha()]
    i = rnd.choice(positions[1:-1] or positions)
    kind = rnd.choice(("swap", "drop", "replace", "double"))
    if kind == "swap" and i + 1 < len(chars) and chars[i + 1].isalpha():
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif kind == "drop":
        del chars[i]
    elif kind == "replace":
        chars[i] = rnd.choice("aeiourstnl")
    else:
        chars.insert(i, chars[i])
    return "".join(chars)


def measure_search(runs: int, queries: int) -> dict[str, Any]:
    from citizens.models import Citizen
    from citizens.selectors import citizens_search

    user = _user(AGENT)
    rnd = random.Random(11)  # noqa: S311
    people = list(Citizen.objects.order_by("?").values_list("first_name", "last_name")[:queries])
    terms = []
    for first, last in people:
        shape = rnd.random()
        if shape < 0.5:  # a typo in the full name, accents dropped half the time
            text = _typo(rnd, f"{first} {last}")
        elif shape < 0.8:  # the last name alone, with a typo
            text = _typo(rnd, last)
        else:  # the full name as it is spelled
            text = f"{last} {first}"
        terms.append(text.lower() if rnd.random() < 0.5 else text)
    for term in terms[:5]:
        list(citizens_search(user=user, query=term)[:10])
    per_run, found = [], 0
    for _ in range(runs):
        samples = []
        for term in terms:
            began = time.perf_counter()
            hits = list(citizens_search(user=user, query=term)[:10])
            samples.append(time.perf_counter() - began)
            found += bool(hits)
        per_run.append((percentile(samples, 0.5), percentile(samples, 0.95)))
    return {
        "how": f"citizens.selectors.citizens_search in-process (first 10 results, as the "
        f"intake search shows), {len(terms)} typo'd names (swap/drop/replace/double a "
        f"letter; full name or last name), {runs} runs; p50/p95 per run, median",
        "p50_ms": ms(statistics.median(a for a, _ in per_run)),
        "p95_ms": ms(statistics.median(b for _, b in per_run)),
        "hit_rate": round(found / (len(terms) * runs), 2),
        "examples": terms[:5],
        "goal_p95_ms": 100,
    }


# --- 4. SLA sweep ---------------------------------------------------------------------------


def measure_sweep(runs: int, due: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench.sla_sweep import _explain
    from cases.models import Case
    from cases.sla.services import sla_sweep

    total = Case.objects.count()
    out_runs = []
    plan: list[str] = []
    for _ in range(runs):
        now = timezone.now()
        catch_up = sla_sweep(now=now)  # what became due since the data was generated
        with connection.cursor() as cursor:
            cursor.execute(PLANT_SQL, {"now": now, "due": due})
            planted = cursor.rowcount
            cursor.execute("ANALYZE cases_case")
        plan, claim_ms = _explain(now, settings.SLA_SWEEP_BATCH)
        began = time.perf_counter()
        report = sla_sweep(now=now)
        seconds = time.perf_counter() - began
        out_runs.append({
            "seconds": round(seconds, 3), "planted": planted, "claimed": report.claimed,
            "breaches": report.breaches, "escalations": report.escalations,
            "notifications": report.notifications, "catch_up_claimed": catch_up.claimed,
            "claim_query_ms": claim_ms,
        })  # fmt: skip
    return {
        "how": f"cases.sla.services.sla_sweep in-process on the generated {total:,} cases; "
        f"per run: a catch-up sweep, then {due:,} open cases made due (past their "
        f"resolution target, warning on record: each records a breach and an escalation"
        f" and notifies the team's supervisor), EXPLAIN (ANALYZE) of the claim, one "
        f"timed sweep; {runs} runs, median",
        "cases": total,
        "due": due,
        "seconds": statistics.median(r["seconds"] for r in out_runs),
        "goal_seconds": 2.0,
        "index_scan": any("case_sla_due_idx" in line for line in plan),
        "claim_query_plan": plan,
        "runs": out_runs,
    }


# --- 5. survey dispatch ---------------------------------------------------------------------


class _Sink:
    def __init__(self) -> None:
        self.messages = 0
        self.peers: set[Any] = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages += 1
            self.peers.add(session.peer)
        return "250 OK"


def measure_dispatch(runs: int, count: int, concurrency: int) -> dict[str, Any]:
    import redis
    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.utils import timezone

    from feedback.models import SurveyInvitation
    from feedback.tasks import surveys_dispatch_task

    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(controller.port),
           "EMAIL_URL": ""}  # fmt: skip
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "citizencrm", "worker", "--pool", "prefork",
         "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    out_runs = []
    try:
        from citizencrm.celery import app

        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise NotMeasured("the Celery worker did not start")
        floors = []
        for index in range(runs):
            floor = subprocess.run(
                [sys.executable, "-c", SMTP_FLOOR, str(controller.port), str(count)],
                capture_output=True, text=True, timeout=300, check=True,
            )  # fmt: skip
            floors.append(round(float(floor.stdout.strip()), 1))
            now = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(INVITE_SQL, {"now": now, "count": count, "tag": f"{index}"})
                ids = [row[0] for row in cursor.fetchall()]
            if len(ids) < count:
                raise NotMeasured(f"only {len(ids)} closed cases left to invite")
            before_msgs, before_peers = sink.messages, len(sink.peers)
            began = time.monotonic()
            for _ in range(concurrency):
                surveys_dispatch_task.delay()
            done = 0
            while time.monotonic() - began < 300:
                done = SurveyInvitation.objects.filter(pk__in=ids).exclude(
                    status__in=["pending", "sending"]).count()  # fmt: skip
                if done == len(ids):
                    break
                time.sleep(0.05)
            elapsed = time.monotonic() - began
            sent = SurveyInvitation.objects.filter(pk__in=ids, status="sent").count()
            out_runs.append({
                "invitations": len(ids), "sent": sent, "seconds": round(elapsed, 2),
                "per_second": round(sent / elapsed, 1),
                "smtp_messages": sink.messages - before_msgs,
                "smtp_connections": len(sink.peers) - before_peers,
            })  # fmt: skip
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()
    return {
        "how": f"a real Celery worker (prefork, concurrency {concurrency}, Redis broker) runs "
        f"feedback.tasks.surveys_dispatch ({concurrency} tasks published at once, rows "
        f"claimed with SKIP LOCKED in batches of SURVEY_BATCH_SIZE) to an aiosmtpd sink "
        f"on loopback; {count:,} pending invitations per run, timed from publish until "
        f"none is pending; {runs} runs, median",
        "per_second": statistics.median(r["per_second"] for r in out_runs),
        "goal_per_second": 200,
        "smtp_floor_per_second": statistics.median(floors),
        "smtp_floor_how": "one process sending a 1.5 kB message over one SMTP connection to "
        "the same sink, as fast as it can, before each run (the sink's own ceiling)",
        "ratio_to_smtp_floor": round(
            statistics.median(r["per_second"] for r in out_runs) / statistics.median(floors), 2
        ),
        "runs": out_runs,
    }


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int,
                        default=int(os.environ.get("BENCH_CASES") or 1_000_000))  # fmt: skip
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--only",
        help="comma-separated measurements to run",
        default="api,queue,search,pages,dispatch,sla_sweep,reports,import",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0, help="per throughput run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--dispatch-workers", type=int, default=4,
        help="Celery worker processes (and tasks published) for dispatch",
    )  # fmt: skip
    parser.add_argument("--import-rows", type=int, default=100_000,
                        help="rows of the citizen CSV import")  # fmt: skip
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    _setup()
    import logging

    for noisy in ("mail.log", "axes", "celery"):  # one line per SMTP command / login
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from django.db import connection

    from bench.generate import counts_now, generate, sizes

    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs "
        f"(shared), Python {platform.python_version()}, PostgreSQL "
        f"{connection.cursor().connection.info.server_version}",
        "generation": None,
        "measurements": {},
    }
    if not args.skip_generate:
        print(f"generating {args.cases:,} cases into {connection.settings_dict['NAME']} …",
              flush=True)  # fmt: skip
        results["generation"] = generate(cases=args.cases)
    counts = counts_now()
    results["counts"] = counts
    results["size"] = {**sizes(counts["cases"]), "citizens": counts["citizens"]}
    dispatch_count = max(1000, min(3000, counts["cases"] // 300))
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "api": lambda: measure_api(args.runs, args.clients, args.seconds, args.workers),
        "queue": lambda: measure_queue(args.runs, 30),
        "search": lambda: measure_search(args.runs, 100),
        "pages": lambda: measure_pages(args.runs, 15),
        "dispatch": lambda: measure_dispatch(args.runs, dispatch_count, args.dispatch_workers),
        "sla_sweep": lambda: measure_sweep(args.runs, 1000),
        "reports": lambda: measure_reports(args.runs, 10),
        "import": lambda: measure_import(args.import_rows, _user(ADMIN)),
    }
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    for name in steps:
        if name not in wanted:
            results["measurements"][name] = {"not_measured": "not selected (--only)"}
            continue
        print(f"measuring {name} …", flush=True)
        began = time.monotonic()
        try:
            results["measurements"][name] = steps[name]()
        except NotMeasured as exc:
            results["measurements"][name] = {"not_measured": str(exc)}
        results["measurements"].setdefault(name, {})["wall_seconds"] = round(
            time.monotonic() - began, 1
        )
        print(f"  done in {time.monotonic() - began:.0f} s", flush=True)
    print_table(results)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        data["bench"] = results
        RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f'\nwritten to {RESULTS.relative_to(ROOT)} (key "bench")')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
