"""Reads of the GeoReport v2 updates extension (FixMyStreet's servicerequestupdates).

An update is a status change of a published request (the services an agency publishes as open
data, as for GET requests): its id, the request's reference, the status in FixMyStreet's
extended statuses, and as description only the note staff wrote for the public feed with that
change (never what was written to the citizen, never internal notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agencies.models import Agency
from cases.models import Case, CaseEvent

MAX_UPDATES = 1000

# Our status (and, once resolved, how) → FixMyStreet's extended statuses.
RESOLUTION_STATUS = {
    Case.Resolution.RESOLVED: "FIXED",
    Case.Resolution.DUPLICATE: "DUPLICATE",
    Case.Resolution.SPAM: "CLOSED",
    Case.Resolution.NO_ACTION: "NO_FURTHER_ACTION",
    Case.Resolution.REFERRED: "NOT_COUNCILS_RESPONSIBILITY",
}
OPEN_STATUS = {
    Case.Status.NEW: "OPEN",
    Case.Status.OPEN: "OPEN",
    Case.Status.IN_PROGRESS: "IN_PROGRESS",
    Case.Status.WAITING_ON_CITIZEN: "INVESTIGATING",
}


def extended_status(status: str, resolution_code: str = "") -> str:
    if status in OPEN_STATUS:
        return OPEN_STATUS[status]
    return RESOLUTION_STATUS.get(resolution_code, "CLOSED")


@dataclass(frozen=True)
class Update:
    update_id: str
    case: Case
    status: str
    description: str
    at: datetime


def updates_between(agency: Agency, start: datetime, end: datetime) -> list[Update]:
    """Status changes of the agency's published requests in [start, end], oldest first."""
    events = list(
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.STATUS,
            case__agency=agency,
            case__category__open_data=True,
            created_at__gte=start,
            created_at__lte=end,
        )
        .select_related("case", "case__agency")
        .order_by("created_at", "id")[:MAX_UPDATES]
    )
    notes = {
        (note.case_id, note.created_at): note.body
        for note in CaseEvent.objects.filter(
            kind=CaseEvent.Kind.FEED_NOTE,
            case_id__in={e.case_id for e in events},
            created_at__in={e.created_at for e in events},
        ).exclude(body="")
    }
    return [
        Update(
            update_id=str(event.pk),
            case=event.case,
            status=extended_status(
                (event.data or {}).get("to", ""), (event.data or {}).get("resolution_code", "")
            ),
            description=notes.get((event.case_id, event.created_at), ""),
            at=event.created_at,
        )
        for event in events
    ]


def update_case_get(agency: Agency, reference: str) -> Case | None:
    """A request of the jurisdiction a client may post an update to (any of its cases)."""
    return Case.objects.filter(agency=agency, reference=reference).first()
