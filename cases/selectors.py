"""Reads of `cases`: queues with keyset pagination, the case page, the citizen's view."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agencies.selectors import acts_for_agency, staff_team_ids
from cases import presenters
from cases.models import (
    SLA_SORT_LAST,
    CannedReply,
    Case,
    CaseEvent,
    ServiceCategory,
    sla_sort_key,
)
from cases.presenters import PublicTimelineEntry, TimelineEntry
from cases.references import reference_normalise
from core.geo import distance_between, distance_metres, within_box_q
from core.scoping import get_scoped_object_or_404, scope_queryset, user_agency_id

QUEUES = ("mine", "team", "unassigned", "all")
COUNT_CAP = 1000
PAGE_SIZE = 50


def cases_visible(user: Any, *, for_write: bool = False) -> QuerySet[Case]:
    return scope_queryset(Case.objects.all(), user, for_write=for_write)


def cases_own_agency(user: Any) -> QuerySet[Case]:
    """The cases the caller's agency owns: what queues and the SLA board work on.

    Referred-away cases are not worked on. A superuser with a staff profile works in their own
    agency like everyone else; one without a profile (the platform operator) sees every agency.
    """
    cases = cases_visible(user, for_write=True)
    agency_id = user_agency_id(user)
    return cases.filter(agency_id=agency_id) if agency_id is not None else cases


def cases_for_queue(user: Any, queue: str) -> QuerySet[Case]:
    """The cases of one queue (see cases_own_agency)."""
    cases = cases_own_agency(user)
    if queue == "mine":
        cases = cases.filter(assignee=user)
    elif queue == "team":
        cases = cases.filter(team_id__in=staff_team_ids(user))
    elif queue == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    return cases


def queue_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a queue row shows, and nothing more (`only` keeps the hot list lean)."""
    return cases.select_related("category", "team", "assignee", "citizen").only(
        "id", "reference", "status", "priority", "created_at", "channel", "description",
        "sla_state", "sla_paused", "resolution_due_at", "reporter_name", "reporter_email",
        "category__id", "category__name", "category__code",
        "team__id", "team__name", "assignee__id", "assignee__username",
        "assignee__first_name", "assignee__last_name",
        "citizen__id", "citizen__first_name", "citizen__last_name",
    )  # fmt: skip


@dataclass
class Page:
    rows: list[Case]
    next_cursor: str | None
    count_label: str


@dataclass(frozen=True)
class Sort:
    """A queue order: by `key` (a field, or an expression the queue indexes also hold), then by
    id in the same direction. `tag` names the key inside a cursor."""

    tag: str
    key: Any
    descending: bool
    last: Any = None  # the key of every row after the last distinct key (a long tie), if any

    @property
    def column(self) -> str:
        return self.key if isinstance(self.key, str) else "sort_key"


SORTS = {
    "newest": Sort("created", "created_at", descending=True),
    "oldest": Sort("created", "created_at", descending=False),
    # "SLA time left, most urgent first": nearest resolution deadline first; paused cases, cases
    # without an SLA and closed ones after them, by id (cases.models.sla_sort_key).
    "sla": Sort("sla", sla_sort_key(), descending=False, last=SLA_SORT_LAST),
}


def _encode(sort: Sort, case: Case) -> str:
    """The position after `case`: its sort key and id ("<created_at>|<id>" for the created
    orders, as before; "<tag>|<key>|<id>" for the others)."""
    key = getattr(case, sort.column).isoformat()
    raw = f"{key}|{case.pk}" if sort.tag == "created" else f"{sort.tag}|{key}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: Sort) -> tuple[datetime, int] | None:
    """The (key, id) of a cursor made for `sort`'s key; None (the first page) for anything
    else, a cursor of another order included."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split("|")
        tag = "created" if len(parts) == 2 else parts[0]
        if tag != sort.tag or len(parts) != (2 if tag == "created" else 3):
            return None
        moment = parse_datetime(parts[-2])
        return (moment, int(parts[-1])) if moment and moment.tzinfo else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def keyset_query(
    cases: QuerySet[Case], *, sort: str = "newest", cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[Sort, QuerySet[Case]]:
    """The rows of one page after `cursor` and one more (is there a next page?), in `sort`'s
    order by (key, id): the query `keyset_page` runs (and tests EXPLAIN)."""
    order = SORTS.get(sort, SORTS["newest"])
    column = order.column
    page_qs = cases if column == order.key else cases.annotate(**{column: order.key})
    position = _decode(cursor, order) if cursor else None
    if position:
        moment, pk = position
        # The redundant bound on the key alone is what the index can seek to; the OR only
        # breaks ties. Without it PostgreSQL walks (and filters out) every row before the
        # cursor, so a page got slower the deeper it was (bench/README.md).
        if order.last is not None and moment == order.last:
            # In the closing tie (SLA order: every case without a running deadline) the id
            # alone orders the rest: key = last AND id > cursor, both seekable in the index.
            page_qs = page_qs.filter(**{column: moment, "id__gt": pk})
        elif order.descending:
            page_qs = page_qs.filter(
                Q(**{f"{column}__lte": moment}),
                Q(**{f"{column}__lt": moment}) | Q(**{column: moment, "id__lt": pk}),
            )
        else:
            page_qs = page_qs.filter(
                Q(**{f"{column}__gte": moment}),
                Q(**{f"{column}__gt": moment}) | Q(**{column: moment, "id__gt": pk}),
            )
    sign = "-" if order.descending else ""
    return order, queue_rows(page_qs).order_by(f"{sign}{column}", f"{sign}id")[: size + 1]


def keyset_page(
    cases: QuerySet[Case], *, sort: str = "newest", cursor: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page after `cursor`: no OFFSET, constant cost at any depth (keyset_query)."""
    order, query = keyset_query(cases, sort=sort, cursor=cursor, size=size)
    rows = list(query)
    next_cursor = _encode(order, rows[size - 1]) if len(rows) > size else None
    return Page(rows=rows[:size], next_cursor=next_cursor, count_label=count_capped(cases))


def count_capped(cases: QuerySet[Case], cap: int = COUNT_CAP) -> str:
    """Exact below the cap, "1,000+" above it: counting a million rows is not worth a wait."""
    count = cases.order_by().values("id")[: cap + 1].count()
    return f"{cap:,}+" if count > cap else f"{count:,}"


def case_get_for_view(user: Any, reference: str) -> Case:
    """A case the user may read (own agency, or referred away by it), with its timeline."""
    events = CaseEvent.objects.select_related("actor").order_by("created_at", "id")
    queryset = Case.objects.select_related(
        "agency",
        "category",
        "category__agency",
        "team__calendar",
        "assignee",
        "citizen",
        "suggested_citizen",
        "sla_policy",  # the SLA box: policy and calendar without a query each
        "merged_into",
    ).prefetch_related(
        Prefetch("events", queryset=events),
        "category__attributes",  # the answers
        "attachments",
        "referrals__from_agency",
        "referrals__to_agency",
    )
    return get_scoped_object_or_404(queryset, user, reference=reference)


def case_is_writable_by(case: Case, user: Any) -> bool:
    return acts_for_agency(user, case.agency_id)


def categories_for_intake(user: Any) -> QuerySet[ServiceCategory]:
    return (
        scope_queryset(ServiceCategory.objects.all(), user, for_write=True)
        .filter(active=True)
        .select_related("owning_team")
        .prefetch_related("attributes")
    )


def categories_public() -> QuerySet[ServiceCategory]:
    return (
        ServiceCategory.objects.filter(active=True, public=True)
        .select_related("agency")
        .prefetch_related("attributes")
        .order_by("agency__name", "order", "code")
    )


def case_for_citizen(reference: str, email: str) -> Case | None:
    """The case a citizen asks about, if the email matches the one given for it."""
    email = (email or "").strip().lower()
    if not email:
        return None
    case = (
        Case.objects.select_related("category", "agency", "citizen")
        .filter(reference=reference_normalise(reference))
        .first()
    )
    if case is None or case.contact_email.lower() != email:
        return None
    return case


def case_staff_timeline(case: Case) -> list[TimelineEntry]:
    """The case's events for staff, oldest first, in words (cases.presenters), with their files.

    Uses the events and files `case_get_for_view` prefetched; reads only the names of the
    people and services that events mention (a query each, none when no event names any).
    """
    events = list(case.events.all())
    by_event = {a.event_id: a for a in case.attachments.all()}
    usernames = {
        name
        for e in events
        if e.kind == CaseEvent.Kind.ASSIGNMENT
        for name in (e.data.get("from"), e.data.get("to"))
        if name
    }
    names = {}
    if usernames:
        for user in get_user_model().objects.filter(username__in=usernames):
            names[user.username] = user.get_full_name() or user.username
    category_codes = {
        code
        for e in events
        if e.kind == CaseEvent.Kind.CATEGORY
        for code in (e.data.get("from"), e.data.get("to"))
    }
    categories = {}
    if category_codes:
        for category in ServiceCategory.objects.filter(
            agency_id=case.agency_id, code__in=category_codes
        ):
            categories[category.code] = category.display_name
    return [
        presenters.timeline_entry(
            event, attachment=by_event.get(event.pk), names=names, categories=categories
        )
        for event in events
    ]


def case_public_timeline(case: Case) -> list[PublicTimelineEntry]:
    """Only what the citizen is meant to see, in words: public events (never internal notes),
    and when the request came in or went to another agency (in words only, not their text)."""
    events = case.events.filter(
        Q(is_public=True) | Q(kind__in=presenters.PUBLIC_WITHOUT_TEXT)
    ).order_by("created_at", "id")
    events = list(events)
    agency = case.agency.name
    if any(event.kind == CaseEvent.Kind.REFERRAL for event in events):
        # Updates written before a referral came from the agency that had the case then.
        first = case.referrals.select_related("from_agency").order_by("created_at", "id").first()
        agency = first.from_agency.name if first else agency
    entries = []
    for event in events:
        entries.append(presenters.public_timeline_entry(event, agency_name=agency))
        if event.kind == CaseEvent.Kind.REFERRAL:
            agency = event.data.get("agency") or agency
    return entries


def cases_due_for_auto_close(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of cases resolved more than CASE_AUTO_CLOSE_DAYS ago, oldest first."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CASE_AUTO_CLOSE_DAYS)
    return list(
        Case.objects.filter(status=Case.Status.RESOLVED, resolved_at__lte=cutoff)
        .order_by("resolved_at")
        .values_list("id", flat=True)[:limit]
    )


def canned_replies_for(case: Case) -> QuerySet[CannedReply]:
    """The active saved replies of the case's agency that fit it: general ones, its team's and
    its service's, by title."""
    return (
        CannedReply.objects.filter(agency_id=case.agency_id, active=True)
        .filter(Q(team__isnull=True) | Q(team_id=case.team_id))
        .filter(Q(category__isnull=True) | Q(category_id=case.category_id))
        .order_by("title", "id")
    )


# --- nearby reports, possible duplicates, followers, related cases ----------------------------


def nearby_open_cases(
    category: ServiceCategory | int,
    latitude: float,
    longitude: float,
    meters: float,
    exclude: Case | int | None = None,
) -> QuerySet[Case]:
    """Open cases of the same service within `meters` of a point, nearest first, each with its
    `distance_m`. A bounding box on (category, latitude, longitude) that the partial index
    `case_open_nearby_idx` answers (no PostGIS), then the exact distance in SQL. Carries
    nothing personal by itself: callers choose what to show (the public form: status, date)."""
    latitude, longitude, meters = float(latitude), float(longitude), float(meters)
    cases = Case.objects.filter(
        within_box_q(latitude, longitude, meters),
        category_id=getattr(category, "pk", category),
        status__in=Case.OPEN_STATUSES,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    if exclude is not None:
        cases = cases.exclude(pk=getattr(exclude, "pk", exclude))
    return (
        cases.annotate(distance_m=distance_metres(latitude, longitude))
        .filter(distance_m__lte=meters)
        .order_by("distance_m", "-created_at", "-id")
    )


@dataclass(frozen=True)
class PossibleDuplicate:
    case: Case
    distance_m: float | None  # None: found as the same citizen's, not by place
    same_citizen: bool


def possible_duplicates(case: Case, *, limit: int = 10) -> list[PossibleDuplicate]:
    """Cases of the same agency and service that may report the same thing: open ones nearby
    (POSSIBLE_DUPLICATE_METERS) reported within POSSIBLE_DUPLICATE_DAYS of this one, or the
    same citizen's open or recent ones. Never merged cases, never the case itself."""
    days = timedelta(days=settings.POSSIBLE_DUPLICATE_DAYS)
    found: dict[int, PossibleDuplicate] = {}
    related = ("category", "agency")
    if case.latitude is not None and case.longitude is not None:
        nearby = (
            nearby_open_cases(
                case.category_id,
                case.latitude,
                case.longitude,
                settings.POSSIBLE_DUPLICATE_METERS,
                exclude=case,
            )
            .filter(
                agency_id=case.agency_id,
                created_at__gte=case.created_at - days,
                created_at__lte=case.created_at + days,
                merged_into__isnull=True,
            )
            .select_related(*related)[:limit]
        )
        for other in nearby:
            found[other.pk] = PossibleDuplicate(other, other.distance_m, False)
    if case.citizen_id is not None:
        theirs = (
            Case.objects.filter(
                agency_id=case.agency_id,
                category_id=case.category_id,
                citizen_id=case.citizen_id,
                merged_into__isnull=True,
            )
            .filter(Q(status__in=Case.OPEN_STATUSES) | Q(created_at__gte=case.created_at - days))
            .exclude(pk=case.pk)
            .select_related(*related)
            .order_by("-created_at", "-id")[:limit]
        )
        for other in theirs:
            if other.pk in found:
                found[other.pk] = PossibleDuplicate(other, found[other.pk].distance_m, True)
            else:
                found[other.pk] = PossibleDuplicate(other, _distance(case, other), True)
    return sorted(
        found.values(),
        key=lambda d: (d.distance_m is None, d.distance_m or 0.0, -d.case.created_at.timestamp()),
    )[:limit]


def _distance(one: Case, other: Case) -> float | None:
    if None in (one.latitude, one.longitude, other.latitude, other.longitude):
        return None
    return distance_between(float(one.latitude), float(one.longitude),
                            float(other.latitude), float(other.longitude))  # fmt: skip


def case_followers(case: Case) -> list[Any]:
    """Who follows the case (staff and citizens still following), for the staff case page."""
    from cases.models import CaseFollower

    return list(
        CaseFollower.objects.filter(case=case, unsubscribed_at__isnull=True)
        .select_related("user", "merged_from")
        .order_by("created_at", "id")
    )


def case_is_followed_by(case: Case, user: Any) -> bool:
    from cases.models import CaseFollower

    return CaseFollower.objects.filter(case=case, user=user).exists()


def case_related(case: Case) -> list[Case]:
    """The cases linked to this one as related (either side), oldest link first."""
    from cases.models import CaseLink

    links = CaseLink.objects.filter(Q(case_a=case) | Q(case_b=case)).select_related(
        "case_a__category", "case_b__category"
    )
    return [link.case_b if link.case_a_id == case.pk else link.case_a for link in links]


def case_merged_here(case: Case) -> list[Case]:
    """The duplicates merged into this case."""
    return list(
        Case.objects.filter(merged_into=case).select_related("category").order_by("merged_at")
    )


def case_for_merge_target(user: Any, reference: str) -> Case:
    """A case of the caller's own agency by reference (anything else: 404)."""
    return get_scoped_object_or_404(
        Case.objects.select_related("agency", "category"),
        user,
        for_write=True,
        reference=reference_normalise(reference),
    )
