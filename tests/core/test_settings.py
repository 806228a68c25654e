"""Production refuses to start without its secrets, and passes Django's deployment checklist."""

import os
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
