"""Writers of `core`: the outbox (DESIGN.md "Jobs"), outgoing email, and the audit log."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.models import AuditEvent, OutboxMessage
from core.outbox import handler_for
from core.request_context import current_client_ip

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status


# --- audit ----------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    obj: Any,
    actor: Any = None,
    ip_address: str | None = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    agency_id: int | None = None,
) -> AuditEvent:
    """Append one audit row. `actor` is a user, a label for citizens/systems, or None (system)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_type, actor_user, label = AuditEvent.ActorType.STAFF, actor, actor.get_username()
    elif isinstance(actor, str) and actor.startswith("citizen"):
        actor_type, actor_user, label = AuditEvent.ActorType.CITIZEN, None, actor
    else:
        actor_type, actor_user, label = AuditEvent.ActorType.SYSTEM, None, str(actor or "system")
    return AuditEvent.objects.create(
        action=action,
        actor_type=actor_type,
        actor_user=actor_user,
        actor_label=label,
        ip_address=ip_address or current_client_ip(),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        agency_id=agency_id,
        changes={k: [_jsonable(b), _jsonable(a)] for k, (b, a) in (changes or {}).items()},
    )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- outbox ---------------------------------------------------------------------------------


def outbox_enqueue(
    *, topic: str, payload: dict[str, Any], run_after: datetime | None = None
) -> OutboxMessage:
    """Record work in the caller's transaction; publish it once that transaction commits.

    Work recorded in a transaction that rolls back disappears with it, and nothing is published.
    """
    handler_for(topic)  # fail loudly now, not in a worker, on a misspelt topic
    message = OutboxMessage.objects.create(
        topic=topic, payload=payload, available_at=run_after or timezone.now()
    )
    if run_after is None or run_after <= timezone.now():
        transaction.on_commit(partial(outbox_publish, message_ids=[message.pk]))
    return message


def outbox_publish(*, message_ids: list[int]) -> int:
    """Hand messages to the broker. Never raises on a broker outage: the relay retries later."""
    from core.tasks import outbox_deliver_task  # tasks import services; keep the cycle lazy

    published = 0
    for message_id in message_ids:
        try:
            outbox_deliver_task.apply_async(args=[message_id], retry=False)
        except (BrokerError, OSError) as exc:
            logger.warning(
                "outbox: broker unavailable, message %s left for the relay: %s", message_id, exc
            )
            break  # the broker is down for the rest of this batch too
        OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING).update(
            status=Status.PUBLISHED, published_at=timezone.now()
        )
        published += 1
    return published


def outbox_relay(*, now: datetime | None = None) -> int:
    """Publish what the on-commit fast path missed; reclaim rows whose worker vanished.

    Run by beat every OUTBOX_RELAY_SECONDS. Two relays at once never publish the same row
    (SKIP LOCKED); publishing twice would still be harmless since delivery claims the row.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    # A worker killed mid-task (or a broker that lost the message) leaves a row behind.
    OutboxMessage.objects.filter(
        Q(status=Status.PROCESSING, locked_until__lt=now)
        | Q(status=Status.PUBLISHED, published_at__lt=now - lease)
    ).update(status=Status.PENDING, locked_until=None)
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(status=Status.PENDING, available_at__lte=now)
            .order_by("available_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[: settings.OUTBOX_BATCH_SIZE]
        )
        # Publishing inside the lock keeps a concurrent relay off these rows.
        return outbox_publish(message_ids=ids) if ids else 0


def outbox_deliver(*, message_id: int, now: datetime | None = None) -> bool:
    """Run one message's handler once; False if another worker has it, it is done, or not due."""
    now = now or timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status__in=[Status.PENDING, Status.PUBLISHED], available_at__lte=now
    ).update(
        status=Status.PROCESSING,
        attempts=F("attempts") + 1,
        locked_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        with transaction.atomic():
            handler_for(message.topic)(message.payload)
            OutboxMessage.objects.filter(pk=message_id, status=Status.PROCESSING).update(
                status=Status.DONE, processed_at=timezone.now(), locked_until=None, last_error=""
            )
    except Exception as exc:
        _outbox_record_failure(message, exc, now=now)
        return False
    return True


def _outbox_record_failure(message: OutboxMessage, exc: Exception, *, now: datetime) -> None:
    dead = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    backoff = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (message.attempts - 1), 3600)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.PROCESSING).update(
        status=Status.DEAD if dead else Status.PENDING,
        available_at=now + timedelta(seconds=backoff),
        locked_until=None,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    log = logger.error if dead else logger.warning
    log("outbox: %s #%s failed (attempt %s%s)", message.topic, message.pk, message.attempts,
        ", dead-lettered" if dead else "")  # fmt: skip


def outbox_requeue(*, message: OutboxMessage, actor: Any) -> None:
    """Give a dead-lettered message another round of attempts (admin action)."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.DEAD).update(
            status=Status.PENDING, attempts=0, available_at=timezone.now(), last_error=""
        )
        if updated:
            audit_record(action="outbox.requeue", obj=message, actor=actor,
                         changes={"status": (Status.DEAD, Status.PENDING)})  # fmt: skip
            transaction.on_commit(partial(outbox_publish, message_ids=[message.pk]))


# --- email ----------------------------------------------------------------------------------


def email_enqueue(
    *, to: list[str], subject: str, body: str, html: str | None = None, reply_to: str | None = None
) -> OutboxMessage:
    """Send an email after the current transaction commits (through the outbox)."""
    return outbox_enqueue(
        topic="core.email",
        payload={"to": to, "subject": subject, "body": body, "html": html, "reply_to": reply_to},
    )


def email_send(*, to: list[str], subject: str, body: str, html: str | None = None,
               reply_to: str | None = None, connection: Any = None) -> None:  # fmt: skip
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=to,
        reply_to=[reply_to] if reply_to else None,
        connection=connection or get_connection(),
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
