"""Test helpers of the walk-in queue: an always-open office with desks."""

from __future__ import annotations

from datetime import time
from typing import Any

from visits.models import Desk, Office

ALWAYS_OPEN = [(day, time(0), time(0)) for day in range(7)]


def office_make(
    *,
    agency: Any,
    categories: list[Any],
    slug: str = "front-desk",
    desks: tuple[str, ...] = ("Desk 1", "Desk 2"),
    calendar: Any = None,
) -> Office:
    """An office open around the clock (unless `calendar` is given) with desks for everything."""
    from agencies.services import calendar_create

    if calendar is None:
        calendar = calendar_create(
            agency=agency, name=f"Walk-in {slug}", intervals=ALWAYS_OPEN, actor=None
        )
    office = Office.objects.create(
        agency=agency, slug=slug, name=f"Office {slug}", calendar=calendar
    )
    office.services.add(*categories)
    for name in desks:
        Desk.objects.create(office=office, name=name)
    return office
