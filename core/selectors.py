"""Reads of `core`: the audit trail as a given staff member may see it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.models import ApiToken, AuditEvent, Notification
from core.scoping import agency_staff_users, two_factor_required, user_agency_id


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Own agency's events, including its own actions on shared records (a citizen): another
    agency's work on the same person is not shown. Everything for deployment superusers."""
    events = AuditEvent.objects.select_related("actor_user")
    if getattr(user, "is_superuser", False):
        return events
    agency_id = user_agency_id(user)
    if agency_id is None:
        return events.none()
    return events.filter(agency_id=agency_id)


def audit_events_filtered(
    user: Any,
    *,
    action: str = "",
    kind: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    who: str = "",
    since: date | None = None,
    until: date | None = None,
    tz: tzinfo | None = None,
) -> QuerySet[AuditEvent]:
    """The trail `user` may see, narrowed: `action` (a code's start), `kind` (a kind of action
    of the page's filter), an object (with the bulk rows that name it among theirs), `actor` (a
    username) or `who` (a user id, "system" or "citizen"), and days from `since` to `until`
    counted in `tz` (the reader's agency's; the current time zone without it)."""
    from core.audit_presenters import action_kind_filter

    events = audit_events_visible_to(user)
    if action:
        events = events.filter(action__startswith=action)
    if kind:
        condition = action_kind_filter(kind)
        events = events.filter(condition) if condition is not None else events.none()
    if object_type and object_id:
        # The bulk rows naming it among their objects too (a partial GIN index serves them).
        events = events.filter(
            Q(object_type=object_type, object_id=object_id)
            | Q(related_type=object_type, related_ids__contains=[object_id]) & ~Q(related_ids=[])
        )
    elif object_type:
        events = events.filter(object_type=object_type)
    elif object_id:
        events = events.filter(object_id=object_id)
    if actor:
        events = events.filter(actor_label__iexact=actor)
    if who in (AuditEvent.ActorType.SYSTEM, AuditEvent.ActorType.CITIZEN):
        events = events.filter(actor_type=who)
    elif who.isdigit():
        events = events.filter(actor_user_id=int(who))
    # Day bounds as instants, so the occurred_at index serves the range; __date casts the
    # column for every row.
    if since:
        events = events.filter(occurred_at__gte=_start_of(since, tz))
    if until:
        events = events.filter(occurred_at__lt=_start_of(until + timedelta(days=1), tz))
    return events.order_by("-occurred_at", "-id")


def _start_of(day: date, tz: tzinfo | None = None) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), tz)


AUDIT_PAGE_SIZE = 50


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_cursor: str | None


def audit_keyset_page(
    events: QuerySet[AuditEvent], *, cursor: str | None = None, size: int = AUDIT_PAGE_SIZE
) -> AuditPage:
    """One page of the trail, newest first, after `cursor` (by occurred_at, id): no OFFSET
    and no COUNT, so a page costs the same however long the trail is."""
    position = _decode_cursor(cursor) if cursor else None
    if position:
        moment, pk = position
        # The bound on occurred_at alone is what the index seeks to; the OR breaks ties.
        events = events.filter(
            Q(occurred_at__lte=moment), Q(occurred_at__lt=moment) | Q(occurred_at=moment, id__lt=pk)
        )
    rows = list(events.order_by("-occurred_at", "-id")[: size + 1])
    more = len(rows) > size
    next_cursor = _encode_cursor(rows[size - 1]) if more else None
    return AuditPage(events=rows[:size], next_cursor=next_cursor)


def _encode_cursor(event: AuditEvent) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _sep, pk = raw.partition("|")
        moment = parse_datetime(stamp)
        return (moment, int(pk)) if moment and timezone.is_aware(moment) else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def audit_event_get(user: Any, pk: int) -> AuditEvent:
    """One row of the trail `user` may see (404 otherwise, as for another agency's objects)."""
    return get_object_or_404(audit_events_visible_to(user), pk=pk)


def audit_actor_choices(user: Any) -> list[Any]:
    """The people whose actions `user` may filter the trail by: their agency's staff."""
    agency_id = user_agency_id(user)
    if agency_id is None:
        return []
    return list(agency_staff_users(agency_id).order_by("first_name", "last_name", "username"))


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The signed-in user's own notifications, newest first (nobody else's, ever)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_notification_count(user: Any) -> int:
    """How many of the user's notifications are unread (the staff navigation shows it)."""
    return notifications_for(user).filter(read_at__isnull=True).count()


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A staff member's own API tokens (newest first); nobody else's."""
    return ApiToken.objects.filter(user=user)


def api_token_owner_verified(user: Any) -> bool:
    """A token of someone whose role needs two-step verification works only once they have
    enrolled an authenticator: a token must not be a way round it."""
    if not two_factor_required(user):
        return True
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
