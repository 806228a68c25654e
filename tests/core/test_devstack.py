"""`python -m citizencrm.devstack`: embedded PostgreSQL and Redis when nothing is configured."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]


def _devstack(command: str, devdata: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["CITIZENCRM_DEVDATA"] = str(devdata)
    return subprocess.run(
        [sys.executable, "-m", "citizencrm.devstack", command],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


def _parse_exports(output: str) -> dict[str, str]:
    line = next(line for line in output.splitlines() if line.startswith("export "))
    pairs = (item.split("=", 1) for item in line.removeprefix("export ").split())
    return {key: value.strip("'") for key, value in pairs}


def test_devstack_starts_real_postgres_and_redis_and_reuses_them(tmp_path):
    devdata = tmp_path / "devdata"
    try:
        urls = _parse_exports(_devstack("up", devdata).stdout)

        pg_url = urls["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT 41 + 1").fetchone() == (42,)
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            assert conn.execute("SELECT similarity('Gonzalez', 'Gonzales') > 0.5").fetchone() == (
                True,
            )
            backend_pid_server = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
        assert redis.Redis.from_url(urls["REDIS_URL"]).ping()
        redis.Redis.from_url(urls["REDIS_URL"]).set("kept", "yes")

        again = _parse_exports(_devstack("up", devdata).stdout)
        assert again == urls
        with psycopg.connect(pg_url) as conn:
            assert (
                conn.execute("SELECT pg_postmaster_start_time()").fetchone() == backend_pid_server
            )
        assert redis.Redis.from_url(urls["REDIS_URL"]).get("kept") == b"yes"  # same server

        assert _parse_exports(_devstack("env", devdata).stdout) == urls
    finally:
        _devstack("down", devdata)

    assert not (devdata / "pg" / "postmaster.pid").exists()
    try:
        redis.Redis.from_url(urls["REDIS_URL"], socket_connect_timeout=1).ping()
        raise AssertionError("Redis still answers after `down`")
    except redis.ConnectionError:
        pass


def _answers(urls: dict[str, str]) -> tuple[bool, bool]:
    """Whether the embedded PostgreSQL and Redis of `urls` still answer."""
    try:
        pg_url = urls["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(pg_url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        pg = True
    except psycopg.OperationalError:
        pg = False
    try:
        redis_up = redis.Redis.from_url(urls["REDIS_URL"], socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        redis_up = False
    return pg, redis_up


def _run_until_ctrl_c(devdata: Path, tmp_path: Path) -> tuple[dict[str, str], str, int]:
    """`devstack run` a command that records its services and waits, then press Ctrl-C (SIGINT
    to the whole process group, as a terminal does): the urls, devstack's words, exit code."""
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["CITIZENCRM_DEVDATA"] = str(devdata)
    seen = tmp_path / "seen"
    script = (
        "import os, pathlib, time; "
        f"pathlib.Path({str(seen)!r}).write_text(os.environ['DATABASE_URL'] + ' ' + "
        "os.environ['REDIS_URL']); time.sleep(120)"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencrm.devstack", "run", "--", sys.executable, "-c", script],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not seen.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    database_url, redis_url = seen.read_text().split()
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url}, stderr, process.returncode


def test_run_stops_the_servers_it_started_when_interrupted(tmp_path):
    urls, said, code = _run_until_ctrl_c(tmp_path / "devdata", tmp_path)

    assert _answers(urls) == (False, False)
    assert "stopped the embedded PostgreSQL and Redis" in said
    assert code == 128 + 2  # ended by SIGINT, as a shell reports it


def test_run_leaves_running_the_servers_that_were_up_before(tmp_path):
    devdata = tmp_path / "devdata"
    try:
        before = _parse_exports(_devstack("up", devdata).stdout)
        urls, said, _ = _run_until_ctrl_c(devdata, tmp_path)

        assert urls == before
        assert _answers(urls) == (True, True)
        assert "stay up" in said
    finally:
        _devstack("down", devdata)


def test_run_passes_on_the_environment_without_choosing_the_settings(tmp_path):
    """`make test` runs pytest through `devstack run`: pytest must pick its test settings
    (pyproject.toml), not the default settings that importing citizencrm puts in os.environ."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"CITIZENCRM_DEVDATA": str(tmp_path), "MARKER": "kept"}
    show = "import os; print(os.environ.get('DJANGO_SETTINGS_MODULE'), os.environ['MARKER'])"

    result = subprocess.run(
        [sys.executable, "-m", "citizencrm.devstack", "run", "--", sys.executable, "-c", show],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "kept"]
