"""Writers of `cases`: intake, workflow, routing, timeline, attachments, the auto-close sweep.

Every function is the only way to make its change: it checks the rule, writes the case and a
CaseEvent, an AuditEvent, and queues citizen emails through the outbox in the same transaction.
Refused changes raise `CaseRuleError` (a ValidationError) with a message fit for the user.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import is_staff_of
from cases import presenters, references, selectors, staff_notices
from cases.attributes import attributes_clean
from cases.hooks import run_case_closed_hooks
from cases.models import Attachment, Case, CaseEvent, Priority, Referral, ServiceCategory
from cases.notifications import case_notify_citizen, case_notify_followers
from cases.search import search_text_append, search_text_for
from cases.sla.engine import sla_initialise
from cases.sla.services import case_sla_refresh
from cases.uploads import upload_check
from core.services import audit_record, audit_record_many

Status = Case.Status
Kind = CaseEvent.Kind

# The workflow (DESIGN.md "Status workflow"). Anything not listed is refused.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN},
    Status.OPEN: {Status.IN_PROGRESS, Status.WAITING_ON_CITIZEN, Status.RESOLVED},
    Status.IN_PROGRESS: {Status.WAITING_ON_CITIZEN, Status.RESOLVED},
    Status.WAITING_ON_CITIZEN: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED, Status.OPEN},
    Status.CLOSED: {Status.OPEN},
}
# Citizens are emailed about these status changes (the status page shows every one).
NOTIFY_ON = {Status.WAITING_ON_CITIZEN, Status.RESOLVED, Status.OPEN}
NO_SURVEY_RESOLUTIONS = {Case.Resolution.DUPLICATE, Case.Resolution.SPAM}
# Citizen followers are emailed when the case is resolved or reopened (waiting on the
# requester is about the requester); every public update reaches them too.
FOLLOWERS_NOTIFY_ON = {Status.RESOLVED, Status.OPEN}


class CaseRuleError(ValidationError):
    """A change the workflow or routing rules refuse."""


def _event(case: Case, kind: str, actor: Any, *, body: str = "", public: bool = False,
           data: dict | None = None, at: datetime | None = None) -> CaseEvent:  # fmt: skip
    label = _actor_label(actor)
    if body:  # every timeline text is searchable by staff (cases.search)
        search_text_append(case.pk, body)
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if _is_user(actor) else None,
        actor_label=label or _("System"),
        body=body,
        is_public=public,
        data=data or {},
        created_at=at or timezone.now(),
    )


def _actor_label(actor: Any) -> str:
    if _is_user(actor):
        return actor.get_full_name() or actor.get_username()
    return str(actor or "")


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _audit(case: Case, action: str, actor: Any, changes: dict | None = None) -> None:
    audit_record(action=action, obj=case, actor=actor, changes=changes, agency_id=case.agency_id)


def _lock(case: Case) -> Case:
    """Re-read the case row FOR UPDATE: two agents acting at once are serialised, not merged."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "citizen")
        .get(pk=case.pk)
    )


# --- intake ---------------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    category: ServiceCategory,
    description: str,
    channel: str,
    actor: Any = None,
    citizen: Any = None,
    attributes: Mapping[str, Any] | None = None,
    address: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    priority: str | None = None,
    reporter_email: str = "",
    reporter_name: str = "",
    language: str | None = None,
    email_updates: bool = True,
    media_url: str = "",
    media_urls: Iterable[str] = (),
    photos: Iterable[Any] = (),
    address_public: bool = False,
    suggested_citizen: Any = None,
    team: Any = None,
    consent_surveys: bool | None = None,
) -> Case:
    """Open a case in `category`; it goes to `team` if given (an inbound email address's
    team), else the category's owning team; status `new`.

    The receipt email always goes to a given address (it carries the reference and the status
    link); `email_updates=False` stops the later update and status emails. The case keeps the
    email it was opened with (the given one, else the citizen's): its mail goes there.
    `consent_surveys` is the requester's answer to the survey question (None: not asked),
    kept on the case; the citizen's consent history is written by the caller
    (cases.citizen_services, case_intake) or when the case is linked to a record.
    `photos` (files already cleaned of their metadata: cases.uploads.photo_clean) become the
    case's attachments before the receipt is written, so it counts them. `media_urls`: every
    link an Open311 app sent (`media_url` is the first).
    """
    if not category.active:
        raise CaseRuleError(_("This service is not accepting requests."))
    if not (description or "").strip():
        raise CaseRuleError({"description": [_("Describe the request.")]})
    if priority and priority not in Priority.values:
        raise CaseRuleError({"priority": [_("Choose a valid priority.")]})
    if team is not None and team.agency_id != category.agency_id:
        raise CaseRuleError(_("Choose a team of the service's agency."))
    cleaned = attributes_clean(
        category.attributes.all(), attributes or {}, timezone=category.agency.timezone
    )
    case = Case(
        agency_id=category.agency_id,
        category=category,
        citizen=citizen,
        attributes=cleaned,
        description=description.strip(),
        address=(address or "").strip(),
        latitude=latitude,
        longitude=longitude,
        channel=channel,
        priority=priority or category.default_priority,
        team_id=team.pk if team is not None else category.owning_team_id,
        reporter_email=(reporter_email or getattr(citizen, "email", "") or "").strip().lower(),
        reporter_name=(reporter_name or "").strip(),
        address_public=address_public and bool((address or "").strip()),
        suggested_citizen=suggested_citizen if citizen is None else None,
        consent_surveys=consent_surveys,
        language=language or getattr(citizen, "preferred_language", "") or settings.LANGUAGE_CODE,
        updates_opted_out=not email_updates,
        media_url=media_url,
        media_urls=list(media_urls),
    )
    # Field validation only: the model's check constraints are about resolved/closed cases
    # (a new case meets them) and the database enforces them anyway; validating them here
    # cost a savepoint and a query each on every create (bench/README.md).
    case.full_clean(
        exclude=["reference", "agency", "category", "citizen", "team", "assignee"],
        validate_constraints=False,
    )
    case.search_text = search_text_for(case)
    sla_initialise(case)  # policy, deadlines, clock from creation (saved below)
    _save_with_new_reference(case)
    _event(case, Kind.CREATED, actor, data={"channel": channel, "team": case.team_id})
    _audit(
        case,
        "case.created",
        actor,
        {"status": (None, case.status), "category": (None, category.code)},
    )
    for photo in photos:
        case_attach(case=case, upload=photo, actor=actor)
    case_notify_citizen(case=case, kind="received")
    return case


def case_location_check(
    *, category: ServiceCategory, address: str, latitude: Any, longitude: Any
) -> None:
    """The place of a request from outside (the public form, Open311): given when the service
    requires one, and inside the agency's service area when the agency has one. Raises
    CaseRuleError keyed by the field to correct."""
    if category.location_required and not (address or "").strip() and latitude is None:
        raise CaseRuleError(
            {"address": [_("This service needs to know where the problem is: give an address "
                           "or a place, or use your location.")]}
        )  # fmt: skip
    agency = category.agency
    if (
        latitude is not None
        and longitude is not None
        and not agency.in_service_area(latitude, longitude)
    ):
        raise CaseRuleError(
            {"latitude": [_("This location is outside %(agency)s's service area.")
                          % {"agency": agency.name}]}
        )  # fmt: skip


class NewCitizenInvalid(ValidationError):
    """The citizen to create at intake is invalid (errors belong on the citizen's fields)."""


@transaction.atomic
def case_intake(
    *,
    actor: Any,
    citizen: Any = None,
    new_citizen: Mapping[str, Any] | None = None,
    consent_surveys: bool | None = None,
    **case_fields,
) -> Case:
    """Phone or walk-in intake: the new citizen (if any) and the case, together or not at all.

    `consent_surveys` is the citizen's answer when the agent asked about surveys (None: not
    asked): a new record gets it in its consent history either way; an existing record gets a
    "yes" (a box left unticked does not withdraw what the person said before); an anonymous
    case keeps it for when it is linked. Staff recorded it (source "staff").
    Raises NewCitizenInvalid for the citizen's fields, CaseRuleError/ValidationError for the case.
    """
    from citizens.models import ConsentKind, ConsentSource
    from citizens.services import citizen_consent_set, citizen_create

    if new_citizen is not None:
        try:
            citizen = citizen_create(
                actor=actor,
                consent_surveys=consent_surveys,
                consent_source=ConsentSource.STAFF,
                **new_citizen,
            )
        except ValidationError as exc:
            raise NewCitizenInvalid(
                exc.error_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
    elif citizen is not None and consent_surveys:
        citizen_consent_set(
            citizen=citizen, kind=ConsentKind.SURVEYS, granted=True,
            source=ConsentSource.STAFF, actor=actor,
        )  # fmt: skip
    return case_create(actor=actor, citizen=citizen, consent_surveys=consent_surveys, **case_fields)


def _save_with_new_reference(case: Case) -> None:
    for _attempt in range(5):
        case.reference = references.reference_new()
        try:
            with transaction.atomic():  # a savepoint: a collision must not poison the caller
                case.save(force_insert=True)
            return
        except IntegrityError as exc:
            if "reference" not in str(exc):
                raise
    raise RuntimeError("could not find a free case reference")


# --- workflow -------------------------------------------------------------------------------


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to_status: str,
    actor: Any,
    resolution_code: str = "",
    citizen_contacted: bool | None = None,
    note: str = "",
    feed_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Move a case along the workflow; refuses anything TRANSITIONS does not allow.

    `note` goes to the citizen: on the status page, and by email for the changes they are
    emailed about (NOTIFY_ON);
    `feed_note` is written for the open data feed (Open311 status_notes, e.g. "Pothole
    filled") when the service is published, and never addressed to the citizen.
    """
    case = _lock(case)
    before = case.status
    if to_status not in TRANSITIONS.get(before, set()):
        raise CaseRuleError(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": Status(before).label, "to": _status_label(to_status)}
        )
    now = at or timezone.now()
    changes: dict[str, tuple[Any, Any]] = {"status": (before, to_status)}
    if to_status == Status.RESOLVED:
        if resolution_code not in Case.Resolution.values:
            raise CaseRuleError({"resolution_code": [_("Choose how the case was resolved.")]})
        if citizen_contacted is None:
            raise CaseRuleError(
                {"citizen_contacted": [_("Say whether the citizen was contacted.")]}
            )
        case.resolution_code = resolution_code
        case.citizen_contacted = citizen_contacted
        case.resolved_at = now
        changes["resolution_code"] = ("", resolution_code)
    elif to_status == Status.OPEN and before in (Status.RESOLVED, Status.CLOSED):
        changes["resolution_code"] = (case.resolution_code, "")
        case.resolution_code = ""
        case.citizen_contacted = None
        case.resolved_at = None
        case.closed_at = None
    elif to_status == Status.OPEN:  # new → open: whoever opens it takes it if nobody has it
        case.opened_at = now
        if case.assignee_id is None and _is_user(actor):
            changes["assignee"] = (None, actor.get_username())
            case.assignee = actor
    elif to_status == Status.CLOSED:
        case.closed_at = now
    case.status = to_status
    case.save()
    case_sla_refresh(case=case, actor=actor, reason="status", at=now)
    reopened = to_status == Status.OPEN and before in (Status.RESOLVED, Status.CLOSED)
    # Every status change is on the citizen's status page; only some are emailed (NOTIFY_ON).
    status_event = _event(case, Kind.STATUS, actor, body=note, at=now, public=True,
           data={"from": before, "to": to_status, "resolution_code": case.resolution_code,
                 "reopened": reopened})  # fmt: skip
    feed_note = _text(feed_note, "feed_note") if (feed_note or "").strip() else ""
    if feed_note:
        _event(case, Kind.FEED_NOTE, actor, body=feed_note, at=now)
        changes["feed_note"] = (None, feed_note)
    _audit(case, "case.reopened" if reopened else f"case.{to_status}", actor, changes)
    if to_status == Status.CLOSED:
        run_case_closed_hooks(case, actor)
    if to_status in NOTIFY_ON and before != Status.NEW:
        case_notify_citizen(case=case, kind="status", body=note)
    if to_status in FOLLOWERS_NOTIFY_ON and before != Status.NEW:
        case_notify_followers(case=case, event_id=status_event.pk)
    staff_notices.tell_followers(
        case, what=partial(presenters.followed_status_text, to_status), actor=actor
    )
    return case


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


def case_close(*, case: Case, actor: Any = None, at: datetime | None = None) -> Case:
    return case_transition(case=case, to_status=Status.CLOSED, actor=actor, at=at)


def cases_close_resolved(*, now: datetime | None = None, batch: int = 500) -> int:
    """Beat sweep: close cases resolved more than CASE_AUTO_CLOSE_DAYS ago, one by one.

    Each case closes in its own transaction (its hooks run inside it); a case locked by an
    agent right now is skipped and picked up by the next run; a rerun finds nothing to do.
    """
    now = now or timezone.now()
    closed = 0
    cutoff = now - timedelta(days=settings.CASE_AUTO_CLOSE_DAYS)
    for case_id in selectors.cases_due_for_auto_close(now=now, limit=batch):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True)
                .filter(pk=case_id, status=Status.RESOLVED, resolved_at__lte=cutoff)
                .first()
            )
            if case is None:
                continue
            case_transition(case=case, to_status=Status.CLOSED, actor="auto-close", at=now,
                            note="")  # fmt: skip
            closed += 1
    return closed


# --- routing --------------------------------------------------------------------------------


def _check_assignee(case: Case, assignee: Any) -> None:
    if not is_staff_of(assignee, case.agency_id) or not assignee.is_active:
        raise CaseRuleError({"assignee": [_("Assign the case to someone in its agency.")]})


@transaction.atomic
def case_assign(*, case: Case, assignee: Any, actor: Any) -> Case:
    """Give the case to `assignee` (a new case becomes open); they are told."""
    case, changed = _assign(case, assignee, actor)
    if changed:
        staff_notices.tell_assignee(case, actor=actor)
    return case


def _assign(case: Case, assignee: Any, actor: Any) -> tuple[Case, bool]:
    case = _lock(case)
    if not case.is_open:
        raise CaseRuleError(_("Reopen the case before assigning it."))
    _check_assignee(case, assignee)
    before = case.assignee.get_username() if case.assignee_id else None
    if case.assignee_id == assignee.pk:
        return case, False
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _event(case, Kind.ASSIGNMENT, actor, data={"from": before, "to": assignee.get_username()})
    _audit(case, "case.assigned", actor, {"assignee": (before, assignee.get_username())})
    if case.status == Status.NEW:
        case = case_transition(case=case, to_status=Status.OPEN, actor=actor)
    return case, True


def case_take(*, case: Case, actor: Any) -> Case:
    return case_assign(case=case, assignee=actor, actor=actor)


@transaction.atomic
def case_unassign(*, case: Case, actor: Any) -> Case:
    case = _lock(case)
    if case.assignee_id is None:
        return case
    before = case.assignee.get_username()
    case.assignee = None
    case.save(update_fields=["assignee", "updated_at"])
    _event(case, Kind.ASSIGNMENT, actor, data={"from": before, "to": None})
    _audit(case, "case.unassigned", actor, {"assignee": (before, None)})
    return case


@transaction.atomic
def case_transfer(*, case: Case, team: Any, actor: Any, reason: str = "") -> Case:
    """Move the case to another team of the same agency; it waits there unassigned."""
    case = _lock(case)
    if team.agency_id != case.agency_id:
        raise CaseRuleError({"team": [_("Choose a team of this agency, or refer the case.")]})
    if not team.active:
        raise CaseRuleError({"team": [_("This team no longer takes cases.")]})
    if not case.is_open:
        raise CaseRuleError(_("Reopen the case before transferring it."))
    if team.pk == case.team_id:
        return case
    before_team, before_assignee = case.team_id, case.assignee_id
    case.team = team
    case.assignee = None
    case.save(update_fields=["team", "assignee", "updated_at"])
    case_sla_refresh(case=case, actor=actor, reason="team",
                                  previous_team_id=before_team)  # fmt: skip
    _event(case, Kind.TRANSFER, actor, body=reason,
           data={"from": before_team, "to": team.pk, "team": team.name})  # fmt: skip
    _audit(case, "case.transferred", actor,
           {"team": (before_team, team.pk), "assignee": (before_assignee, None)})  # fmt: skip
    staff_notices.tell_team(case, team=team, actor=actor)
    return case


@transaction.atomic
def case_refer(*, case: Case, category: ServiceCategory, reason: str, actor: Any) -> Case:
    """Hand the case to another agency, in one of its categories. The sender keeps read access."""
    case = _lock(case)
    if category.agency_id == case.agency_id:
        raise CaseRuleError({"category": [_("Choose a service of another agency.")]})
    if not case.is_open:
        raise CaseRuleError(_("Only open cases can be referred."))
    if not (reason or "").strip():
        raise CaseRuleError({"reason": [_("Say why the case is referred.")]})
    from_agency = case.agency_id
    Referral.objects.create(
        case=case, from_agency_id=from_agency, to_agency_id=category.agency_id,
        reason=reason.strip(), referred_by=actor if _is_user(actor) else None,
    )  # fmt: skip
    before = {"agency": from_agency, "category": case.category_id, "team": case.team_id,
              "assignee": case.assignee_id, "status": case.status}  # fmt: skip
    case.agency_id = category.agency_id
    case.category = category
    case.team_id = category.owning_team_id
    case.assignee = None
    case.status = Status.NEW
    case.opened_at = None
    case.save()
    case_sla_refresh(case=case, actor=actor, reason="referral",
                                  previous_team_id=before["team"])  # fmt: skip
    _event(case, Kind.REFERRAL, actor, body=reason.strip(),
           data={"from_agency": from_agency, "to_agency": category.agency_id,
                 "agency": category.agency.name})  # fmt: skip
    after = {"agency": case.agency_id, "category": case.category_id, "team": case.team_id,
             "assignee": None, "status": case.status}  # fmt: skip
    audit_record(action="case.referred", obj=case, actor=actor, agency_id=from_agency,
                 changes={k: (before[k], after[k]) for k in before})  # fmt: skip
    _audit(case, "case.received_by_referral", actor, {"agency": (from_agency, case.agency_id)})
    if category.owning_team_id is not None:
        staff_notices.tell_team(case, team=category.owning_team, actor=actor)
    return case


@transaction.atomic
def case_set_priority(*, case: Case, priority: str, actor: Any) -> Case:
    if priority not in Priority.values:
        raise CaseRuleError({"priority": [_("Choose a valid priority.")]})
    case = _lock(case)
    if case.priority == priority:
        return case
    before = case.priority
    case.priority = priority
    case.save(update_fields=["priority", "updated_at"])
    case_sla_refresh(case=case, actor=actor, reason="priority")
    _event(case, Kind.PRIORITY, actor, data={"from": before, "to": priority})
    _audit(case, "case.priority_changed", actor, {"priority": (before, priority)})
    return case


@transaction.atomic
def case_set_category(*, case: Case, category: ServiceCategory, actor: Any) -> Case:
    """Recategorise within the agency; answers to the old category's questions are kept."""
    case = _lock(case)
    if category.agency_id != case.agency_id:
        raise CaseRuleError(
            {"category": [_("Choose a service of this agency, or refer the case.")]}
        )
    if not category.active:
        raise CaseRuleError({"category": [_("This service is not accepting requests.")]})
    if category.pk == case.category_id:
        return case
    before = case.category.code
    case.category = category
    case.save(update_fields=["category", "updated_at"])
    search_text_append(case.pk, *(category.name or {}).values())
    case_sla_refresh(case=case, actor=actor, reason="category")
    _event(case, Kind.CATEGORY, actor, data={"from": before, "to": category.code})
    _audit(case, "case.category_changed", actor, {"category": (before, category.code)})
    return case


class CaseChanged(CaseRuleError):
    """The case changed since the caller read it (API: 412 Precondition Failed)."""


@transaction.atomic
def case_change(
    *,
    case: Case,
    actor: Any,
    priority: str | None = None,
    category: ServiceCategory | None = None,
    if_unchanged_since: datetime | None = None,
) -> Case:
    """Change priority and/or category together, refusing if the case changed since the
    caller's read (`if_unchanged_since` = the `updated_at` they saw): no silent overwrite."""
    locked = _lock(case)
    if if_unchanged_since is not None and locked.updated_at != if_unchanged_since:
        raise CaseChanged(_("Someone changed this case since you read it: read it again."))
    if category is not None:
        locked = case_set_category(case=locked, category=category, actor=actor)
    if priority is not None:
        locked = case_set_priority(case=locked, priority=priority, actor=actor)
    return locked


@transaction.atomic
def cases_bulk_assign(*, cases: Iterable[Case], assignee: Any, actor: Any) -> int:
    """Assign each case; the assignee gets one notice for all the cases that became theirs."""
    count, changed = 0, []
    for case in cases:
        case, was_changed = _assign(case, assignee, actor)
        count += 1
        if was_changed:
            changed.append(case)
    staff_notices.tell_assignee_of_many(changed, assignee=assignee, actor=actor)
    return count


@transaction.atomic
def cases_bulk_set_priority(*, cases: Iterable[Case], priority: str, actor: Any) -> int:
    count = 0
    for case in cases:
        case_set_priority(case=case, priority=priority, actor=actor)
        count += 1
    return count


# --- timeline -------------------------------------------------------------------------------


def _text(body: str, field: str = "body") -> str:
    text = (body or "").strip()
    if not text:
        raise CaseRuleError({field: [_("Write something first.")]})
    if len(text) > 10_000:
        raise CaseRuleError({field: [_("Keep it under 10,000 characters.")]})
    return text


@transaction.atomic
def case_note_add(*, case: Case, body: str, actor: Any) -> CaseEvent:
    """An internal note: staff only, never shown to the citizen, not a first response. The
    agency's staff it mentions by `@username` are told (and listed in the event's data)."""
    text = _text(body)
    mentioned = staff_notices.tell_mentioned(case, body=text, actor=actor)
    data = {"mentions": [user.get_username() for user in mentioned]} if mentioned else None
    event = _event(case, Kind.NOTE, actor, body=text, data=data)
    _audit(case, "case.note_added", actor, {"note": (None, event.pk)})
    if mentioned:  # a colleague mentioned follows the case from now on
        from cases.follower_services import Source, case_follow

        for user in mentioned:
            case_follow(case=case, user=user, actor=actor, source=Source.MENTION)
    return event


def _mark_first_response(case: Case, at: datetime) -> dict:
    if case.first_response_at is None:
        case.first_response_at = at
        case.save(update_fields=["first_response_at", "updated_at"])
        return {"first_response_at": (None, at.isoformat())}
    return {}


@transaction.atomic
def case_public_update(
    *, case: Case, body: str, actor: Any, canned_reply_id: int | None = None
) -> CaseEvent:
    """A message to the citizen: on the status page and by email. Meets the first response.
    `canned_reply_id`: the saved reply it started from (counted for the dashboards)."""
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise CaseRuleError(_("Reopen the case before writing to the citizen."))
    event = _event(case, Kind.PUBLIC_UPDATE, actor, body=_text(body), public=True,
                   data=_canned(canned_reply_id))  # fmt: skip
    changes = {"public_update": (None, event.pk), **_mark_first_response(case, event.created_at)}
    case_sla_refresh(case=case, actor=actor, reason="first_response")
    _audit(case, "case.public_update", actor, changes)
    case_notify_citizen(case=case, kind="update", body=event.body)
    case_notify_followers(case=case, event_id=event.pk)
    staff_notices.tell_followers(case, what=presenters.followed_update_text, actor=actor)
    return event


CONTACT_METHODS = {"phone", "email", "in_person", "letter"}


def _canned(canned_reply_id: int | None) -> dict:
    """The saved reply a message started from, if any (only the case agency's own counts)."""
    return {"canned_reply": canned_reply_id} if canned_reply_id else {}


@transaction.atomic
def case_contact_log(
    *, case: Case, method: str, body: str, actor: Any, outbound: bool = True,
    canned_reply_id: int | None = None,
) -> CaseEvent:  # fmt: skip
    """Record a call, email, visit or letter with the citizen. Outbound contact is a response."""
    if method not in CONTACT_METHODS:
        raise CaseRuleError({"method": [_("Choose how you were in touch.")]})
    case = _lock(case)
    event = _event(case, Kind.CONTACT, actor, body=_text(body),
                   data={"method": method, "outbound": outbound,
                         **_canned(canned_reply_id)})  # fmt: skip
    changes = {"contact": (None, event.pk)}
    if outbound:
        changes.update(_mark_first_response(case, event.created_at))
        case_sla_refresh(case=case, actor=actor, reason="first_response")
    _audit(case, "case.contact_logged", actor, changes)
    return event


@transaction.atomic
def case_attach(*, case: Case, upload: Any, actor: Any, is_public: bool = False) -> Attachment:
    """Store a file checked by content and size; it is served only through the case's pages."""
    sniffed = upload_check(upload)
    name = (getattr(upload, "name", "") or "attachment").rsplit("/", 1)[-1][:150]
    event = _event(case, Kind.ATTACHMENT, actor, body=name, public=is_public,
                   data={"content_type": sniffed.content_type, "size": upload.size})  # fmt: skip
    attachment = Attachment(
        case=case, event=event, token=secrets.token_hex(16), original_name=name,
        content_type=sniffed.content_type, size=upload.size, is_public=is_public,
        uploaded_by=actor if _is_user(actor) else None,
    )  # fmt: skip
    attachment.file.save(f"{attachment.token}.{sniffed.extension}", upload, save=False)
    attachment.save()
    _audit(case, "case.attachment_added", actor, {"attachment": (None, name)})
    return attachment


@transaction.atomic
def case_updates_unsubscribe(*, case: Case) -> bool:
    """The citizen's one-click stop for emails about this case (from the email's link)."""
    updated = Case.objects.filter(pk=case.pk, updates_opted_out=False).update(
        updates_opted_out=True
    )
    if updated:
        _audit(case, "case.updates_unsubscribed", f"citizen:{case.contact_email}",
               {"updates_opted_out": (False, True)})  # fmt: skip
    return bool(updated)


# --- retention ------------------------------------------------------------------------------

ANONYMISED_TEXT = "[removed under the retention policy]"
# Timeline entries that carry what people wrote or said; the others (status, assignment,
# SLA…) carry no personal data and keep the statistics whole.
PERSONAL_EVENT_KINDS = (Kind.CREATED, Kind.NOTE, Kind.PUBLIC_UPDATE, Kind.CONTACT, Kind.ATTACHMENT,
                        Kind.REFERRAL, Kind.TRANSFER, Kind.STATUS)  # fmt: skip


def cases_anonymise(*, cutoff: datetime, dry_run: bool = False, batch: int = 500) -> int:
    """Remove the personal data of cases closed before `cutoff`: description, address,
    coordinates, answers, reporter, timeline texts and files. Kept: category, team, status,
    priority, channel, dates, SLA figures and the link to the (separately anonymised) citizen.
    Idempotent; each case is audited."""
    due = Case.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
    ).order_by("id")
    if dry_run:
        return due.count()
    done = 0
    while ids := list(due.values_list("id", flat=True)[:batch]):
        with transaction.atomic():
            done += _anonymise_batch(ids)
    return done


def _anonymise_batch(ids: list[int]) -> int:
    from core.retention import RETENTION_ACTOR

    cases = list(
        Case.objects.select_for_update(skip_locked=True).filter(pk__in=ids, anonymised_at=None)
    )
    ids = [case.pk for case in cases]
    for attachment in Attachment.objects.filter(case_id__in=ids):
        attachment.file.delete(save=False)
    Attachment.objects.filter(case_id__in=ids).delete()
    from cases.models import CaseFollower

    CaseFollower.objects.filter(case_id__in=ids).delete()  # their names and addresses
    CaseEvent.objects.filter(case_id__in=ids, kind__in=PERSONAL_EVENT_KINDS).exclude(
        body=""
    ).update(body="")
    now = timezone.now()
    Case.objects.filter(pk__in=ids).update(
        description=ANONYMISED_TEXT, address="", latitude=None, longitude=None, attributes={},
        reporter_email="", reporter_name="", media_url="", media_urls=[], anonymised_at=now,
        search_text="",
        suggested_citizen=None,  # it pointed at a record because of the reporter's email
    )  # fmt: skip
    audit_record_many(
        [
            {
                "action": "case.anonymised",
                "obj": case,
                "actor": RETENTION_ACTOR,
                "changes": {"personal_data": ("kept", "removed")},
            }
            for case in cases
        ]
    )
    return len(cases)


# --- citizen replies (inbound email, Open311 updates) -----------------------------------------


@transaction.atomic
def case_citizen_reply(
    *, case: Case, body: str, full_text: str = "", actor: str, channel: str,
    data: dict | None = None, at: datetime | None = None,
) -> CaseEvent:  # fmt: skip
    """A citizen's answer lands on the case as a "citizen replied" event: `body` is what staff
    read (quoted history and signature trimmed), `full_text` the whole message, kept. A case
    waiting on the citizen moves to "in progress" (its SLA clock resumes); the assignee is told.
    """
    case = _lock(case)
    now = at or timezone.now()
    body = (body or "").strip() or (full_text or "").strip()
    if not body:
        raise CaseRuleError({"body": [_("The reply is empty.")]})
    event = _event(case, Kind.CITIZEN_REPLY, actor, body=body[:20000], at=now,
                   data={"channel": channel, "full_text": (full_text or body)[:100000],
                         **(data or {})})  # fmt: skip
    _audit(case, "case.citizen_replied", actor, {"channel": (None, channel)})
    if case.status == Status.WAITING_ON_CITIZEN:
        case_transition(case=case, to_status=Status.IN_PROGRESS, actor=actor, at=now)
        case.refresh_from_db()
    if case.assignee_id:
        staff_notices.tell_assignee_citizen_replied(case, body=body)
    return event
