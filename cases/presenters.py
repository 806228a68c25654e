"""Case events in words: the one place that says what happened to a case, for every reader.

The staff timeline (`timeline_entry`), the citizen's status page (`public_timeline_entry`),
the SLA box's history (`sla_history_text`), the notices the SLA sweep sends staff, in-app and
in their email digest (`sla_notice_text`), and the citizen's status emails (`status_label`)
take their words from here, in the active language. Pure functions: what needs a query (the
names of the people and services an event mentions) is read by the caller
(`cases.selectors.case_staff_timeline`) and passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseEvent, Priority

Kind = CaseEvent.Kind

# Each SLA threshold in its two registers: a line of the case's SLA history, and the title of
# the notice staff get about it (in-app and by email). One table, so the two never drift apart.
SLA_THRESHOLDS = {
    "first_response_warning": (
        gettext_lazy("warning: first response due soon"),
        gettext_lazy("First response due soon: %(reference)s"),
    ),
    "first_response_breach": (
        gettext_lazy("breach: first response overdue"),
        gettext_lazy("First response overdue: %(reference)s"),
    ),
    "warning": (
        gettext_lazy("warning: resolution due soon"),
        gettext_lazy("Resolution due soon: %(reference)s"),
    ),
    "breach": (
        gettext_lazy("breach: resolution overdue"),
        gettext_lazy("Resolution overdue: %(reference)s"),
    ),
    "escalation": (
        gettext_lazy("escalated to level %(level)s"),
        gettext_lazy("Escalated (level %(level)s): %(reference)s"),
    ),
}

# How a logged contact was made, in words (the contact form's choices and the timeline).
CONTACT_METHOD_LABELS = {
    "phone": gettext_lazy("Phone call"),
    "email": gettext_lazy("Email"),
    "in_person": gettext_lazy("In person"),
    "letter": gettext_lazy("Letter"),
}


def choice_label(choices: Any, value: Any) -> str:
    """The label of a stored choice; the stored value itself if the choice no longer exists."""
    return str(choices(value).label) if value in choices.values else str(value or "")


def status_label(status: str) -> str:
    return choice_label(Case.Status, status)


# --- the staff timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the staff timeline: the event, its one-line summary and its marks."""

    event: CaseEvent
    summary: str
    attachment: Any = None
    internal: bool = False  # an internal note
    sent: bool = False  # a public update: sent to the citizen
    public: bool = False  # anything else the citizen sees on the status page


def timeline_entry(
    event: CaseEvent,
    *,
    attachment: Any = None,
    names: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
) -> TimelineEntry:
    """`names`: full names by username (assignments); `categories`: names by service code."""
    return TimelineEntry(
        event=event,
        summary=event_summary(event, names=names or {}, categories=categories or {}),
        attachment=attachment,
        internal=event.kind == Kind.NOTE,
        sent=event.kind == Kind.PUBLIC_UPDATE,
        public=event.is_public and event.kind != Kind.PUBLIC_UPDATE,
    )


def event_summary(
    event: CaseEvent, *, names: Mapping[str, str], categories: Mapping[str, str]
) -> str:
    """What happened, in one line, for staff."""
    data, kind = event.data or {}, event.kind
    if kind == Kind.CREATED:
        return _("Case created (%(channel)s)") % {
            "channel": choice_label(Case.Channel, data.get("channel"))
        }
    if kind == Kind.STATUS:
        text = _("Status changed from “%(from)s” to “%(to)s”") % {
            "from": status_label(data.get("from")),
            "to": status_label(data.get("to")),
        }
        if data.get("to") == Case.Status.RESOLVED and data.get("resolution_code"):
            text += " · " + choice_label(Case.Resolution, data.get("resolution_code"))
        return text
    if kind == Kind.ASSIGNMENT:
        if not data.get("to"):
            return _("Unassigned")
        return _("Assigned to %(name)s") % {"name": names.get(data["to"], data["to"])}
    if kind == Kind.TRANSFER:
        return _("Transferred to team %(team)s") % {"team": data.get("team", "")}
    if kind == Kind.PRIORITY:
        return _("Priority changed from %(from)s to %(to)s") % {
            "from": choice_label(Priority, data.get("from")),
            "to": choice_label(Priority, data.get("to")),
        }
    if kind == Kind.CATEGORY:
        return _("Service changed from %(from)s to %(to)s") % {
            "from": categories.get(data.get("from"), data.get("from")),
            "to": categories.get(data.get("to"), data.get("to")),
        }
    if kind == Kind.REFERRAL:
        return _("Referred to %(agency)s") % {"agency": data.get("agency", "")}
    if kind == Kind.CONTACT:
        method = _contact_method(data.get("method"))
        if data.get("outbound", True):
            return _("Contact with the citizen: %(method)s, we got in touch") % {"method": method}
        return _("Contact with the citizen: %(method)s, they got in touch") % {"method": method}
    if kind == Kind.ATTACHMENT:
        return _("File attached")
    return event.get_kind_display()


def _contact_method(method: str | None) -> str:
    # The labels are the contact form's choices (cases.forms, which imports the services:
    # read when needed, so the services may use this module).
    return str(CONTACT_METHOD_LABELS.get(method, method or ""))


# --- the citizen's status page --------------------------------------------------------------


@dataclass(frozen=True)
class PublicTimelineEntry:
    """One update on the citizen's status page: the event and what it changed, if anything
    beyond its kind and its message ("" then)."""

    event: CaseEvent
    summary: str


def public_timeline_entry(event: CaseEvent) -> PublicTimelineEntry:
    return PublicTimelineEntry(event=event, summary=event_public_summary(event))


def event_public_summary(event: CaseEvent) -> str:
    """What the citizen reads about a public event: the new status of a status change."""
    if event.kind != Kind.STATUS:
        return ""
    to = (event.data or {}).get("to")
    if not to:
        return _("Status changed.")
    return _("Status changed to “%(status)s”.") % {"status": status_label(to)}


# --- SLA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaHistoryLine:
    event: CaseEvent
    text: str


def sla_history(events: Sequence[CaseEvent]) -> list[SlaHistoryLine]:
    """The lines of the SLA box's history, one per SLA event."""
    return [SlaHistoryLine(event=event, text=sla_history_text(event)) for event in events]


def sla_history_text(event: CaseEvent) -> str:
    """A line of the SLA box's history ("breach: resolution overdue")."""
    data = event.data or {}
    words = SLA_THRESHOLDS.get(data.get("threshold"))
    if words is None:
        return event.get_kind_display()
    return str(words[0]) % {"level": data.get("level", "")}


def sla_notice_text(case: Case, thresholds: Sequence[tuple[str, int | None]]) -> tuple[str, str]:
    """Title and body of the notice about the SLA thresholds `case` crossed at once, as
    (threshold kind, escalation level) oldest first: the latest (most serious) titles it, the
    earlier ones are listed in the body under the case's service, team and priority."""
    titles = [
        str(SLA_THRESHOLDS[kind][1]) % {"reference": case.reference, "level": level or ""}
        for kind, level in thresholds
    ]
    body = _("%(category)s · %(team)s · priority %(priority)s") % {
        "category": case.category.display_name,
        "team": case.team.name if case.team_id else "-",
        "priority": case.get_priority_display(),
    }
    return titles[-1], "\n".join([body, *titles[:-1]])


# --- who the requester is (the case page's requester box) ------------------------------------


def requester_suggestion_text(case: Case) -> str:
    """Why a record is suggested for an unlinked case, and what staff should do about it."""
    citizen = case.suggested_citizen
    if citizen is None:
        return ""
    values = {"name": citizen.full_name, "pk": citizen.pk}
    if citizen.email and citizen.email == (case.reporter_email or "").strip().lower():
        text = _(
            "Record %(pk)s, %(name)s, has the email address this request gave. Nobody has "
            "proved that address, so the case is not linked: link it only if you know it is "
            "the same person (or the citizen confirms through the link in the receipt)."
        )
    else:
        text = _(
            "Record %(pk)s, %(name)s, has the phone number this request gave. Nobody has "
            "proved that number, so the case is not linked: link it only if you know it is "
            "the same person."
        )
    return text % values


def requester_survey_text(case: Case) -> str:
    """The requester's answer to the survey question, as given with the request."""
    if case.consent_surveys is None:
        return _("Not asked about a survey.")
    if case.consent_surveys:
        return _("Agreed to a short survey after the request is closed.")
    return _("Did not agree to a survey.")
