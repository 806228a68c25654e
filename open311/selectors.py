"""Reads of the Open311 adapter: jurisdictions, services, public request data, API keys.

Everything here is what the public GeoReport v2 endpoints may show: active public categories,
and the cases of the services an agency publishes as open data, never personal data (names,
email, phone), internal notes or what staff wrote to one citizen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from agencies.models import Agency
from cases.models import AttributeDefinition, Case, CaseEvent, ServiceCategory
from open311.models import Open311Client

MAX_REQUESTS = 1000  # GeoReport v2 "Response Volume": the first 1000 requests


# --- jurisdictions --------------------------------------------------------------------------


def jurisdiction_count() -> int:
    return Agency.objects.count()


def jurisdiction_get(slug: str) -> Agency | None:
    return Agency.objects.filter(slug=slug).first()


def jurisdiction_only() -> Agency | None:
    """The one agency of a single-jurisdiction deployment (None if there are 0 or several)."""
    agencies = list(Agency.objects.all()[:2])
    return agencies[0] if len(agencies) == 1 else None


# --- services -------------------------------------------------------------------------------


def services_for(agency: Agency) -> QuerySet[ServiceCategory]:
    """The agency's active public categories, with their questions (Open311 services)."""
    return (
        ServiceCategory.objects.filter(agency=agency, active=True, public=True)
        .select_related("agency")
        .prefetch_related(
            Prefetch("attributes", queryset=AttributeDefinition.objects.order_by("order", "id"))
        )
        .order_by("order", "code")
    )


def service_get(agency: Agency, code: str) -> ServiceCategory | None:
    return services_for(agency).filter(code=code).first()


def services_changeset() -> datetime | None:
    """When the service list or a service definition last changed (discovery's changeset)."""
    latest = ServiceCategory.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    return latest.first()


# --- requests (cases) -----------------------------------------------------------------------


def _public_requests(agency: Agency) -> QuerySet[Case]:
    """Cases of the services the agency publishes; others do not exist for Open311 GET.

    status_notes come only from notes staff wrote for the public feed, never from updates or
    status messages addressed to the citizen (those may name them or their home).
    """
    latest_note = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.FEED_NOTE)
        .exclude(body="")
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    return (
        Case.objects.filter(agency=agency, category__open_data=True)
        .select_related("category", "team", "agency")
        .annotate(public_status_notes=Subquery(latest_note))
    )


@dataclass(frozen=True)
class RequestQuery:
    """Filters of GET requests, already checked by the view."""

    start: datetime
    end: datetime
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # "open" / "closed"


def requests_search(agency: Agency, query: RequestQuery) -> list[Case]:
    """Requests filed in [start, end], newest first, at most MAX_REQUESTS."""
    cases = _public_requests(agency).filter(created_at__gte=query.start, created_at__lte=query.end)
    if query.service_codes:
        cases = cases.filter(category__code__in=query.service_codes)
    if set(query.statuses) == {"open"}:
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    elif set(query.statuses) == {"closed"}:
        cases = cases.exclude(status__in=Case.OPEN_STATUSES)
    return list(cases.order_by("-created_at", "-id")[:MAX_REQUESTS])


def requests_by_ids(agency: Agency, references: Iterable[str]) -> list[Case]:
    """The given requests of the jurisdiction (unknown ones are left out), newest first."""
    wanted = list(dict.fromkeys(references))[:MAX_REQUESTS]
    return list(
        _public_requests(agency).filter(reference__in=wanted).order_by("-created_at", "-id")
    )


def request_get(agency: Agency, reference: str) -> Case | None:
    return _public_requests(agency).filter(reference=reference).first()


def open311_status(case: Case) -> str:
    return "open" if case.is_open else "closed"


# --- clients and citizens -------------------------------------------------------------------


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def client_for_key(raw_key: str) -> Open311Client | None:
    """The active client holding this key, or None (unknown, revoked or empty)."""
    if not raw_key:
        return None
    return (
        Open311Client.objects.select_related("agency")
        .filter(key_hash=key_hash(raw_key), active=True)
        .first()
    )
