"""Writers of the walk-in queue. Each one is atomic and writes an audit row.

The queue moves by conditional updates on rows locked `FOR UPDATE SKIP LOCKED`, so two desks
pressing "call next" at once never get the same ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens import normalise
from core.links import absolute
from core.services import audit_record, email_enqueue
from visits import selectors
from visits.models import Desk, Office, Visit

Status = Visit.Status


def _audit(visit: Visit, action: str, actor: Any, changes: dict | None = None) -> None:
    audit_record(action=action, obj=visit, actor=actor, changes=changes,
                 agency_id=visit.agency_id)  # fmt: skip


def _locked(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("office", "category").get(pk=visit.pk)


def _refuse(message: str) -> None:
    raise ValidationError(message)


# --- check-in -------------------------------------------------------------------------------


@transaction.atomic
def visit_check_in(
    *,
    office: Office,
    category: Any,
    email: str = "",
    phone: str = "",
    language: str = "",
    priority: bool = False,
    now: datetime | None = None,
) -> Visit:
    """A ticket for `category` at `office`, numbered after the day's last one.

    Refused while the office is closed (its business calendar) or for a service it does not
    offer. Phone and email are optional; email gets "you are next".
    """
    now = now or timezone.now()
    if not office.active or not selectors.office_open_state(office, now=now).is_open:
        _refuse(_("This office is closed now."))
    if not office.services.filter(pk=category.pk, active=True).exists():
        raise ValidationError({"category": _("Choose one of the services offered here.")})
    email = normalise.normalise_email(email or "")
    try:
        phone = normalise.normalise_phone(phone or "")
    except normalise.InvalidPhoneNumber:
        raise ValidationError(
            {"phone": _("Enter a valid phone number, for example +1 312 555 0142.")}
        ) from None
    day = selectors.office_local_day(office, now)
    # One check-in at a time per office: the lock orders the numbers of the day.
    Office.objects.select_for_update().filter(pk=office.pk).first()
    last = Visit.objects.filter(office=office, day=day).aggregate(n=Max("number"))["n"] or 0
    visit = Visit(
        agency_id=office.agency_id, office=office, category=category, number=last + 1, day=day,
        email=email, phone=phone, priority=bool(priority),
        language=language or settings.LANGUAGE_CODE, created_at=now, queued_at=now,
    )  # fmt: skip
    visit.full_clean(exclude=["agency", "office", "category", "desk", "citizen", "case",
                              "called_by", "token"])  # fmt: skip
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:  # pragma: no cover - the office lock makes this unreachable
        _refuse(_("Please try again."))
    _audit(visit, "visit.checked_in", "citizen (walk-in check-in)",
           {"status": (None, visit.status), "service": (None, category.code)})  # fmt: skip
    return visit


# --- the desk -------------------------------------------------------------------------------


@transaction.atomic
def visit_call_next(*, desk: Desk, actor: Any, now: datetime | None = None) -> Visit | None:
    """Call the next ticket to `desk`: one transferred to it, else the unassigned ones of its
    services, priority tickets first, then by check-in time. None when nobody is waiting.

    The next person of that service with an email is told they are next (once).
    """
    now = now or timezone.now()
    if selectors.desk_current_visit(desk) is not None:
        _refuse(_("Finish or mark the current ticket before calling the next one."))
    visit = (
        selectors.waiting_for_desk(desk).select_for_update(skip_locked=True, of=("self",)).first()
    )
    if visit is None:
        return None
    visit.status, visit.desk, visit.called_at, visit.called_by = Status.CALLED, desk, now, actor
    visit.save(update_fields=["status", "desk", "called_at", "called_by"])
    _audit(visit, "visit.called", actor,
           {"status": (Status.WAITING, Status.CALLED), "desk": (None, desk.name)})  # fmt: skip
    _tell_next(visit.office_id, visit.category_id, now=now)
    return visit


def _tell_next(office_id: int, category_id: int, *, now: datetime) -> None:
    """Email "you are next" to the head of the service's queue, once, if they left an email."""
    head = selectors.next_in_line(office_id, category_id)
    if head is None or not head.email or head.next_notified_at is not None:
        return
    claimed = Visit.objects.filter(pk=head.pk, next_notified_at__isnull=True).update(
        next_notified_at=now
    )
    if not claimed:
        return
    head.office = Office.objects.select_related("agency").get(pk=office_id)
    with translation.override(head.language):
        context = {
            "visit": head,
            "office": head.office,
            "service": head.category.display_name,
            "ticket_url": absolute(reverse("checkin_ticket", args=[head.office.slug, head.token])),
            "site_name": settings.SITE_NAME,
        }
        subject = render_to_string("emails/visit_next_subject.txt", context).strip()
        body = render_to_string("emails/visit_next_message.txt", context)
    email_enqueue(to=[head.email], subject=subject, body=body)
    _audit(head, "visit.told_next", None, {"next_notified_at": (None, now)})


TRANSITIONS: Mapping[str, tuple[tuple[str, ...], str]] = {
    # action: (from statuses, to status)
    "serving": ((Status.CALLED,), Status.SERVING),
    "done": ((Status.CALLED, Status.SERVING), Status.DONE),
    "no_show": ((Status.CALLED,), Status.NO_SHOW),
    "recall": ((Status.CALLED,), Status.CALLED),
}


@transaction.atomic
def visit_set_status(
    *, visit: Visit, action: str, actor: Any, now: datetime | None = None
) -> Visit:
    """Serving, done, no show, or call again (the display shows it again, at the top)."""
    now = now or timezone.now()
    if action not in TRANSITIONS:
        _refuse(_("Unknown action."))
    allowed, target = TRANSITIONS[action]
    visit = _locked(visit)
    if visit.status not in allowed:
        _refuse(_("This ticket has moved on: reload the page."))
    before = visit.status
    visit.status = target
    fields = ["status"]
    if action == "serving":
        visit.serving_at = now
        fields.append("serving_at")
    elif action in ("done", "no_show"):
        visit.finished_at = now
        fields.append("finished_at")
    else:  # recall
        visit.called_at = now
        fields.append("called_at")
    visit.save(update_fields=fields)
    _audit(visit, f"visit.{action}", actor, {"status": (before, target)})
    return visit


@transaction.atomic
def visit_transfer(
    *, visit: Visit, actor: Any, desk: Desk | None = None, category: Any = None
) -> Visit:
    """Back into the queue, keeping its place: for another desk (only that desk calls it) or
    another service of the office (any desk serving it calls it)."""
    visit = _locked(visit)
    if visit.status not in Visit.ACTIVE_STATUSES:
        _refuse(_("This ticket is finished: it cannot be transferred."))
    if (desk is None) == (category is None):
        _refuse(_("Choose a desk or a service to transfer to."))
    changes: dict[str, tuple[Any, Any]] = {"status": (visit.status, Status.WAITING)}
    if desk is not None:
        if desk.office_id != visit.office_id or not desk.active:
            raise ValidationError({"desk": _("Choose a desk of this office.")})
        changes["desk"] = (visit.desk.name if visit.desk else None, desk.name)
        visit.desk = desk
    else:
        if not visit.office.services.filter(pk=category.pk).exists():
            raise ValidationError({"category": _("Choose a service of this office.")})
        changes["service"] = (visit.category.code, category.code)
        visit.category, visit.desk = category, None
    visit.status = Status.WAITING
    visit.called_at = visit.serving_at = visit.called_by = None
    visit.save(update_fields=["status", "desk", "category", "called_at", "serving_at",
                              "called_by"])  # fmt: skip
    _audit(visit, "visit.transferred", actor, changes)
    return visit


@transaction.atomic
def visit_open_case(
    *,
    visit: Visit,
    actor: Any,
    description: str,
    citizen: Any = None,
    new_citizen: Mapping[str, Any] | None = None,
) -> Any:
    """Open a walk-in case for this visit's service, for a found or a new citizen (the intake
    of cases.services: the new record and the case together or not at all)."""
    from cases.services import case_intake

    visit = _locked(visit)
    if visit.case_id is not None:
        _refuse(_("A case was already opened from this visit."))
    case = case_intake(
        actor=actor, citizen=citizen, new_citizen=new_citizen, category=visit.category,
        description=description, channel="walk_in", language=visit.language,
    )  # fmt: skip
    visit.case, visit.citizen = case, case.citizen
    visit.save(update_fields=["case", "citizen"])
    _audit(visit, "visit.case_opened", actor,
           {"case": (None, case.reference), "citizen": (None, case.citizen_id)})  # fmt: skip
    return case
