"""Celery entry points of `cases` (thin: the services hold the rules)."""

from celery import shared_task

from cases import services
from cases.notifications import FOLLOWERS_TOPIC, followers_email_event
from cases.sla import services as sla_services
from core import metrics
from core.outbox import outbox_handler


@shared_task(name="cases.tasks.cases_close_resolved", ignore_result=True)
def cases_close_resolved_task() -> int:
    return services.cases_close_resolved()


@shared_task(name="cases.tasks.sla_sweep", ignore_result=True)
def sla_sweep_task() -> dict:
    """Beat, every SLA_SWEEP_SECONDS: record what became due (idempotent: cases.sla.services)."""
    with metrics.SLA_SWEEP_SECONDS.time():
        report = sla_services.sla_sweep()
    metrics.SLA_SWEEP_CLAIMED.inc(report.claimed)
    return report.__dict__


@outbox_handler(FOLLOWERS_TOPIC)
def followers_notify(payload: dict) -> None:
    """Email a case's citizen followers about one event, each once (cases.notifications)."""
    followers_email_event(event_id=payload["event_id"])
