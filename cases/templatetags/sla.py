"""Template filters of the SLA pages: business time in human terms ("2 h 15 min overdue").

The words are cases.presenters'; these filters only make them usable in templates."""

from __future__ import annotations

from django import template

from cases import presenters

register = template.Library()


@register.filter
def sla_duration(minutes: float | None) -> str:
    """A span of business minutes, rounded to the minute: "45 min", "2 h", "2 h 15 min"."""
    return presenters.sla_duration(minutes)


@register.filter
def sla_time_left(minutes: float | None) -> str:
    """ "2 h 15 min overdue", "45 min left" or "due now" (business time)."""
    return presenters.sla_time_left(minutes)
