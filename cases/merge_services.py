"""Writers of duplicate reports joined and related cases (staff, one agency).

`case_merge` closes a duplicate report as a duplicate of the case kept, with a link both ways:
the duplicate's requester and followers follow the kept case (nobody loses updates), its
timeline stays readable from the kept case ("Merged from …" links to it), no survey goes out
for it (closed as a duplicate, and the closing hooks do not run). `case_unmerge` undoes it the
same day in the agency's time zone. `case_link_related` / `case_unlink_related` mark two cases
as related without merging. Each change is audited on both cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.follower_services import Source, _token, case_follower_add_citizen
from cases.models import Case, CaseEvent, CaseFollower, CaseLink
from cases.notifications import case_notify_citizen
from cases.services import CaseRuleError, _audit, _event, _is_user
from cases.sla.services import case_sla_refresh

Status = Case.Status
Kind = CaseEvent.Kind


def _lock_pair(one: Case, other: Case) -> tuple[Case, Case]:
    """Both rows FOR UPDATE, in id order (two merges at once never deadlock)."""
    rows = {
        case.pk: case
        for case in Case.objects.select_for_update(of=("self",))
        .select_related("category", "citizen", "agency")
        .filter(pk__in=[one.pk, other.pk])
        .order_by("pk")
    }
    return rows[one.pk], rows[other.pk]


def merge_refusal(duplicate: Case, into: Case) -> str | None:
    """Why `duplicate` cannot be merged into `into`, in words; None if it can."""
    if duplicate.pk == into.pk:
        return _("A case cannot be merged into itself.")
    if duplicate.agency_id != into.agency_id:
        return _("Only cases of the same agency can be merged.")
    if duplicate.merged_into_id is not None:
        return _("This case is already merged into another case.")
    if into.merged_into_id is not None:
        return _("That case was itself merged into another case: merge into that one.")
    if not duplicate.is_open:
        return _("Reopen this case before merging it.")
    if not into.is_open:
        return _("The case kept must be open: reopen it first.")
    return None


@transaction.atomic
def case_merge(*, duplicate: Case, into: Case, actor: Any, at: datetime | None = None) -> Case:
    """Join `duplicate` to `into` (see the module's words); returns the duplicate, closed."""
    duplicate, into = _lock_pair(duplicate, into)
    refusal = merge_refusal(duplicate, into)
    if refusal:
        raise CaseRuleError(refusal)
    now = at or timezone.now()
    before = duplicate.status
    duplicate.status = Status.CLOSED
    duplicate.resolution_code = Case.Resolution.DUPLICATE
    duplicate.citizen_contacted = False
    duplicate.resolved_at = now
    duplicate.closed_at = now
    duplicate.merged_into = into
    duplicate.merged_at = now
    duplicate.save()
    case_sla_refresh(case=duplicate, actor=actor, reason="status", at=now)
    note = _(
        "Your request reports the same problem as request %(reference)s, so we have joined "
        "them: you will get the news of request %(reference)s by email."
    ) % {"reference": into.reference}
    _event(duplicate, Kind.STATUS, actor, body=note, at=now, public=True,
           data={"from": before, "to": Status.CLOSED, "resolution_code": Case.Resolution.DUPLICATE,
                 "reopened": False, "merged_into": into.reference})  # fmt: skip
    _event(duplicate, Kind.MERGE, actor, at=now,
           data={"direction": "into", "reference": into.reference,
                 "status_before": before})  # fmt: skip
    _event(into, Kind.MERGE, actor, at=now,
           data={"direction": "from", "reference": duplicate.reference})  # fmt: skip
    added = _move_followers(duplicate, into, actor)
    _audit(duplicate, "case.merged_into", actor,
           {"status": (before, Status.CLOSED), "resolution_code": ("", Case.Resolution.DUPLICATE),
            "merged_into": (None, into.reference)})  # fmt: skip
    _audit(into, "case.merged_from", actor,
           {"merged_from": (None, duplicate.reference), "followers": (None, added)})  # fmt: skip
    # The duplicate's requester is told where the news will come from (their own request's
    # status email, in their language); no survey: closed as a duplicate, no closing hooks.
    if duplicate.contact_email and not duplicate.updates_opted_out:
        case_notify_citizen(case=duplicate, kind="status", body=note)
    return duplicate


def _move_followers(duplicate: Case, into: Case, actor: Any) -> int:
    """The duplicate's requester (with an email, still wanting updates) and its followers now
    follow the kept case, marked as added by this merge; returns how many were added."""
    added = 0
    known_emails = set(
        CaseFollower.objects.filter(case=into).exclude(email="").values_list("email", flat=True)
    )
    if into.contact_email:
        known_emails.add(into.contact_email.lower())
    email = (duplicate.contact_email or "").lower()
    if email and not duplicate.updates_opted_out and email not in known_emails:
        consent = bool(
            duplicate.citizen.consent_surveys if duplicate.citizen_id else duplicate.consent_surveys
        )
        case_follower_add_citizen(
            case=into, email=email, name=duplicate.reporter_name or getattr(
                duplicate.citizen, "full_name", ""),
            language=duplicate.language, consent=consent, citizen=duplicate.citizen,
            source=Source.MERGE, actor=actor, merged_from=duplicate,
        )  # fmt: skip
        known_emails.add(email)
        added += 1
    for follower in CaseFollower.objects.filter(case=duplicate, unsubscribed_at__isnull=True):
        if follower.user_id is not None:
            if not CaseFollower.objects.filter(case=into, user_id=follower.user_id).exists():
                CaseFollower.objects.create(
                    case=into, user_id=follower.user_id, source=Source.MERGE, token=_token(),
                    merged_from=duplicate,
                )  # fmt: skip
                added += 1
        elif follower.email not in known_emails:
            case_follower_add_citizen(
                case=into, email=follower.email, name=follower.name, language=follower.language,
                consent=follower.consent_surveys, citizen=follower.citizen, source=Source.MERGE,
                actor=actor, merged_from=duplicate,
            )  # fmt: skip
            known_emails.add(follower.email)
            added += 1
    return added


def unmerge_refusal(duplicate: Case, *, now: datetime | None = None) -> str | None:
    """Why the merge of `duplicate` cannot be undone now; None if it can (same agency day)."""
    if duplicate.merged_into_id is None or duplicate.merged_at is None:
        return _("This case is not merged into another case.")
    zone = ZoneInfo(duplicate.agency.timezone)
    today = timezone.localtime(now or timezone.now(), zone).date()
    if timezone.localtime(duplicate.merged_at, zone).date() != today:
        return _("A merge can only be undone on the day it was made.")
    return None


@transaction.atomic
def case_unmerge(*, duplicate: Case, actor: Any, at: datetime | None = None) -> Case:
    """Undo a merge made today: the duplicate reopens as it was, and the followers the merge
    added to the kept case stop following it (those who followed it before stay)."""
    duplicate = Case.objects.get(pk=duplicate.pk)  # as it is now, not as the caller read it
    into = Case.objects.get(pk=duplicate.merged_into_id) if duplicate.merged_into_id else None
    if into is None:
        raise CaseRuleError(_("This case is not merged into another case."))
    duplicate, into = _lock_pair(duplicate, into)
    now = at or timezone.now()
    refusal = unmerge_refusal(duplicate, now=now)
    if refusal:
        raise CaseRuleError(refusal)
    merge_event = (
        CaseEvent.objects.filter(case=duplicate, kind=Kind.MERGE, data__direction="into")
        .order_by("-created_at", "-id")
        .first()
    )
    status_before = (merge_event.data or {}).get("status_before") if merge_event else None
    restored = status_before if status_before in Case.OPEN_STATUSES else Status.OPEN
    duplicate.status = restored
    duplicate.resolution_code = ""
    duplicate.citizen_contacted = None
    duplicate.resolved_at = None
    duplicate.closed_at = None
    duplicate.merged_into = None
    duplicate.merged_at = None
    duplicate.save()
    case_sla_refresh(case=duplicate, actor=actor, reason="status", at=now)
    removed, _rows = CaseFollower.objects.filter(case=into, merged_from=duplicate).delete()
    _event(duplicate, Kind.STATUS, actor, at=now, public=True,
           data={"from": Status.CLOSED, "to": restored, "resolution_code": "",
                 "reopened": True})  # fmt: skip
    undone = {"undone": True}
    _event(duplicate, Kind.MERGE, actor, at=now,
           data={"direction": "into", "reference": into.reference, **undone})  # fmt: skip
    _event(into, Kind.MERGE, actor, at=now,
           data={"direction": "from", "reference": duplicate.reference, **undone})  # fmt: skip
    _audit(duplicate, "case.unmerged", actor,
           {"status": (Status.CLOSED, restored),
            "merged_into": (into.reference, None)})  # fmt: skip
    _audit(into, "case.unmerged_from", actor,
           {"merged_from": (duplicate.reference, None),
            "followers": (removed, None)})  # fmt: skip
    return duplicate


@transaction.atomic
def case_link_related(*, case: Case, other: Case, actor: Any) -> bool:
    """Mark two cases of one agency as related (shown on both pages); True if new."""
    if case.pk == other.pk:
        raise CaseRuleError(_("A case cannot be related to itself."))
    if case.agency_id != other.agency_id:
        raise CaseRuleError(_("Only cases of the same agency can be related."))
    low, high = sorted((case, other), key=lambda c: c.pk)
    _link, created = CaseLink.objects.get_or_create(
        case_a=low, case_b=high,
        defaults={"created_by": actor if _is_user(actor) else None},
    )  # fmt: skip
    if created:
        for one, two in ((case, other), (other, case)):
            _event(one, Kind.RELATED, actor, data={"reference": two.reference})
            _audit(one, "case.related_linked", actor, {"related": (None, two.reference)})
    return created


@transaction.atomic
def case_unlink_related(*, case: Case, other: Case, actor: Any) -> bool:
    low, high = sorted((case, other), key=lambda c: c.pk)
    deleted, _rows = CaseLink.objects.filter(case_a=low, case_b=high).delete()
    if deleted:
        for one, two in ((case, other), (other, case)):
            _event(one, Kind.RELATED, actor, data={"reference": two.reference, "removed": True})
            _audit(one, "case.related_unlinked", actor, {"related": (two.reference, None)})
    return bool(deleted)
