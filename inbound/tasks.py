"""Celery entry points of `inbound` (thin), and its outbox handler."""

from typing import Any

from celery import shared_task

from core.outbox import outbox_handler
from inbound import services


@outbox_handler(services.PROCESS_TOPIC)
def process_message(payload: dict[str, Any]) -> None:
    services.inbound_process(message_pk=payload["message"])


@shared_task(name="inbound.tasks.imap_poll", ignore_result=True)
def imap_poll_task() -> int:
    """Beat, every INBOUND_IMAP_POLL_SECONDS when INBOUND_IMAP_HOST is set."""
    from inbound.imap import imap_poll

    return imap_poll()
