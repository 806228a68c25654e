"""Reads of `core`: the audit trail as a given staff member may see it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import ApiToken, AuditEvent, Notification
from core.scoping import SHARED, user_agency_id


def shared_object_types() -> list[str]:
    """Model labels of deployment-wide records (e.g. the citizen), whose history all staff share."""
    return [
        m._meta.label_lower for m in apps.get_models() if getattr(m, "agency_scope", None) == SHARED
    ]


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Own agency's events and those of shared records; everything for deployment superusers."""
    events = AuditEvent.objects.select_related("actor_user")
    if getattr(user, "is_superuser", False):
        return events
    agency_id = user_agency_id(user)
    if agency_id is None:
        return events.none()
    return events.filter(
        Q(agency_id=agency_id) | Q(agency_id__isnull=True, object_type__in=shared_object_types())
    )


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


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A staff member's own API tokens (newest first); nobody else's."""
    return ApiToken.objects.filter(user=user)
