"""Keeping the pre-aggregated figures: case facts and their daily rollups.

* `facts_for(case_ids)` computes what the figures need of each case from the case row and its
  timeline (days in the agency's time zone, business minutes in the team's calendar).
* `refresh_cases(case_ids)` replaces those cases' facts and recomputes the daily rows of every
  (agency, day) that the old or the new facts touch, from the facts: running it twice changes
  nothing the second time (idempotent), and a case moved to another agency (referral) leaves
  the old agency's days right too.
* `figures_refresh()` is the beat job: it reads the case timeline past a watermark (every change
  a figure depends on writes a case event: creation, status, assignment, transfer, priority,
  service, referral, first response, SLA breaches), refreshes those cases and moves the
  watermark, under an advisory lock so two runs never overlap. Events of the last
  `REPORTS_REFRESH_LAG_SECONDS` are read again by the next run, so a transaction that committed
  late is not skipped (re-reading is harmless).
* `rebuild_all()` recomputes every fact and every daily row (`manage.py reports_rebuild`).

This is derived data: not audited, not personal, rebuilt at will.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports.models import CaseFact, FigureState

logger = logging.getLogger(__name__)

OPEN_STATUSES = frozenset({"new", "open", "in_progress", "waiting_on_citizen"})
RESOLVED_STATUSES = frozenset({"resolved", "closed"})
LOCK_KEY = 0x5245504F5254  # "REPORT": pg advisory lock of the refresh and the rebuild
CHUNK = 2000

CASE_FIELDS = (
    "id", "agency_id", "agency__timezone", "team_id", "category_id", "assignee_id", "channel",
    "priority", "status", "created_at", "first_response_at", "resolved_at",
    "sla_consumed_minutes", "sla_policy_id", "sla_policy__business_hours",
    "first_response_due_at", "resolution_due_at", "sla_breached_at",
    "sla_first_response_breached_at", "sla_escalation_level",
)  # fmt: skip


def _zone(name: str, cache: dict[str, ZoneInfo]) -> ZoneInfo:
    if name not in cache:
        try:
            cache[name] = ZoneInfo(name)
        except (KeyError, ValueError):
            cache[name] = ZoneInfo("UTC")
    return cache[name]


def _minutes(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds() / 60.0, 0.0)


def _outcome(has_target: bool, breached_at: datetime | None, done: datetime | None,
             due: datetime | None) -> str:  # fmt: skip
    """met / breached of one target, for a case that reached it (answered or resolved)."""
    if not has_target:
        return ""
    late = breached_at is not None or (due is not None and done is not None and done > due)
    return "breached" if late else "met"


@dataclass
class _Policy:
    business_hours: bool


class _Calendars:
    """The calendar each case's business minutes count in (cases.sla.engine's rules)."""

    def __init__(self) -> None:
        from cases.sla.engine import CalendarCache

        self.cache = CalendarCache()
        self.teams: dict[int, object] = {}

    def load_teams(self, team_ids: Iterable[int]) -> None:
        from agencies.models import Team

        wanted = {t for t in team_ids if t is not None and t not in self.teams}
        if wanted:
            for team in Team.objects.select_related("calendar").filter(pk__in=wanted):
                self.teams[team.pk] = team

    def calendar(self, row: dict):
        policy = None
        if row["sla_policy_id"] is not None:
            policy = _Policy(business_hours=bool(row["sla_policy__business_hours"]))
        team = self.teams.get(row["team_id"])
        return self.cache.for_team(team, policy, agency_timezone=row["agency__timezone"])

    def business_minutes(self, row: dict, start: datetime, end: datetime) -> float:
        from cases.sla import business_time

        return business_time.business_minutes_between(self.calendar(row), start, end)


def facts_for(case_ids: Sequence[int], calendars: _Calendars | None = None) -> list[CaseFact]:
    """Fact rows of these cases, computed from the cases and their status events."""
    from cases.models import Case, CaseEvent

    if not case_ids:
        return []
    calendars = calendars or _Calendars()
    rows = list(Case.objects.filter(pk__in=case_ids).order_by().values(*CASE_FIELDS))
    calendars.load_teams(row["team_id"] for row in rows)
    reopens: dict[int, list[datetime]] = defaultdict(list)
    for case_id, at in (
        CaseEvent.objects.filter(case_id__in=[r["id"] for r in rows], kind="status")
        .filter(data__reopened=True)
        .order_by()
        .values_list("case_id", "created_at")
    ):
        reopens[case_id].append(at)
    zones: dict[str, ZoneInfo] = {}
    facts = []
    for row in rows:
        zone = _zone(row["agency__timezone"], zones)
        created = row["created_at"]
        answered = row["first_response_at"]
        resolved = row["resolved_at"] if row["status"] in RESOLVED_STATUSES else None
        days = sorted(at.astimezone(zone).date() for at in reopens.get(row["id"], ()))
        facts.append(
            CaseFact(
                case_id=row["id"], agency_id=row["agency_id"], team_id=row["team_id"],
                category_id=row["category_id"], assignee_id=row["assignee_id"],
                channel=row["channel"], priority=row["priority"], status=row["status"],
                is_open=row["status"] in OPEN_STATUSES,
                escalated=(row["sla_escalation_level"] or 0) > 0,
                created_at=created, created_day=created.astimezone(zone).date(),
                first_response_at=answered,
                first_response_day=answered.astimezone(zone).date() if answered else None,
                resolved_at=resolved,
                resolved_day=resolved.astimezone(zone).date() if resolved else None,
                first_response_business_minutes=(
                    calendars.business_minutes(row, created, answered) if answered else None
                ),
                first_response_elapsed_minutes=_minutes(created, answered) if answered else None,
                # The case's clock stops at resolution: what it ran is the business time.
                resolution_business_minutes=(
                    float(row["sla_consumed_minutes"] or 0.0) if resolved else None
                ),
                resolution_elapsed_minutes=_minutes(created, resolved) if resolved else None,
                first_response_sla=_outcome(
                    answered is not None and row["first_response_due_at"] is not None,
                    row["sla_first_response_breached_at"], answered,
                    row["first_response_due_at"],
                ),
                resolution_sla=_outcome(
                    resolved is not None and row["resolution_due_at"] is not None,
                    row["sla_breached_at"], resolved, row["resolution_due_at"],
                ),
                reopen_days=days, reopen_count=len(days),
            )
        )  # fmt: skip
    return facts


def _fact_days(fact_rows: Iterable[tuple]) -> set[tuple[int, date]]:
    keys: set[tuple[int, date]] = set()
    for agency_id, created, answered, resolved, reopened in fact_rows:
        for day in (created, answered, resolved, *(reopened or ())):
            if day is not None:
                keys.add((agency_id, day))
    return keys


_DAY_FIELDS = ("agency_id", "created_day", "first_response_day", "resolved_day", "reopen_days")

_FACT_COLUMNS = [f.attname for f in CaseFact._meta.concrete_fields]

# One row per (dimensions, day) of every fact touching the wanted days; {keys} filters them.
_ROLLUP_SQL = """
INSERT INTO reports_dailyfigure (
    agency_id, team_id, category_id, channel, priority, day, received, resolved,
    first_responses, reopened, resolution_business_minutes, resolution_elapsed_minutes,
    first_response_business_minutes, first_response_elapsed_minutes, resolution_sla_met,
    resolution_sla_breached, first_response_sla_met, first_response_sla_breached)
SELECT agency_id, team_id, category_id, channel, priority, day,
       sum(received), sum(resolved), sum(first_responses), sum(reopened),
       coalesce(sum(rb), 0), coalesce(sum(re), 0), coalesce(sum(fb), 0), coalesce(sum(fe), 0),
       sum(rm), sum(rx), sum(fm), sum(fx)
FROM (
    SELECT f.agency_id, f.team_id, f.category_id, f.channel, f.priority, f.created_day AS day,
           1 AS received, 0 AS resolved, 0 AS first_responses, 0 AS reopened,
           NULL::float AS rb, NULL::float AS re, NULL::float AS fb, NULL::float AS fe,
           0 AS rm, 0 AS rx, 0 AS fm, 0 AS fx
      FROM reports_casefact f {join_created}
    UNION ALL
    SELECT f.agency_id, f.team_id, f.category_id, f.channel, f.priority, f.resolved_day,
           0, 1, 0, 0, f.resolution_business_minutes, f.resolution_elapsed_minutes, NULL, NULL,
           (f.resolution_sla = 'met')::int, (f.resolution_sla = 'breached')::int, 0, 0
      FROM reports_casefact f {join_resolved} WHERE f.resolved_day IS NOT NULL
    UNION ALL
    SELECT f.agency_id, f.team_id, f.category_id, f.channel, f.priority, f.first_response_day,
           0, 0, 1, 0, NULL, NULL, f.first_response_business_minutes,
           f.first_response_elapsed_minutes, 0, 0,
           (f.first_response_sla = 'met')::int, (f.first_response_sla = 'breached')::int
      FROM reports_casefact f {join_answered} WHERE f.first_response_day IS NOT NULL
    UNION ALL
    SELECT f.agency_id, f.team_id, f.category_id, f.channel, f.priority, r.day,
           0, 0, 0, 1, NULL, NULL, NULL, NULL, 0, 0, 0, 0
      FROM reports_casefact f CROSS JOIN LATERAL unnest(f.reopen_days) AS r(day) {join_reopened}
     WHERE f.reopen_count > 0
) AS parts
GROUP BY agency_id, team_id, category_id, channel, priority, day
"""


def _keys_join(column: str) -> str:
    return f"JOIN keys k ON k.agency_id = f.agency_id AND k.day = {column}"


def _rollup(keys: set[tuple[int, date]] | None) -> None:
    """Recompute the daily rows of these (agency, day) pairs (None: of every day) from facts."""
    with connection.cursor() as cursor:
        if keys is None:
            cursor.execute("DELETE FROM reports_dailyfigure")
            cursor.execute(_ROLLUP_SQL.format(join_created="", join_resolved="",
                                              join_answered="", join_reopened=""))  # fmt: skip
            return
        if not keys:
            return
        agencies = [k[0] for k in keys]
        days = [k[1] for k in keys]
        cursor.execute(
            "DELETE FROM reports_dailyfigure d USING unnest(%s::bigint[], %s::date[]) "
            "AS k(agency_id, day) WHERE d.agency_id = k.agency_id AND d.day = k.day",
            [agencies, days],
        )
        sql = _ROLLUP_SQL.format(
            join_created=_keys_join("f.created_day"),
            join_resolved=_keys_join("f.resolved_day"),
            join_answered=_keys_join("f.first_response_day"),
            join_reopened=_keys_join("r.day"),
        )
        insert, select = sql.split("SELECT", 1)
        keys_cte = (
            "WITH keys AS MATERIALIZED (SELECT * FROM unnest(%s::bigint[], %s::date[]) "
            "AS k(agency_id, day)) SELECT"
        )
        cursor.execute(insert + keys_cte + select, [agencies, days])


def _store(facts: list[CaseFact]) -> None:
    if facts:
        CaseFact.objects.bulk_create(
            facts,
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=[c for c in _FACT_COLUMNS if c != "case_id"],
        )


@transaction.atomic
def refresh_cases(case_ids: Iterable[int]) -> int:
    """Bring these cases' facts and the daily rows they touch up to date; how many cases."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    calendars = _Calendars()
    keys: set[tuple[int, date]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        keys |= _fact_days(CaseFact.objects.filter(case_id__in=chunk).values_list(*_DAY_FIELDS))
        facts = facts_for(chunk, calendars)
        _store(facts)
        keys |= _fact_days(
            (f.agency_id, f.created_day, f.first_response_day, f.resolved_day, f.reopen_days)
            for f in facts
        )
        found = {f.case_id for f in facts}
        gone = [i for i in chunk if i not in found]
        if gone:
            CaseFact.objects.filter(case_id__in=gone).delete()
    _rollup(keys)
    return len(ids)


def _state() -> FigureState:
    state = FigureState.objects.select_for_update().order_by("pk").first()
    return state or FigureState.objects.create()


def _try_lock(cursor) -> bool:
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
    return bool(cursor.fetchone()[0])


def figures_refresh(*, batch: int | None = None, now: datetime | None = None) -> int:
    """Beat: refresh the cases whose timeline grew since the last run; how many cases.

    Returns -1 when another run (or a rebuild) holds the lock: the next run does the work.
    """
    from cases.models import CaseEvent

    batch = batch or settings.REPORTS_REFRESH_BATCH
    now = now or timezone.now()
    lag = timedelta(seconds=settings.REPORTS_REFRESH_LAG_SECONDS)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if not _try_lock(cursor):
                return -1
        state = _state()
        rows = list(
            CaseEvent.objects.filter(pk__gt=state.event_watermark)
            .order_by("pk")
            .values_list("pk", "case_id", "created_at")[:batch]
        )
        if not rows:
            return 0
        refreshed = refresh_cases(case_id for _pk, case_id, _at in rows)
        # Move past the events old enough that nothing earlier can still commit; newer ones
        # are read again next time (refreshing a case twice is harmless).
        watermark = state.event_watermark
        for pk, _case_id, at in rows:
            if at > now - lag:
                break
            watermark = pk
        state.event_watermark = watermark
        state.refreshed_at = timezone.now()
        state.save(update_fields=["event_watermark", "refreshed_at"])
    return refreshed


# Every fact in one statement (the same definitions as facts_for, in SQL); the business minutes
# to first response need the calendars and are filled in afterwards (_fill_first_response).
_FACTS_SQL = """
INSERT INTO reports_casefact (
    case_id, agency_id, team_id, category_id, assignee_id, channel, priority, status, is_open,
    escalated, created_at, created_day, first_response_at, first_response_day, resolved_at,
    resolved_day, first_response_business_minutes, first_response_elapsed_minutes,
    resolution_business_minutes, resolution_elapsed_minutes, first_response_sla,
    resolution_sla, reopen_days, reopen_count)
WITH reopened AS (
    SELECT e.case_id,
           array_agg((e.created_at AT TIME ZONE a.timezone)::date ORDER BY e.created_at) AS days
      FROM cases_caseevent e
      JOIN cases_case c ON c.id = e.case_id
      JOIN agencies_agency a ON a.id = c.agency_id
     WHERE e.kind = 'status' AND e.data @> '{"reopened": true}'::jsonb
     GROUP BY e.case_id
), base AS (
    SELECT c.*, a.timezone AS tz,
           CASE WHEN c.status IN ('resolved', 'closed') THEN c.resolved_at END AS done_at
      FROM cases_case c JOIN agencies_agency a ON a.id = c.agency_id
)
SELECT b.id, b.agency_id, b.team_id, b.category_id, b.assignee_id, b.channel, b.priority,
       b.status, b.status IN ('new', 'open', 'in_progress', 'waiting_on_citizen'),
       coalesce(b.sla_escalation_level, 0) > 0,
       b.created_at, (b.created_at AT TIME ZONE b.tz)::date,
       b.first_response_at, (b.first_response_at AT TIME ZONE b.tz)::date,
       b.done_at, (b.done_at AT TIME ZONE b.tz)::date,
       NULL,
       CASE WHEN b.first_response_at IS NOT NULL THEN greatest(
           extract(epoch FROM b.first_response_at - b.created_at)::float8 / 60.0, 0) END,
       CASE WHEN b.done_at IS NOT NULL THEN coalesce(b.sla_consumed_minutes, 0) END,
       CASE WHEN b.done_at IS NOT NULL THEN greatest(
           extract(epoch FROM b.done_at - b.created_at)::float8 / 60.0, 0) END,
       CASE WHEN b.first_response_at IS NULL OR b.first_response_due_at IS NULL THEN ''
            WHEN b.sla_first_response_breached_at IS NOT NULL
                 OR b.first_response_at > b.first_response_due_at THEN 'breached'
            ELSE 'met' END,
       CASE WHEN b.done_at IS NULL OR b.resolution_due_at IS NULL THEN ''
            WHEN b.sla_breached_at IS NOT NULL OR b.done_at > b.resolution_due_at
                 THEN 'breached'
            ELSE 'met' END,
       coalesce(r.days, '{}'), coalesce(cardinality(r.days), 0)
  FROM base b LEFT JOIN reopened r ON r.case_id = b.id
"""

_FILL_FIELDS = ("id", "agency__timezone", "team_id", "sla_policy_id",
                "sla_policy__business_hours", "created_at", "first_response_at")  # fmt: skip


def _fill_first_response(calendars: _Calendars) -> None:
    """Business minutes to first response of every answered case, in its team's calendar.

    Each calendar's open time over the cases' whole date range is unrolled once
    (business_time.OpenTimeIndex), so a case costs two bisections, not a walk of its days."""
    from django.db.models import Max, Min

    from cases.models import Case
    from cases.sla.business_time import OpenTimeIndex

    answered = Case.objects.filter(first_response_at__isnull=False).order_by("pk")
    span = answered.aggregate(first=Min("created_at"), last=Max("first_response_at"))
    if span["first"] is None:
        return
    first = span["first"].date() - timedelta(days=2)
    last = max(span["last"], span["first"]).date() + timedelta(days=2)
    indexes: dict[object, OpenTimeIndex] = {}
    last_pk = 0
    while True:
        rows = list(answered.filter(pk__gt=last_pk).values(*_FILL_FIELDS)[: CHUNK * 5])
        if not rows:
            return
        last_pk = rows[-1]["id"]
        calendars.load_teams(row["team_id"] for row in rows)
        minutes = []
        for row in rows:
            calendar = calendars.calendar(row)
            index = indexes.get(calendar)
            if index is None:
                index = indexes[calendar] = OpenTimeIndex(calendar, first, last)
            start, end = row["created_at"], row["first_response_at"]
            minutes.append(
                index.minutes_between(start, end) if index.covers(start, end)
                else calendars.business_minutes(row, start, end)
            )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reports_casefact f SET first_response_business_minutes = v.m "
                "FROM unnest(%s::bigint[], %s::float8[]) AS v(id, m) WHERE f.case_id = v.id",
                [[row["id"] for row in rows], minutes],
            )


def rebuild_all() -> dict[str, int]:
    """Recompute every fact and every daily row from the cases (in one transaction)."""
    from cases.models import CaseEvent

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            cursor.execute("DELETE FROM reports_casefact")
        state = _state()
        cutoff = timezone.now() - timedelta(seconds=settings.REPORTS_REFRESH_LAG_SECONDS)
        top = (
            CaseEvent.objects.filter(created_at__lt=cutoff)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        ) or 0
        with connection.cursor() as cursor:
            cursor.execute(_FACTS_SQL)
            count = cursor.rowcount
        _fill_first_response(_Calendars())
        _rollup(None)
        # Events of the last moments (some may still be committing) are read by the next run.
        state.event_watermark = top
        state.rebuilt_at = state.refreshed_at = timezone.now()
        state.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_casefact")
        cursor.execute("ANALYZE reports_dailyfigure")
    return {"cases": count}


def figures_version() -> str:
    """Changes whenever the figures may have changed (for caches and ETags)."""
    state = FigureState.objects.order_by("pk").values_list("refreshed_at", flat=True).first()
    return state.isoformat() if state else "never"
