"""Readers of the walk-in queue: offices, the queue, estimated waits, what a desk and the
waiting-room display show. Nothing here writes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.hooks import calendar_snapshot
from cases.sla import business_time
from cases.sla.engine import calendar_from_snapshot
from core.scoping import get_scoped_object_or_404, scope_queryset
from visits.models import Desk, Office, Visit

# Estimated waits: the mean service time of the last RECENT_SAMPLE finished visits of the same
# office and service in the last RECENT_DAYS; DEFAULT_SERVICE_MINUTES until there are any.
RECENT_SAMPLE = 20
RECENT_DAYS = 30
DEFAULT_SERVICE_MINUTES = 10.0
DISPLAY_ROWS = 6


# --- offices --------------------------------------------------------------------------------


def office_public(slug: str) -> Office:
    """An active office by its public slug, with agency and services; 404 otherwise."""
    office = (
        Office.objects.select_related("agency", "calendar").filter(slug=slug, active=True).first()
    )
    if office is None:
        raise Http404("No such office.")
    return office


def office_services(office: Office) -> list[Any]:
    return list(office.services.filter(active=True).order_by("order", "code"))


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    opens_at: datetime | None  # the next opening, when closed (aware, in the office's zone)


def office_open_state(office: Office, *, now: datetime | None = None) -> OpenState:
    """Whether check-in is open now by the office's business calendar, and when it opens next."""
    now = now or timezone.now()
    calendar = calendar_from_snapshot(calendar_snapshot(office.calendar))
    if business_time.is_open(calendar, now):
        return OpenState(True, None)
    try:
        opens = business_time.next_open_instant(calendar, now)
    except Exception:  # a calendar without hours never opens; say closed, no time
        return OpenState(False, None)
    return OpenState(False, opens.astimezone(office.calendar.tzinfo))


def office_local_day(office: Office, at: datetime | None = None):
    return timezone.localtime(at or timezone.now(), office.calendar.tzinfo).date()


def offices_visible_to(user: Any) -> QuerySet[Office]:
    return scope_queryset(
        Office.objects.filter(active=True).select_related("agency", "calendar"), user
    ).prefetch_related("desks")


def desk_get(user: Any, *, pk: int) -> Desk:
    return get_scoped_object_or_404(
        Desk.objects.select_related("office", "office__agency", "office__calendar"), user, pk=pk
    )


def visit_get(user: Any, *, pk: int) -> Visit:
    return get_scoped_object_or_404(
        Visit.objects.select_related("office", "category", "desk", "citizen", "case"),
        user,
        pk=pk,
    )


def visit_by_token(office: Office, token: str) -> Visit:
    visit = (
        Visit.objects.select_related("office", "category", "desk")
        .filter(office=office, token=token)
        .first()
    )
    if visit is None:
        raise Http404("No such ticket.")
    return visit


# --- the queue ------------------------------------------------------------------------------


def desk_service_ids(desk: Desk) -> list[int]:
    """The services this desk calls: its own list, else every service of the office."""
    ids = list(desk.services.values_list("pk", flat=True))
    return ids or list(desk.office.services.values_list("pk", flat=True))


def queue_order() -> list[Any]:
    """Priority tickets first, then by check-in time (a transfer keeps its place)."""
    return [F("priority").desc(), "queued_at", "id"]


def waiting_for_desk(desk: Desk) -> QuerySet[Visit]:
    """Tickets this desk may call, in the order it calls them: those transferred to it, then the
    unassigned ones of its services."""
    return (
        Visit.objects.filter(office_id=desk.office_id, status=Visit.Status.WAITING)
        .filter(Q(desk=desk) | Q(desk__isnull=True, category_id__in=desk_service_ids(desk)))
        .select_related("category")
        .order_by(F("desk").desc(nulls_last=True), *queue_order())
    )


def waiting_in_office(office: Office) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(office=office, status=Visit.Status.WAITING)
        .select_related("category", "desk")
        .order_by(*queue_order())
    )


def desk_current_visit(desk: Desk) -> Visit | None:
    """The ticket called to or being served at this desk, if any."""
    return (
        Visit.objects.filter(desk=desk, status__in=[Visit.Status.CALLED, Visit.Status.SERVING])
        .select_related("category", "citizen", "case")
        .order_by("called_at")
        .first()
    )


def mean_service_minutes(office_id: int, category_id: int, *, now: datetime | None = None) -> float:
    """Mean minutes from call to finish of the recent finished visits of this service here."""
    now = now or timezone.now()
    recent = (
        Visit.objects.filter(
            office_id=office_id,
            category_id=category_id,
            status=Visit.Status.DONE,
            called_at__isnull=False,
            finished_at__gte=now - timedelta(days=RECENT_DAYS),
        )
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:RECENT_SAMPLE]
    )
    mean = Visit.objects.filter(pk__in=list(recent)).aggregate(
        mean=Avg(F("finished_at") - F("called_at"))
    )["mean"]
    if mean is None:
        return DEFAULT_SERVICE_MINUTES
    return max(1.0, mean.total_seconds() / 60)


def ahead_of(visit: Visit) -> int:
    """Waiting tickets of the same service that will be called before this one."""
    if visit.status != Visit.Status.WAITING:
        return 0
    same = Visit.objects.filter(
        office_id=visit.office_id, category_id=visit.category_id, status=Visit.Status.WAITING
    ).exclude(pk=visit.pk)
    before = Q(priority=True, queued_at__lt=visit.queued_at) | Q(
        priority=visit.priority, queued_at__lt=visit.queued_at
    )
    if not visit.priority:
        before |= Q(priority=True)
    return same.filter(before).count()


def desks_serving(office_id: int, category_id: int) -> int:
    """Active desks of the office that serve this service (at least 1)."""
    desks = Desk.objects.filter(office_id=office_id, active=True).prefetch_related("services")
    count = 0
    for desk in desks:
        ids = [s.pk for s in desk.services.all()]
        if not ids or category_id in ids:
            count += 1
    return max(1, count)


def estimated_wait_minutes(visit: Visit, *, now: datetime | None = None) -> int:
    """Minutes until this ticket is likely called: the people ahead (and the one being served
    at each desk, half done on average) times the recent mean service time, over the desks."""
    if visit.status != Visit.Status.WAITING:
        return 0
    mean = mean_service_minutes(visit.office_id, visit.category_id, now=now)
    desks = desks_serving(visit.office_id, visit.category_id)
    ahead = ahead_of(visit)
    return max(1, math.ceil((ahead + 0.5) * mean / desks))


def next_in_line(office_id: int, category_id: int) -> Visit | None:
    """The first unassigned waiting ticket of a service (who is told "you are next")."""
    return (
        Visit.objects.filter(
            office_id=office_id,
            category_id=category_id,
            status=Visit.Status.WAITING,
            desk__isnull=True,
        )
        .order_by(*queue_order())
        .first()
    )


# --- the waiting-room display ---------------------------------------------------------------


def display_called(office: Office, *, limit: int = DISPLAY_ROWS) -> list[Visit]:
    """The tickets called today, latest first: who should go where."""
    return list(
        Visit.objects.filter(
            office=office,
            day=office_local_day(office),
            status__in=[Visit.Status.CALLED, Visit.Status.SERVING],
        )
        .select_related("desk", "category")
        .order_by("-called_at", "-id")[:limit]
    )


def waiting_count(office: Office) -> int:
    return Visit.objects.filter(office=office, status=Visit.Status.WAITING).count()


# --- figures for dashboards ----------------------------------------------------------------


@dataclass(frozen=True)
class VisitTimes:
    visits: int
    mean_wait_minutes: float | None
    mean_service_minutes: float | None


def visit_times(*, user: Any, since: datetime, office: Office | None = None) -> VisitTimes:
    """Wait (check-in to call) and service (call to finish) times of finished visits since
    `since`, of the user's agency (for dashboards)."""
    visits = scope_queryset(Visit.objects.all(), user).filter(
        status=Visit.Status.DONE, finished_at__gte=since, called_at__isnull=False
    )
    if office is not None:
        visits = visits.filter(office=office)
    figures = visits.aggregate(
        wait=Avg(F("called_at") - F("created_at")), service=Avg(F("finished_at") - F("called_at"))
    )

    def minutes(value: timedelta | None) -> float | None:
        return None if value is None else round(value.total_seconds() / 60, 1)

    return VisitTimes(
        visits=visits.count(),
        mean_wait_minutes=minutes(figures["wait"]),
        mean_service_minutes=minutes(figures["service"]),
    )
