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
    # Counted from the configured database (0 in CI), so two suites can share one Redis.
    configured = _db_number(os.environ.get("REDIS_URL") or "redis://embedded/0")

    assert _db_number(settings.REDIS_URL) == configured + worker_index + 1
    assert _db_number(celery_app.conf.broker_url) == configured + worker_index + 1
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    # What this worker writes is invisible in database 0, where `make run` and CI's base URL point.
    key = f"contract:{uuid.uuid4()}"
    redis.Redis.from_url(settings.REDIS_URL).set(key, "mine", ex=60)
    base = settings.REDIS_URL.rsplit("/", 1)[0]
    assert redis.Redis.from_url(f"{base}/0").get(key) is None


def test_make_test_excludes_slow_suites_and_make_chaos_runs_them():
    makefile = (ROOT / "Makefile").read_text()
    test_recipe = re.search(r"^test:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    chaos_recipe = re.search(r"^chaos:.*?(?=^\S)", makefile, re.S | re.M).group(0)

    assert '-m "not slow"' in test_recipe
    assert "-m slow" in chaos_recipe
