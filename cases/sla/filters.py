"""The SLA board's GET parameters: filters, order and the compliance period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Team
from cases.forms import style
from cases.models import Priority, ServiceCategory

BOARD_SORT_CHOICES = [
    ("time_left", _("Most overdue first")),
    ("-time_left", _("Most time left first")),
    ("due", _("Earliest due first")),
    ("priority", _("Highest priority first")),
    ("first_response", _("First response: least time left first")),
    ("resolution", _("Resolution: least time left first")),
]
PERIOD_CHOICES = [("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days"))]
DEFAULT_PERIOD = 30


class SlaBoardFilterForm(forms.Form):
    """The board's GET parameters: filters, order and the compliance period (own agency)."""

    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Any team")
    )
    category = forms.ModelChoiceField(
        label=_("Service"),
        queryset=ServiceCategory.objects.none(),
        required=False,
        empty_label=_("Any service"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=BOARD_SORT_CHOICES)
    period = forms.TypedChoiceField(
        label=_("Period"), required=False, choices=PERIOD_CHOICES, coerce=int, empty_value=None
    )

    def __init__(self, data=None, *args, agency_id: int | None, **kwargs):
        super().__init__(data, *args, **kwargs)
        categories = ServiceCategory.objects.order_by("order", "code")
        teams = Team.objects.order_by("name")
        if agency_id is not None:
            categories = categories.filter(agency_id=agency_id)
            teams = teams.filter(agency_id=agency_id)
        self.fields["team"].queryset = teams
        self.fields["category"].queryset = categories
        style(self)

    def values(self) -> dict[str, Any]:
        """The valid parameters, with defaults for the missing or invalid ones."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "team": data.get("team"),
            "category": data.get("category"),
            "priority": data.get("priority") or None,
            "sort": data.get("sort") or "time_left",
            "period": data.get("period") or DEFAULT_PERIOD,
        }
