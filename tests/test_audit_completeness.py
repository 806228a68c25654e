"""Every public function of every `*/services.py` that writes also writes an AuditEvent.

Each service function needs a scenario here that calls it realistically (or an exemption with
its reason). The scenario runs with every SQL statement captured: if it inserted, updated or
deleted anything but audit rows, it must also have inserted an audit row. A new service
without a scenario fails this test, so nobody can add an unaudited writer by accident.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from core.audit_presenters import known_actions, present_events
from core.models import AuditEvent
from tests.audit_scenarios import SCENARIOS, World

EXEMPT: dict[str, str] = {
    "core.services.audit_record": "writes the audit row itself",
    "agencies.services.calendar_changed": "the calendar edit is audited by its caller (a "
    "calendar service or the admin save); the cases it recomputes are audited by the hook",
    "citizens.services.citizen_subject_access_exported": "its only write is the audit row (the "
    "record of a disclosure); tests/cases/test_subject_access.py checks it",
    "core.services.api_token_hash": "a pure function",
    "cases.services.case_location_check": "a check that writes nothing (raises for a missing "
    "place or one outside the service area); tests/cases/public/test_request_street.py",
    "reports.services.cases_export_record": "its only write is the audit row (the record of a "
    "case export); tests/reports/test_case_export.py checks it",
    "core.services.api_token_authenticate": "a read; it only stamps last_used_at (shown to "
    "the token's owner), at most once a minute",
    "agencies.services.agency_admins_group_sync": "deployment set-up run by migrate: grants the "
    "group what the code lists (the same on every installation, nobody's decision)",
    "core.services.audit_record_many": "writes the audit rows themselves",
    "core.services.outbox_enqueue": "records work on behalf of an audited caller, same transaction",
    "core.services.email_enqueue": "records work on behalf of an audited caller, same transaction",
    "core.services.outbox_publish": "delivery plumbing: marks rows published; visible in admin",
    "core.services.outbox_relay": "delivery plumbing run by beat; visible in the outbox admin",
    "core.services.outbox_deliver": "delivery plumbing; the handlers it runs audit themselves",
    "core.services.email_send": "sends mail, changes no stored state",
    "core.services.notification_create": "an in-app message written for an audited caller "
    "(the SLA sweep's audited events), same transaction",
    "core.services.notify_staff": "notices (in-app rows, emails in the outbox) written for an "
    "audited caller (the SLA sweep's events, a case reopened by a survey), same transaction",
    "core.services.notifications_queue_digests": "delivery plumbing: groups notifications into "
    "outbox emails; visible in the outbox admin",
    "core.services.notification_digest_send": "sends mail, changes no stored state",
    "cases.follower_services.follower_for_token": "a read: the follower a link names",
    "cases.merge_services.merge_refusal": "a read: why a merge is refused, in words",
    "cases.merge_services.unmerge_refusal": "a read: why a merge cannot be undone, in words",
}


PROJECT_APPS = (
    "core", "agencies", "citizens", "cases", "open311", "inbound", "feedback", "reports",
    "visits", "citizen_import", "segments",
)  # fmt: skip


def _exists(module_name: str) -> bool:
    try:
        return find_spec(module_name) is not None
    except ModuleNotFoundError:  # its parent package does not exist
        return False


def _service_functions() -> list[str]:
    """Every public function of every services module of the project's apps: `services.py`,
    and `*services.py` anywhere inside an app (e.g. `cases.sla.services`)."""
    names = []
    for config in apps.get_app_configs():
        if not config.name.startswith(PROJECT_APPS):
            continue
        root = Path(config.path)
        for path in sorted(root.rglob("*services.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(root).with_suffix("")
            module_name = ".".join([config.name, *relative.parts])
            if not _exists(module_name):
                continue
            module = importlib.import_module(module_name)
            for name, func in inspect.getmembers(module, inspect.isfunction):
                if not name.startswith("_") and func.__module__ == module_name:
                    names.append(f"{module_name}.{name}")
    return sorted(names)


SERVICES = _service_functions()


def test_every_service_function_has_a_scenario_or_a_reasoned_exemption():
    missing = [name for name in SERVICES if name not in SCENARIOS and name not in EXEMPT]
    stale = [name for name in [*SCENARIOS, *EXEMPT] if name not in SERVICES]

    assert missing == [], f"add a scenario to tests/audit_scenarios.py for: {missing}"
    assert stale == [], f"these services no longer exist; remove them: {stale}"


class _Statements:
    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql.lstrip().upper())
        return execute(sql, params, many, context)


def _writes(statements: list[str]) -> tuple[list[str], list[str]]:
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    audit = [s for s in writes if s.startswith('INSERT INTO "CORE_AUDITEVENT"')]
    other = [s for s in writes if s not in audit and '"DJANGO_SESSION"' not in s]
    return other, audit


@pytest.mark.django_db
@pytest.mark.parametrize("service", [s for s in SERVICES if s in SCENARIOS])
def test_service_that_writes_writes_an_audit_event(service):
    world = World.build()
    call: Callable[[], object] = SCENARIOS[service](world)  # set-up happens here, unrecorded
    recorder = _Statements()

    with connection.execute_wrapper(recorder):
        call()

    other, audit = _writes(recorder.sql)
    assert other, f"scenario for {service} wrote nothing: make it exercise a real change"
    assert audit, f"{service} wrote {other[:3]} without an AuditEvent"

    # ... and the audit page can say it in words (core.audit_presenters).
    events = list(AuditEvent.objects.select_related("actor_user"))
    unsaid = sorted({event.action for event in events} - known_actions())
    assert unsaid == [], f"give {unsaid} a sentence in the writing app's audit_presenters.py"
    for row in present_events(events, viewer=world.supervisor):
        assert row.event.action not in row.what
