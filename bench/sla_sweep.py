"""Benchmark: one SLA sweep over N cases of which `--due` are due now.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \\
        python bench/sla_sweep.py --cases 1000000 --due 1000

Loads N cases with PostgreSQL COPY into its own database (created and migrated if missing;
the case, event, notification, audit and outbox tables are emptied first, so refuse to run
against a database whose name lacks "bench" unless --force), 75 % of them open with a
next check in the next 30 days, the rest resolved or closed. `--due` open cases are due now: past
their resolution target with the warning already on record, under a business-hours policy
whose escalation level 1 notifies the team's two supervisors at the breach, so each due case
records a breach and an escalation, four in-app notifications and two audit rows, and the run
queues one digest email per supervisor. Then it prints the EXPLAIN (ANALYZE, BUFFERS) of the
claim query, runs the sweep once (and once more, to show a rerun finds nothing), EXPLAINs the
claim again with a backlog of `--backlog` due cases, and merges its figures into
bench/results/latest.json under "sla_sweep".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencrm.settings")
RESULTS = ROOT / "bench" / "results" / "latest.json"


def _setup_django(force: bool) -> None:
    from citizencrm import devstack

    url = os.environ["DATABASE_URL"]
    if "bench" not in url.rsplit("/", 1)[-1] and not force:
        sys.exit(f"refusing to empty tables of {url!r}: use a *bench* database or --force")
    devstack.ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_caseevent, cases_attachment, cases_referral, cases_case, "
            "core_notification, core_auditevent, core_outboxmessage RESTART IDENTITY CASCADE"
        )


def _world():
    """An agency, its office calendar, a team with two supervisors, a category, the policy."""
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, StaffMember
    from agencies.services import calendar_create, team_create
    from cases.models import ServiceCategory, SlaEscalationLevel, SlaPolicy

    agency, _ = Agency.objects.get_or_create(
        slug="bench", defaults={"name": "Bench Agency", "timezone": "America/Chicago"}
    )
    team = agency.teams.filter(slug="bench").first()
    if team is None:
        hours = [(day, dtime(8), dtime(12)) for day in range(5)] + [
            (day, dtime(13), dtime(17)) for day in range(5)
        ]
        calendar = calendar_create(agency=agency, name="Office", intervals=hours, actor=None)
        team = team_create(agency=agency, name="Bench", slug="bench", calendar=calendar, actor=None)
    for name in ("sup1", "sup2"):
        user, created = get_user_model().objects.get_or_create(
            username=f"bench-{name}", defaults={"email": f"{name}@example.org"}
        )
        if created:
            member = StaffMember.objects.create(user=user, agency=agency, role="supervisor")
            member.teams.set([team])
    category, _ = ServiceCategory.objects.get_or_create(
        agency=agency, code="bench", defaults={"name": {"en": "Bench"}, "owning_team": team}
    )
    policy, created = SlaPolicy.objects.get_or_create(
        agency=agency,
        category=None,
        priority="",
        defaults={
            "name": "Bench default",
            "first_response_minutes": 60,
            "resolution_minutes": 480,
            "business_hours": True,
        },
    )
    if created:
        SlaEscalationLevel.objects.create(policy=policy, level=1, after_minutes=0)
        SlaEscalationLevel.objects.create(policy=policy, level=2, after_minutes=480)
    return agency, team, category, policy


def _load(count: int, due: int, now: datetime, agency, team, category, policy) -> float:
    """COPY `count` cases; the first `due` open ones are due now. Returns seconds taken."""
    from django.db import connection

    from cases.models import Case

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    base = {
        "reference": None,
        "agency_id": agency.pk,
        "citizen_id": None,
        "category_id": category.pk,
        "attributes": "{}",
        "description": "Bench case",
        "address": "",
        "latitude": None,
        "longitude": None,
        "channel": "phone",
        "priority": "normal",
        "status": "open",
        "team_id": team.pk,
        "assignee_id": None,
        "created_at": None,
        "updated_at": None,
        "opened_at": None,
        "first_response_at": None,
        "resolved_at": None,
        "closed_at": None,
        "resolution_code": "",
        "citizen_contacted": None,
        "reporter_email": "",
        "reporter_name": "",
        "language": "en",
        "updates_opted_out": False,
        "sla_policy_id": policy.pk,
        "first_response_due_at": None,
        "resolution_due_at": None,
        "sla_consumed_minutes": 0.0,
        "sla_clock_started_at": None,
        "sla_paused": False,
        "sla_state": "ok",
        "sla_escalation_level": 0,
        "sla_first_response_warned_at": None,
        "sla_first_response_breached_at": None,
        "sla_warned_at": None,
        "sla_breached_at": None,
        "next_check_at": None,
    }
    missing = set(columns) - set(base)
    if missing:
        sys.exit(f"the benchmark does not know these case columns yet: {sorted(missing)}")
    order = [base_key for base_key in columns]
    rnd = random.Random(2026)  # noqa: S311 (synthetic data, not secrets)
    started = time.monotonic()
    with connection.cursor() as cursor:
        sql = f"COPY cases_case ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for index in range(count):
                row = dict(base)
                created = now - timedelta(minutes=rnd.randint(60, 60 * 24 * 60))
                row["reference"] = f"BEN-{index:09d}"
                row["created_at"] = row["updated_at"] = row["opened_at"] = created
                if index < due:  # past the resolution target, warning already on record
                    row.update(
                        first_response_at=created + timedelta(minutes=30),
                        sla_consumed_minutes=481.0 + rnd.random() * 10,
                        sla_clock_started_at=now - timedelta(minutes=1),
                        sla_warned_at=now - timedelta(hours=2),
                        sla_state="at_risk",
                        resolution_due_at=now - timedelta(seconds=rnd.randint(0, 50)),
                        next_check_at=now - timedelta(seconds=rnd.randint(0, 50)),
                    )
                elif index % 4:  # open, next check within 30 days
                    row.update(
                        status=("new", "open", "in_progress")[index % 3],
                        sla_clock_started_at=created,
                        resolution_due_at=now + timedelta(minutes=rnd.randint(60, 43200)),
                        next_check_at=now + timedelta(minutes=rnd.randint(1, 43200)),
                    )
                else:  # resolved long ago, or closed
                    closed = index % 8 == 0
                    row.update(
                        status="closed" if closed else "resolved",
                        resolved_at=created,
                        closed_at=created if closed else None,
                        resolution_code="resolved",
                        citizen_contacted=True,
                        sla_state="met",
                        sla_consumed_minutes=100.0,
                    )
                copy.write_row([row[key] for key in order])
        cursor.execute("ANALYZE cases_case")
    return time.monotonic() - started


def _explain(now: datetime, batch: int) -> tuple[list[str], float | None]:
    """EXPLAIN (ANALYZE, BUFFERS) of the claim, inside a transaction that is rolled back."""
    from django.db import connection, transaction

    from cases.sla.engine import sla_due_cases

    with transaction.atomic():
        sql, params = sla_due_cases(now, batch).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    execution = next(
        (float(line.split(":")[1].split()[0]) for line in lines if "Execution Time" in line),
        None,
    )
    return lines, execution


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument(
        "--backlog",
        type=int,
        default=100_000,
        help="afterwards, EXPLAIN the claim with this many due (0: skip)",
    )
    parser.add_argument("--force", action="store_true", help="run on a non-bench database")
    parser.add_argument("--no-write", action="store_true", help="do not update latest.json")
    args = parser.parse_args(argv)
    _setup_django(args.force)

    from django.conf import settings
    from django.db import connection

    from cases.models import Case, CaseEvent
    from cases.sla.services import sla_sweep
    from core.models import Notification, OutboxMessage

    now = datetime.now(UTC).replace(microsecond=0)
    _reset()
    world = _world()
    print(f"loading {args.cases:,} cases ({args.due:,} due) with COPY …", flush=True)
    load_seconds = _load(args.cases, args.due, now, *world)
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES).count()
    print(f"loaded in {load_seconds:.1f} s; {open_cases:,} open")

    plan, claim_ms = _explain(now, settings.SLA_SWEEP_BATCH)
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the claim query:")
    print("\n".join(f"  {line}" for line in plan))

    started = time.perf_counter()
    report = sla_sweep(now=now)
    sweep_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rerun = sla_sweep(now=now)
    rerun_seconds = time.perf_counter() - started
    events = CaseEvent.objects.filter(kind__startswith="sla_").count()
    digests = OutboxMessage.objects.filter(topic="core.notification_digest").count()
    print(f"\nsweep: {sweep_seconds:.3f} s  {report.__dict__}")
    print(f"rerun: {rerun_seconds:.3f} s  claimed {rerun.claimed}")
    print(
        f"SLA events {events:,}, notifications {Notification.objects.count():,}, "
        f"digest emails queued {digests}"
    )

    # With a backlog (the sweep was down), the claim walks the index in order and stops early.
    backlog_plan, backlog_ms = [], None
    if args.backlog:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET next_check_at = %s - interval '1 hour' WHERE id IN "
                "(SELECT id FROM cases_case WHERE status = 'open' AND next_check_at > %s "
                "LIMIT %s)",
                [now, now, args.backlog],
            )
            cursor.execute("ANALYZE cases_case")
        backlog_plan, backlog_ms = _explain(now, settings.SLA_SWEEP_BATCH)
        print(f"\nclaim with a backlog of {args.backlog:,} due cases:")
        print("\n".join(f"  {line}" for line in backlog_plan))

    figures = {
        "measured_at": now.isoformat(),
        "cases": args.cases,
        "open_cases": open_cases,
        "due": args.due,
        "load_seconds": round(load_seconds, 1),
        "sweep_seconds": round(sweep_seconds, 3),
        "rerun_seconds": round(rerun_seconds, 3),
        "goal_seconds": 2.0,
        "claimed": report.claimed,
        "breaches": report.breaches,
        "escalations": report.escalations,
        "notifications": report.notifications,
        "digest_emails": digests,
        "batch_size": settings.SLA_SWEEP_BATCH,
        "claim_query_execution_ms": claim_ms,
        "claim_query_plan": plan,
        "index_scan": any("case_sla_due_idx" in line for line in plan),
        "backlog_due": args.backlog,
        "backlog_claim_query_execution_ms": backlog_ms,
        "backlog_claim_query_plan": backlog_plan,
        "postgres": connection.cursor().connection.info.server_version,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
    }
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        data["sla_sweep"] = figures
        RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        print(f'\nwritten to {RESULTS.relative_to(ROOT)} (key "sla_sweep")')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
