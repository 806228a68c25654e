"""docker-compose.yml as Compose reads it: validated by the real tool where it is installed
(`.ci/run` installs Debian's docker-compose), and the properties the deployment relies on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy import compose
from tests.deploy.conftest import AWKWARD_PASSWORD, production_env_file, write_env_file


def _compose_tool() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def _config(project: Path) -> subprocess.CompletedProcess:
    """`docker compose config` in a project folder holding the compose file and a .env."""
    shutil.copy(compose.ROOT / "docker-compose.yml", project / "docker-compose.yml")
    env = {"PATH": os.environ["PATH"], "HOME": str(project)}  # nothing else leaks in
    return subprocess.run(
        [*_compose_tool(), "config"], cwd=project, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def tool():
    if _compose_tool() is None:
        pytest.skip("no compose tool here (apt-get install docker-compose); .ci/run installs it")


def test_compose_accepts_the_file_and_gives_each_service_the_environment_tests_run_with(
    tool, tmp_path
):
    env_file = production_env_file(tmp_path)

    result = _config(tmp_path)

    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in compose.APP_SERVICES:
        expected = {**compose.read_env_file(env_file)}
        expected.update(
            {k: compose.interpolate(str(v), expected)
             for k, v in compose.service(name)["environment"].items()}
        )  # fmt: skip
        assert {k: str(v) for k, v in services[name]["environment"].items()} == expected
    assert services["web"]["environment"]["DATABASE_PASSWORD"] == AWKWARD_PASSWORD


@pytest.mark.parametrize("example", [".env.example", ".env.laptop.example"])
def test_compose_refuses_an_env_without_a_database_password(tool, tmp_path, example):
    write_env_file(tmp_path, example, POSTGRES_PASSWORD="")

    result = _config(tmp_path)

    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def test_the_image_is_built_once_and_app_services_start_after_the_migrations():
    services = compose.compose()["services"]
    builders = [name for name, service in services.items() if "build" in service]
    images = {services[name]["image"] for name in compose.APP_SERVICES}

    assert builders == ["migrate"]
    assert len(images) == 1
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    assert all("healthcheck" in service for service in services.values())


def test_every_image_is_pinned_to_a_release():
    services = compose.compose()["services"]
    third_party = [s["image"] for s in services.values() if "build" not in s and s.get("image")]
    third_party = [image for image in third_party if not image.startswith("citizencrm:")]
    bases = [line.split()[1] for line in compose.dockerfile_lines() if line.startswith("FROM ")]

    for image in third_party + bases:
        tag = image.rpartition(":")[2]
        assert re.match(r"v?\d+\.\d+(\.\d+)?(-[\w.-]+)?$", tag), f"{image} is not pinned"
