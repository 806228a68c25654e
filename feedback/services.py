"""Writers of `feedback`: public feedback and its staff triage, and the retention step. Every
function audits its change (DESIGN.md "Audit"). Surveys (invitations, delivery, answers, opt-out)
are written by `feedback.survey_services`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import acts_for_agency
from cases import services as case_services
from cases.models import Case, ServiceCategory
from citizens.models import Citizen, ConsentKind, ConsentSource
from citizens.selectors import citizen_survivor
from citizens.services import (
    RequesterMatch,
    citizen_consent_set,
    citizen_create,
    citizen_match_requester,
)
from core.services import audit_record, audit_record_many
from feedback import selectors
from feedback.models import (
    Answer,
    FeedbackSubmission,
    SurveyInvitation,
)

logger = logging.getLogger(__name__)
Status = SurveyInvitation.Status
MESSAGE_MAX = 5000


class FeedbackRuleError(ValidationError):
    """A change the feedback rules refuse, with a message fit for the user."""


class SurveyClosed(Exception):
    """The invitation cannot take an answer: `reason` is "answered", "expired" or "unavailable"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_staff_agency(actor: Any, agency_id: int) -> None:
    if not acts_for_agency(actor, agency_id):
        raise FeedbackRuleError(_("This feedback belongs to another agency."))


# --- public feedback ------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *,
    agency: Agency,
    kind: str,
    message: str,
    category: ServiceCategory | None = None,
    case_reference: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    consent_contact: bool = False,
    consent_surveys: bool | None = None,
    language: str = settings.LANGUAGE_CODE,
    citizen: Citizen | None = None,
    actor: Any = None,
) -> FeedbackSubmission:
    """Store feedback from the public form (or recorded by staff, `actor`, for a `citizen`
    they know). Anonymous is allowed: all contact data optional.

    A case reference is kept as typed; it links the case only if it names one of `agency`'s
    cases (the form says nothing either way, so references cannot be probed through it).
    Without `citizen`, the contact details are matched to the citizen records
    (citizens.services.citizen_match_requester): a new record when nobody has the email or
    phone, else that record is suggested to staff, never linked. `consent_surveys` is the
    answer to the survey question (None: not asked).
    """
    if kind not in FeedbackSubmission.Kind.values:
        raise FeedbackRuleError({"kind": [_("Choose what kind of feedback this is.")]})
    text = (message or "").strip()
    if not text:
        raise FeedbackRuleError({"message": [_("Write your feedback.")]})
    if len(text) > MESSAGE_MAX:
        raise FeedbackRuleError({"message": [_("Keep it under 5,000 characters.")]})
    if category is not None and category.agency_id != agency.pk:
        raise FeedbackRuleError({"category": [_("Choose a service of this agency.")]})
    email = (contact_email or "").strip().lower()
    phone = (contact_phone or "").strip()
    if consent_contact and not (email or phone):
        raise FeedbackRuleError(
            {"contact_email": [_("Give an email address or a phone number so we can reply.")]}
        )
    reference = (case_reference or "").strip()[:40]
    case = selectors.case_by_reference(reference, agency_id=agency.pk) if reference else None
    name = (contact_name or "").strip()[:200]
    match = RequesterMatch()
    if citizen is None:
        match = citizen_match_requester(
            actor=actor if actor is not None else "citizen (public feedback form)",
            source=ConsentSource.FEEDBACK if actor is None else ConsentSource.STAFF,
            name=name, email=email, phone=phone, language=language,
            consent_surveys=consent_surveys,
        )  # fmt: skip
    feedback = FeedbackSubmission.objects.create(
        agency=agency, kind=kind, category=category, case_reference=reference, case=case,
        message=text, contact_name=name, contact_email=email,
        contact_phone=phone[:40], consent_contact=bool(consent_contact and (email or phone)),
        consent_surveys=consent_surveys, language=language, citizen=match.citizen,
        suggested_citizen=match.suggested,
    )  # fmt: skip
    audit_record(
        action="feedback.submitted", obj=feedback,
        actor=actor if actor is not None else "citizen (public feedback form)",
        agency_id=agency.pk,
        changes={"kind": (None, kind), "case": (None, case.reference if case else None),
                 "citizen": (None, match.citizen.pk if match.citizen else None),
                 "suggested_citizen": (None, match.suggested.pk if match.suggested else None)},
    )  # fmt: skip
    if citizen is not None:  # in the same transaction: the feedback and its link, or neither
        feedback = feedback_link_citizen(feedback=feedback, citizen=citizen, actor=actor)
    return feedback


# --- staff triage ---------------------------------------------------------------------------


def _locked_feedback(feedback: FeedbackSubmission) -> FeedbackSubmission:
    return FeedbackSubmission.objects.select_for_update(of=("self",)).get(pk=feedback.pk)


@transaction.atomic
def feedback_mark_handled(
    *, feedback: FeedbackSubmission, actor: Any, handled: bool = True
) -> FeedbackSubmission:
    """Mark feedback handled (or back to new). No change, no write."""
    feedback = _locked_feedback(feedback)
    _check_staff_agency(actor, feedback.agency_id)
    target = FeedbackSubmission.Status.HANDLED if handled else FeedbackSubmission.Status.NEW
    if feedback.status == target:
        return feedback
    before = feedback.status
    feedback.status = target
    feedback.handled_at = timezone.now() if handled else None
    feedback.handled_by = actor if handled and getattr(actor, "is_authenticated", False) else None
    feedback.save(update_fields=["status", "handled_at", "handled_by"])
    audit_record(action="feedback.handled" if handled else "feedback.reopened", obj=feedback,
                 actor=actor, agency_id=feedback.agency_id,
                 changes={"status": (before, target)})  # fmt: skip
    return feedback


@transaction.atomic
def feedback_link_citizen(
    *, feedback: FeedbackSubmission, citizen: Citizen, actor: Any
) -> FeedbackSubmission:
    """Attach feedback to a citizen record (a merged-away record's survivor, if merged)."""
    feedback = _locked_feedback(feedback)
    _check_staff_agency(actor, feedback.agency_id)
    citizen = citizen_survivor(citizen)
    if feedback.citizen_id == citizen.pk:
        return feedback
    return _link(feedback, citizen, actor, "feedback.citizen_linked")


def _link(
    feedback: FeedbackSubmission, citizen: Citizen, actor: Any, action: str, *,
    new_record: bool = False,
) -> FeedbackSubmission:  # fmt: skip
    """Link the (locked) feedback to `citizen`; the suggestion goes. A survey "yes" given with
    the feedback joins the record's consent history (a "no" only on a new record: an unticked
    box does not withdraw what the person said elsewhere)."""
    if citizen.anonymised_at is not None:
        raise FeedbackRuleError(_("That citizen record can no longer be used."))
    before, suggested = feedback.citizen_id, feedback.suggested_citizen_id
    feedback.citizen = citizen
    feedback.suggested_citizen = None
    feedback.save(update_fields=["citizen", "suggested_citizen"])
    answer = feedback.consent_surveys
    if answer is not None and (answer or new_record):
        citizen_consent_set(
            citizen=citizen, kind=ConsentKind.SURVEYS, granted=answer,
            source=ConsentSource.FEEDBACK, at=feedback.created_at,
        )  # fmt: skip
    changes: dict[str, tuple[Any, Any]] = {"citizen": (before, citizen.pk)}
    if suggested is not None:
        changes["suggested_citizen"] = (suggested, None)
    audit_record(action=action, obj=feedback, actor=actor, agency_id=feedback.agency_id,
                 changes=changes)  # fmt: skip
    return feedback


@transaction.atomic
def feedback_reject_suggested_citizen(
    *, feedback: FeedbackSubmission, actor: Any
) -> FeedbackSubmission:
    """Staff say the suggested record is not the person who wrote: the suggestion goes."""
    feedback = _locked_feedback(feedback)
    _check_staff_agency(actor, feedback.agency_id)
    if feedback.suggested_citizen_id is None:
        raise FeedbackRuleError(_("There is no suggested citizen record for this feedback now."))
    rejected = feedback.suggested_citizen_id
    feedback.suggested_citizen = None
    feedback.save(update_fields=["suggested_citizen"])
    audit_record(action="feedback.citizen_suggestion_rejected", obj=feedback, actor=actor,
                 agency_id=feedback.agency_id,
                 changes={"suggested_citizen": (rejected, None)})  # fmt: skip
    return feedback


@transaction.atomic
def feedback_create_citizen(
    *, feedback: FeedbackSubmission, actor: Any, data: Mapping[str, Any]
) -> FeedbackSubmission:
    """Staff make a new citizen record for the person who wrote (the duplicate check is the
    caller's job first) and link the feedback to it. `data`: citizen_create's contact fields."""
    feedback = _locked_feedback(feedback)
    _check_staff_agency(actor, feedback.agency_id)
    if feedback.citizen_id is not None:
        raise FeedbackRuleError(_("This feedback is already linked to a citizen record."))
    citizen = citizen_create(actor=actor, **data)
    return _link(feedback, citizen, actor, "feedback.citizen_created_and_linked", new_record=True)


@transaction.atomic
def feedback_open_case(
    *, feedback: FeedbackSubmission, category: ServiceCategory, actor: Any
) -> Case:
    """Turn feedback (typically a complaint) into a case in one step, linked both ways.

    The case gets the message as its description and the feedback's citizen; the contact email
    is used for case emails only if the citizen agreed to be contacted. The feedback becomes
    handled. Refused for a compliment, or if a case was opened from it already.
    """
    feedback = _locked_feedback(feedback)
    _check_staff_agency(actor, feedback.agency_id)
    if feedback.kind == FeedbackSubmission.Kind.COMPLIMENT:
        raise FeedbackRuleError(_("A compliment does not need a case."))
    if feedback.follow_up_case_id is not None:
        raise FeedbackRuleError(_("A case was already opened from this feedback."))
    if category.agency_id != feedback.agency_id:
        raise FeedbackRuleError({"category": [_("Choose a service of this agency.")]})
    case = case_services.case_create(
        category=category,
        description=feedback.message,
        channel=Case.Channel.WEB,
        actor=actor,
        citizen=feedback.citizen,
        suggested_citizen=feedback.suggested_citizen,
        consent_surveys=feedback.consent_surveys,
        reporter_email=feedback.contact_email if feedback.consent_contact else "",
        reporter_name=feedback.contact_name if feedback.consent_contact else "",
        language=feedback.language,
    )
    before_status = feedback.status
    feedback.follow_up_case = case
    if feedback.status != FeedbackSubmission.Status.HANDLED:
        feedback.status = FeedbackSubmission.Status.HANDLED
        feedback.handled_at = timezone.now()
        feedback.handled_by = actor if getattr(actor, "is_authenticated", False) else None
    feedback.save(update_fields=["follow_up_case", "status", "handled_at", "handled_by"])
    audit_record(action="feedback.case_opened", obj=feedback, actor=actor,
                 agency_id=feedback.agency_id,
                 changes={"follow_up_case": (None, case.reference),
                          "status": (before_status, feedback.status)})  # fmt: skip
    return case


# --- retention ------------------------------------------------------------------------------


def feedback_anonymise(*, cutoff: datetime, dry_run: bool = False, batch: int = 500) -> int:
    """Remove the personal data of feedback and survey invitations made before `cutoff` (the
    message, contact details, the address an invitation went to) and the free-text answers of
    surveys answered before it. Kept: kinds, categories, scores, dates. Idempotent; audited."""
    from core.retention import RETENTION_ACTOR

    feedback = FeedbackSubmission.objects.filter(created_at__lt=cutoff, anonymised_at=None)
    invitations = SurveyInvitation.objects.filter(
        created_at__lt=cutoff, anonymised_at=None
    ).exclude(status__in=[SurveyInvitation.Status.PENDING, SurveyInvitation.Status.SENDING])
    if dry_run:
        return feedback.count() + invitations.count()
    done = 0
    for rows, values in (
        (feedback, {"message": case_services.ANONYMISED_TEXT, "contact_name": "",
                    "contact_email": "", "contact_phone": "", "suggested_citizen": None}),
        (invitations, {"email": "", "last_error": ""}),
    ):  # fmt: skip
        while ids := list(rows.order_by("id").values_list("id", flat=True)[:batch]):
            with transaction.atomic():
                locked = list(rows.model.objects.select_for_update(skip_locked=True).filter(
                    pk__in=ids, anonymised_at=None))  # fmt: skip
                rows.model.objects.filter(pk__in=[row.pk for row in locked]).update(
                    anonymised_at=timezone.now(), **values
                )
                audit_record_many([
                    {"action": f"{rows.model._meta.model_name}.anonymised", "obj": row,
                     "actor": RETENTION_ACTOR, "agency_id": row.agency_id,
                     "changes": {"personal_data": ("kept", "removed")}}
                    for row in locked
                ])  # fmt: skip
                done += len(locked)
    Answer.objects.filter(response__submitted_at__lt=cutoff).exclude(text="").update(text="")
    return done
