"""Prometheus metrics: what operations watch (README "Operations").

django-prometheus measures the requests (by view, method and status, with latency
histograms); this module adds what only the app knows: SQL statements per request, Celery
tasks (runs, failures, durations), the SLA sweep, survey dispatch, the mail gateway, and,
read from the database at each scrape, the outbox's depth, the age of its oldest pending row
and its dead letters. Counters live in each process; with several processes on a host (gunicorn
workers, Celery) set PROMETHEUS_MULTIPROC_DIR so the scrape sums them.

`/metrics` is never public: the bearer token METRICS_TOKEN, or an address in
METRICS_ALLOWED_NETWORKS; anybody else gets a 404, as if there were nothing there.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterator
from typing import Any

from celery import signals
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from core.request_context import client_ip

REQUEST_QUERIES = Histogram(
    "citizencrm_request_db_queries",
    "SQL statements run to answer one request, by view.",
    ["view"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
)
TASK_RUNS = Counter(
    "citizencrm_celery_task_runs_total", "Celery tasks run, by task and outcome.", ["task", "state"]
)
TASK_SECONDS = Histogram(
    "citizencrm_celery_task_seconds", "How long Celery tasks ran, by task.", ["task"]
)
SLA_SWEEP_SECONDS = Histogram(
    "citizencrm_sla_sweep_seconds",
    "How long one SLA sweep took.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
SLA_SWEEP_CLAIMED = Counter(
    "citizencrm_sla_sweep_cases_claimed_total", "Cases the SLA sweep looked at."
)
SURVEYS_SENT = Counter("citizencrm_survey_invitations_sent_total", "Survey invitations emailed.")
MAIL_GATEWAY_MESSAGES = Counter(
    "citizencrm_mail_gateway_messages_total",
    "Messages the mail gateway received, by outcome (accepted, rejected).",
    ["outcome"],
)


class QueryCountMiddleware:
    """Counts the SQL statements of each request into REQUEST_QUERIES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_QUERIES.labels(view=match.view_name if match else "<unresolved>").observe(count)
        return response


class OutboxCollector(Collector):
    """The outbox's state, read at each scrape (one small query on its partial index)."""

    NAMES = (
        "citizencrm_outbox_pending",
        "citizencrm_outbox_oldest_pending_age_seconds",
        "citizencrm_outbox_dead_letters",
    )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registration asks for the names: given here, so it never queries the database.
        for name in self.NAMES:
            yield GaugeMetricFamily(name, "")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count, Min, Q

        from core.models import OutboxMessage

        Status = OutboxMessage.Status
        try:
            row = OutboxMessage.objects.filter(
                status__in=[Status.PENDING, Status.PUBLISHED, Status.PROCESSING, Status.DEAD]
            ).aggregate(
                pending=Count("id", filter=~Q(status=Status.DEAD)),
                dead=Count("id", filter=Q(status=Status.DEAD)),
                oldest=Min("available_at", filter=~Q(status=Status.DEAD)),
            )
        except Exception:  # the database is down: say nothing rather than fail the scrape
            return
        oldest = row["oldest"]
        age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily(
            "citizencrm_outbox_pending", "Outbox rows not yet done (pending, published, running).",
            value=row["pending"],
        )  # fmt: skip
        yield GaugeMetricFamily(
            "citizencrm_outbox_oldest_pending_age_seconds",
            "Seconds since the oldest unfinished outbox row became due (0: none).",
            value=age,
        )
        yield GaugeMetricFamily(
            "citizencrm_outbox_dead_letters", "Outbox rows that gave up (requeue in the admin).",
            value=row["dead"],
        )  # fmt: skip


_registered: list[Collector] = []


def register() -> None:
    """Register the scrape-time collector and the Celery signal handlers (core.apps.ready)."""
    if not _registered:
        collector = OutboxCollector()
        REGISTRY.register(collector)
        _registered.append(collector)
    signals.task_prerun.connect(_task_started, dispatch_uid="core.metrics.prerun", weak=False)
    signals.task_postrun.connect(_task_finished, dispatch_uid="core.metrics.postrun", weak=False)


def _task_started(task: Any = None, **_kwargs: Any) -> None:
    if task is not None:
        task.__dict__.setdefault("_metrics_started", []).append(time.perf_counter())


def _task_finished(task: Any = None, state: str | None = None, **_kwargs: Any) -> None:
    if task is None:
        return
    started = task.__dict__.get("_metrics_started") or []
    if started:
        TASK_SECONDS.labels(task=task.name).observe(time.perf_counter() - started.pop())
    TASK_RUNS.labels(task=task.name, state=(state or "UNKNOWN").lower()).inc()


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if not address or not settings.METRICS_ALLOWED_NETWORKS:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition, for the allowed scraper only."""
    if not metrics_allowed(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    response = ExportToDjangoView(request)
    response["Cache-Control"] = "no-store"
    return response
