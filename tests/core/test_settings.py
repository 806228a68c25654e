"""Production refuses to start without its secrets, and passes Django's deployment checklist."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3Jq9vR2xT7mP4wZ8nL1cY6bH5dF0sGaQeUiOoWyEtRrTuIpAsDfGhJkLzXcVbNm"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    configured = ("DJANGO_", "EMAIL_", "DATABASE_URL", "REDIS_URL")
    base = {k: v for k, v in os.environ.items() if not k.startswith(configured)}
    base.pop("CITIZENCRM_TESTING", None)
    base["DJANGO_SETTINGS_MODULE"] = "citizencrm.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "crm.example.gov",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/citizencrm",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mail.example.gov:25",
    "SITE_URL": "https://crm.example.gov",
}


@pytest.mark.parametrize(
    "missing",
    ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"],
)
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = _manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing.replace("EMAIL_URL", "EMAIL_URL (or EMAIL_HOST") in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": "changeme"})

    assert result.returncode != 0
    assert "at least 50 random characters" in result.stderr


def test_check_deploy_with_production_settings_reports_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # The placeholder .env.example used to ship: 80 characters, and public.
        ("DJANGO_SECRET_KEY",
         "replace-with-at-least-50-random-characters-eg-from-python-secrets-token-urlsafe"),
        ("DJANGO_SECRET_KEY", "django-insecure-" + SECRET),  # Django's startproject template
        ("DATABASE_URL", "postgres://citizencrm:replace-me@db:5432/citizencrm"),
        ("DATABASE_PASSWORD", "changeme"),
    ],
)  # fmt: skip
def test_production_refuses_a_placeholder_secret(name, value):
    env = {**PRODUCTION, name: value}
    if name == "DATABASE_PASSWORD":
        del env["DATABASE_URL"]
        env["DATABASE_HOST"] = "127.0.0.1"

    result = _manage("check", **env)

    assert result.returncode != 0
    assert "is a placeholder or a publicly known value" in result.stderr


def test_the_env_example_as_shipped_does_not_start():
    from tests.deploy.compose import read_env_file

    env = {**read_env_file(ROOT / ".env.example"), "DATABASE_HOST": "127.0.0.1",
           "REDIS_URL": "redis://127.0.0.1:6379/0"}  # fmt: skip

    result = _manage("check", **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_database_password_of_any_characters_signs_in_to_postgresql(tmp_path):
    """DATABASE_HOST/NAME/USER/PASSWORD (what docker-compose.yml sets) take the password as it
    is: a PostgreSQL that checks passwords (SCRAM) lets the app in, and not with a wrong one."""
    from psycopg import connect, sql

    password = "p@ss:w/rd#?%20 $x 'q\" \\"
    devstack = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    devstack["CITIZENCRM_DEVDATA"] = str(tmp_path)  # an embedded PostgreSQL of this test's

    def run_devstack(command: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "citizencrm.devstack", command], cwd=ROOT, env=devstack,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    try:
        exports = run_devstack("up")
        url = re.search(r"DATABASE_URL='?([^' ]+)", exports).group(1)
        with connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE citizencrm LOGIN PASSWORD {}").format(sql.Literal(password))
            )
            hba = tmp_path / "pg" / "pg_hba.conf"
            hba.write_text("local all citizencrm scram-sha-256\n" + hba.read_text())
            conn.execute("SELECT pg_reload_conf()")
            socket_dir = conn.info.host
        env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
        env |= {"DATABASE_HOST": socket_dir, "DATABASE_NAME": "postgres",
                "DATABASE_USER": "citizencrm"}  # fmt: skip
        connect_and_say = (
            "from django.db import connection; connection.ensure_connection(); "
            "print('signed in as', connection.settings_dict['USER'])"
        )

        right = _manage("shell", "-c", connect_and_say, **env, DATABASE_PASSWORD=password)
        wrong = _manage("shell", "-c", connect_and_say, **env, DATABASE_PASSWORD=password[:-1])
    finally:
        run_devstack("down")

    assert right.returncode == 0, right.stderr[-2000:]
    assert "signed in as citizencrm" in right.stdout
    assert wrong.returncode != 0
    assert "password authentication failed" in wrong.stderr
