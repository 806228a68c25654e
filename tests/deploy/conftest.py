"""The image's processes, started as docker-compose.yml starts them (same commands, same
environment) but on this machine: against the test database and a Redis of their own."""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import OwnRedis, _free_port, wait_until
from tests.deploy import compose

# Characters that break a URL (and a naive shell or .env line) but not separate fields.
AWKWARD_PASSWORD = "p@ss:w/rd#?%20 &x"


def write_env_file(directory: Path, example: str, **values: str) -> Path:
    """`example` (.env.example or .env.laptop.example) copied to directory/.env, as the README
    says, with `values` filled in where the operator fills them."""
    lines = []
    for line in (compose.ROOT / example).read_text().splitlines():
        key = line.partition("=")[0].strip()
        if key in values and not line.lstrip().startswith("#"):
            line = f"{key}='{values.pop(key)}'"
        lines.append(line)
    lines += [f"{key}='{value}'" for key, value in values.items()]
    path = directory / ".env"
    path.write_text("\n".join(lines) + "\n")
    return path


def production_env_file(directory: Path) -> Path:
    return write_env_file(
        directory, ".env.example",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), POSTGRES_PASSWORD=AWKWARD_PASSWORD,
    )  # fmt: skip


def database_overrides() -> dict[str, str]:
    """DATABASE_HOST and friends of the test database (the compose file's say `postgres`)."""
    from django.db import connection

    db = connection.settings_dict
    return {
        "DATABASE_HOST": db["HOST"] or db.get("OPTIONS", {}).get("host") or "127.0.0.1",
        "DATABASE_PORT": str(db["PORT"] or 5432),
        "DATABASE_NAME": db["NAME"],
        "DATABASE_USER": db["USER"] or "postgres",
    }


@dataclass
class Process:
    """A service's process, its output in a file."""

    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen = field(init=False)

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=compose.ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, kill: bool = False) -> None:
        if self.popen.poll() is None:
            self.popen.kill() if kill else self.popen.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(20)
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


def run_check(test: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a healthcheck command once, as Docker would (exit 0: healthy)."""
    return subprocess.run(
        compose.command_argv(test, env), cwd=compose.ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def healthy_within(test: list[str], env: dict[str, str], timeout: float = 60) -> bool:
    """Retried like Docker retries during a start period, until healthy or `timeout`."""
    return wait_until(lambda: run_check(test, env).returncode == 0, timeout=timeout, interval=1)


@pytest.fixture(scope="module")
def deploy_redis(tmp_path_factory) -> Iterator[OwnRedis]:
    """A Redis for these processes alone: what they leave in it touches no other test."""
    server = OwnRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """The image's static files, built by the script the Dockerfile runs."""
    import sys

    root = tmp_path_factory.mktemp("staticfiles")
    done = subprocess.run(
        [str(compose.ROOT / "scripts" / "collect-static")], cwd=compose.ROOT,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "STATIC_ROOT": str(root),
             "PYTHON": sys.executable, "VERBOSITY": "0"},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def start_web(env: dict[str, str], log: Path) -> tuple[Process, str]:
    """The image's CMD (gunicorn) with `env`, bound to loopback on a free port."""
    port = _free_port()
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "1",
           "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"}  # fmt: skip
    web = Process(compose.image_cmd(), env, log).start()
    base = f"http://127.0.0.1:{port}"

    last = []

    def answers() -> bool:
        with contextlib.suppress(requests.RequestException):
            response = requests.get(f"{base}/healthz", timeout=3)
            last[:] = [response.text]
            return response.status_code == 200
        return False

    if not wait_until(answers, timeout=90, interval=0.5):
        web.stop()
        raise AssertionError(f"gunicorn is not healthy: {last}\n{web.output()[-2000:]}")
    return web, base
