"""The audit trail's words for teams, calendars, holidays, staff and sign-ins
(core.audit_presenters). Registered in AgenciesConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.audit_presenters import (
    TEXT,
    ActionKind,
    AuditVocabulary,
    ObjectKind,
    Ref,
    Said,
    format_day,
)

USER = settings.AUTH_USER_MODEL.lower()
ON_OFF = {True: gettext_lazy("on"), False: gettext_lazy("off")}


def _staff_member_updated(said: Said) -> str:
    if "role" in said.after:
        return _("Role changed to %(role)s") % {"role": said.after["role"]}
    if "agency" in said.after:
        return _("Moved to %(agency)s") % {"agency": said.after["agency"]}
    if "preferred_language" in said.after:
        return _("Language changed to %(language)s") % {
            "language": said.after["preferred_language"]
        }
    return _("Staff member changed")


def _holidays_seeded(said: Said) -> str:
    added = [day for day in str(said.raw("added") or "").split(",") if day.strip()]
    return ngettext(
        "%(count)s public holiday added from %(source)s",
        "%(count)s public holidays added from %(source)s",
        len(added),
    ) % {"count": len(added), "source": said.after.get("source", "—")}


def _days(value: Any) -> str:
    """A list of dates as the audit row keeps it ("2026-01-01, 2026-01-19"), as dates."""
    return "; ".join(format_day(day.strip()) for day in str(value).split(",") if day.strip())


def _member_label(member: Any) -> str:
    return member.user.get_full_name() or member.user.get_username()


def _holiday_label(holiday: Any) -> str:
    return _("%(name)s, %(date)s (%(calendar)s)") % {
        "name": holiday.name, "date": format_day(holiday.date), "calendar": holiday.calendar.name
    }  # fmt: skip


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "team.created": gettext_lazy("Team created"),
            "team.updated": gettext_lazy("Team changed"),
            "calendar.created": gettext_lazy("Business calendar created"),
            "calendar.hours_set": gettext_lazy("Opening hours changed"),
            "holiday.added": gettext_lazy("Holiday added: %(name)s, %(date)s"),
            "calendar.holidays_seeded": _holidays_seeded,
            "staff_member.created": gettext_lazy("Added to the staff as %(role)s"),
            "staff_member.updated": _staff_member_updated,
            "staff_member.teams_set": gettext_lazy("Teams changed"),
            "staff.signed_in": gettext_lazy("Signed in"),
            "staff.signed_out": gettext_lazy("Signed out"),
            "staff.2fa_enrolment_started": gettext_lazy("Started setting up two-step verification"),
            "staff.2fa_enrolled": gettext_lazy("Two-step verification set up"),
            "staff.2fa_reset": gettext_lazy(
                "Two-step verification reset: it is set up again at the next sign-in"
            ),
        },
        fields={
            "slug": gettext_lazy("Short name"),
            "calendar": gettext_lazy("Business calendar"),
            "hours": gettext_lazy("Opening hours"),
            "timezone": gettext_lazy("Time zone"),
            "date": gettext_lazy("Date"),
            "recurring": gettext_lazy("Every year"),
            "holidays": gettext_lazy("Holidays in the calendar"),
            "source": gettext_lazy("Source"),
            "added": gettext_lazy("Added"),
            "role": gettext_lazy("Role"),
            "user": gettext_lazy("Account"),
            "preferred_language": gettext_lazy("Language"),
            "teams": gettext_lazy("Teams"),
            "is_staff": gettext_lazy("Can open the admin"),
            "admin_group": gettext_lazy("Agency administrator"),
            "api_tokens_revoked": gettext_lazy("API tokens revoked"),
            "two_factor": gettext_lazy("Two-step verification"),
        },
        values={
            "staff_member.created:user": Ref(USER, "username"),
            # Team names, as the services keep them (the admin keeps ids: the model says so).
            "staff_member.created:teams": TEXT,
            "staff_member.updated:teams": TEXT,
            "staff_member.teams_set:teams": TEXT,
            "calendar.holidays_seeded:added": _days,
            "two_factor": ON_OFF,
        },
        objects={
            "agencies.agency": ObjectKind(noun=gettext_lazy("agency")),
            "agencies.team": ObjectKind(noun=gettext_lazy("team")),
            "agencies.businesscalendar": ObjectKind(noun=gettext_lazy("business calendar")),
            "agencies.holiday": ObjectKind(
                noun=gettext_lazy("holiday"), label=_holiday_label, select_related=("calendar",)
            ),
            "agencies.openinginterval": ObjectKind(noun=gettext_lazy("opening hours")),
            "agencies.staffmember": ObjectKind(
                noun=gettext_lazy("staff member"), label=_member_label, select_related=("user",)
            ),
        },
        actors={
            "system:demo-data": gettext_lazy("Demo data"),
            "system:seed_holidays": gettext_lazy("Holiday import (command line)"),
        },
        kinds=[
            ActionKind(
                "calendars",
                gettext_lazy("Calendars and holidays"),
                ("calendar.*", "holiday.*", "sla.recomputed"),
            ),
            ActionKind(
                "staff", gettext_lazy("Staff, roles and teams"), ("staff_member.*", "team.*")
            ),
        ],
    )
