"""Template filters of the SLA pages: business time in human terms ("2 h 15 min overdue")."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def sla_duration(minutes: float | None) -> str:
    """A span of business minutes, rounded to the minute: "45 min", "2 h", "2 h 15 min"."""
    if minutes is None:
        return ""
    total = round(abs(minutes))
    hours, rest = divmod(total, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": rest}
    if not rest:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}


@register.filter
def sla_time_left(minutes: float | None) -> str:
    """ "2 h 15 min overdue", "45 min left" or "due now" (business time)."""
    if minutes is None:
        return ""
    if round(minutes) < 0:
        return _("%(duration)s overdue") % {"duration": sla_duration(minutes)}
    if round(minutes) == 0:
        return _("due now")
    return _("%(duration)s left") % {"duration": sla_duration(minutes)}
