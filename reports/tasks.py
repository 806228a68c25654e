"""Celery entry points of `reports` (thin: reports.figures holds the rules)."""

from celery import shared_task

from reports import figures, transparency


@shared_task(name="reports.tasks.figures_refresh", ignore_result=True)
def figures_refresh_task() -> int:
    """Beat, every REPORTS_REFRESH_SECONDS: refresh the figures of changed cases (idempotent),
    then warm the transparency cache so the public pages read one cache entry."""
    refreshed = figures.figures_refresh()
    if refreshed:
        transparency.cached()
    return refreshed
