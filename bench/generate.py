"""The synthetic data set of the benchmarks, loaded with PostgreSQL COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/citizencrm_bench \\
        python manage.py generate_bench_data --cases 1000000

Empties every application table of the database first, so it refuses a database whose name
lacks "bench". What it loads (full size; citizens and responses scale with --cases):

- 2 agencies, 20 teams each, every team with its own business calendar (office hours,
  extended hours or 24/7, recurring holidays), 5 agents per team, 4 supervisors and an admin
  per agency; 20 service categories per agency (one per owning team), SLA policies per
  priority with an escalation level at the breach, a default survey with 4 questions;
- 200k citizens (accented names, normalised search/address keys as the app computes them);
- 1M cases with unique references in the normal format, 30 % open (new/open/in progress/
  waiting on citizen), the rest resolved (last 7 days) or closed; skewed category, priority
  and channel mixes; SLA columns as the SLA engine would have them (policy, deadlines in the
  team's calendar, consumed minutes, state, once-only markers, next check of open cases);
- 3-10 timeline events per case (written by one INSERT … SELECT on the server);
- 100k survey responses to invitations of closed cases (consenting citizens with an email),
  140k invitations in all (answered, sent or expired), 3-4 answers per response.

Speed: no per-row foreign-key triggers (session_replication_role = replica: the generator
writes consistent ids itself, and tests/bench checks the relations) and secondary indexes
dropped during the load and rebuilt afterwards. SLA deadlines come from `FastCalendar`, the
team calendars unrolled into intervals once (bisect per case instead of walking the
calendar); tests/bench checks it against `cases.sla` and the SLA engine.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bench.copying import (
    _copy,
    _secondary_indexes,
    check_bench_database,
)
from bench.fast_calendar import (
    HOURS,
    RECURRING_HOLIDAYS,
    FastCalendar,
)
from bench.vocabulary import (
    CATEGORY_TEXT,
    CHANNEL_MIX,
    CITIES,
    CSAT_MIX,
    FIRST_NAMES,
    LAST_NAMES,
    OPEN_STATUSES,
    POLICY_TARGETS,
    PRIORITY_MIX,
    RESOLUTION_MIX,
    STATUS_MIX,
    STREET_KINDS,
    STREETS,
    TEAM_NAMES,
    WARNING_PERCENT,
    _picker,
    _suffix,
)

FULL_CASES = 1_000_000
KEEP_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}
BULK_TABLES = (
    "citizens_citizen",
    "cases_case",
    "cases_caseevent",
    "feedback_surveyinvitation",
    "feedback_surveyresponse",
    "feedback_answer",
)
MIDNIGHT = dtime(0)
DAY = 86400.0


@dataclass
class World:
    agencies: list[Any]
    teams: dict[int, list[Any]]  # agency id → teams
    team_hours: dict[int, str]  # team id → HOURS key
    agents: dict[int, list[int]]  # team id → user ids
    categories: dict[int, list[Any]]  # agency id → categories
    policies: dict[tuple[int, str], Any]  # (agency id, priority) → policy
    surveys: dict[int, Any]
    questions: dict[int, dict[str, Any]]  # survey id → code → question
    calendars: dict[tuple[str, str], FastCalendar] = field(default_factory=dict)


def _world(rnd: random.Random, now: datetime) -> World:
    from django.contrib.auth import get_user_model

    from agencies.models import (
        Agency,
        BusinessCalendar,
        Holiday,
        OpeningInterval,
        StaffMember,
        Team,
    )
    from cases.models import ServiceCategory, SlaEscalationLevel, SlaPolicy
    from feedback.models import Question, Survey

    user_model = get_user_model()
    world = World([], {}, {}, {}, {}, {}, {}, {})
    specs = [("metro", "Metro City Services", "America/Chicago"),
             ("state", "State Revenue Department", "America/New_York")]  # fmt: skip
    for slug, name, zone in specs:
        agency = Agency.objects.create(name=name, slug=slug, timezone=zone,
                                       contact_email=f"info@{slug}.example.gov")  # fmt: skip
        world.agencies.append(agency)
        teams = []
        for index, team_name in enumerate(TEAM_NAMES):
            hours = "always" if index % 10 == 9 else "extended" if index % 5 == 4 else "office"
            label = team_name.replace("-", " ")
            calendar = BusinessCalendar.objects.create(
                agency=agency, name=f"{label} hours", timezone=zone
            )
            OpeningInterval.objects.bulk_create(
                OpeningInterval(calendar=calendar, weekday=day, start=start, end=end)
                for day, spans in HOURS[hours].items()
                for start, end in spans
            )
            Holiday.objects.bulk_create(
                Holiday(calendar=calendar, date=date(2024, month, day), name=holiday,
                        recurring=True)
                for month, day, holiday in RECURRING_HOLIDAYS
            )  # fmt: skip
            team = Team.objects.create(agency=agency, name=label, slug=team_name.lower(),
                                       calendar=calendar)  # fmt: skip
            teams.append(team)
            world.team_hours[team.pk] = hours
        world.teams[agency.pk] = teams
        # Staff: 5 agents per team, 4 supervisors (5 teams each), one admin.
        people = []
        for index, team in enumerate(teams):
            for k in range(5):
                people.append((f"{slug}-agent-{index:02d}-{k}", "agent", [team]))
        for k in range(4):
            people.append((f"{slug}-supervisor-{k}", "supervisor", teams[k * 5 : k * 5 + 5]))
        people.append((f"{slug}-admin", "admin", []))
        users = user_model.objects.bulk_create(
            user_model(username=username, password="!", email=f"{username}@{slug}.example.gov",  # noqa: S106
                       first_name=rnd.choice(FIRST_NAMES), last_name=rnd.choice(LAST_NAMES),
                       date_joined=now - timedelta(days=800))
            for username, _role, _teams in people
        )  # fmt: skip
        members = StaffMember.objects.bulk_create(
            StaffMember(user=user, agency=agency, role=role)
            for user, (_u, role, _t) in zip(users, people, strict=True)
        )
        links = []
        for member, (_u, role, member_teams) in zip(members, people, strict=True):
            for team in member_teams:
                links.append(StaffMember.teams.through(staffmember=member, team=team))
                if role == "agent":
                    world.agents.setdefault(team.pk, []).append(member.user_id)
        StaffMember.teams.through.objects.bulk_create(links)
        # Catalogue: one category per team.
        categories = []
        for order, team in enumerate(teams):
            code, title, _text = CATEGORY_TEXT[TEAM_NAMES[order]]
            categories.append(ServiceCategory(
                agency=agency, code=code, name={"en": title, "es": title}, owning_team=team,
                group={"en": "Services", "es": "Servicios"}, order=order,
            ))  # fmt: skip
        world.categories[agency.pk] = ServiceCategory.objects.bulk_create(categories)
        default = SlaPolicy.objects.create(
            agency=agency, name="Default", first_response_minutes=480, resolution_minutes=4800
        )
        SlaEscalationLevel.objects.create(policy=default, level=1, after_minutes=0)
        for priority, (first, resolution) in POLICY_TARGETS.items():
            policy = SlaPolicy.objects.create(
                agency=agency, name=f"{priority.title()} priority", priority=priority,
                first_response_minutes=first, resolution_minutes=resolution,
                warning_percent=WARNING_PERCENT,
            )  # fmt: skip
            SlaEscalationLevel.objects.create(policy=policy, level=1, after_minutes=0)
            world.policies[(agency.pk, priority)] = policy
        survey = Survey.objects.create(
            agency=agency, name="Satisfaction", is_default=True,
            title={"en": "How did we do?", "es": "¿Qué tal lo hicimos?"},
        )  # fmt: skip
        questions = [
            Question(survey=survey, code="resolved", kind="yes_no", is_resolution=True, order=0,
                     required=True),
            Question(survey=survey, code="csat", kind="csat", order=1, required=True,
                     text={"en": "How satisfied are you?", "es": "¿Qué tan satisfecho está?"}),
            Question(survey=survey, code="recommend", kind="nps", order=2,
                     text={"en": "Would you recommend us?", "es": "¿Nos recomendaría?"}),
            Question(survey=survey, code="comment", kind="text", order=3,
                     text={"en": "Anything to add?", "es": "¿Algo más?"}),
        ]  # fmt: skip
        Question.objects.bulk_create(questions)
        world.surveys[agency.pk] = survey
        world.questions[survey.pk] = {q.code: q for q in questions}
    first, last = (now - timedelta(days=800)).date(), (now + timedelta(days=400)).date()
    for agency in world.agencies:
        for hours, weekly in HOURS.items():
            world.calendars[(agency.timezone, hours)] = FastCalendar(
                agency.timezone, weekly, [(m, d) for m, d, _n in RECURRING_HOLIDAYS], first, last
            )
    return world


# --- the generator --------------------------------------------------------------------------


def sizes(cases: int) -> dict[str, int]:
    return {
        "cases": cases,
        "citizens": max(cases // 5, 200),
        "responses": max(cases // 10, 50),
    }


def generate(
    *, cases: int = FULL_CASES, seed: int = 2026, now: datetime | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:  # fmt: skip
    """Empty the bench database and load the data set; returns counts and timings."""
    from django.db import connection, transaction

    check_bench_database()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    size = sizes(cases)
    rnd = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    timings: dict[str, float] = {}
    started = time.monotonic()

    def step(name: str, began: float) -> None:
        timings[name] = round(time.monotonic() - began, 1)
        log(f"  {name}: {timings[name]} s")

    with connection.cursor() as cursor:
        began = time.monotonic()
        tables = sorted(set(connection.introspection.django_table_names(only_existing=True))
                        - KEEP_TABLES)  # fmt: skip
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        step("reset", began)
        began = time.monotonic()
        with transaction.atomic():
            world = _world(rnd, now)
        step("world", began)

        cursor.execute("SET session_replication_role = replica")  # no per-row FK triggers
        cursor.execute("SET maintenance_work_mem = '256MB'")
        dropped = []
        for table in BULK_TABLES:
            for name, definition in _secondary_indexes(cursor, table):
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append(definition)
        try:
            began = time.monotonic()
            citizens = _citizens(cursor, rnd, size["citizens"], now)
            step(f"citizens ({size['citizens']:,})", began)
            began = time.monotonic()
            _cases(cursor, rnd, world, citizens, cases, now)
            step(f"cases ({cases:,})", began)
            began = time.monotonic()
            events = _events(cursor, now)
            step(f"events ({events:,})", began)
            began = time.monotonic()
            invitations = _surveys(cursor, rnd, world, size["responses"], now)
            step(f"survey invitations, responses, answers ({invitations:,} invitations)", began)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
            began = time.monotonic()
            for definition in dropped:
                cursor.execute(definition)
            step(f"indexes rebuilt ({len(dropped)})", began)
        began = time.monotonic()
        for table in BULK_TABLES:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 (fixed names)
                "(SELECT COALESCE(MAX(id), 0) + 1 FROM " + table + "), false)",
                [table],
            )
        cursor.execute("ANALYZE")
        step("analyze", began)
    counts = counts_now()
    total = round(time.monotonic() - started, 1)
    log(f"generated in {total} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return {"seconds": total, "steps": timings, "counts": counts, "now": now.isoformat()}


def counts_now() -> dict[str, int]:
    from django.db import connection

    tables = {
        "agencies": "agencies_agency", "teams": "agencies_team",
        "calendars": "agencies_businesscalendar", "staff": "agencies_staffmember",
        "categories": "cases_servicecategory", "citizens": "citizens_citizen",
        "cases": "cases_case", "case_events": "cases_caseevent",
        "survey_invitations": "feedback_surveyinvitation",
        "survey_responses": "feedback_surveyresponse", "answers": "feedback_answer",
    }  # fmt: skip
    out = {}
    with connection.cursor() as cursor:
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            out[key] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE status = ANY(%s)", [list(OPEN_STATUSES)]
        )
        out["open_cases"] = cursor.fetchone()[0]
    return out


@dataclass
class Citizens:
    count: int
    spanish: bytearray  # 1: prefers Spanish


def _citizens(cursor: Any, rnd: random.Random, count: int, now: datetime) -> Citizens:
    from citizens import normalise
    from citizens.models import Citizen

    spanish = bytearray(count + 1)
    keys: dict[tuple[str, str], tuple[str, str]] = {}

    def rows() -> Iterable[dict[str, Any]]:
        for pk in range(1, count + 1):
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            if (first, last) not in keys:
                folded = normalise.search_name(first, last)
                local = "".join(ch for ch in folded if (ch.isascii() and ch.isalnum()) or ch == " ")
                keys[(first, last)] = (folded, local.replace(" ", "."))
            folded, local = keys[(first, last)]
            zone = "America/Chicago" if pk % 5 < 3 else "America/New_York"
            city, region, zip_prefix = CITIES[zone]
            line1 = f"{rnd.randint(1, 9999)} {rnd.choice(STREETS)} {rnd.choice(STREET_KINDS)}"
            postal = f"{zip_prefix}{rnd.randint(0, 99):02d}"
            created = now - timedelta(seconds=rnd.randint(int(DAY), int(1100 * DAY)))
            es = rnd.random() < 0.2
            spanish[pk] = es
            consent_contact = rnd.random() < 0.85
            consent_surveys = rnd.random() < 0.75
            has_address = rnd.random() < 0.8
            yield {
                "id": pk, "created_at": created, "updated_at": created,
                "first_name": first, "last_name": last,
                "email": f"{local}.{pk}@example.org" if rnd.random() < 0.9 else "",
                "phone": f"+1{rnd.choice(('312', '773', '518', '212'))}555{pk % 10000:04d}"
                if rnd.random() < 0.8 else "",
                "address_line1": line1 if has_address else "",
                "city": city if has_address else "", "region": region if has_address else "",
                "postal_code": postal if has_address else "",
                "address_key": normalise.address_key(line1, postal) if has_address else "",
                "preferred_language": "es" if es else "en",
                "preferred_channel": rnd.choice(("email", "email", "phone", "")),
                "consent_contact": consent_contact,
                "consent_contact_at": created if consent_contact else None,
                "consent_surveys": consent_surveys,
                "consent_surveys_at": created if consent_surveys else None,
                "search_name": folded,
            }  # fmt: skip

    base = {"address_line2": "", "anonymised_at": None, "merged_into_id": None,
            "merged_at": None, "merged_by_id": None}  # fmt: skip
    _copy(cursor, Citizen, rows(), base)
    return Citizens(count, spanish)


def _cases(
    cursor: Any, rnd: random.Random, world: World, citizens: Citizens, count: int, now: datetime
) -> None:
    from cases.models import Case

    now_ts = now.timestamp()
    pick_status = _picker(rnd, STATUS_MIX)
    pick_priority = _picker(rnd, PRIORITY_MIX)
    pick_channel = _picker(rnd, CHANNEL_MIX)
    pick_resolution = _picker(rnd, RESOLUTION_MIX)
    agencies = world.agencies
    category_pickers = {
        a.pk: _picker(rnd, [(c, 100 // (i + 1) + 1) for i, c in enumerate(world.categories[a.pk])])
        for a in agencies
    }
    team_by_id = {team.pk: team for teams in world.teams.values() for team in teams}

    # Status and creation time first; ids then follow creation time, as in real life.
    plan: list[tuple[float, str, float]] = []  # (created, status, resolved or paused instant)
    for _ in range(count):
        status = pick_status()
        resolved = 0.0
        if status == "new":
            created = now_ts - rnd.uniform(60, 3 * DAY)
        elif status in OPEN_STATUSES:
            created = now_ts - min(rnd.expovariate(1 / 6), 45) * DAY - 600
        elif status == "resolved":
            resolved = now_ts - rnd.uniform(600, 7 * DAY - 600)
            created = resolved - rnd.uniform(0.1, 20) * DAY
        else:
            created = now_ts - rnd.uniform(90, 730) * DAY
        plan.append((created, status, resolved))
    plan.sort()
    suffixes = rnd.sample(range(32**6), count)

    base = {
        "attributes": "{}", "address": "", "latitude": None, "longitude": None,
        "assignee_id": None, "opened_at": None, "first_response_at": None, "resolved_at": None,
        "closed_at": None, "resolution_code": "", "citizen_contacted": None,
        "reporter_email": "", "reporter_name": "", "updates_opted_out": False, "media_url": "",
        "sla_consumed_minutes": 0.0, "sla_clock_started_at": None, "sla_paused": False,
        "sla_escalation_level": 0, "sla_first_response_warned_at": None,
        "sla_first_response_breached_at": None, "sla_warned_at": None, "sla_breached_at": None,
        "next_check_at": None, "first_response_due_at": None, "resolution_due_at": None,
    }  # fmt: skip

    def when(ts: float | None) -> datetime | None:
        return None if ts is None else datetime.fromtimestamp(ts, UTC)

    def rows() -> Iterable[dict[str, Any]]:
        for pk, (created, status, resolved) in enumerate(plan, start=1):
            agency = agencies[0] if rnd.random() < 0.6 else agencies[1]
            category = category_pickers[agency.pk]()
            team = team_by_id[category.owning_team_id]
            cal = world.calendars[(agency.timezone, world.team_hours[team.pk])]
            priority = pick_priority()
            policy = world.policies[(agency.pk, priority)]
            fr_target, res_target = POLICY_TARGETS[priority]
            channel = pick_channel()
            citizen_id = None
            language = "en"
            row: dict[str, Any] = {}
            if rnd.random() < 0.88:
                citizen_id = int(citizens.count * rnd.random() ** 1.3) + 1
                language = "es" if citizens.spanish[citizen_id] else "en"
            elif channel in ("web", "open311", "email") and rnd.random() < 0.6:
                row["reporter_email"] = f"reporter{pk}@example.net"
                row["reporter_name"] = rnd.choice(FIRST_NAMES)
            code, _title, text = CATEGORY_TEXT[TEAM_NAMES[world.categories[agency.pk].index(
                category)]]  # fmt: skip
            street = f"{rnd.randint(1, 9999)} {rnd.choice(STREETS)} {rnd.choice(STREET_KINDS)}"
            row["description"] = f"{text} {street}. Reference {code}-{pk}."
            if rnd.random() < 0.6:
                row["address"] = street
                if channel in ("web", "open311"):
                    row["latitude"] = f"{41.6 + rnd.random() * 0.4:.6f}"
                    row["longitude"] = f"{-87.9 + rnd.random() * 0.4:.6f}"
            created_dt = when(created)
            year = created_dt.astimezone(ZoneInfo(agency.timezone)).year
            row.update(
                id=pk, reference=f"CRM-{year}-{_suffix(suffixes[pk - 1])}",
                agency_id=agency.pk, citizen_id=citizen_id, category_id=category.pk,
                channel=channel, priority=priority, status=status, team_id=team.pk,
                created_at=created_dt, language=language, sla_policy_id=policy.pk,
            )  # fmt: skip
            if status != "new":
                row["assignee_id"] = rnd.choice(world.agents[team.pk])
                row["opened_at"] = when(min(created + rnd.uniform(60, 7200), now_ts))
            # Business minutes to the first response (None: not yet) and their instant.
            fr_run = fr_target * rnd.lognormvariate(-0.5, 0.7)
            fr_at = cal.add_ts(created, fr_run)
            if status in ("new",) or (status == "open" and rnd.random() < 0.5) or fr_at > now_ts:
                fr_at = None
            row["first_response_at"] = when(fr_at)
            fr_due = cal.add_ts(created, fr_target)
            res_due = cal.add_ts(created, res_target)
            row["first_response_due_at"] = when(fr_due)
            row["resolution_due_at"] = when(res_due)
            if status in ("resolved", "closed"):
                if status == "resolved":
                    consumed = cal.between_ts(created, resolved)
                else:
                    consumed = min(res_target * rnd.lognormvariate(-0.6, 0.6), res_target * 2.5)
                    resolved = cal.add_ts(created, consumed)
                row.update(
                    resolved_at=when(resolved), resolution_code=pick_resolution(),
                    citizen_contacted=rnd.random() < 0.85, sla_consumed_minutes=consumed,
                    sla_state="met" if consumed <= res_target else "breached",
                )  # fmt: skip
                if status == "closed":
                    row["closed_at"] = when(resolved + 7 * DAY)
                if fr_at is None or fr_at > resolved:  # answered at the latest on resolution
                    fr_at = resolved
                    row["first_response_at"] = when(fr_at)
                fr_open_run = cal.between_ts(created, fr_at)
                _markers(row, cal, created, consumed, fr_open_run, fr_target, res_target, when)
                row["updated_at"] = row.get("closed_at") or row["resolved_at"]
            else:
                paused = status == "waiting_on_citizen"
                until = created + (now_ts - created) * rnd.uniform(0.3, 0.9) if paused else now_ts
                consumed = cal.between_ts(created, until)
                fr_open = fr_at is None
                fr_run_at = consumed if fr_open else cal.between_ts(created, fr_at)
                _markers(row, cal, created, consumed, fr_run_at, fr_target, res_target, when)
                breached = consumed >= res_target or (fr_open and consumed >= fr_target)
                warned = consumed >= res_target * WARNING_PERCENT / 100 or (
                    fr_open and consumed >= fr_target * WARNING_PERCENT / 100
                )
                if paused:
                    row.update(
                        sla_consumed_minutes=consumed, sla_paused=True,
                        sla_state="breached" if breached else "paused", resolution_due_at=None,
                    )  # fmt: skip
                    if fr_open:
                        row["first_response_due_at"] = None
                else:
                    row.update(
                        sla_clock_started_at=created_dt,
                        sla_state="breached" if breached else "at_risk" if warned else "ok",
                    )  # fmt: skip
                    ahead = [m for m in _thresholds(fr_open, fr_target, res_target)
                             if m > consumed]  # fmt: skip
                    if ahead:
                        row["next_check_at"] = when(cal.add_ts(created, min(ahead)))
                row["updated_at"] = when(until if paused else (fr_at or created))
            yield row

    _copy(cursor, Case, rows(), base)


def _thresholds(fr_open: bool, fr_target: float, res_target: float) -> list[float]:
    share = WARNING_PERCENT / 100
    out = [res_target * share, float(res_target)]  # breach and escalation level 1 (+0)
    if fr_open:
        out += [fr_target * share, float(fr_target)]
    return out


def _markers(
    row: dict[str, Any], cal: FastCalendar, created: float, consumed: float, fr_run: float,
    fr_target: float, res_target: float, when: Callable[[float], datetime | None],
) -> None:  # fmt: skip
    """Once-only SLA markers of the thresholds the clock has passed, at their instants."""
    share = WARNING_PERCENT / 100
    for minutes, run, marker in (
        (fr_target * share, fr_run, "sla_first_response_warned_at"),
        (fr_target, fr_run, "sla_first_response_breached_at"),
        (res_target * share, consumed, "sla_warned_at"),
        (res_target, consumed, "sla_breached_at"),
    ):
        if run >= minutes:
            row[marker] = when(cal.add_ts(created, minutes))
    if consumed >= res_target:
        row["sla_escalation_level"] = 1


EVENTS_SQL = """
INSERT INTO cases_caseevent (case_id, kind, actor_id, actor_label, created_at, body,
                             is_public, data)
SELECT c.id,
       CASE WHEN g.n = 1 THEN 'created'
            ELSE (ARRAY['note', 'public_update', 'status', 'assignment', 'contact', 'note',
                        'public_update', 'priority'])[1 + (c.id * 7 + g.n * 13) %% 8] END,
       CASE WHEN g.n = 1 THEN NULL ELSE c.assignee_id END,
       '',
       c.created_at + (LEAST(COALESCE(c.closed_at, c.resolved_at, %(now)s), %(now)s)
                       - c.created_at) * ((g.n - 1)::float / t.total),
       CASE WHEN g.n = 1 THEN '' ELSE 'Bench timeline entry ' || g.n END,
       g.n > 1 AND (c.id + g.n) %% 3 = 0,
       CASE WHEN g.n = 1
            THEN json_build_object('channel', c.channel, 'team', c.team_id)::jsonb
            ELSE '{}'::jsonb END
FROM cases_case c
CROSS JOIN LATERAL (SELECT 3 + ((c.id * 2654435761) %% 8)::int AS total) t
CROSS JOIN LATERAL generate_series(1, t.total) AS g(n)
"""


def _events(cursor: Any, now: datetime) -> int:
    """3 to 10 events per case, on the server: 'created' first, then notes, updates, …"""
    cursor.execute(EVENTS_SQL, {"now": now})
    return cursor.rowcount


def _surveys(cursor: Any, rnd: random.Random, world: World, responses: int, now: datetime) -> int:
    from django.conf import settings

    from feedback.models import Answer, SurveyInvitation, SurveyResponse

    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    wanted = int(responses * 1.4)
    # Invitable closed cases, as the "case closed" hook would have chosen them.
    cursor.execute(
        "SELECT c.id, c.citizen_id, c.agency_id, c.category_id, c.team_id, c.assignee_id, "
        "z.email, c.language, c.closed_at FROM cases_case c "
        "JOIN citizens_citizen z ON z.id = c.citizen_id "
        "WHERE c.status = 'closed' AND c.citizen_contacted AND c.resolution_code NOT IN "
        "('duplicate', 'spam') AND z.consent_surveys AND z.email <> '' "
        "ORDER BY (c.id * 2654435761) %% 1000003, c.id LIMIT %s",
        [wanted],
    )
    cases = cursor.fetchall()
    rnd.shuffle(cases)
    now_ts = now.timestamp()
    invitations, answered = [], []
    for pk, (case_id, citizen_id, agency_id, category_id, team_id, agent_id, email, language,
             closed_at) in enumerate(cases, start=1):  # fmt: skip
        survey = world.surveys[agency_id]
        sent = closed_at + timedelta(hours=1)
        expires = sent + timedelta(days=settings.SURVEY_EXPIRY_DAYS)
        row = {
            "id": pk, "survey_id": survey.pk, "case_id": case_id, "citizen_id": citizen_id,
            "agency_id": agency_id, "category_id": category_id, "team_id": team_id,
            "agent_id": agent_id, "email": email, "language": language,
            "send_after": sent, "sent_at": sent, "expires_at": expires, "created_at": closed_at,
            "message_id": f"<survey-invitation-{pk}@{domain}>",
            "reminder_message_id": f"<survey-reminder-{pk}@{domain}>",
        }  # fmt: skip
        if pk <= responses:
            row["status"] = "answered"
            row["answered_at"] = sent + timedelta(hours=rnd.uniform(0.2, 96))
            answered.append(row)
        elif expires.timestamp() <= now_ts:
            row["status"] = "expired"
            row["reminded_at"] = sent + timedelta(days=settings.SURVEY_REMINDER_DAYS)
        else:
            row["status"] = "sent"
            row["remind_after"] = sent + timedelta(days=settings.SURVEY_REMINDER_DAYS)
        invitations.append(row)
    base = {"lease_until": None, "claim_token": None, "attempts": 0, "last_error": "",
            "remind_after": None, "reminded_at": None, "answered_at": None,
            "cancel_reason": ""}  # fmt: skip
    _copy(cursor, SurveyInvitation, invitations, base)

    pick_csat = _picker(rnd, CSAT_MIX)
    answers = []

    def response_rows() -> Iterable[dict[str, Any]]:
        for pk, invitation in enumerate(answered, start=1):
            anonymous = rnd.random() < 0.1
            resolved = rnd.random() < 0.92
            csat = pick_csat() if resolved else rnd.choice((1, 1, 2, 3))
            questions = world.questions[invitation["survey_id"]]
            answers.append((pk, questions["resolved"].pk, int(resolved), ""))
            answers.append((pk, questions["csat"].pk, csat, ""))
            if rnd.random() < 0.8:
                answers.append((pk, questions["recommend"].pk, min(10, max(0, csat * 2 +
                                rnd.randint(-2, 1))), ""))  # fmt: skip
            if rnd.random() < 0.25:
                text = rnd.choice(("Thank you, quick and friendly.", "Took far too long.",
                                   "Nobody called me back.", "Great service!"))  # fmt: skip
                answers.append((pk, questions["comment"].pk, None, text))
            yield {
                "id": pk, "survey_id": invitation["survey_id"],
                "agency_id": invitation["agency_id"],
                "invitation_id": None if anonymous else invitation["id"],
                "case_id": None if anonymous else invitation["case_id"],
                "category_id": invitation["category_id"], "team_id": invitation["team_id"],
                "agent_id": invitation["agent_id"], "anonymous": anonymous,
                "language": invitation["language"], "reopened_case": not resolved,
                "submitted_at": invitation["answered_at"],
            }  # fmt: skip

    _copy(cursor, SurveyResponse, response_rows(), {})
    _copy(
        cursor,
        Answer,
        ({"id": i, "response_id": r, "question_id": q, "number": n, "choice": "", "text": t}
         for i, (r, q, n, t) in enumerate(answers, start=1)),
        {},
    )  # fmt: skip
    return len(invitations)


def dump(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2)
