"""Celery entry points of `core`: thin wrappers around services, plus core's outbox handlers."""

from typing import Any

from celery import shared_task

from core import services
from core.outbox import outbox_handler


@shared_task(name=services.OUTBOX_DELIVER_TASK, acks_late=True)
def outbox_deliver_task(message_id: int) -> bool:
    return services.outbox_deliver(message_id=message_id)


@shared_task(name="core.tasks.outbox_relay", ignore_result=True)
def outbox_relay_task() -> int:
    return services.outbox_relay()


@shared_task(name="core.tasks.notifications_queue_digests", ignore_result=True)
def notifications_queue_digests_task() -> int:
    """Gather staff notices waiting for email into digests, whoever sent them."""
    return services.notifications_queue_digests()


@outbox_handler("core.email")
def send_email(payload: dict[str, Any]) -> None:
    services.email_send(**payload)


@outbox_handler(services.DIGEST_TOPIC)
def send_notification_digest(payload: dict[str, Any]) -> None:
    services.notification_digest_send(
        recipient_id=payload["recipient_id"], notification_ids=payload["notification_ids"]
    )
