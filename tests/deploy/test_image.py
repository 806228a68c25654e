"""The Docker image's build steps and processes, run without a Docker engine.

The static files are built by the script the Dockerfile runs (production storage: hashed,
compressed); the image's CMD (gunicorn) then serves pages, the admin and the API docs with
production settings and the environment docker-compose.yml gives `web`; and every healthcheck
command of docker-compose.yml (and the Dockerfile's) is run against these processes.
"""

from __future__ import annotations

import re
import socket

import pytest
import requests

from tests.deploy import compose
from tests.deploy.conftest import (
    Process,
    database_overrides,
    healthy_within,
    production_env_file,
    run_check,
    start_web,
)

pytestmark = [
    pytest.mark.django_db,  # the test database exists, for the processes to use
    pytest.mark.xdist_group("deploy-image"),  # one xdist worker builds and serves, once
]

HOST = "crm.example.gov"  # .env.example's DJANGO_ALLOWED_HOSTS and SITE_URL
BEHIND_PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}  # what the TLS proxy sends
STATIC_URL = re.compile(r"""(?:src|href)=["'](/static/[^"'?#]+)""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


@pytest.fixture(scope="module")
def production(tmp_path_factory, static_root, deploy_redis, django_db_setup):
    """The environment of a container of the compose file, and the image's web server."""
    directory = tmp_path_factory.mktemp("production")
    env_file = production_env_file(directory)

    def env_of(service: str) -> dict[str, str]:
        return compose.container_env(
            service, env_file, REDIS_URL=deploy_redis.url, STATIC_ROOT=str(static_root),
            **database_overrides(),
        )  # fmt: skip

    web, base = start_web(env_of("web"), directory / "web.log")
    yield env_of, web, base
    web.stop()


def _get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=30, allow_redirects=False)


@pytest.mark.parametrize("path", ["/en/", "/admin/login/", "/api/docs/"])
def test_pages_admin_and_api_docs_are_served_with_hashed_static_files(production, path):
    _, _, base = production

    page = _get(base + path, **BEHIND_PROXY)

    assert page.status_code == 200, page.text[:500]
    assets = sorted(set(STATIC_URL.findall(page.text)))
    assert assets, f"{path} links no static file"
    for asset in assets:
        assert HASHED.search(asset), f"{asset} has no content hash in its name"
        response = _get(base + asset, **BEHIND_PROXY)
        assert response.status_code == 200, asset
        assert "immutable" in response.headers["Cache-Control"], asset


def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    _, _, base = production

    page = _get(base + "/en/", Host=HOST)
    health = _get(base + "/healthz")  # by address, as healthchecks and load balancers call it

    assert page.status_code == 301
    assert page.headers["Location"] == f"https://{HOST}/en/"
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_web_healthchecks_of_compose_and_dockerfile_are_healthy(production):
    _, web, _ = production
    env = web.env  # the running server's environment: its PORT
    checks = [compose.service("web")["healthcheck"]["test"], compose.image_healthcheck()]

    for test in checks:
        result = run_check(test, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "healthy" in result.stdout

    # Where nothing answers, the same command says unhealthy.
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        result = run_check(checks[0], {**env, "PORT": str(unused.getsockname()[1])})
    assert result.returncode == 1
    assert "UNHEALTHY" in result.stdout


def test_migrate_service_finds_the_schema_up_to_date(production):
    env_of, _, _ = production
    env = env_of("migrate")

    done = Process(compose.service("migrate")["command"], env, _log(env, "migrate")).start()
    done.popen.wait(180)

    assert done.popen.returncode == 0, done.output()[-3000:]
    assert "No migrations to apply" in done.output()
    assert compose.service("migrate")["healthcheck"] == {"disable": True}


def test_worker_healthcheck_is_healthy_once_the_worker_runs(production):
    env_of, _, _ = production
    env = {**env_of("worker"), "HOSTNAME": socket.gethostname()}  # Docker sets HOSTNAME
    worker = Process(compose.service("worker")["command"], env, _log(env, "worker")).start()
    try:
        assert healthy_within(compose.service("worker")["healthcheck"]["test"], env), (
            worker.output()[-3000:]
        )
    finally:
        worker.stop()


def test_beat_healthcheck_is_healthy_while_beat_runs_and_not_before_or_after(production):
    env_of, _, _ = production
    env = env_of("beat")
    check = compose.service("beat")["healthcheck"]["test"]

    before = run_check(check, env)
    beat = Process(compose.service("beat")["command"], env, _log(env, "beat")).start()
    try:
        assert healthy_within(check, env), beat.output()[-3000:]
    finally:
        beat.stop()  # SIGTERM, as `docker compose stop`: beat releases its lock
    after = run_check(check, env)

    assert before.returncode == 1, before.stdout + before.stderr
    assert "no beat holds the lock" in before.stdout
    assert after.returncode == 1, after.stdout + after.stderr


def _log(env: dict[str, str], name: str):
    from pathlib import Path

    return Path(env["HOME"]) / f"{name}.log"
