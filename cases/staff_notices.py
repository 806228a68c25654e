"""Whom a change to a case tells among staff, and with what words: the assignee when a case is
given to them, the team when a case is transferred or referred to it, the people an internal
note mentions by `@username`. Called by `cases.services` inside their transaction, so a notice
exists exactly when the change does. Nobody is told of what they did themselves.

Assignments and mentions also go out in the recipient's email digest (`notify_staff`'s
`email_after`): they ask something of that person. A transfer reaches a whole team, in-app
only, so a busy team's inboxes are not flooded. The words live in `cases.presenters`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.utils import timezone

from agencies.selectors import staff_by_usernames, team_staff
from cases import presenters
from cases.links import staff_case_url
from cases.models import Case
from core.services import StaffNotice, notify_staff

# `@` at the start or after a space or punctuation (not inside an email address), then a
# Django username; a trailing dot or dash is the sentence's, not the name's.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w+])")
EXCERPT_LENGTH = 300


def _name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return actor.get_full_name() or actor.get_username()
    return str(actor or "")


def _someone_else(user: Any, actor: Any) -> bool:
    return user is not None and getattr(actor, "pk", None) != user.pk


def mentioned_usernames(body: str) -> list[str]:
    """The `@usernames` a text mentions, each once, in order."""
    return list(dict.fromkeys(match.group(1) for match in MENTION.finditer(body or "")))


def tell_assignee(case: Case, *, actor: Any) -> None:
    if not _someone_else(case.assignee, actor):
        return
    text = partial(presenters.assigned_notice_text, case, _name(actor))
    notify_staff(notices=[_notice(case.assignee, "case.assigned", text, case, email=True)])


def tell_assignee_of_many(cases: Sequence[Case], *, assignee: Any, actor: Any) -> None:
    """One notice for a bulk assignment (linking to the assignee's queue), not one per case."""
    if not cases or not _someone_else(assignee, actor):
        return
    if len(cases) == 1:
        tell_assignee(cases[0], actor=actor)
        return
    from django.urls import reverse

    text = partial(presenters.bulk_assigned_notice_text, len(cases), _name(actor))
    notice = StaffNotice(
        recipient=assignee, kind="case.assigned", text=text,
        url=f"{reverse('cases:queue')}?queue=mine", agency_id=cases[0].agency_id,
        email_after=timezone.now(),
    )  # fmt: skip
    notify_staff(notices=[notice])


def tell_team(case: Case, *, team: Any, actor: Any) -> None:
    """The team's active staff, when a case arrives in it by transfer or referral."""
    people = [
        user
        for user in team_staff(agency_id=case.agency_id, team_id=team.pk)
        if _someone_else(user, actor)
    ]
    text = partial(presenters.transferred_notice_text, case, team.name, _name(actor))
    notify_staff(notices=[_notice(user, "case.transferred", text, case) for user in people])


def tell_mentioned(case: Case, *, body: str, actor: Any) -> list[Any]:
    """The agency's staff an internal note mentions; returns whom it told."""
    names = mentioned_usernames(body)
    people = [
        user
        for user in staff_by_usernames(agency_id=case.agency_id, usernames=names)
        if _someone_else(user, actor)
    ]
    excerpt = body if len(body) <= EXCERPT_LENGTH else body[: EXCERPT_LENGTH - 1] + "…"
    text = partial(presenters.mention_notice_text, case, _name(actor), excerpt)
    notify_staff(
        notices=[_notice(user, "case.mentioned", text, case, email=True) for user in people]
    )
    return people


def _notice(user: Any, kind: str, text: Any, case: Case, *, email: bool = False) -> StaffNotice:
    return StaffNotice(
        recipient=user, kind=kind, text=text, url=staff_case_url(case.reference),
        agency_id=case.agency_id, email_after=timezone.now() if email else None,
    )  # fmt: skip


def tell_assignee_citizen_replied(case: Case, *, body: str) -> None:
    """The assignee (by email digest too: the citizen is waiting for an answer)."""
    if case.assignee is None or not case.assignee.is_active:
        return
    excerpt = body if len(body) <= EXCERPT_LENGTH else body[: EXCERPT_LENGTH - 1] + "…"
    text = partial(presenters.citizen_replied_notice_text, case, excerpt)
    notify_staff(notices=[_notice(case.assignee, "case.citizen_replied", text, case, email=True)])


def tell_followers(case: Case, *, what: str | Any, actor: Any, skip: Sequence[Any] = ()) -> None:
    """Staff who follow the case, in-app: its status changed, an update went to the citizen.
    `what` is a function giving the words in the reader's language. Not the person who did it,
    nor those `skip` names (told already, e.g. the assignee of a citizen's reply)."""
    from cases.models import CaseFollower

    skipped = {getattr(user, "pk", None) for user in skip}
    people = [
        follower.user
        for follower in CaseFollower.objects.filter(
            case=case, user__isnull=False, user__is_active=True
        ).select_related("user")
        if _someone_else(follower.user, actor) and follower.user.pk not in skipped
    ]
    if not people:
        return
    by = _name(actor) or str(actor or "")

    def text() -> tuple[str, str]:
        return presenters.followed_notice_text(case, what(), by)

    notify_staff(notices=[_notice(user, "case.followed", text, case) for user in people])
