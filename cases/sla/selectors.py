"""Reads of the SLA for pages: the supervisors' board, compliance per team, a case's clocks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.presenters import (
    SlaClockText,
    SlaHistoryLine,
    sla_clock_text,
    sla_escalation_text,
    sla_history,
)
from cases.selectors import cases_own_agency
from core.scoping import scope_queryset

SLA_EVENT_KINDS = (
    CaseEvent.Kind.SLA_WARNING,
    CaseEvent.Kind.SLA_BREACH,
    CaseEvent.Kind.SLA_ESCALATION,
)
BOARD_SORTS = ("time_left", "-time_left", "due", "priority", "first_response", "resolution")
BOARD_LIMIT = 1000


@dataclass
class BoardClock:
    """One of the two clocks of a board row, as of the board's `now`.

    `state`: first response "due", "overdue", "paused", "met", "late" (answered after its
    deadline) or "none" (no target); resolution "running", "overdue", "paused" or "none".
    """

    state: str
    minutes_left: float | None = None  # business minutes; negative: overdue; None: not running
    due_at: datetime | None = None  # None while paused
    done_at: datetime | None = None  # when the first response was given

    @property
    def text(self) -> SlaClockText:
        return sla_clock_text(self)

    @property
    def urgency(self) -> float:
        """Minutes left while the clock matters, for sorting: infinite when done or absent."""
        return self.minutes_left if self.minutes_left is not None else math.inf


@dataclass
class SlaBoardRow:
    """A breached or at-risk case: both clocks, the escalation level, and the clock closest to
    (or furthest past) its target, which the default order and the API go by."""

    case: Case
    state: str
    clock: str  # "first_response" or "resolution"
    minutes_left: float  # business minutes; negative when overdue
    due_at: datetime | None
    paused: bool
    first_response: BoardClock
    resolution: BoardClock
    escalation_level: int

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0

    @property
    def escalation_text(self) -> str:
        return sla_escalation_text(self.escalation_level)


def first_response_on_time(case: Case) -> bool:
    """Whether the first response given was within its target (no breach recorded first)."""
    return case.sla_first_response_breached_at is None and (
        case.first_response_due_at is None or case.first_response_at <= case.first_response_due_at
    )


def _first_response_clock(case: Case, policy: Any, left: float | None) -> BoardClock:
    if not policy.first_response_minutes:
        return BoardClock("none")
    if case.first_response_at is not None:
        state = "met" if first_response_on_time(case) else "late"
        return BoardClock(state, due_at=case.first_response_due_at, done_at=case.first_response_at)
    if case.sla_paused:
        return BoardClock("paused", minutes_left=left)
    state = "overdue" if round(left) < 0 else "due"
    return BoardClock(state, minutes_left=left, due_at=case.first_response_due_at)


def _resolution_clock(case: Case, policy: Any, left: float | None) -> BoardClock:
    if not policy.resolution_minutes:
        return BoardClock("none")
    if case.sla_paused:
        return BoardClock("paused", minutes_left=left)
    state = "overdue" if round(left) < 0 else "running"
    return BoardClock(state, minutes_left=left, due_at=case.resolution_due_at)


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
    """Breached and at-risk open cases of the user's agency, with both clocks in business
    minutes left.

    `sort`: "time_left" (most overdue clock first), "-time_left", "due" (earliest deadline
    first), "priority" (urgent first, then most overdue), "first_response" or "resolution"
    (that clock's least time left first; cases where it is done or absent last). Filters take
    objects or ids.
    """
    from cases.models import PRIORITY_RANK
    from cases.sla.engine import CalendarCache, consumed_at, minutes_left

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
        every = minutes_left(policy, case, consumed)
        left = {k: v for k, v in every.items() if v is not None}
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
                first_response=_first_response_clock(case, policy, every["first_response"]),
                resolution=_resolution_clock(case, policy, every["resolution"]),
                escalation_level=case.sla_escalation_level,
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
    elif sort in ("first_response", "resolution"):
        rows.sort(key=lambda row: (getattr(row, sort).urgency, row.minutes_left, row.case.pk))
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
    history: list[SlaHistoryLine]  # the events in words (cases.presenters)


def case_sla_clock(case: Case, now: datetime | None = None) -> SlaClock:
    """The clocks of `case` at `now` (live: not waiting for the next sweep)."""
    from cases.sla.engine import CalendarCache, PolicyCache, evaluate, minutes_left

    now = now or timezone.now()
    policy = case.sla_policy if case.sla_policy_id else None
    calendar = CalendarCache().for_case(case, policy)
    result = evaluate(case, policy, PolicyCache().levels(policy), calendar, now)
    left = minutes_left(policy, case, result.consumed)
    fr_met = None
    if policy is not None and policy.first_response_minutes and case.first_response_at:
        fr_met = first_response_on_time(case)
    state = result.fields["sla_state"]
    events = [event for event in case.events.all() if event.kind in SLA_EVENT_KINDS]
    events.sort(key=lambda event: (event.created_at, event.pk))
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
        events=events,
        history=sla_history(events),
    )
