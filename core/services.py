"""Writers of `core`: the outbox (DESIGN.md "Jobs"), outgoing email, the audit log, and
notices to staff (in-app and by email)."""

from __future__ import annotations

import hashlib
import logging
import operator
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial, reduce
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.models import ApiToken, AuditEvent, Notification, OutboxMessage
from core.outbox import backoff_seconds, handler_for
from core.request_context import current_client_ip, current_request_id, request_id_bound
from core.scoping import as_read_by, user_agency_id, user_language, user_zone
from core.selectors import api_token_owner_verified

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
OUTBOX_DELIVER_TASK = "core.tasks.outbox_deliver"  # core.tasks.outbox_deliver_task
# audit_record(ip_address=NO_ADDRESS): the row keeps no client address (an anonymous answer).
NO_ADDRESS = ""


# --- audit ----------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    obj: Any,
    actor: Any = None,
    ip_address: str | None = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    agency_id: int | None = None,
    related_model: Any = None,
    related_ids: Iterable[Any] = (),
) -> AuditEvent:
    """Append one audit row. `actor` is a user, a label for citizens/systems, or None (system).

    One decision that changed many objects is one row: `obj` is what was decided on (the
    calendar), `related_model` and `related_ids` the objects it changed (the cases whose
    deadlines moved), which the audit page counts and lists, and finds in each one's history.
    """
    event = _audit_event(action=action, obj=obj, actor=actor, ip_address=ip_address,
                         changes=changes, agency_id=agency_id)  # fmt: skip
    if related_model is not None:
        event.related_type = related_model._meta.label_lower
        event.related_ids = [str(pk) for pk in related_ids]
    event.save(force_insert=True)
    return event


def audit_record_many(records: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append many audit rows in one INSERT; each record takes audit_record's arguments.

    For sweeps that change many objects in one transaction (one row per object, as always).
    """
    return AuditEvent.objects.bulk_create([_audit_event(**record) for record in records])


def _audit_event(
    *,
    action: str,
    obj: Any,
    actor: Any = None,
    ip_address: str | None = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    agency_id: int | None = None,
) -> AuditEvent:
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_type, actor_user, label = AuditEvent.ActorType.STAFF, actor, actor.get_username()
    elif isinstance(actor, str) and actor.startswith("citizen"):
        actor_type, actor_user, label = AuditEvent.ActorType.CITIZEN, None, actor
    else:
        actor_type, actor_user, label = AuditEvent.ActorType.SYSTEM, None, str(actor or "system")
    if agency_id is None and actor_user is not None:
        # A change to a shared record (a citizen) belongs to the acting staff member's agency:
        # each agency reads its own actions on the shared record, not the others'.
        agency_id = user_agency_id(actor_user)
    return AuditEvent(
        action=action,
        actor_type=actor_type,
        actor_user=actor_user,
        actor_label=label,
        ip_address=None if ip_address == NO_ADDRESS else (ip_address or current_client_ip()),
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
        topic=topic, payload=payload, available_at=run_after or timezone.now(),
        request_id=current_request_id(),
    )  # fmt: skip
    if run_after is None or run_after <= timezone.now():
        transaction.on_commit(partial(outbox_publish, message_ids=[message.pk]))
    return message


def outbox_publish(*, message_ids: list[int]) -> int:
    """Hand messages to the broker. Never raises on a broker outage: the relay retries later.

    The task is sent by name (core.tasks imports this module, not the other way round)."""
    published = 0
    for message_id in message_ids:
        try:
            current_app.send_task(OUTBOX_DELIVER_TASK, args=[message_id], retry=False)
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
    with request_id_bound(message.request_id):  # its logs carry the request that caused it
        try:
            with transaction.atomic():
                handler_for(message.topic)(message.payload)
                OutboxMessage.objects.filter(pk=message_id, status=Status.PROCESSING).update(
                    status=Status.DONE, processed_at=timezone.now(), locked_until=None,
                    last_error="",
                )  # fmt: skip
        except Exception as exc:
            _outbox_record_failure(message, exc, now=now)
            return False
    return True


def _outbox_record_failure(message: OutboxMessage, exc: Exception, *, now: datetime) -> None:
    dead = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    backoff = backoff_seconds(message.attempts, base=settings.OUTBOX_RETRY_BASE_SECONDS, cap=3600)
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
    *, to: list[str], subject: str, body: str, html: str | None = None,
    reply_to: str | None = None, headers: dict[str, str] | None = None,
) -> OutboxMessage:  # fmt: skip
    """Send an email after the current transaction commits (through the outbox).

    `headers`: extra headers, e.g. a Message-ID chosen by the caller (kept to match replies)."""
    payload = {"to": to, "subject": subject, "body": body, "html": html, "reply_to": reply_to}
    if headers:
        payload["headers"] = headers
    return outbox_enqueue(topic="core.email", payload=payload)


def email_send(*, to: list[str], subject: str, body: str, html: str | None = None,
               reply_to: str | None = None, headers: dict[str, str] | None = None,
               connection: Any = None) -> None:  # fmt: skip
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=to,
        reply_to=[reply_to] if reply_to else None,
        headers=headers or None,
        connection=connection or get_connection(),
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


# --- notices to staff: in-app, and by email -------------------------------------------------------


@dataclass(frozen=True)
class StaffNotice:
    """One notice to one staff member, for `notify_staff`.

    `text` is (title, body), or a function that returns them, called in the recipient's
    language (once per language however many recipients share it). `email_after`: it also
    goes out in the recipient's digest email, sent at or after that instant; `email_now`: it
    is emailed on its own at once (the title as subject). Neither: in-app only. Recipients
    without an email address get it in-app only.
    """

    recipient: Any
    kind: str
    text: tuple[str, str] | Callable[[], tuple[str, str]]
    url: str = ""  # a path on this site (emails add SITE_URL)
    agency_id: int | None = None
    email_after: datetime | None = None
    email_now: bool = False
    # Replace the recipient's unread, not yet emailed notice of the same family ("sla") about
    # the same page, listing its title under the new one: one notice per case, not a stream.
    fold_unread: bool = False


def notify_staff(
    *, notices: Iterable[StaffNotice], at: datetime | None = None
) -> list[Notification]:
    """Tell staff members something: in their in-app list, and by email as each notice asks.

    The one way anything notifies staff (the SLA sweep, a survey that reopens a case, ...).
    Runs in the caller's audited transaction: one INSERT for all the notices; the emails are
    outbox rows, sent after the commit (digests: see `notifications_queue_digests`).
    """
    at = at or timezone.now()
    rows: list[Notification] = []
    texts: dict[tuple[int, tuple[str, str]], tuple[str, str]] = {}
    for notice in notices:
        user = notice.recipient
        reader = (user_language(user), str(user_zone(user)))
        if callable(notice.text):
            key = (id(notice.text), reader)
            if key not in texts:
                with as_read_by(user):
                    texts[key] = notice.text()
            title, body = texts[key]
        else:
            title, body = notice.text
        email_now = notice.email_now and bool(user.email)
        if email_now:
            with as_read_by(user):
                message = render_to_string(
                    "emails/staff_notice.txt",
                    {"body": body, "url": notice.url, "site_url": settings.SITE_URL},
                )
            email_enqueue(to=[user.email], subject=title, body=message)
        email_after = notice.email_after if user.email else None
        notification = Notification(
            recipient=user, kind=notice.kind, title=title[:200], body=body,
            url=notice.url[:500], agency_id=notice.agency_id, created_at=at,
            email_after=at if email_now else email_after,
            email_queued_at=at if email_now else None,
        )  # fmt: skip
        rows.append(notification)
    folding = [(notice, row) for notice, row in zip(notices, rows, strict=True)
               if notice.fold_unread]  # fmt: skip
    if folding:
        _fold_unread(folding)
    return Notification.objects.bulk_create(rows) if rows else []


def _fold_unread(folding: list[tuple[StaffNotice, Notification]]) -> None:
    """Fold each recipient's unread, un-emailed notices of the same family and page into the
    new row (their titles become lines of its body) and delete them: one query to find, one
    to delete, whatever the number."""
    families = {notice.kind.split(".")[0] + "." for notice, _row in folding}
    earlier = Notification.objects.filter(
        recipient_id__in={row.recipient_id for _notice, row in folding},
        url__in={row.url for _notice, row in folding},
        read_at__isnull=True,
        email_queued_at__isnull=True,
    ).filter(reduce(operator.or_, (Q(kind__startswith=family) for family in families)))
    by_key: dict[tuple, list[Notification]] = {}
    for old in earlier.order_by("created_at", "id"):
        by_key.setdefault((old.recipient_id, old.url, old.kind.split(".")[0]), []).append(old)
    gone: list[int] = []
    for notice, row in folding:
        older = by_key.pop((row.recipient_id, row.url, notice.kind.split(".")[0]), [])
        if older:
            titles = [line for old in older for line in [*old.body.splitlines()[1:], old.title]]
            head, *rest = row.body.splitlines() or [""]
            row.body = "\n".join([head, *titles, *rest])
            if row.email_after is None:
                row.email_after = min((o.email_after for o in older if o.email_after), default=None)
            gone.extend(old.pk for old in older)
    if gone:
        Notification.objects.filter(pk__in=gone).delete()


def notification_create(
    *,
    recipient: Any,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    agency_id: int | None = None,
    at: datetime | None = None,
    email_after: datetime | None = None,
) -> Notification:
    """One in-app notice with a fixed text (`notify_staff` of one; `email_after`: also in the
    recipient's digest email, see `notifications_queue_digests`)."""
    notice = StaffNotice(recipient=recipient, kind=kind, text=(title, body), url=url,
                         agency_id=agency_id, email_after=email_after)  # fmt: skip
    return notify_staff(notices=[notice], at=at)[0]


DIGEST_TOPIC = "core.notification_digest"


def notifications_queue_digests(*, now: datetime | None = None) -> int:
    """Queue one digest email per recipient and send-time for notifications waiting for email.

    Each group becomes one outbox message (topic core.notification_digest) that is not run
    before its `email_after`; a later call with more for the same recipient and send-time joins
    them to the message still waiting (so a night's notifications make one morning email).
    Rows are claimed with SKIP LOCKED and marked queued in the same transaction: a rerun, or a
    concurrent call, queues nothing twice. Returns the number of notifications queued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(email_after__isnull=False, email_queued_at__isnull=True)
            .order_by("email_after", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", "recipient_id", "email_after")[:5000]
        )
        if not rows:
            return 0
        groups: dict[tuple[int, datetime], list[int]] = {}
        for pk, recipient_id, email_after in rows:
            send_at = max(email_after, now)
            groups.setdefault((recipient_id, send_at), []).append(pk)
        for (recipient_id, send_at), ids in groups.items():
            waiting = None
            if send_at > now:  # join a digest that is still waiting for the same morning
                waiting = (
                    OutboxMessage.objects.select_for_update(skip_locked=True)
                    .filter(
                        topic=DIGEST_TOPIC,
                        status=Status.PENDING,
                        available_at=send_at,
                        payload__recipient_id=recipient_id,
                    )
                    .first()
                )
            if waiting is not None:
                waiting.payload["notification_ids"] += ids
                waiting.save(update_fields=["payload"])
            else:
                outbox_enqueue(
                    topic=DIGEST_TOPIC,
                    payload={"recipient_id": recipient_id, "notification_ids": ids},
                    run_after=send_at,
                )
        Notification.objects.filter(pk__in=[row[0] for row in rows]).update(email_queued_at=now)
        return len(rows)


def notifications_mark_read(
    *, user: Any, notification_ids: list[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the user's own notifications read (these ids, or all unread ones); returns how many.

    Another user's notification ids are ignored, never an error.
    """
    now = now or timezone.now()
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        ids = list(unread.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids).update(read_at=now)
        audit_record(
            action="notification.read", obj=user, actor=user,
            agency_id=user_agency_id(user),
            changes={"notifications": (None, ", ".join(map(str, ids)))},
        )  # fmt: skip
        return len(ids)


def notification_digest_send(*, recipient_id: int, notification_ids: list[int]) -> bool:
    """Email one digest of these notifications to their recipient (run by the outbox).

    Rendered at send time in the recipient's language. False when there is nobody to send to
    (no email address, inactive user, notifications gone).
    """
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if user is None or not user.email:
        return False
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, recipient_id=recipient_id).order_by(
            "created_at", "id"
        )
    )
    if not notifications:
        return False
    with as_read_by(user):
        context = {
            "user": user,
            "notifications": notifications,
            "count": len(notifications),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/notification_digest_subject.txt", context).strip()
        body = render_to_string("emails/notification_digest.txt", context)
        html = render_to_string("emails/notification_digest.html", context)
    email_send(to=[user.email], subject=subject, body=body, html=html)
    return True


# --- API tokens -----------------------------------------------------------------------------

API_TOKEN_PREFIX = "ccrm_"  # noqa: S105 (a marker that makes leaked tokens greppable)


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: Any, name: str, actor: Any) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and the raw value, which is stored nowhere."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Name the token (what will use it)."]})
    if not getattr(user, "is_active", False):
        raise ValidationError("Tokens are only issued to active users.")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=api_token_hash(raw), prefix=raw[:12]
    )
    audit_record(
        action="api_token.created", obj=token, actor=actor,
        changes={"name": (None, token.name), "user": (None, user.get_username())},
    )  # fmt: skip
    return token, raw


@transaction.atomic
def api_tokens_revoke_all(*, user: Any, actor: Any, reason: str) -> int:
    """Revoke every active token of `user` (e.g. on a role change: tokens issued under the old
    role must not carry into the new one). One audit row per token."""
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    audit_record_many(
        [{"action": "api_token.revoked", "obj": t, "actor": actor,
          "changes": {"revoked": (False, True), "reason": (None, reason)}} for t in tokens]
    )  # fmt: skip
    return len(tokens)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> bool:
    """Revoke `token` at once; False if it already was."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(action="api_token.revoked", obj=token, actor=actor,
                     changes={"revoked": (False, True)})  # fmt: skip
    return bool(revoked)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token of an active user matching `raw`, marking it used (at most once a
    minute: a busy integration must not write on every request)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not api_token_owner_verified(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
