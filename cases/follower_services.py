"""Writers of a case's followers: staff who follow a case (a button, or an @mention in an
internal note) and citizens kept informed about it (the public form's "this is my problem too",
staff adding them, the requester of a duplicate merged into it), and a citizen's stop.

Staff followers get the case's staff notices (cases.staff_notices.tell_followers); citizen
followers an email per status change or public update in their own language
(cases.notifications.case_notify_followers) and the survey after closure if they agreed
(feedback.survey_services.survey_invite_followers). Nothing about one follower is shown to
another or on public pages. Every change is audited.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import is_staff_of
from cases.models import Case, CaseFollower
from cases.services import CaseRuleError, _audit
from citizens import normalise

Source = CaseFollower.Source
UNFOLLOW_LINK_ACTOR = "citizen (link in a follower email)"
# Where a citizen follower's survey answer was given, for their citizen record.
CONSENT_SOURCES = {Source.WEB: "web", Source.PHONE: "staff"}


def _token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def case_follow(*, case: Case, user: Any, actor: Any = None, source: str = Source.STAFF) -> bool:
    """`user` follows the case (their own button, or mentioned by `actor`); True if new."""
    actor = actor or user
    if not is_staff_of(user, case.agency_id) or not user.is_active:
        raise CaseRuleError(_("Only the case agency's staff can follow it."))
    _follower, created = CaseFollower.objects.get_or_create(
        case=case, user=user, defaults={"source": source, "token": _token()}
    )
    if created:
        _audit(case, "case.followed", actor,
               {"follower": (None, user.get_username()), "source": (None, source)})  # fmt: skip
    return created


@transaction.atomic
def case_unfollow(*, case: Case, user: Any) -> bool:
    """`user` stops following the case; True if they followed it."""
    deleted, _rows = CaseFollower.objects.filter(case=case, user=user).delete()
    if deleted:
        _audit(case, "case.unfollowed", user, {"follower": (user.get_username(), None)})
    return bool(deleted)


@transaction.atomic
def case_follower_add_citizen(
    *,
    case: Case,
    email: str,
    name: str = "",
    language: str = "",
    consent: bool = False,
    citizen: Any = None,
    source: str = Source.WEB,
    actor: Any = None,
    merged_from: Case | None = None,
) -> CaseFollower:
    """A citizen follows the case: idempotent per case and email (following again after
    stopping resumes; a "yes" to the survey counts, a box left unticked withdraws nothing).

    Without `citizen`, the contact is matched like a requester's on the public form (a new
    record when nobody has the email; an existing record is never linked on an unproved
    email). The follower's language is theirs, else the record's, else the site's.
    """
    from django.conf import settings

    email = normalise.normalise_email(email or "")
    if not email:
        raise CaseRuleError({"email": [_("Give an email address to be kept informed.")]})
    if source not in Source.values or source in (Source.STAFF, Source.MENTION):
        raise ValueError(f"not a citizen follower source: {source!r}")
    actor = actor or f"citizen ({source})"
    existing = CaseFollower.objects.select_for_update().filter(case=case, email=email).first()
    if existing is not None:
        changes: dict[str, tuple[Any, Any]] = {}
        if existing.unsubscribed_at is not None:
            existing.unsubscribed_at = None
            changes["following"] = (False, True)
        if consent and not existing.consent_surveys:
            existing.consent_surveys = True
            changes["consent_surveys"] = (False, True)
        if citizen is not None and existing.citizen_id is None:
            existing.citizen = citizen
            changes["citizen"] = (None, citizen.pk)
        if changes:
            existing.save()
            _audit(case, "case.follower_changed", actor, changes)
        return existing
    if citizen is None and source in CONSENT_SOURCES and (name or "").strip():
        from citizens.services import citizen_match_requester

        match = citizen_match_requester(
            actor=actor, source=CONSENT_SOURCES[source], name=name, email=email,
            language=language, consent_surveys=consent,
        )  # fmt: skip
        citizen = match.citizen
    language = language or getattr(citizen, "preferred_language", "") or settings.LANGUAGE_CODE
    follower = CaseFollower.objects.create(
        case=case, citizen=citizen, email=email, name=(name or "").strip()[:200],
        language=language, consent_surveys=bool(consent), token=_token(), source=source,
        merged_from=merged_from,
    )  # fmt: skip
    _audit(case, "case.follower_added", actor,
           {"follower": (None, follower.pk), "source": (None, source),
            "consent_surveys": (None, bool(consent))})  # fmt: skip
    return follower


def follower_for_token(token: str) -> CaseFollower | None:
    if not token or len(token) > 64:
        return None
    return (
        CaseFollower.objects.select_related("case").filter(token=token, user__isnull=True).first()
    )


@transaction.atomic
def case_follower_unsubscribe(*, follower: CaseFollower) -> bool:
    """The citizen's stop, from the link in a follower email (a POST: mail scanners GET)."""
    updated = CaseFollower.objects.filter(pk=follower.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    if updated:
        _audit(follower.case, "case.follower_unsubscribed", UNFOLLOW_LINK_ACTOR,
               {"follower": (follower.pk, None)})  # fmt: skip
    return bool(updated)
