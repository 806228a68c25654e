"""Case events in words: the one place that says what happened to a case, for every reader.

The staff timeline (`timeline_entry`), the citizen's status page (`public_timeline_entry`),
the SLA box's history (`sla_history_text`), the SLA board's clocks (`sla_clock_text`,
`sla_escalation_text`; business time in `sla_time_left`), the notices the SLA sweep sends
staff, in-app and in their email digest (`sla_notice_text`), and the citizen's status emails
(`status_label`) take their words from here, in the active language. Pure functions: what
needs a query (the names of the people and services an event mentions) is read by the caller
(`cases.selectors.case_staff_timeline`) and passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

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
    if kind == Kind.MERGE:
        return _merge_summary(data)
    if kind == Kind.RELATED:
        if data.get("removed"):
            return _("No longer related to %(reference)s") % {"reference": data.get("reference")}
        return _("Marked as related to %(reference)s") % {"reference": data.get("reference")}
    return event.get_kind_display()


def _merge_summary(data: Mapping[str, Any]) -> str:
    reference = data.get("reference", "")
    if data.get("direction") == "from":
        if data.get("undone"):
            return _("Merge of %(reference)s undone") % {"reference": reference}
        return _("Merged from %(reference)s") % {"reference": reference}
    if data.get("undone"):
        return _("Merge into %(reference)s undone: reopened") % {"reference": reference}
    return _("Merged into %(reference)s (closed as a duplicate)") % {"reference": reference}


def _contact_method(method: str | None) -> str:
    # The labels are the contact form's choices (cases.forms, which imports the services:
    # read when needed, so the services may use this module).
    return str(CONTACT_METHOD_LABELS.get(method, method or ""))


# --- the citizen's status page, confirmation page and receipt ------------------------------

# The statuses in the citizen's words ("Waiting on citizen" is how staff put it); a context of
# their own, as they describe the citizen's request (Spanish: "solicitud", feminine).
PUBLIC_STATUS_LABELS = {
    Case.Status.NEW: pgettext_lazy("request status", "Received"),
    Case.Status.OPEN: pgettext_lazy("request status", "Open"),
    Case.Status.IN_PROGRESS: pgettext_lazy("request status", "In progress"),
    Case.Status.WAITING_ON_CITIZEN: pgettext_lazy("request status", "Waiting for your reply"),
    Case.Status.RESOLVED: pgettext_lazy("request status", "Resolved"),
    Case.Status.CLOSED: pgettext_lazy("request status", "Closed"),
}

# How a case was resolved, as the citizen reads it after "Resolved".
PUBLIC_RESOLUTIONS = {
    Case.Resolution.RESOLVED: "",  # "Resolved" says it all; the note says how
    Case.Resolution.DUPLICATE: gettext_lazy("Resolved: already reported by someone else"),
    Case.Resolution.SPAM: gettext_lazy("Closed: not a request we can act on"),
    Case.Resolution.NO_ACTION: gettext_lazy("Resolved: no action was needed"),
    Case.Resolution.REFERRED: gettext_lazy("Resolved: passed to another organisation"),
}  # fmt: skip


def public_status_label(status: str) -> str:
    """A status as the citizen reads it (status page, confirmation page, emails)."""
    label = PUBLIC_STATUS_LABELS.get(status)
    return str(label) if label is not None else status_label(status)


@dataclass(frozen=True)
class PublicTimelineEntry:
    """One line of the citizen's status page: the event, what happened in words, and the text
    written for the citizen with it ("" when there is none or it is not theirs to read)."""

    event: CaseEvent
    summary: str
    text: str = ""


# Events the status page shows although staff did not write them for the citizen: their
# words say what happened, their text (e.g. why a case was referred) stays internal.
PUBLIC_WITHOUT_TEXT = (Kind.CREATED, Kind.REFERRAL)


def public_timeline_entry(event: CaseEvent, *, agency_name: str = "") -> PublicTimelineEntry:
    """`agency_name`: who sends the public updates (the case's agency)."""
    text = "" if event.kind in PUBLIC_WITHOUT_TEXT else event.body
    return PublicTimelineEntry(
        event=event, summary=event_public_summary(event, agency_name=agency_name), text=text
    )


def event_public_summary(event: CaseEvent, *, agency_name: str = "") -> str:
    """What the citizen reads about an event: what happened, in one line.

    A status change names the new status ("Status changed to In progress"); a resolution says
    how ("Resolved: no action was needed"), and the note written for the citizen follows it as
    the event's text ("Resolved" then "Pothole filled").
    """
    data, kind = event.data or {}, event.kind
    if kind == Kind.CREATED:
        return _("Request received")
    if kind == Kind.STATUS:
        return _status_summary(data)
    if kind == Kind.PUBLIC_UPDATE:
        if agency_name:
            return _("Message from %(agency)s") % {"agency": agency_name}
        return _("Message about your request")
    if kind == Kind.ATTACHMENT:
        return _("File added to your request")
    if kind == Kind.REFERRAL:
        return _("Passed to %(agency)s, who now deal with your request") % {
            "agency": data.get("agency", "")
        }
    return event.get_kind_display()


def _status_summary(data: Mapping[str, Any]) -> str:
    to = data.get("to")
    if not to:  # not written by today's services; say what little is known
        return _("Status updated")
    if to == Case.Status.OPEN and data.get("reopened"):
        return _("Reopened: we are looking at your request again")
    if to == Case.Status.RESOLVED:
        how = PUBLIC_RESOLUTIONS.get(data.get("resolution_code") or "")
        return str(how) if how else str(PUBLIC_STATUS_LABELS[Case.Status.RESOLVED])
    return _("Status changed to %(status)s") % {"status": public_status_label(to)}


def expected_day_text(day: date) -> str:
    """A promised day in words, in the active language ("Friday 12 December 2026")."""
    # Translators: a date as Django's date format letters (l = weekday, j = day, F = month,
    # Y = year); letters meant literally are escaped, e.g. "l j \d\e F \d\e Y".
    return formats.date_format(day, _("l j F Y"))


def expected_resolution_text(state: str, day: date | None) -> str:
    """The status page's promise: "Expected by Friday 12 December 2026", or why there is
    none. `state` is `cases.public.selectors.ExpectedResolution.state`."""
    if state == "paused":
        return _("Waiting for your reply: the clock is paused until you answer. Then we give "
                 "you a new expected date.")  # fmt: skip
    if state == "due" and day is not None:
        return _("Expected by %(day)s") % {"day": expected_day_text(day)}
    if state == "late" and day is not None:
        return _("We expected to finish by %(day)s. It is taking longer than planned; we are "
                 "still working on it.") % {"day": expected_day_text(day)}  # fmt: skip
    return ""


def photo_count_text(count: int) -> str:
    if not count:
        return _("None")
    return ngettext("%(count)s photo", "%(count)s photos", count) % {"count": count}


def case_answers(case: Case, zone: tzinfo | None = None) -> list[tuple[str, str]]:
    """(question, answer) for the case's attribute values, in the service's question order,
    in words (option names, dates in `zone`, by default the current time zone)."""
    values = dict(case.attributes or {})
    if not values:
        return []
    answers = []
    for definition in case.category.attributes.all():
        if definition.code not in values:
            continue
        value = values.pop(definition.code)
        names = dict(definition.choices())
        if isinstance(value, list):
            text = ", ".join(names.get(str(v), str(v)) for v in value)
        elif definition.datatype == "datetime":
            moment = parse_datetime(str(value))
            text = (
                formats.date_format(localtime(moment, zone), "DATETIME_FORMAT") if moment else value
            )
        else:
            text = names.get(str(value), str(value))
        answers.append((definition.display_label or definition.code, text))
    for code, value in values.items():  # answers to a former service's questions
        answers.append((code, ", ".join(map(str, value)) if isinstance(value, list) else value))
    return answers


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


def sla_time_left(minutes: float | None) -> str:
    """ "2 h 15 min overdue", "45 min left" or "due now" (business time)."""
    if minutes is None:
        return ""
    if round(minutes) < 0:
        return _("%(duration)s overdue") % {"duration": sla_duration(minutes)}
    if round(minutes) == 0:
        return _("due now")
    return _("%(duration)s left") % {"duration": sla_duration(minutes)}


def sla_escalation_text(level: int) -> str:
    """ "Escalated, level 2" or "Not escalated"."""
    if not level:
        return _("Not escalated")
    return _("Escalated, level %(level)s") % {"level": level}


@dataclass(frozen=True)
class SlaClockText:
    """One SLA clock of a case in words: a headline ("45 min left", "Met", "Paused"), a detail
    line when there is one, and the instant to show after `moment_label` (the template writes
    it in the agency's time zone)."""

    headline: str
    detail: str = ""
    moment_label: str = ""
    moment: Any = None
    urgent: bool = False  # overdue: the headline stands out (in words too, never colour only)
    muted: bool = False  # nothing to do: no target, or done


def sla_clock_text(clock: Any) -> SlaClockText:
    """The words of a clock of the SLA board (`cases.sla.selectors.BoardClock`): first
    response due / met / answered late / overdue / paused, resolution time left / overdue /
    paused, or no target."""
    state, left = clock.state, clock.minutes_left
    if state == "none":
        return SlaClockText(_("No target"), muted=True)
    if state in ("met", "late"):
        return SlaClockText(
            _("Met") if state == "met" else _("Answered late"),
            moment_label=_("answered"),
            moment=clock.done_at,
            muted=state == "met",
        )
    if state == "paused":
        return SlaClockText(_("Paused (waiting on citizen)"), detail=sla_time_left(left))
    if state == "overdue":
        return SlaClockText(
            sla_time_left(left), moment_label=_("was due"), moment=clock.due_at, urgent=True
        )
    return SlaClockText(sla_time_left(left), moment_label=_("due"), moment=clock.due_at)


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


# --- notices to staff about their work -------------------------------------------------------
# Called in the recipient's language by core.services.notify_staff (the text is a function).


def assigned_notice_text(case: Case, by: str) -> tuple[str, str]:
    return (
        _("Assigned to you: %(reference)s") % {"reference": case.reference},
        _("%(name)s gave you this case. %(category)s · priority %(priority)s") % {
            "name": by, "category": case.category.display_name,
            "priority": case.get_priority_display(),
        },
    )  # fmt: skip


def bulk_assigned_notice_text(count: int, by: str) -> tuple[str, str]:
    return (
        ngettext("%(count)s case assigned to you", "%(count)s cases assigned to you", count)
        % {"count": count},
        _("%(name)s gave you these cases; they are in your queue.") % {"name": by},
    )


def transferred_notice_text(case: Case, team: str, by: str) -> tuple[str, str]:
    return (
        _("New for %(team)s: %(reference)s") % {"team": team, "reference": case.reference},
        _("%(name)s transferred this case to your team; it waits unassigned. %(category)s")
        % {"name": by, "category": case.category.display_name},
    )


def mention_notice_text(case: Case, by: str, excerpt: str) -> tuple[str, str]:
    return (
        _("%(name)s mentioned you on %(reference)s") % {"name": by, "reference": case.reference},
        excerpt,
    )


def citizen_replied_notice_text(case: Case, excerpt: str) -> tuple[str, str]:
    return (_("The citizen replied on %(reference)s") % {"reference": case.reference}, excerpt)


def followed_notice_text(case: Case, what: str, by: str) -> tuple[str, str]:
    """To staff who follow a case: what happened on it (a status change, an update sent)."""
    return (
        _("On %(reference)s, which you follow: %(what)s")
        % {"reference": case.reference, "what": what},
        _("By %(name)s. %(category)s") % {"name": by, "category": case.category.display_name},
    )


def followed_status_text(to_status: str) -> str:
    return _("status changed to “%(status)s”") % {"status": status_label(to_status)}


def followed_update_text() -> str:
    return _("an update was sent to the citizen")


def distance_text(meters: float | None) -> str:
    """A distance between two reports, in words ("45 m", "1.2 km"); "" when unknown."""
    if meters is None:
        return ""
    if meters < 1000:
        return _("%(meters)s m") % {"meters": formats.number_format(round(meters))}
    return _("%(km)s km") % {"km": formats.number_format(round(meters / 1000, 1), 1)}


# --- saved replies ---------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(first_name|reference|service|expected_date|agent_name)\}")


@dataclass(frozen=True)
class CannedText:
    text: str
    language: str  # the language of the text chosen
    missing: bool  # the citizen's language has no version: another one was used


def canned_reply_text(reply: Any, case: Case, *, language: str, agent: Any) -> CannedText:
    """The reply in `language` (the citizen's) if it has that version, else in the site's,
    with its placeholders filled from the case, in that language and the agency's time zone."""
    versions = {code: text for code, text in (reply.body or {}).items() if text}
    chosen = language if language in versions else settings.LANGUAGE_CODE
    if chosen not in versions:
        chosen = next(iter(versions), language)
    with translation.override(chosen):
        due = case.resolution_due_at
        if due is not None:
            local = timezone.localtime(due, ZoneInfo(case.agency.timezone or "UTC"))
            if chosen == "es":  # "miércoles 9 de diciembre": Spanish writes them in lower case
                expected = date_format(local, r"l j \d\e F").lower()
            else:
                expected = date_format(local, "l j F")
        else:
            expected = _("as soon as we can")
        citizen = case.citizen if case.citizen_id else None
        values = {
            "first_name": citizen.first_name if citizen else "",
            "reference": case.reference,
            "service": case.category.display_name,
            "expected_date": expected,
            "agent_name": agent.get_full_name() or agent.get_username(),
        }
    text = PLACEHOLDER.sub(lambda match: values[match.group(1)], versions.get(chosen, ""))
    return CannedText(text=text, language=chosen, missing=chosen != language)


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
