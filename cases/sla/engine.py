"""The SLA engine's reads and clock arithmetic (no writes: `cases.sla.services` writes).

* `sla_policy_for` picks the policy of a case: the most specific active policy of the case's
  agency wins: category + priority, then category (any priority), then priority (any
  category), then the agency-wide default (neither).
* `CalendarCache` turns a team's BusinessCalendar into a `cases.business_time.Calendar`, once per
  calendar id + updated_at (one cache per sweep run or per service call).
* `evaluate` looks at a case's stored clock and says, at an instant, what its deadlines, state
  and next check are, and which thresholds it has reached without their event being recorded.

The clock. One business clock per case runs from creation while the case is open, stops while
it waits on the citizen and when it is resolved/closed, and restarts on resume/reopen.
`sla_consumed_minutes` holds the business minutes it ran up to `sla_clock_started_at` (each part
counted in the calendar in force at the time: the services add the part just run, in the old
calendar, before anything changes); while it runs, the minutes consumed at `t` are
``sla_consumed_minutes + business_minutes_between(calendar, sla_clock_started_at, t)``. Both
targets count on that clock and are independent of each other: the first-response deadline
is the instant the clock reaches the first-response target (until the first public update or
outbound contact meets it; after that it is never checked again), the resolution deadline the
instant it reaches the resolution target. Warnings are at `warning_percent` of each target,
escalation level n at the resolution target + its `after_minutes`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from cases.models import Case, SlaEscalationLevel, SlaPolicy
from cases.sla import business_time

if TYPE_CHECKING:
    from agencies.hooks import CalendarSnapshot
    from agencies.models import BusinessCalendar, Team

logger = logging.getLogger(__name__)

# Float minutes summed and converted back and forth: a threshold this close counts as reached.
EPSILON_MINUTES = 1e-6

State = Case.SlaState
RUNNING_STATUSES = frozenset({"new", "open", "in_progress"})
PAUSED_STATUSES = frozenset({"waiting_on_citizen"})


# --- policies -------------------------------------------------------------------------------


def sla_policy_for(*, agency_id: int, category_id: int | None, priority: str) -> SlaPolicy | None:
    """The most specific active policy for a case of this agency, category and priority."""
    candidates = (
        SlaPolicy.objects.filter(agency_id=agency_id, active=True)
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .filter(Q(priority=priority) | Q(priority=""))
    )
    return max(candidates, key=lambda policy: policy.specificity, default=None)


class PolicyCache:
    """Policies and their escalation levels by id, loaded once (per sweep run)."""

    def __init__(self) -> None:
        self._levels: dict[int, tuple[SlaEscalationLevel, ...]] = {}

    def levels(self, policy: SlaPolicy | None) -> tuple[SlaEscalationLevel, ...]:
        if policy is None:
            return ()
        if policy.pk not in self._levels:
            self._levels[policy.pk] = tuple(
                SlaEscalationLevel.objects.filter(policy_id=policy.pk)
                .select_related("reassign_team", "reassign_user")
                .order_by("level")
            )
        return self._levels[policy.pk]


def sla_due_cases(now: datetime, batch_size: int):
    """The claim: open cases due by `now`, oldest first, locked, skipping locked ones.

    Case rows only (no joins), so PostgreSQL walks the partial index `case_sla_due_idx` in
    order and stops after `batch_size` rows, however large a backlog is. The sweep attaches
    the few agencies, teams, calendars and policies from its own caches.
    """
    return (
        Case.objects.filter(status__in=Case.OPEN_STATUSES, next_check_at__lte=now)
        .order_by("next_check_at")
        .select_for_update(skip_locked=True)[:batch_size]
    )


# --- calendars ------------------------------------------------------------------------------


def calendar_from_rows(
    timezone: str, intervals: Sequence[tuple[int, Any, Any]], holidays: Sequence[tuple[Any, bool]]
) -> business_time.Calendar:
    """A business_time.Calendar from stored rows; without hours it counts around the clock."""
    one_off = frozenset(day for day, recurring in holidays if not recurring)
    recurring = frozenset((day.month, day.day) for day, is_recurring in holidays if is_recurring)
    try:
        return business_time.Calendar.from_rows(timezone, intervals, one_off, recurring)
    except (
        business_time.CalendarError
    ) as exc:  # refused at configuration time; never stop the sweep
        logger.error("SLA: unusable calendar in %s (%s); counting 24/7", timezone, exc)
        return business_time.Calendar.always_open(timezone if _known_zone(timezone) else "UTC")


def _known_zone(name: str) -> bool:
    try:
        business_time.Calendar.always_open(name)
    except business_time.CalendarError:
        return False
    return True


def calendar_from_snapshot(snapshot: CalendarSnapshot) -> business_time.Calendar:
    return calendar_from_rows(snapshot.timezone, snapshot.intervals, snapshot.holidays)


class CalendarCache:
    """business_time.Calendar objects per (calendar id, updated_at), and 24/7 ones per time zone.

    Services make one per call; the sweep one per run, so each calendar's hours and holidays
    are read once per run however many of its cases are due.
    """

    def __init__(self) -> None:
        self._calendars: dict[tuple[int, datetime | None], business_time.Calendar] = {}
        self._always: dict[str, business_time.Calendar] = {}

    def business(self, calendar: BusinessCalendar) -> business_time.Calendar:
        key = (calendar.pk, calendar.updated_at)
        if key not in self._calendars:
            from agencies.models import Holiday, OpeningInterval

            intervals = OpeningInterval.objects.filter(calendar_id=calendar.pk).values_list(
                "weekday", "start", "end"
            )
            holidays = Holiday.objects.filter(calendar_id=calendar.pk).values_list(
                "date", "recurring"
            )
            self._calendars[key] = calendar_from_rows(
                calendar.timezone, list(intervals), list(holidays)
            )
        return self._calendars[key]

    def always_open(self, timezone: str) -> business_time.Calendar:
        if timezone not in self._always:
            self._always[timezone] = business_time.Calendar.always_open(
                timezone if _known_zone(timezone) else "UTC"
            )
        return self._always[timezone]

    def for_team(
        self, team: Team | None, policy: SlaPolicy | None, *, agency_timezone: str = "UTC"
    ) -> business_time.Calendar:
        """The calendar a case of `team` counts in under `policy`.

        Business-hours policies (and cases without a policy) count in the team's calendar; 24/7
        policies around the clock in that calendar's time zone. A case without a team counts
        around the clock in its agency's time zone.
        """
        if team is None:
            return self.always_open(agency_timezone)
        if policy is not None and not policy.business_hours:
            return self.always_open(team.calendar.timezone)
        return self.business(team.calendar)

    def for_case(self, case: Case, policy: SlaPolicy | None = None) -> business_time.Calendar:
        policy = case.sla_policy if policy is None and case.sla_policy_id else policy
        return self.for_team(case.team, policy, agency_timezone=case.agency.timezone)


# --- the clock ------------------------------------------------------------------------------


def consumed_at(case: Case, calendar: business_time.Calendar, at: datetime) -> float:
    """Business minutes the case's clock has run at `at`."""
    consumed = case.sla_consumed_minutes or 0.0
    started = case.sla_clock_started_at
    if started is not None and at > started:
        consumed += business_time.business_minutes_between(calendar, started, at)
    return consumed


def instant_of(case: Case, calendar: business_time.Calendar, minutes: float) -> datetime | None:
    """When the running clock reaches `minutes` (None while it is stopped)."""
    started = case.sla_clock_started_at
    if started is None:
        return None
    return business_time.deadline_from_consumed(
        calendar, started, minutes, case.sla_consumed_minutes or 0.0
    )


def checkpoint(case: Case, calendar: business_time.Calendar, at: datetime) -> None:
    """Add the minutes run since the clock (re)started to the case, counted in `calendar`."""
    started = case.sla_clock_started_at
    if started is not None and at > started:
        case.sla_consumed_minutes = (case.sla_consumed_minutes or 0.0) + (
            business_time.business_minutes_between(calendar, started, at)
        )
        case.sla_clock_started_at = at


@dataclass(frozen=True)
class Threshold:
    """A number of business minutes on the clock at which something happens to a case."""

    kind: str  # first_response_warning, first_response_breach, warning, breach, escalation
    minutes: float
    level: SlaEscalationLevel | None = None

    @property
    def event_kind(self) -> str:
        if self.kind.endswith("warning"):
            return "sla_warning"
        if self.kind.endswith("breach"):
            return "sla_breach"
        return "sla_escalation"


MARKERS = {
    "first_response_warning": "sla_first_response_warned_at",
    "first_response_breach": "sla_first_response_breached_at",
    "warning": "sla_warned_at",
    "breach": "sla_breached_at",
}


def thresholds(
    case: Case, policy: SlaPolicy, levels: Sequence[SlaEscalationLevel]
) -> list[Threshold]:
    """Every threshold of the policy that still applies to the case, smallest first.

    The first-response ones only until the first response: once an agent has answered, the
    first-response clock can never warn or breach again (Zammad #3140).
    """
    out = []
    share = policy.warning_percent / 100
    target = policy.first_response_minutes
    if target and case.first_response_at is None:
        out.append(Threshold("first_response_warning", target * share))
        out.append(Threshold("first_response_breach", float(target)))
    target = policy.resolution_minutes
    if target:
        out.append(Threshold("warning", target * share))
        out.append(Threshold("breach", float(target)))
        out.extend(
            Threshold("escalation", float(target + level.after_minutes), level) for level in levels
        )
    out.sort(key=lambda item: (item.minutes, item.kind != "breach"))
    return out


def is_recorded(case: Case, threshold: Threshold) -> bool:
    """Whether the threshold's once-only event has been recorded on the case."""
    if threshold.kind == "escalation":
        return threshold.level.level <= case.sla_escalation_level
    return getattr(case, MARKERS[threshold.kind]) is not None


def _reached(threshold: Threshold, consumed: float) -> bool:
    return consumed + EPSILON_MINUTES >= threshold.minutes


@dataclass
class Evaluation:
    """What the stored clock means at `at`: fields to store, and events that are due."""

    consumed: float
    fields: dict[str, Any]
    due: list[Threshold] = field(default_factory=list)  # reached, event not yet recorded


def clock_mode(status: str) -> str:
    if status in RUNNING_STATUSES:
        return "running"
    if status in PAUSED_STATUSES:
        return "paused"
    return "stopped"


def evaluate(
    case: Case,
    policy: SlaPolicy | None,
    levels: Sequence[SlaEscalationLevel],
    calendar: business_time.Calendar,
    at: datetime,
    *,
    firing: bool = False,
) -> Evaluation:
    """Deadlines, state and next check of `case` at `at`, from its stored clock.

    The case's clock fields (consumed, started, paused) must already match its status.
    `firing`: the caller records the due events now (the sweep), so the next check is the
    next threshold still ahead; otherwise (services) a reached threshold whose event is not
    recorded yet makes the case due for the sweep at once.
    """
    consumed = consumed_at(case, calendar, at)
    mode = clock_mode(case.status)
    fields: dict[str, Any] = {
        "first_response_due_at": case.first_response_due_at,
        "resolution_due_at": case.resolution_due_at,
        "next_check_at": None,
        "sla_state": State.NONE,
    }
    if policy is None:
        fields["first_response_due_at"] = fields["resolution_due_at"] = None
        return Evaluation(consumed=consumed, fields=fields)
    pending = thresholds(case, policy, levels)
    fr_target = policy.first_response_minutes
    fr_open = bool(fr_target) and case.first_response_at is None
    res_target = policy.resolution_minutes
    if not fr_target:
        fields["first_response_due_at"] = None
    if not res_target:
        fields["resolution_due_at"] = None

    breached = (res_target and consumed + EPSILON_MINUTES >= res_target) or (
        fr_open and consumed + EPSILON_MINUTES >= fr_target
    )
    at_risk = any(_reached(item, consumed) for item in pending if item.kind.endswith("warning"))

    if mode == "stopped":
        # Resolved or closed: the deadlines stay as they were, for the record.
        if res_target:
            met = consumed <= res_target + EPSILON_MINUTES
        else:
            met = case.sla_first_response_breached_at is None and not breached
        fields["sla_state"] = State.MET if met else State.BREACHED
        return Evaluation(consumed=consumed, fields=fields)

    if mode == "paused":
        if fr_open:
            fields["first_response_due_at"] = None
        if res_target:
            fields["resolution_due_at"] = None
        fields["sla_state"] = State.BREACHED if breached else State.PAUSED
        return Evaluation(consumed=consumed, fields=fields)

    # Running.
    if fr_open:
        fields["first_response_due_at"] = instant_of(case, calendar, fr_target)
    if res_target:
        fields["resolution_due_at"] = instant_of(case, calendar, res_target)
    fields["sla_state"] = State.BREACHED if breached else State.AT_RISK if at_risk else State.OK
    due = [item for item in pending if _reached(item, consumed) and not is_recorded(case, item)]
    # Next check: the first threshold ahead whose event or state change is still to come.
    ahead = [
        item
        for item in pending
        if not _reached(item, consumed)
        and not (item.kind == "escalation" and is_recorded(case, item))
    ]
    if not firing and due:
        fields["next_check_at"] = min(instant_of(case, calendar, item.minutes) for item in due)
    elif ahead:
        fields["next_check_at"] = instant_of(case, calendar, min(i.minutes for i in ahead))
    return Evaluation(consumed=consumed, fields=fields, due=due)


def minutes_left(policy: SlaPolicy | None, case: Case, consumed: float) -> dict[str, float | None]:
    """Business minutes left (negative: overdue) on each target that is still running."""
    out: dict[str, float | None] = {"first_response": None, "resolution": None}
    if policy is None:
        return out
    if policy.first_response_minutes and case.first_response_at is None:
        out["first_response"] = policy.first_response_minutes - consumed
    if policy.resolution_minutes:
        out["resolution"] = policy.resolution_minutes - consumed
    return out


SLA_FIELDS = (
    "sla_policy",
    "first_response_due_at",
    "resolution_due_at",
    "sla_consumed_minutes",
    "sla_clock_started_at",
    "sla_paused",
    "sla_state",
    "sla_escalation_level",
    "sla_first_response_warned_at",
    "sla_first_response_breached_at",
    "sla_warned_at",
    "sla_breached_at",
    "next_check_at",
)


def sla_initialise(case: Case, *, cache: CalendarCache | None = None) -> Case:
    """Set the SLA fields of a case about to be inserted (its clock starts at creation).

    No write: `case_create` saves (and audits) the case with them.
    """
    cache = cache or CalendarCache()
    policy = sla_policy_for(
        agency_id=case.agency_id, category_id=case.category_id, priority=case.priority
    )
    case.sla_policy = policy
    case.sla_consumed_minutes = 0.0
    case.sla_clock_started_at = case.created_at if clock_mode(case.status) == "running" else None
    case.sla_paused = clock_mode(case.status) == "paused"
    calendar = cache.for_team(case.team, policy, agency_timezone=case.agency.timezone)
    # Escalation levels come after the breach, so they never matter at creation.
    result = evaluate(case, policy, (), calendar, case.created_at)
    for name, value in result.fields.items():
        setattr(case, name, value)
    return case
