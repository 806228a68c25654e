"""Survey emails over a real SMTP server on loopback, sent by real Celery workers on the test's
Redis: exactly one email per invitation, across a worker stopped mid-way and another started."""

from __future__ import annotations

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from citizencrm.celery import app as celery_app
from feedback.models import SurveyInvitation
from feedback.tasks import surveys_dispatch_task
from tests.conftest import wait_until
from tests.feedback.conftest import invitation_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("survey_settings")]


def _broker_idle(url: str) -> bool:
    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def _surveys(sink) -> list:
    """The survey emails at the sink (the cases' own emails go there too)."""
    return [m for m in sink.messages if "survey-" in m["Message-ID"]]


def _message_ids(sink) -> list[str]:
    return ["".join(m["Message-ID"].split()) for m in _surveys(sink)]  # unfolded


def test_exactly_one_email_per_invitation_across_a_worker_restart(
    world, survey, make_citizen, close_case, smtp_sink, broker_url, settings
):
    settings.SURVEY_BATCH_SIZE = 3
    settings.SURVEY_SWEEP_BUDGET_SECONDS = 0  # one batch per task run: the work spans many runs
    invitations = [invitation_of(close_case(make_citizen(language="es"))) for _ in range(12)]
    expected = sorted(i.message_id for i in invitations)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):  # fmt: skip
        for _ in range(2):
            surveys_dispatch_task.delay()
        assert wait_until(lambda: len(_surveys(smtp_sink)) >= 6, timeout=30)  # a loaded machine
        # Beat fires again while the first worker is being stopped: this run may be taken by
        # either worker (a warm shutdown hands back what it has not started).
        surveys_dispatch_task.delay()
    first_worker_sent = len(_surveys(smtp_sink))
    assert 6 <= first_worker_sent < 12  # stopped mid-way

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):  # fmt: skip
        for _ in range(4):
            surveys_dispatch_task.delay()
        assert wait_until(lambda: len(_surveys(smtp_sink)) >= 12, timeout=30)
        for _ in range(3):  # more sweeps (beat keeps firing): nothing left, nothing resent
            surveys_dispatch_task.delay()
        assert wait_until(lambda: _broker_idle(celery_app.conf.broker_url))

    assert sorted(_message_ids(smtp_sink)) == expected  # each exactly once
    assert SurveyInvitation.objects.filter(status="sent").count() == 12
    received = _surveys(smtp_sink)[0]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/es/survey/" in received.get_payload(0).get_payload(decode=True).decode()


def test_a_worker_killed_while_sending_loses_nothing(
    world, survey, make_citizen, close_case, smtp_sink, broker_url, settings
):
    """What a SIGKILL leaves behind — rows claimed (`sending`) by a worker that is gone — is
    picked up by the next worker once the lease has passed (the chaos suite does it for real)."""
    import uuid

    invitations = [invitation_of(close_case(make_citizen())) for _ in range(4)]
    dead_token = uuid.uuid4()
    SurveyInvitation.objects.filter(pk__in=[i.pk for i in invitations[:2]]).update(
        status="sending", claim_token=dead_token, attempts=1,
        lease_until=timezone.now() - timezone.timedelta(seconds=1),
    )  # fmt: skip

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        surveys_dispatch_task.delay()
        assert wait_until(lambda: len(_surveys(smtp_sink)) == 4)
        assert wait_until(lambda: _broker_idle(celery_app.conf.broker_url))

    assert sorted(_message_ids(smtp_sink)) == sorted(i.message_id for i in invitations)
