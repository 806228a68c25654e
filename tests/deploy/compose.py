"""docker-compose.yml, the Dockerfile and .env files read the way Docker and Compose read them,
so tests can run their commands (server, worker, beat, healthchecks) without a Docker engine:
the container's environment is the image's ENV, then the service's env_file, then its
`environment:` with ${…} interpolated from the .env file."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat", "mail")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # resolves `<<: *app`


def service(name: str) -> dict:
    return compose()["services"][name]


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped; "…" and '…' quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_]\w*)"
)


class MissingVariable(ValueError):
    pass


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ (a literal $)."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        current, op, arg = variables.get(name), match.group("op"), match.group("arg")
        unset = current is None or (current == "" and op and op.startswith(":"))
        if op and op.endswith("-") and unset:
            return arg
        if op and op.endswith("?") and unset:
            raise MissingVariable(arg)
        return current or ""

    return _VARIABLE.sub(substitute, value)


def dockerfile_lines() -> list[str]:
    """The Dockerfile's instructions with continuation lines joined."""
    joined = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and line[0] != "#"]


def image_env() -> dict[str, str]:
    """ENV of the final stage (after the last FROM)."""
    lines = dockerfile_lines()
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    env = {}
    for line in lines[last_from:]:
        if line.startswith("ENV "):
            env.update(item.split("=", 1) for item in shlex.split(line[4:]))
    return env


def image_cmd() -> list[str]:
    return json.loads(next(line[4:] for line in dockerfile_lines() if line.startswith("CMD ")))


def image_healthcheck() -> list[str]:
    line = next(line for line in dockerfile_lines() if line.startswith("HEALTHCHECK "))
    return ["CMD", *json.loads(line.split(" CMD ", 1)[1])]


def container_env(name: str, env_file: Path, **overrides: str) -> dict[str, str]:
    """What a container of service `name` would see, with `env_file` as the project's .env;
    `overrides` stand in for what only exists inside Compose's network (host names)."""
    variables = read_env_file(env_file)
    environment = {
        key: interpolate(str(value), variables)
        for key, value in (service(name).get("environment") or {}).items()
    }
    venv_bin = str(Path(sys.executable).parent)  # the image's python, celery and gunicorn
    return {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(env_file.parent),
        "LANG": "C.UTF-8",
        **image_env(),
        **variables,  # env_file: .env
        **environment,
        **overrides,
    }


def command_argv(test: list[str], variables: dict[str, str]) -> list[str]:
    """A healthcheck `test` (["CMD", …] or ["CMD-SHELL", "…"]) as an argv, interpolated."""
    kind, *rest = test
    rest = [interpolate(part, variables) for part in rest]
    if kind == "CMD":
        return rest
    if kind == "CMD-SHELL":
        return ["/bin/sh", "-c", rest[0]]
    raise ValueError(f"unknown healthcheck kind {kind}")
