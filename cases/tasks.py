"""Celery entry points of `cases` (thin: the services hold the rules)."""

from celery import shared_task

from cases import services


@shared_task(name="cases.tasks.cases_close_resolved", ignore_result=True)
def cases_close_resolved_task() -> int:
    return services.cases_close_resolved()
