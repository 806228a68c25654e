"""Celery entry points of `reports` (thin: reports.figures holds the rules)."""

from celery import shared_task

from reports import figures


@shared_task(name="reports.tasks.figures_refresh", ignore_result=True)
def figures_refresh_task() -> int:
    """Beat, every REPORTS_REFRESH_SECONDS: refresh the figures of changed cases (idempotent)."""
    return figures.figures_refresh()
