"""Celery entry points of `feedback` (thin: the services hold the rules)."""

from celery import shared_task
from django.conf import settings

from core import metrics
from feedback import survey_services


@shared_task(
    name="feedback.tasks.surveys_dispatch",
    ignore_result=True,
    acks_late=True,
    # A run stops claiming after SURVEY_SWEEP_BUDGET_SECONDS; these limits are only a safety
    # net, above the budget, so a time limit never cuts a send short in normal operation.
    soft_time_limit=settings.SURVEY_LEASE_SECONDS,
    time_limit=settings.SURVEY_LEASE_SECONDS + 60,
)
def surveys_dispatch_task() -> int:
    """Run by beat every SURVEY_SWEEP_SECONDS. Safe to run twice at once: rows are claimed."""
    sent = survey_services.surveys_dispatch().emails
    metrics.SURVEYS_SENT.inc(sent)
    return sent
