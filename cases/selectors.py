"""Reads of `cases`: queues with keyset pagination, the case page, the citizen's view."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case, CaseEvent, ServiceCategory
from cases.references import reference_normalise
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
        profile = getattr(user, "staff_profile", None)
        team_ids = list(profile.teams.values_list("id", flat=True)) if profile else []
        cases = cases.filter(team_id__in=team_ids)
    elif queue == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    return cases


def queue_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a queue row shows, and nothing more (`only` keeps the hot list lean)."""
    return cases.select_related("category", "team", "assignee", "citizen").only(
        "id", "reference", "status", "priority", "created_at", "channel", "description",
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


SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}


def _encode(case: Case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _sep, pk = raw.partition("|")
        moment = parse_datetime(stamp)
        return (moment, int(pk)) if moment else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def keyset_page(
    cases: QuerySet[Case], *, sort: str = "newest", cursor: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page after `cursor`, by (created_at, id): no OFFSET, constant cost at any depth."""
    order = SORTS.get(sort, SORTS["newest"])
    descending = order[0].startswith("-")
    position = _decode(cursor) if cursor else None
    page_qs = cases
    if position:
        moment, pk = position
        # The redundant bound on created_at alone is what the index can seek to; the OR only
        # breaks ties. Without it PostgreSQL walks (and filters out) every row before the
        # cursor, so a page got slower the deeper it was (bench/README.md).
        if descending:
            page_qs = page_qs.filter(
                Q(created_at__lte=moment),
                Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk),
            )
        else:
            page_qs = page_qs.filter(
                Q(created_at__gte=moment),
                Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk),
            )
    rows = list(queue_rows(page_qs).order_by(*order)[: size + 1])
    next_cursor = _encode(rows[size - 1]) if len(rows) > size else None
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
    ).prefetch_related(
        Prefetch("events", queryset=events),
        "category__attributes",  # the answers
        "attachments",
        "referrals__from_agency",
        "referrals__to_agency",
    )
    return get_scoped_object_or_404(queryset, user, reference=reference)


def case_is_writable_by(case: Case, user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or user_agency_id(user) == case.agency_id)


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


def case_public_timeline(case: Case) -> QuerySet[CaseEvent]:
    """Only what the citizen is meant to see: public events, never internal notes."""
    return case.events.filter(is_public=True).order_by("created_at", "id")


def cases_due_for_auto_close(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of cases resolved more than CASE_AUTO_CLOSE_DAYS ago, oldest first."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CASE_AUTO_CLOSE_DAYS)
    return list(
        Case.objects.filter(status=Case.Status.RESOLVED, resolved_at__lte=cutoff)
        .order_by("resolved_at")
        .values_list("id", flat=True)[:limit]
    )


# --- SLA: the supervisor board, compliance, the case page's clocks ----------------------------

SLA_EVENT_KINDS = (
    CaseEvent.Kind.SLA_WARNING,
    CaseEvent.Kind.SLA_BREACH,
    CaseEvent.Kind.SLA_ESCALATION,
)
BOARD_SORTS = ("time_left", "-time_left", "due", "priority")
BOARD_LIMIT = 1000


@dataclass
class SlaBoardRow:
    """A breached or at-risk case: the clock closest to (or furthest past) its target."""

    case: Case
    state: str
    clock: str  # "first_response" or "resolution"
    minutes_left: float  # business minutes; negative when overdue
    due_at: datetime | None
    paused: bool

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


def _sla_board_queryset(user: Any, *, team: Any, category: Any, priority: str | None):
    cases = cases_own_agency(user).filter(
        status__in=Case.OPEN_STATUSES,
        sla_state__in=[Case.SlaState.BREACHED, Case.SlaState.AT_RISK],
    )
    if team:
        cases = cases.filter(team_id=_id(team))
    if category:
        cases = cases.filter(category_id=_id(category))
    if priority:
        cases = cases.filter(priority=priority)
    return cases


def sla_board_counts(
    user: Any, *, team: Any = None, category: Any = None, priority: str | None = None
) -> dict[str, int]:
    """How many board cases are breached and at risk: one aggregate on the stored state (the
    counts the board polls every minute; no clock maths per case)."""
    from django.db.models import Count

    return _sla_board_queryset(user, team=team, category=category, priority=priority).aggregate(
        breached=Count("id", filter=Q(sla_state=Case.SlaState.BREACHED)),
        at_risk=Count("id", filter=Q(sla_state=Case.SlaState.AT_RISK)),
    )


def sla_board_cases(
    user: Any,
    *,
    team: Any = None,
    category: Any = None,
    priority: str | None = None,
    sort: str = "time_left",
    now: datetime | None = None,
    limit: int = BOARD_LIMIT,
) -> list[SlaBoardRow]:
    """Breached and at-risk open cases of the user's agency, with business minutes left.

    `sort`: "time_left" (most overdue first), "-time_left", "due" (earliest deadline first) or
    "priority" (urgent first, then most overdue). Filters take objects or ids.
    """
    from cases.models import PRIORITY_RANK
    from cases.sla_engine import CalendarCache, consumed_at, minutes_left

    now = now or timezone.now()
    cases = _sla_board_queryset(user, team=team, category=category, priority=priority)
    cases = cases.select_related(
        "agency", "category", "team__calendar", "assignee", "sla_policy"
    ).order_by("resolution_due_at", "id")[:limit]
    calendars = CalendarCache()
    rows = []
    for case in cases:
        policy = case.sla_policy
        consumed = consumed_at(case, calendars.for_case(case, policy), now)
        left = {k: v for k, v in minutes_left(policy, case, consumed).items() if v is not None}
        if not left:
            continue
        clock = min(left, key=left.get)
        due = case.first_response_due_at if clock == "first_response" else case.resolution_due_at
        rows.append(
            SlaBoardRow(
                case=case,
                state=case.sla_state,
                clock=clock,
                minutes_left=left[clock],
                due_at=due,
                paused=case.sla_paused,
            )
        )
    if sort not in BOARD_SORTS:
        sort = "time_left"
    if sort == "-time_left":
        rows.sort(key=lambda row: (-row.minutes_left, row.case.pk))
    elif sort == "due":
        far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
        rows.sort(key=lambda row: (row.due_at or far, row.case.pk))
    elif sort == "priority":
        rows.sort(key=lambda r: (-PRIORITY_RANK.get(r.case.priority, 0), r.minutes_left, r.case.pk))
    else:
        rows.sort(key=lambda row: (row.minutes_left, row.case.pk))
    return rows


@dataclass
class TeamCompliance:
    team_id: int
    team_name: str
    resolved: int  # cases with an SLA resolved in the period
    met: int
    breached: int

    @property
    def met_percent(self) -> float | None:
        return round(100 * self.met / self.resolved, 1) if self.resolved else None


def sla_compliance_by_team(user: Any, *, since: datetime, until: datetime) -> list[TeamCompliance]:
    """Per team of the user's agency: cases with an SLA resolved in [since, until), met %."""
    from django.db.models import Count

    from agencies.models import Team

    resolved = (
        cases_own_agency(user)
        .filter(
            resolved_at__gte=since,
            resolved_at__lt=until,
            sla_policy__isnull=False,
            team__isnull=False,
        )
        .values("team_id")
        .annotate(
            resolved=Count("id"),
            met=Count("id", filter=Q(sla_state=Case.SlaState.MET)),
            breached=Count("id", filter=Q(sla_state=Case.SlaState.BREACHED)),
        )
        .order_by()
    )
    by_team = {row["team_id"]: row for row in resolved}
    teams = scope_queryset(Team.objects.all(), user, for_write=True)
    out = []
    for team in teams.order_by("name", "id"):
        row = by_team.get(team.pk)
        if row is None and not team.active:
            continue
        row = row or {"resolved": 0, "met": 0, "breached": 0}
        out.append(
            TeamCompliance(
                team_id=team.pk,
                team_name=team.name,
                resolved=row["resolved"],
                met=row["met"],
                breached=row["breached"],
            )
        )
    return out


@dataclass
class SlaClock:
    """What the case page shows about the SLA of one case."""

    state: str
    state_label: str
    policy_name: str | None
    paused: bool
    running: bool
    consumed_minutes: float
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    first_response_minutes_left: float | None  # None once met or without a target
    first_response_met: bool | None  # None: no target or not answered yet
    resolution_due_at: datetime | None
    resolution_minutes_left: float | None  # negative: overdue
    escalation_level: int
    next_check_at: datetime | None
    events: list[CaseEvent]


def case_sla_clock(case: Case, now: datetime | None = None) -> SlaClock:
    """The clocks of `case` at `now` (live: not waiting for the next sweep)."""
    from cases.sla_engine import CalendarCache, PolicyCache, evaluate, minutes_left

    now = now or timezone.now()
    policy = case.sla_policy if case.sla_policy_id else None
    calendar = CalendarCache().for_case(case, policy)
    result = evaluate(case, policy, PolicyCache().levels(policy), calendar, now)
    left = minutes_left(policy, case, result.consumed)
    fr_met = None
    if policy is not None and policy.first_response_minutes and case.first_response_at:
        fr_met = case.sla_first_response_breached_at is None and (
            case.first_response_due_at is None
            or case.first_response_at <= case.first_response_due_at
        )
    state = result.fields["sla_state"]
    events = [event for event in case.events.all() if event.kind in SLA_EVENT_KINDS]
    return SlaClock(
        state=state,
        state_label=str(Case.SlaState(state).label),
        policy_name=policy.name if policy else None,
        paused=case.sla_paused,
        running=case.sla_clock_started_at is not None,
        consumed_minutes=result.consumed,
        first_response_due_at=result.fields["first_response_due_at"],
        first_response_at=case.first_response_at,
        first_response_minutes_left=left["first_response"],
        first_response_met=fr_met,
        resolution_due_at=result.fields["resolution_due_at"],
        resolution_minutes_left=left["resolution"] if case.is_open else None,
        escalation_level=case.sla_escalation_level,
        next_check_at=case.next_check_at,
        events=sorted(events, key=lambda event: (event.created_at, event.pk)),
    )
