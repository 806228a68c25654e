"""Shared fixtures: real Redis per xdist worker, a real Celery worker, a real SMTP sink."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from citizencrm import devstack
from citizencrm.celery import app as celery_app

pytest_plugins = ["tests.playwright_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _clean_worker_redis_db() -> None:
    """Each xdist worker owns one Redis database number (see settings); start it empty."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def _fresh_public_form_limits() -> None:
    """The public forms' counters outlive a test (an hour's window, and the per-email one is
    not per address): each test starts with none, so tests that turn limits on stay apart."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5)
    with contextlib.suppress(redis.RedisError):
        keys = list(client.scan_iter(match="ratelimit:public-form:*", count=1000))
        if keys:
            client.delete(*keys)


def point_broker_at(url: str) -> None:
    """Re-point the Celery app (publisher side) at another broker URL."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_write_url = None
    celery_app.conf.broker_read_url = None
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_url() -> Iterator[str]:
    """The broker this test publishes to; restored afterwards."""
    original = celery_app.conf.broker_url
    yield original
    point_broker_at(original)


@pytest.fixture
def celery_worker(transactional_db, broker_url):
    """A real Celery worker (solo pool, in a thread) consuming from the test's Redis database.

    Earlier tests of this xdist worker published tasks (outbox deliveries on commit) that no
    worker took; they are purged first, so this worker starts on this test's work only."""
    celery_app.control.purge()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as worker:
        yield worker


# --- SMTP ---------------------------------------------------------------------------------


class _Collect:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpSink:
    def __init__(self, handler: _Collect, port: int) -> None:
        self._handler = handler
        self.port = port

    @property
    def messages(self) -> list[Message]:
        with self._handler.lock:
            return list(self._handler.messages)


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback; Django's mail goes to it for this test."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield SmtpSink(handler, controller.port)
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a Redis server the test owns (may be stopped and restarted) -----------------------------


class OwnRedis:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        devstack.start_redis_server(self.directory, self.port)

    def stop(self) -> None:
        with contextlib.suppress(redis.RedisError):
            redis.Redis(port=self.port).shutdown(nosave=True)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05) -> bool:
    """Poll for an outcome produced by another thread (worker, SMTP server)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# --- subprocesses that share the test database (chaos and load suites) ----------------------


def test_database_url() -> str:
    """This run's test database as a DATABASE_URL, for a worker or server in a subprocess."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def healthz_ok(base_url: str) -> bool:
    """Whether the server at `base_url` answers /healthz with 200 (False while it cannot)."""
    import requests

    try:
        return requests.get(f"{base_url}/healthz", timeout=3).status_code == 200
    except requests.RequestException:
        return False
