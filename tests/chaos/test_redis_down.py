"""Chaos: Redis (broker and cache) is down while citizens submit requests and staff work cases.

Every request must succeed (nothing needs Redis to commit), the emails those requests owe
wait in the outbox, and once Redis is back the relay (what beat runs) and a real Celery worker
deliver each of them exactly once to a real SMTP server on loopback: 0 lost, 0 duplicated.
The Redis server is one this test started itself, never the machine's. Figures are printed and
written to test-artifacts/redis-down.json. Run with `make chaos`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from rest_framework.test import APIClient

from citizencrm.celery import app as celery_app
from core import services as core_services
from core.models import OutboxMessage
from tests.cases import conftest as case_fixtures
from tests.cases.public import test_request as public_request
from tests.conftest import point_broker_at, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
world = case_fixtures.world
streetlight = public_request.streetlight

PUBLIC_REQUESTS = 60
API_CASES = 30  # each with a public update afterwards: a receipt and an update email
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "redis-down.json"


def test_with_redis_down_every_request_succeeds_and_every_email_goes_once_it_is_back(
    world, streetlight, own_redis, broker_url, smtp_sink, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.REDIS_URL = own_redis.url
    settings.RATELIMIT_ENABLED = True  # the limits must fail open, not refuse the citizens
    point_broker_at(own_redis.url)
    from core.services import api_token_create

    _token, raw = api_token_create(user=world.agent, name="chaos", actor=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    own_redis.stop()

    answers: Counter[int] = Counter()
    public = Client()
    for n in range(PUBLIC_REQUESTS):
        data = public_request._valid(contact_email=f"citizen{n}@example.org")
        response = public_request._post(public, public_request._url(streetlight), data,
                                        ip=f"10.1.{n // 200}.{n % 200 + 1}")  # fmt: skip
        answers[response.status_code] += 1
    for n in range(API_CASES):
        created = api.post("/api/v1/cases/", {
            "category": "graffiti", "description": f"Tags {n}",
            "reporter_email": f"caller{n}@example.org",
        }, format="json")  # fmt: skip
        answers[created.status_code] += 1
        reference = created.json()["reference"]
        update = api.post(f"/api/v1/cases/{reference}/updates/", {"body": "Crew booked"},
                          format="json")  # fmt: skip
        answers[update.status_code] += 1

    expected = PUBLIC_REQUESTS + 2 * API_CASES
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
    assert answers == {302: PUBLIC_REQUESTS, 201: 2 * API_CASES}, answers
    assert waiting == expected  # nothing was sent, nothing was lost: all of it waits

    own_redis.start()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        relayed = core_services.outbox_relay()  # what beat runs every few seconds
        assert wait_until(lambda: len(smtp_sink.messages) >= expected, timeout=120)
        assert wait_until(
            lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE).exists(),
            timeout=60,
        )
        assert core_services.outbox_relay() == 0  # a second beat finds nothing to do

    messages = smtp_sink.messages
    per_recipient = Counter(message["To"] for message in messages)
    message_ids = [message["Message-ID"] for message in messages]
    figures = {
        "requests": sum(answers.values()),
        "request_failures": sum(n for status, n in answers.items() if status >= 500),
        "emails_owed": expected,
        "relayed_after_redis_came_back": relayed,
        "emails_delivered": len(messages),
        "lost": max(0, expected - len(messages)),
        "duplicated": len(message_ids) - len(set(message_ids)),
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2))
    print("redis down:", figures)
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert len(messages) == expected
    assert all(per_recipient[f"citizen{n}@example.org"] == 1 for n in range(PUBLIC_REQUESTS))
    assert all(per_recipient[f"caller{n}@example.org"] == 2 for n in range(API_CASES))
