"""Helpers for the SLA tests: a controllable clock, local times, policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone as dj_timezone

CHICAGO = ZoneInfo("America/Chicago")


def chi(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    """An instant given as Chicago wall time (the test world's calendar zone)."""
    return datetime(y, mo, d, h, mi, s, tzinfo=CHICAGO)


def utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class Clock:
    """What `django.utils.timezone.now()` answers while the `clock` fixture is active."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> datetime:
        self.now = value.astimezone(UTC)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _time_fields():
    from cases.models import Case, CaseEvent
    from core.models import AuditEvent, Notification, OutboxMessage

    return [
        Case._meta.get_field("created_at"),
        CaseEvent._meta.get_field("created_at"),
        AuditEvent._meta.get_field("occurred_at"),
        Notification._meta.get_field("created_at"),
        OutboxMessage._meta.get_field("created_at"),
        OutboxMessage._meta.get_field("available_at"),
    ]


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Freeze "now" (services, model defaults, auto_now) at Monday 2 March 2026 09:00 Chicago."""
    fake = Clock(chi(2026, 3, 2, 9))
    monkeypatch.setattr(dj_timezone, "now", fake)
    for field in _time_fields():
        monkeypatch.setattr(field, "_get_default", fake)
    return fake


def make_policy(world, name: str = "Standard", **fields):
    from cases.models import SlaPolicy

    values = {"first_response_minutes": 60, "resolution_minutes": 240, "warning_percent": 75}
    values.update(fields)
    return SlaPolicy.objects.create(
        agency=fields.pop("agency", world.agency),
        name=name,
        **{k: v for k, v in values.items() if k != "agency"},
    )


def make_level(policy, level: int, after_minutes: int, **fields):
    from cases.models import SlaEscalationLevel

    return SlaEscalationLevel.objects.create(
        policy=policy, level=level, after_minutes=after_minutes, **fields
    )
