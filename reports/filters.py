"""The dashboard's shared filters, read from the URL (so a view can be bookmarked and shared)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Priority
from core.forms import style

ROLLING = {"30d": 30, "90d": 90, "365d": 365}


def _month_start(day: date, back: int) -> date:
    year, month = day.year, day.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def period_choices(today: date) -> list[tuple[str, str]]:
    choices = [("30d", _("Last 30 days")), ("90d", _("Last 90 days")),
               ("365d", _("Last 12 months"))]  # fmt: skip
    for back in range(12):
        first = _month_start(today, back)
        choices.append((first.strftime("%Y-%m"), first.strftime("%Y-%m")))
    return choices


@dataclass(frozen=True)
class Filters:
    """What every panel shows: the agencies and teams the viewer may see, narrowed by the URL."""

    agency_ids: tuple[int, ...]
    team_ids: tuple[int, ...] | None  # None: every team of the agencies
    start: date
    end: date
    period: str
    team_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    priority: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def teams(self) -> tuple[int, ...] | None:
        """The teams to count: the chosen one (if the viewer may see it), else the viewer's."""
        if self.team_id is not None:
            return (self.team_id,)
        return self.team_ids


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Case.Channel.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )

    def __init__(self, data: Any, *, teams: list, categories: list, today: date) -> None:
        super().__init__(data)
        self.today = today
        self.fields["period"].choices = period_choices(today)
        self.fields["team"].choices = [("", _("Any team"))] + [(t.pk, t.name) for t in teams]
        self.fields["category"].choices = [("", _("Any service"))] + [
            (c.pk, c.display_name) for c in categories
        ]
        style(self)

    def filters(self, *, agency_ids: tuple[int, ...], team_ids: tuple[int, ...] | None) -> Filters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period = data.get("period") or "30d"
        if period in ROLLING:
            end = self.today
            start = end - timedelta(days=ROLLING[period] - 1)
        else:
            year, month = (int(x) for x in period.split("-"))
            start = date(year, month, 1)
            end = _month_start(start, -1) - timedelta(days=1)
        return Filters(
            agency_ids=agency_ids, team_ids=team_ids, start=start, end=end, period=period,
            team_id=data.get("team"), category_id=data.get("category"),
            channel=data.get("channel") or None, priority=data.get("priority") or None,
        )  # fmt: skip


def today_for(zone) -> date:
    return timezone.now().astimezone(zone).date()
