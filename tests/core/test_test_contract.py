"""DESIGN.md's test contract: a Redis database per xdist worker; slow suites out of `make test`."""

import os
import re
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from citizencrm.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _db_number(url: str) -> int:
    return int(url.rsplit("/", 1)[1])


@pytest.mark.skipif("PYTEST_XDIST_WORKER" not in os.environ, reason="only meaningful under xdist")
def test_each_xdist_worker_uses_its_own_redis_database():
    worker_index = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    configured = os.environ["REDIS_URL"]  # the run's base: /0 for CI, /5 for a second suite
    base_db = _db_number(configured) if configured.rsplit("/", 1)[1].isdigit() else 0

    assert _db_number(settings.REDIS_URL) == base_db + worker_index + 1
    assert _db_number(celery_app.conf.broker_url) == base_db + worker_index + 1
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    # What this worker writes is invisible in the configured database, where `make run` points.
    key = f"contract:{uuid.uuid4()}"
    redis.Redis.from_url(settings.REDIS_URL).set(key, "mine", ex=60)
    assert redis.Redis.from_url(configured).get(key) is None


def test_make_test_excludes_slow_suites_and_make_chaos_runs_them():
    makefile = (ROOT / "Makefile").read_text()
    test_recipe = re.search(r"^test:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    chaos_recipe = re.search(r"^chaos:.*?(?=^\S)", makefile, re.S | re.M).group(0)

    assert '-m "not slow"' in test_recipe
    assert "-m slow" in chaos_recipe
