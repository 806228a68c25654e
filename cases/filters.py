"""Queue filters (django-filter). Choices are scoped to the caller's agency.

A filter added here shows up in the queue's filter form by itself (the template renders every
field of `form`). `SlaBoardFilterForm` holds the GET parameters of the supervisors' SLA board.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Team
from cases.forms import InlineSelect, StaffChoiceField, staff_of_agency
from cases.models import Case, Priority, ServiceCategory
from core.forms import style

OPEN = "open"
ANY = "any"
STATUS_CHOICES = [
    (OPEN, _("Open (new, open, in progress, waiting)")),
    *Case.Status.choices,
    (ANY, _("Any status")),
]
SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("sla", _("SLA time left, most urgent first")),
]


class StaffFilter(django_filters.ModelChoiceFilter):
    field_class = StaffChoiceField


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=None,
        widget=InlineSelect,
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"),
        choices=Priority.choices,
        empty_label=_("Any priority"),
        widget=InlineSelect,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Service"),
        queryset=ServiceCategory.objects.none(),
        empty_label=_("Any service"),
        widget=InlineSelect,
    )
    team = django_filters.ModelChoiceFilter(
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=_("Any team"),
        widget=InlineSelect,
    )
    assignee = StaffFilter(
        label=_("Assigned to"),
        queryset=staff_of_agency(None).none(),
        empty_label=_("Anyone"),
        widget=InlineSelect,
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"),
        choices=Case.Channel.choices,
        empty_label=_("Any channel"),
        widget=InlineSelect,
    )
    sla_state = django_filters.ChoiceFilter(
        label=_("SLA state"),
        choices=Case.SlaState.choices,
        empty_label=_("Any SLA state"),
        widget=InlineSelect,
    )
    created_from = django_filters.DateFilter(
        label=_("Created from"),
        method="filter_created_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        label=_("Created to"),
        method="filter_created_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data=None, *args, agency: Any = None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)
        self.agency = agency
        agency_id = agency.pk if agency is not None else None
        categories = ServiceCategory.objects.order_by("order", "code")
        teams = Team.objects.order_by("name")
        if agency_id is not None:
            categories = categories.filter(agency_id=agency_id)
            teams = teams.filter(agency_id=agency_id)
        self.filters["category"].queryset = categories
        self.filters["team"].queryset = teams
        self.filters["assignee"].queryset = staff_of_agency(agency_id)
        style(self.form)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(getattr(self.agency, "timezone", None) or "UTC")

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == ANY:
            return queryset
        if value == OPEN:
            return queryset.filter(status__in=Case.OPEN_STATUSES)
        return queryset.filter(status=value)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz)

    # Whole days in the agency's time zone, as a range on created_at (the indexed column).
    def filter_created_from(self, queryset: QuerySet[Case], name: str, value: date):
        return queryset.filter(created_at__gte=self._midnight(value))

    def filter_created_to(self, queryset: QuerySet[Case], name: str, value: date):
        return queryset.filter(created_at__lt=self._midnight(value + timedelta(days=1)))
