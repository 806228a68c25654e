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
