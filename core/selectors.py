"""Reads of `core`: the audit trail as a given staff member may see it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.models import ApiToken, AuditEvent, Notification
from core.scoping import two_factor_required, user_agency_id


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
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    since: Any = None,
    until: Any = None,
) -> QuerySet[AuditEvent]:
    events = audit_events_visible_to(user)
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor:
        events = events.filter(actor_label__iexact=actor)
    # Day bounds as instants (in the current time zone, as __date would read them), so the
    # occurred_at index serves the range; __date casts the column for every row.
    if since:
        events = events.filter(occurred_at__gte=_start_of(since))
    if until:
        events = events.filter(occurred_at__lt=_start_of(until + timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


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
