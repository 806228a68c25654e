"""Writers of inbound email: store a received message (exactly once), process it into a case
or a reply on a case (through the outbox), and give an admin's dead letter another go.

Receiving only stores: the gateway answers 250 (and the IMAP poller marks a message seen) only
after `inbound_receive` has committed the raw message, so nothing acknowledged is lost. The
processing is an outbox job (`inbound.process`), run once per stored message whatever the
number of deliveries: the row is keyed by Message-ID and content hash, and processing claims
it by its status under a row lock.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.services import case_attach, case_citizen_reply, case_create
from citizens.models import Citizen
from citizens.normalise import normalise_email
from citizens.services import citizen_create
from core.retention import RETENTION_ACTOR
from core.services import audit_record, audit_record_many, outbox_enqueue
from inbound import mail, selectors
from inbound.models import InboundAddress, InboundMessage

logger = logging.getLogger(__name__)
PROCESS_TOPIC = "inbound.process"
UNCLASSIFIED_CODE = selectors.UNCLASSIFIED_CODE
Status = InboundMessage.Status
MAX_DESCRIPTION = 20000


class MessageTooLarge(ValueError):
    pass


@transaction.atomic
def inbound_receive(
    *, raw: bytes, source: str, envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
) -> tuple[InboundMessage, bool]:  # fmt: skip
    """Store a received message durably and queue its processing; (row, True if new).

    The same message again (same Message-ID and content) returns the stored row, queues
    nothing: a retry, an IMAP re-read or a sender that never got our 250 makes no second case.
    """
    if len(raw) > settings.INBOUND_MAX_BYTES:
        raise MessageTooLarge(f"{len(raw)} bytes; the limit is {settings.INBOUND_MAX_BYTES}")
    message_id, content_hash = mail.identity(raw)
    existing = InboundMessage.objects.filter(
        message_id=message_id, content_hash=content_hash
    ).first()
    if existing is not None:
        return existing, False
    parsed = mail.parse(raw)
    sender = normalise_email(parseaddr(str(parsed.get("From", "") or ""))[1])[:320]
    recipients = [r.lower() for r in (envelope_to or [])]
    route = selectors.address_route(recipients)
    row = InboundMessage(
        message_id=message_id, content_hash=content_hash, source=source,
        envelope_from=(envelope_from or "")[:320], envelope_to=recipients[:50],
        sender=sender, subject=str(parsed.get("Subject", "") or "")[:300], size=len(raw),
        raw=raw, agency=route.agency if route else None,
    )  # fmt: skip
    try:  # two deliveries at the same instant: the unique key lets one row in
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return InboundMessage.objects.get(message_id=message_id, content_hash=content_hash), False
    audit_record(
        action="inbound.received", obj=row, actor=f"system:{source}", agency_id=row.agency_id,
        changes={"message_id": (None, message_id), "sender": (None, sender)},
    )  # fmt: skip
    outbox_enqueue(topic=PROCESS_TOPIC, payload={"message": row.pk})
    return row, True


def inbound_process(*, message_pk: int) -> InboundMessage | None:
    """Turn a stored message into a case, a reply on a case, or an ignored/dead-letter row.

    Runs once per message (the status is claimed under a row lock); a failure is kept as a
    dead letter with its reason, visible in the admin, never dropped.
    """
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().filter(pk=message_pk).first()
        if message is None or message.status != Status.RECEIVED:
            return message
        try:
            with transaction.atomic():
                status, reason = _process(message)
        except Exception as exc:  # the savepoint is gone: keep the message as a dead letter
            logger.exception("inbound: message %s could not be processed", message.pk)
            status, reason = Status.DEAD, f"{type(exc).__name__}: {exc}"[:2000]
        _finish(message, status, reason)
        return message


def _finish(message: InboundMessage, status: str, reason: str) -> None:
    message.status = status
    message.reason = reason
    message.processed_at = timezone.now()
    message.save(update_fields=["status", "reason", "processed_at", "case", "event", "agency"])
    audit_record(
        action=f"inbound.{status}", obj=message, actor="system:inbound",
        agency_id=message.agency_id,
        changes={"status": (Status.RECEIVED, status), "reason": (None, reason or None),
                 "case": (None, message.case.reference if message.case_id else None)},
    )  # fmt: skip


def _process(message: InboundMessage) -> tuple[str, str]:
    envelope_from = message.envelope_from if message.source == InboundMessage.Source.SMTP else None
    parsed = mail.read(
        bytes(message.raw), envelope_from=envelope_from, envelope_to=message.envelope_to
    )
    if parsed.automatic:
        return Status.IGNORED, parsed.automatic
    if _is_our_own(parsed.sender):
        return Status.IGNORED, "sent by this system (a loop)"
    if _over_sender_cap(message, parsed.sender):
        return Status.IGNORED, (
            f"more than {settings.INBOUND_SENDER_MAX_PER_HOUR} messages from this sender in an hour"
        )
    case = _replied_case(parsed)
    if case is not None:
        return _reply(message, parsed, case)
    route = selectors.address_route([*message.envelope_to, *parsed.recipients])
    if route is None:
        return Status.DEAD, "not sent to an active inbound address"
    return _new_case(message, parsed, route)


def _is_our_own(sender: str) -> bool:
    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    return sender in ours or InboundAddress.objects.filter(address=sender).exists()


def _over_sender_cap(message: InboundMessage, sender: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = InboundMessage.objects.filter(
        sender=sender, status=Status.PROCESSED, processed_at__gte=since
    ).exclude(pk=message.pk)
    return recent.count() >= settings.INBOUND_SENDER_MAX_PER_HOUR


def _replied_case(parsed: mail.ParsedMail) -> Case | None:
    """The case a reply answers: proved by our signed reply address or by a Message-ID we sent
    (In-Reply-To/References). A subject naming another reference is not this case's reply."""
    case = selectors.case_from_reply_address(parsed.recipients) or (
        selectors.case_from_message_ids(parsed.replied_ids)
    )
    if case is None:
        return None
    named = selectors.references_in(parsed.subject)
    if named and case.reference not in named:
        return None
    return case


def _reply(message: InboundMessage, parsed: mail.ParsedMail, case: Case) -> tuple[str, str]:
    full = parsed.text or parsed.subject
    event = case_citizen_reply(
        case=case, body=mail.trim_reply(full), full_text=full,
        actor=f"citizen:{parsed.sender}", channel=Case.Channel.EMAIL,
        data={"inbound_message": message.pk, "from": parsed.sender},
    )  # fmt: skip
    skipped = _attach(case, parsed, actor=f"citizen:{parsed.sender}")
    message.case, message.event, message.agency_id = case, event, case.agency_id
    return Status.PROCESSED, _skipped_text(skipped)


def _new_case(
    message: InboundMessage, parsed: mail.ParsedMail, route: InboundAddress
) -> tuple[str, str]:
    message.agency_id = route.agency_id
    category = selectors.unclassified_category(route.agency_id)
    if category is None:
        return Status.DEAD, (
            f"the agency has no active service with the code “{UNCLASSIFIED_CODE}” for email "
            "cases to wait in until an agent picks one"
        )
    actor = f"citizen:{parsed.sender}"
    citizen, suggested = _citizen_for(parsed, actor)
    description = parsed.text or parsed.subject or "(empty email)"
    if parsed.subject and parsed.subject not in description[:300]:
        description = f"{parsed.subject}\n\n{description}"
    case = case_create(
        category=category, description=description[:MAX_DESCRIPTION], channel=Case.Channel.EMAIL,
        actor=actor, citizen=citizen, suggested_citizen=suggested, team=route.team,
        reporter_email=parsed.sender, reporter_name=parsed.sender_name[:200],
        language=parsed.language or settings.LANGUAGE_CODE,
    )  # fmt: skip
    skipped = _attach(case, parsed, actor=actor)
    message.case = case
    message.event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CREATED).first()
    return Status.PROCESSED, _skipped_text(skipped)


def _citizen_for(parsed: mail.ParsedMail, actor: str) -> tuple[Any, Any]:
    """The public form's rule: an email address in a header is not proved, so a record that
    has it is only suggested to staff; an unknown sender with a name gets a new record."""
    found = (
        Citizen.objects.filter(
            email=parsed.sender, merged_into__isnull=True, anonymised_at__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        return None, found
    first, _sp, last = parsed.sender_name.partition(" ")
    if not (first or last):
        return None, None
    try:
        return citizen_create(actor=actor, first_name=first[:100], last_name=last[:100],
                              email=parsed.sender), None  # fmt: skip
    except ValidationError:  # an odd display name: the email stays on the case
        return None, None


def _attach(case: Case, parsed: mail.ParsedMail, *, actor: str) -> list[str]:
    """Each attachment checked like any upload; the refused ones are named, not stored."""
    skipped = []
    for part in parsed.attachments[: settings.INBOUND_MAX_ATTACHMENTS]:
        upload = SimpleUploadedFile(part.name, part.content, content_type=part.content_type)
        try:
            with transaction.atomic():
                case_attach(case=case, upload=upload, actor=actor)
        except ValidationError as exc:
            skipped.append(f"{part.name}: {' '.join(exc.messages)}")
    skipped += [f"{p.name}: too many attachments"
                for p in parsed.attachments[settings.INBOUND_MAX_ATTACHMENTS:]]  # fmt: skip
    return skipped


def _skipped_text(skipped: list[str]) -> str:
    return ("Attachments not stored: " + "; ".join(skipped))[:2000] if skipped else ""


@transaction.atomic
def inbound_requeue(*, message: InboundMessage, actor: Any) -> bool:
    """Process a dead letter again (after fixing what stopped it, e.g. a missing address)."""
    updated = InboundMessage.objects.filter(pk=message.pk, status=Status.DEAD).update(
        status=Status.RECEIVED, reason="", processed_at=None
    )
    if updated:
        audit_record(action="inbound.requeued", obj=message, actor=actor,
                     agency_id=message.agency_id,
                     changes={"status": (Status.DEAD, Status.RECEIVED)})  # fmt: skip
        outbox_enqueue(topic=PROCESS_TOPIC, payload={"message": message.pk})
    return bool(updated)


def inbound_messages_anonymise(*, cutoff: Any, dry_run: bool = False, batch: int = 500) -> int:
    """Retention (core.retention): messages received before `cutoff` lose their raw content,
    sender, recipients and subject; the row (its outcome, Message-ID and hash) stays."""
    old = InboundMessage.objects.filter(received_at__lt=cutoff, size__gt=0)
    if dry_run:
        return old.count()
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                old.order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return done
            InboundMessage.objects.filter(pk__in=ids).update(
                raw=b"", sender="", envelope_from="", envelope_to=[], subject="", size=0
            )
            audit_record_many([
                {"action": "inbound.anonymised", "obj": InboundMessage(pk=pk),
                 "actor": RETENTION_ACTOR, "changes": {"raw": ("kept", "removed")}}
                for pk in ids
            ])  # fmt: skip
            done += len(ids)
