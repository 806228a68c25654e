"""Whom the SLA sweep tells of the warnings, breaches and escalations it records, and when.

Warnings go to the assignee (or, without one, the team's supervisors), in-app only. Breaches
go to the team's supervisors (the agency's if the team has none) and, in-app, the assignee;
escalations to whom the level says. Supervisors get them by email too, in their digest, not
before the team's calendar next opens unless the policy counts 24/7 (Zammad #4432). What
fires together on one case is told together: one notice per case and person, titled by the
latest (most serious), the earlier ones listed in its body; and an unread notice about the
case is replaced by the new one (its title listed too), so a case that goes from warning to
breach to escalation within minutes is one unread notice, not four. The words come from
`cases.presenters`, the people from `agencies.selectors`, and the notices go out through
`core.services.notify_staff`, one INSERT per batch of the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from agencies.selectors import supervisors_for_team, supervisors_of_agency
from cases.links import staff_case_url
from cases.models import Case, SlaEscalationLevel
from cases.presenters import sla_notice_text
from cases.sla import business_time
from cases.sla.engine import Threshold
from core.services import StaffNotice, notify_staff


@dataclass
class _Told:
    """What one person is told about one case in this batch."""

    case: Case
    recipient: Any
    thresholds: list[tuple[str, int | None]] = field(default_factory=list)  # (kind, level)
    email_after: datetime | None = None  # None: in-app only


class SlaNotices:
    """The notices of one batch of the sweep: `add` each threshold recorded, then `send`.

    `supervisors` caches the supervisors looked up, shared by the batches of a run.
    """

    def __init__(self, *, now: datetime, supervisors: dict[tuple[int, int | None], list]) -> None:
        self.now = now
        self.supervisors = supervisors
        self.told: dict[tuple[int, int], _Told] = {}  # by (case id, recipient id)

    def add(self, case: Case, threshold: Threshold, calendar: business_time.Calendar) -> None:
        recipients = self._recipients(case, threshold)
        if not recipients:
            return
        email_after = self.now
        if case.sla_policy.business_hours and case.team_id is not None:
            email_after = business_time.next_open_instant(calendar, self.now)
        level = threshold.level.level if threshold.level else None
        for user, by_email in recipients.values():
            told = self.told.setdefault((case.pk, user.pk), _Told(case=case, recipient=user))
            told.thresholds.append((threshold.kind, level))
            if by_email:
                told.email_after = min(told.email_after or email_after, email_after)

    def send(self) -> int:
        """Write the notices (in-app, and queued for the digests); returns how many."""
        texts: dict[tuple[int, tuple], Any] = {}  # one text per case and thresholds
        notices = []
        for told in self.told.values():
            key = (told.case.pk, tuple(told.thresholds))
            if key not in texts:
                texts[key] = partial(sla_notice_text, told.case, key[1])
            notices.append(
                StaffNotice(
                    recipient=told.recipient,
                    kind=f"sla.{told.thresholds[-1][0]}",
                    text=texts[key],
                    url=staff_case_url(told.case.reference),
                    agency_id=told.case.agency_id,
                    email_after=told.email_after,
                    fold_unread=True,  # an unread notice about the case is replaced, not added to
                )
            )
        notify_staff(notices=notices, at=self.now)
        return len(notices)

    def _recipients(self, case: Case, threshold: Threshold) -> dict[int, tuple[Any, bool]]:
        """user id -> (user, by email), in the order they are told."""
        recipients: dict[int, tuple[Any, bool]] = {}
        if threshold.kind.endswith("warning"):
            people = [case.assignee] if case.assignee_id else self._supervisors(case, team=True)
            for user in people:
                recipients[user.pk] = (user, False)
        elif threshold.kind.endswith("breach"):
            for user in self._supervisors(case, team=True):
                recipients[user.pk] = (user, True)
            if case.assignee_id and case.assignee_id not in recipients:
                recipients[case.assignee_id] = (case.assignee, False)
        else:
            notify = threshold.level.notify
            if notify != SlaEscalationLevel.Notify.NOBODY:
                team = notify == SlaEscalationLevel.Notify.TEAM_SUPERVISORS
                for user in self._supervisors(case, team=team):
                    recipients[user.pk] = (user, True)
        return recipients

    def _supervisors(self, case: Case, *, team: bool) -> list[Any]:
        """The team's supervisors (falling back to the agency's), or the agency's."""
        key = (case.agency_id, case.team_id if team else None)
        if key not in self.supervisors:
            if key[1] is None:
                found = supervisors_of_agency(agency_id=case.agency_id)
            else:
                found = supervisors_for_team(agency_id=case.agency_id, team_id=case.team_id)
            self.supervisors[key] = found
        return self.supervisors[key]
