"""The outbox (DESIGN.md "Jobs"): nothing lost, nothing run twice, Redis outages survived."""

from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from citizencrm.celery import app as celery_app
from core import services
from core.models import OutboxMessage
from core.outbox import outbox_handler
from tests.conftest import point_broker_at, wait_until

Status = OutboxMessage.Status

pytestmark = pytest.mark.django_db


def _queued_celery_messages(url: str) -> int:
    return redis.Redis.from_url(url).llen("celery")


def _broker_idle(url: str) -> bool:
    """Nothing waiting in the queue and nothing a worker took but has not acknowledged."""
    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_work_recorded_in_a_rolled_back_transaction_is_never_published(broker_url, settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.email_enqueue(to=["a@example.org"], subject="Hi", body="Hello")
        raise RuntimeError("the change failed")

    assert OutboxMessage.objects.count() == 0
    assert _queued_celery_messages(settings.REDIS_URL) == 0


@pytest.mark.django_db(transaction=True)
def test_committed_email_is_delivered_exactly_once_by_a_real_worker(celery_worker, smtp_sink):
    with transaction.atomic():
        message = services.email_enqueue(
            to=["citizen@example.org"], subject="Your request", body="We are on it."
        )

    assert wait_until(lambda: len(smtp_sink.messages) == 1)
    assert wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).status == Status.DONE)

    # The same message published again (relay racing the fast path) does not send twice.
    services.outbox_publish(message_ids=[message.pk])
    assert services.outbox_relay() == 0  # nothing pending
    assert wait_until(lambda: _broker_idle(celery_app.conf.broker_url))

    received = smtp_sink.messages
    assert len(received) == 1
    assert received[0]["Subject"] == "Your request"
    assert received[0]["To"] == "citizen@example.org"
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_redis_down_does_not_fail_the_change_and_work_runs_once_redis_is_back(
    own_redis, broker_url, smtp_sink
):
    point_broker_at(own_redis.url)
    own_redis.stop()

    with transaction.atomic():  # what a request does: change + outbox row, then commit
        message = services.email_enqueue(to=["c@example.org"], subject="Update", body="Body")

    message.refresh_from_db()
    assert message.status == Status.PENDING  # the fast path could not publish; nothing raised

    own_redis.start()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert services.outbox_relay() == 1  # what beat runs every few seconds
        assert wait_until(lambda: len(smtp_sink.messages) == 1)
        assert wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).status == Status.DONE)
        assert services.outbox_relay() == 0  # a second relay finds nothing to do

    assert [m["Subject"] for m in smtp_sink.messages] == ["Update"]


# --- delivery state machine (services called directly) ----------------------------------------

_calls: list[dict] = []


@outbox_handler("tests.flaky")
def _flaky(payload: dict) -> None:
    _calls.append(payload)
    if payload.get("fail"):
        raise ValueError("downstream said no")


def test_delivery_claims_the_row_so_a_second_delivery_is_a_no_op():
    _calls.clear()
    message = services.outbox_enqueue(topic="tests.flaky", payload={"n": 1})

    assert services.outbox_deliver(message_id=message.pk) is True
    assert services.outbox_deliver(message_id=message.pk) is False
    assert _calls == [{"n": 1}]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.DONE, 1)


def test_failed_delivery_backs_off_then_dead_letters_after_max_attempts(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    message = services.outbox_enqueue(topic="tests.flaky", payload={"fail": True})

    assert services.outbox_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert "downstream said no" in message.last_error
    first_retry = message.available_at
    assert first_retry > timezone.now() + timedelta(seconds=8)
    # Not due yet: an early duplicate publish does not run it.
    assert services.outbox_deliver(message_id=message.pk) is False
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1

    later = first_retry + timedelta(seconds=1)
    services.outbox_deliver(message_id=message.pk, now=later)
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.available_at - later >= timedelta(seconds=19)  # 10 s, then 20 s

    services.outbox_deliver(message_id=message.pk, now=message.available_at + timedelta(seconds=1))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.DEAD, 3)


def test_relay_reclaims_a_row_whose_worker_died_mid_task(settings):
    message = services.outbox_enqueue(topic="tests.flaky", payload={"n": 2})
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.PROCESSING, attempts=1, locked_until=timezone.now() - timedelta(seconds=1)
    )

    services.outbox_relay()

    message.refresh_from_db()
    assert message.status in {Status.PENDING, Status.PUBLISHED}
    assert services.outbox_deliver(message_id=message.pk) is True


def test_requeue_gives_a_dead_letter_another_round_and_is_audited(admin_user):
    message = services.outbox_enqueue(topic="tests.flaky", payload={"n": 3})
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.DEAD, attempts=8)

    services.outbox_requeue(message=message, actor=admin_user)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    from core.models import AuditEvent

    event = AuditEvent.objects.get(action="outbox.requeue")
    assert event.actor_user == admin_user
    assert event.changes == {"status": ["dead", "pending"]}


def test_unknown_topic_is_refused_when_recorded_not_later():
    with pytest.raises(LookupError):
        services.outbox_enqueue(topic="no.such.topic", payload={})
