"""What an operations team watches: Prometheus metrics scraped as Prometheus parses them, after
a request, a task and a sweep; never public. JSON log lines that carry the request id into the
outbox work the request caused."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from cases.tasks import sla_sweep_task
from core.models import OutboxMessage
from core.services import outbox_deliver

pytestmark = pytest.mark.django_db

TOKEN = "scraper-token-0123456789abcdef"


def _scrape(client) -> dict[str, list]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    families = text_string_to_metric_families(response.content.decode())
    return {family.name: family.samples for family in families}


def _value(samples, name: str, **labels) -> float:
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


def test_metrics_are_never_public(client):
    assert client.get("/metrics").status_code == 404
    with override_settings(METRICS_TOKEN=TOKEN):
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    with override_settings(METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"]):
        assert client.get("/metrics").status_code == 404  # the test client is 127.0.0.1
    with override_settings(METRICS_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        assert client.get("/metrics").status_code == 200


@override_settings(METRICS_TOKEN=TOKEN)
def test_a_request_a_task_and_a_sweep_show_in_the_scrape(client, world):
    client.force_login(world.agent)
    before = _scrape(client)
    assert client.get("/staff/cases/").status_code == 200
    sla_sweep_task.apply()  # the beat task, with Celery's signals, in this process
    OutboxMessage.objects.create(topic="core.email", payload={}, status="dead")

    after = _scrape(client)

    def grew(family: str, name: str, **labels) -> float:
        return _value(after[family], name, **labels) - _value(
            before.get(family, []), name, **labels
        )

    requests = "django_http_requests_total_by_view_transport_method"
    assert grew(requests, f"{requests}_total", view="cases:queue", method="GET") == 1
    latency = "django_http_requests_latency_seconds_by_view_method"
    assert grew(latency, f"{latency}_count", view="cases:queue") == 1
    queries = "citizencrm_request_db_queries"
    assert grew(queries, f"{queries}_count", view="cases:queue") == 1
    assert grew(queries, f"{queries}_sum", view="cases:queue") >= 3  # the queue's SQL, counted
    tasks = "citizencrm_celery_task_runs"
    assert grew(tasks, f"{tasks}_total", task="cases.tasks.sla_sweep", state="success") == 1
    assert grew("citizencrm_sla_sweep_seconds", "citizencrm_sla_sweep_seconds_count") == 1
    assert _value(after["citizencrm_outbox_dead_letters"], "citizencrm_outbox_dead_letters") == 1
    assert "citizencrm_outbox_oldest_pending_age_seconds" in after


def test_log_lines_are_json_with_the_request_id_also_in_the_outbox_work(client, world):
    stream = io.StringIO()
    config = {**settings.LOGGING, "handlers": {"console": {
        **settings.LOGGING["handlers"]["console"], "formatter": "json", "stream": stream,
    }}}  # fmt: skip
    logging.config.dictConfig(config)
    try:
        client.force_login(world.agent)
        response = client.get("/staff/cases/", headers={"X-Request-ID": "req-0123456789"})
        assert response["X-Request-ID"] == "req-0123456789"
        logging.getLogger("cases").warning("a line inside the request's work")
        message = OutboxMessage.objects.create(
            topic="core.email", payload={"to": []}, request_id="req-0123456789"
        )
        outbox_deliver(message_id=message.pk)  # a handler that fails, and logs so
        fresh = client.get("/staff/cases/", headers={"X-Request-ID": "bad id with spaces"})
    finally:
        logging.config.dictConfig(settings.LOGGING)

    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    assert lines, "nothing was logged: the test would prove nothing"
    assert all(
        {"time", "level", "logger", "message", "request_id"} <= line.keys() for line in lines
    )
    outbox_lines = [line for line in lines if line["logger"] == "core.services"]
    assert outbox_lines and all(line["request_id"] == "req-0123456789" for line in outbox_lines)
    assert len(fresh["X-Request-ID"]) == 32  # an unusable id offered: a new one made
