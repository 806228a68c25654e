"""Writers of surveys: invitations (the case-closed hook), their delivery, answers and the
opt-out. Every function audits its change (DESIGN.md "Audit").

Survey delivery (DESIGN.md "Surveys", "Jobs"): the case-closed hook records an invitation in
the closing transaction; `surveys_dispatch`, run by beat, claims due rows with a conditional
UPDATE (pending → sending, with a lease and a claim token), sends them over one SMTP connection
per batch, and marks each row sent — or, after an SMTP error, pending again with a backoff,
failed after SURVEY_MAX_ATTEMPTS. A row left in `sending` by a worker that died is claimed again
once its lease has passed; its email keeps the Message-ID stored on the row.

Why survey delivery is not an outbox message: an invitation is delayed work with a lifecycle
of its own that staff read on the row (sent after a delay, one reminder, expiry, cancelled when
the citizen opts out, a stable Message-ID for a resend), and DESIGN.md's rule for delayed work is
a `*_after` column claimed by a sweep. The outbox carries immediate after-commit work. Both use
the same discipline: a conditional UPDATE claims the row, a lease reclaims it from a dead
worker, and one backoff (core.outbox.backoff_seconds) spaces the retries.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.selectors import team_staff
from cases import services as case_services
from cases.links import staff_case_url
from cases.models import Case
from cases.notifications import case_email_language
from citizens.models import Citizen, ConsentKind, ConsentSource
from citizens.selectors import citizen_survivor
from citizens.services import citizen_consent_set
from core.outbox import backoff_seconds
from core.services import (
    NO_ADDRESS,
    StaffNotice,
    audit_record,
    audit_record_many,
    notify_staff,
)
from feedback import links, selectors
from feedback.models import (
    BUILTIN_RESOLVED_TEXT,
    Answer,
    Question,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from feedback.services import FeedbackRuleError, SurveyClosed

logger = logging.getLogger(__name__)
Status = SurveyInvitation.Status
TEXT_ANSWER_MAX = 2000
SURVEY_ACTOR = "survey-dispatch"


# --- survey definitions ---------------------------------------------------------------------


@transaction.atomic
def survey_ensure_builtin_question(*, survey: Survey, actor: Any) -> Question | None:
    """Give a survey the built-in "Was your request resolved?" question if it has none."""
    if survey.questions.filter(is_resolution=True).exists():
        return None
    code = "resolved"
    while survey.questions.filter(code=code).exists():
        code = f"{code}-builtin"
    question = Question.objects.create(
        survey=survey, code=code, kind=Question.Kind.YES_NO, is_resolution=True,
        required=True, order=0, text={},
    )  # fmt: skip
    audit_record(action="survey.builtin_question_added", obj=question, actor=actor,
                 agency_id=survey.agency_id,
                 changes={"question": (None, str(BUILTIN_RESOLVED_TEXT))})  # fmt: skip
    return question


# --- invitations: the case-closed hook ------------------------------------------------------

# Serialises invitation decisions per citizen (the recontact window) without locking the
# citizen row, which a merge locks in the other order.
_RECONTACT_LOCK_CLASS = 0x5355  # "SU"


def _lock_citizen_for_invitations(citizen_id: int) -> None:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [_RECONTACT_LOCK_CLASS, int(citizen_id % 2_147_483_647)],
        )


def _message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _next_invitation_id() -> int:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
            [SurveyInvitation._meta.db_table],
        )
        return int(cursor.fetchone()[0])


def survey_invite_for_closed_case(
    *, case: Case, actor: Any = None, now: datetime | None = None
) -> SurveyInvitation | None:
    """The "case closed" hook: record the survey invitation, or nothing if a rule says no.

    Runs inside the closing transaction (cases.hooks), so the invitation commits or rolls back
    with the closure. Rules (selectors.invitation_refusal): a citizen who consented, with an
    email; closed after contact and not as duplicate/spam; a survey for the service or the
    agency's default; at most one invitation per citizen per SURVEY_RECONTACT_DAYS.
    """
    return survey_invite(case=case, survey=selectors.survey_for_case(case), actor=actor, now=now)


def survey_invite(
    *, case: Case, survey: Survey | None, actor: Any = None, now: datetime | None = None
) -> SurveyInvitation | None:
    """Invite the citizen of a closed case to `survey`, or nothing if a fatigue rule says no
    (selectors.invitation_refusal: consent, email, contact, resolution, one invitation per
    case and survey, the recontact window). Used by the case-closed hook and by campaigns."""
    now = now or timezone.now()
    if case.citizen_id is not None:
        _lock_citizen_for_invitations(case.citizen_id)
    refusal = selectors.invitation_refusal(case, survey=survey, now=now)
    if refusal is not None:
        logger.debug("survey: no invitation for case %s (%s)", case.reference, refusal)
        return None
    assert survey is not None and case.citizen is not None
    send_after = now + timedelta(minutes=settings.SURVEY_SEND_DELAY_MINUTES)
    values = {
        "citizen": case.citizen, "agency_id": case.agency_id, "category_id": case.category_id,
        "team_id": case.team_id, "agent_id": case.assignee_id, "email": case.contact_email,
        "language": case_email_language(case), "status": Status.PENDING,
        "send_after": send_after, "created_at": now, "attempts": 0, "last_error": "",
        "cancel_reason": "",
    }  # fmt: skip
    # One invitation per (case, survey): one cancelled before it went out (the case was
    # reopened, say) is re-armed rather than duplicated.
    existing = SurveyInvitation.objects.filter(
        case=case, survey=survey, status=Status.CANCELLED
    ).first()
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        invitation, action = existing, "survey.invitation_rearmed"
    else:
        pk = _next_invitation_id()
        domain = _message_domain()
        invitation = SurveyInvitation.objects.create(
            pk=pk, survey=survey, case=case,
            message_id=make_msgid(idstring=f"survey-invitation-{pk}", domain=domain),
            reminder_message_id=make_msgid(idstring=f"survey-reminder-{pk}", domain=domain),
            **values,
        )  # fmt: skip
        action = "survey.invitation_created"
    audit_record(action=action, obj=invitation, actor=actor, agency_id=case.agency_id,
                 changes={"status": (None, Status.PENDING), "case": (None, case.reference),
                          "send_after": (None, send_after.isoformat())})  # fmt: skip
    return invitation


def survey_invite_followers(
    *, case: Case, actor: Any = None, now: datetime | None = None
) -> list[SurveyInvitation]:
    """The citizens following a closed case who agreed to a survey get one each, under the
    same fatigue rules as the requester (selectors.follower_invitation_refusal), in their own
    language. Runs in the closing transaction after the requester's invitation (so a requester
    who also follows is asked once: the recontact window of their record)."""
    from cases.models import CaseFollower
    from cases.notifications import follower_language

    now = now or timezone.now()
    survey = selectors.survey_for_case(case)
    made = []
    followers = CaseFollower.objects.filter(
        case=case, user__isnull=True, unsubscribed_at__isnull=True, consent_surveys=True,
        citizen__isnull=False,
    ).select_related("citizen").order_by("id")  # fmt: skip
    for follower in followers:
        _lock_citizen_for_invitations(follower.citizen_id)
        refusal = selectors.follower_invitation_refusal(case, follower, survey=survey, now=now)
        if refusal is not None:
            logger.debug("survey: no invitation for a follower of %s (%s)", case.reference, refusal)
            continue
        assert survey is not None
        send_after = now + timedelta(minutes=settings.SURVEY_SEND_DELAY_MINUTES)
        pk = _next_invitation_id()
        domain = _message_domain()
        invitation = SurveyInvitation.objects.create(
            pk=pk, survey=survey, case=case, follower=follower, citizen=follower.citizen,
            agency_id=case.agency_id, category_id=case.category_id, team_id=case.team_id,
            agent_id=case.assignee_id, email=follower.email, language=follower_language(follower),
            status=Status.PENDING, send_after=send_after, created_at=now,
            message_id=make_msgid(idstring=f"survey-invitation-{pk}", domain=domain),
            reminder_message_id=make_msgid(idstring=f"survey-reminder-{pk}", domain=domain),
        )  # fmt: skip
        audit_record(action="survey.invitation_created", obj=invitation, actor=actor,
                     agency_id=case.agency_id,
                     changes={"status": (None, Status.PENDING), "case": (None, case.reference),
                              "send_after": (None, send_after.isoformat()),
                              "follower": (None, True)})  # fmt: skip
        made.append(invitation)
    return made


# --- invitations: the dispatch sweep --------------------------------------------------------


@dataclass
class DispatchReport:
    sent: int = 0
    reminded: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    expired: int = 0
    batches: int = 0
    lost_claims: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def emails(self) -> int:
        return self.sent + self.reminded


class _ConnectionBroken(Exception):
    """The SMTP connection cannot be trusted for the rest of the batch."""


def _connection_broken(exc: Exception) -> bool:
    # smtplib's exceptions are OSErrors too: only a disconnect, or a socket-level OSError
    # (timeout, reset), means the connection is gone; a refused recipient or message is not.
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _due_at(now: datetime) -> Q:
    """What the sweep may claim at `now`: first sends, reminders, rows whose lease ran out."""
    first_send = Q(status=Status.PENDING, send_after__lte=now)
    reminder = Q(
        status=Status.SENT, remind_after__lte=now, reminded_at__isnull=True, expires_at__gt=now
    )
    abandoned = Q(status=Status.SENDING, lease_until__lt=now)
    return first_send | reminder | abandoned


def _claim(*, now: datetime, limit: int) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` due invitations for this dispatcher: pending → sending.

    SKIP LOCKED keeps concurrent sweeps on different rows, and the UPDATE re-checks the
    condition, so a row is only ever claimed by one of them. Rows left `sending` past their
    lease (a worker that died) are due again.
    """
    token = uuid.uuid4()
    lease = timedelta(seconds=settings.SURVEY_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            SurveyInvitation.objects.filter(_due_at(now))
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return token, []
        SurveyInvitation.objects.filter(pk__in=ids).filter(_due_at(now)).update(
            status=Status.SENDING, lease_until=now + lease, claim_token=token
        )
    claimed = list(
        SurveyInvitation.objects.filter(claim_token=token, status=Status.SENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return token, claimed


def surveys_dispatch(
    *, now: datetime | None = None, budget_seconds: float | None = None
) -> DispatchReport:
    """Beat sweep: expire, then claim and send batches until nothing is due or time is up.

    `now` fixes the clock (tests); otherwise each step reads the time afresh.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    budget = settings.SURVEY_SWEEP_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    report = DispatchReport()
    report.expired = surveys_expire(now=clock())
    while True:
        token, ids = _claim(now=clock(), limit=settings.SURVEY_BATCH_SIZE)
        if not ids:
            break
        report.batches += 1
        _send_batch(ids, token, clock, report)
        if time.monotonic() - started >= budget:
            break
    if report.emails or report.failed or report.retried:
        logger.info("survey dispatch: %s", report)
    return report


def _send_batch(
    ids: list[int], token: uuid.UUID, clock: Callable[[], datetime], report: DispatchReport
) -> None:
    """Send claimed invitations over ONE SMTP connection, each marked as soon as it is sent."""
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("survey dispatch: SMTP connection failed, batch released: %s", exc)
        report.errors.append(f"connect: {exc}")
        _release(ids, token, clock(), error=exc)
        return
    try:
        for position, invitation_id in enumerate(ids):
            try:
                _deliver_one(invitation_id, token, clock, connection, report)
            except _ConnectionBroken as broken:
                report.errors.append(f"connection: {broken.__cause__}")
                _release(ids[position + 1 :], token, clock(), error=broken.__cause__)
                return
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()


def _release(ids: list[int], token: uuid.UUID, now: datetime, *, error: Exception) -> None:
    """Give back claimed rows that were not tried: due again after the base backoff.

    No attempt is counted: the trouble was the server, not these messages.
    """
    if not ids:
        return
    later = now + timedelta(seconds=settings.SURVEY_RETRY_BASE_SECONDS)
    mine = SurveyInvitation.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING)
    message = _error_text(error)
    mine.filter(sent_at__isnull=True).update(
        status=Status.PENDING, send_after=later, lease_until=None, claim_token=None,
        last_error=message,
    )  # fmt: skip
    mine.filter(sent_at__isnull=False).update(
        status=Status.SENT, remind_after=later, lease_until=None, claim_token=None,
        last_error=message,
    )  # fmt: skip


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _deliver_one(
    invitation_id: int,
    token: uuid.UUID,
    clock: Callable[[], datetime],
    connection: Any,
    report: DispatchReport,
) -> None:
    now = clock()
    lease = timedelta(seconds=settings.SURVEY_LEASE_SECONDS)
    # Take this row for the send: count the attempt and renew the lease. 0 rows: another
    # dispatcher reclaimed it (our lease ran out), so it is theirs now.
    taken = SurveyInvitation.objects.filter(
        pk=invitation_id, claim_token=token, status=Status.SENDING
    ).update(attempts=F("attempts") + 1, lease_until=now + lease)
    if not taken:
        report.lost_claims += 1
        return
    invitation = SurveyInvitation.objects.select_related(
        "survey", "case", "case__category", "case__agency", "citizen"
    ).get(pk=invitation_id)
    reminder = invitation.sent_at is not None
    refusal = selectors.send_refusal(invitation, now=now)
    if refusal is not None:
        _skip(invitation, token, refusal, reminder=reminder, now=now)
        report.cancelled += 1
        return
    message = _invitation_email(invitation, reminder=reminder, connection=connection)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        _record_failure(invitation, token, exc, reminder=reminder, now=clock(), report=report)
        if _connection_broken(exc):
            raise _ConnectionBroken from exc
        return  # a refused recipient or message: the connection still works
    _record_sent(invitation, token, reminder=reminder, now=clock(), report=report)


def _invitation_email(
    invitation: SurveyInvitation, *, reminder: bool, connection: Any
) -> EmailMultiAlternatives:
    case = invitation.case
    language = invitation.language or settings.LANGUAGE_CODE
    with translation.override(language):
        unsubscribe = links.unsubscribe_url(invitation.pk, language)
        expires_at = invitation.expires_at or (
            timezone.now() + timedelta(days=settings.SURVEY_EXPIRY_DAYS)
        )
        context = {
            "reminder": reminder,
            "case": case,
            "category": case.category.display_name,
            "agency": case.agency,
            "survey": invitation.survey,
            "survey_url": links.survey_url(invitation.pk, language),
            "unsubscribe_url": unsubscribe,
            "expires_on": timezone.localtime(expires_at).date(),
            "site_name": settings.SITE_NAME,
        }
        subject = render_to_string("emails/survey_subject.txt", context).strip()
        text = render_to_string("emails/survey_message.txt", context)
        html = render_to_string("emails/survey_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[invitation.email],
        connection=connection,
        headers={
            "Message-ID": invitation.reminder_message_id if reminder else invitation.message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _mine(invitation: SurveyInvitation, token: uuid.UUID):
    return SurveyInvitation.objects.filter(
        pk=invitation.pk, claim_token=token, status=Status.SENDING
    )


@transaction.atomic
def _record_sent(
    invitation: SurveyInvitation, token: uuid.UUID, *, reminder: bool, now: datetime,
    report: DispatchReport,
) -> None:  # fmt: skip
    if reminder:
        updated = _mine(invitation, token).update(
            status=Status.SENT, reminded_at=now, lease_until=None, claim_token=None, attempts=0,
            last_error="",
        )  # fmt: skip
        changes = {"reminded_at": (None, now.isoformat())}
    else:
        updated = _mine(invitation, token).update(
            status=Status.SENT, sent_at=now, lease_until=None, claim_token=None, attempts=0,
            last_error="", expires_at=now + timedelta(days=settings.SURVEY_EXPIRY_DAYS),
            remind_after=(
                now + timedelta(days=settings.SURVEY_REMINDER_DAYS)
                if settings.SURVEY_REMINDER_DAYS < settings.SURVEY_EXPIRY_DAYS
                else None
            ),
        )  # fmt: skip
        changes = {"status": (Status.PENDING, Status.SENT)}
    if not updated:  # answered while the reminder was in flight, or reclaimed: theirs now
        return
    if reminder:
        report.reminded += 1
    else:
        report.sent += 1
    audit_record(action="survey.reminder_sent" if reminder else "survey.sent", obj=invitation,
                 actor=SURVEY_ACTOR, agency_id=invitation.agency_id,
                 changes=changes)  # fmt: skip


@transaction.atomic
def _record_failure(
    invitation: SurveyInvitation, token: uuid.UUID, exc: Exception, *, reminder: bool,
    now: datetime, report: DispatchReport,
) -> None:  # fmt: skip
    attempts = SurveyInvitation.objects.values_list("attempts", flat=True).get(pk=invitation.pk)
    give_up = attempts >= settings.SURVEY_MAX_ATTEMPTS
    backoff = backoff_seconds(attempts, base=settings.SURVEY_RETRY_BASE_SECONDS, cap=6 * 3600)
    later = now + timedelta(seconds=backoff)
    error = _error_text(exc)
    common = {"lease_until": None, "claim_token": None, "last_error": error}
    if reminder:
        values = {"status": Status.SENT, "remind_after": None if give_up else later}
    elif give_up:
        values = {"status": Status.FAILED}
    else:
        values = {"status": Status.PENDING, "send_after": later}
    if not _mine(invitation, token).update(**values, **common):
        return
    logger.warning("survey: invitation %s %s failed (attempt %s%s): %s", invitation.pk,
                   "reminder" if reminder else "email", attempts,
                   ", giving up" if give_up else "", error)  # fmt: skip
    if give_up:
        report.failed += 1
        audit_record(action="survey.reminder_failed" if reminder else "survey.failed",
                     obj=invitation, actor=SURVEY_ACTOR, agency_id=invitation.agency_id,
                     changes={"last_error": (None, error)})  # fmt: skip
    else:
        report.retried += 1


@transaction.atomic
def _skip(
    invitation: SurveyInvitation, token: uuid.UUID, reason: str, *, reminder: bool, now: datetime
) -> None:
    """Not sent after all: the first email is cancelled; a reminder is simply not sent."""
    if reminder:
        values = {"status": Status.SENT, "remind_after": None}
        changes = {"remind_after": (None, f"not sent: {reason}")}
    else:
        values = {"status": Status.CANCELLED, "cancel_reason": reason}
        changes = {"status": (Status.PENDING, Status.CANCELLED), "reason": (None, reason)}
    if _mine(invitation, token).update(**values, lease_until=None, claim_token=None):
        audit_record(action="survey.reminder_skipped" if reminder else "survey.cancelled",
                     obj=invitation, actor=SURVEY_ACTOR, agency_id=invitation.agency_id,
                     changes=changes)  # fmt: skip


def surveys_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Mark sent, unanswered invitations past their expiry `expired` (capped batch per run)."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            SurveyInvitation.objects.filter(status=Status.SENT, expires_at__lte=now)
            .order_by("expires_at")
            .select_for_update(skip_locked=True)
            .values_list("id", "agency_id")[:batch]
        )
        if not rows:
            return 0
        SurveyInvitation.objects.filter(
            pk__in=[pk for pk, _agency in rows], status=Status.SENT
        ).update(status=Status.EXPIRED, remind_after=None)
        audit_record_many([
            {"action": "survey.expired", "obj": SurveyInvitation(pk=pk), "actor": SURVEY_ACTOR,
             "agency_id": agency_id, "changes": {"status": (Status.SENT, Status.EXPIRED)}}
            for pk, agency_id in rows
        ])  # fmt: skip
    return len(rows)


# --- answers --------------------------------------------------------------------------------


@transaction.atomic
def survey_respond(
    *,
    invitation: SurveyInvitation,
    answers: Mapping[int, Any],
    anonymous: bool = False,
    language: str = settings.LANGUAGE_CODE,
    now: datetime | None = None,
) -> SurveyResponse:
    """Record the citizen's answers, once. `answers` maps question ids to cleaned values.

    The invitation is taken with a conditional UPDATE (sent → answered, before expiry), so a
    second submission — a double click, a second tab — is refused with SurveyClosed. A "no" to
    the built-in "Was your request resolved?" reopens the case (a CaseEvent, the citizen's
    status email) and emails the case's team.

    An anonymous answer cannot be tied back to the person (DESIGN.md "Anonymity"): no link to
    the invitation or the case, the day instead of the time (on the answer and on the
    invitation), an audit row on the survey rather than the invitation and without the
    address, and no reopening (the survey says so before the citizen chooses).
    """
    now = now or timezone.now()
    survey = invitation.survey
    anonymous = bool(anonymous and survey.allow_anonymous)
    questions = {q.pk: q for q in survey.questions.all()}
    cleaned = _clean_answers(questions, answers)
    answered_at = _start_of_day(now, invitation.agency.timezone) if anonymous else now
    taken = SurveyInvitation.objects.filter(
        pk=invitation.pk,
        status__in=[Status.SENT, Status.SENDING],
        sent_at__isnull=False,
        expires_at__gt=now,
    ).update(status=Status.ANSWERED, answered_at=answered_at, remind_after=None)
    if not taken:
        raise SurveyClosed(selectors.invitation_closed_reason(invitation.pk, now=now))
    invitation = SurveyInvitation.objects.select_related("case", "case__category").get(
        pk=invitation.pk
    )
    case = invitation.case
    response = SurveyResponse.objects.create(
        survey=survey, agency_id=invitation.agency_id,
        invitation=None if anonymous else invitation, case=None if anonymous else case,
        category_id=invitation.category_id, team_id=invitation.team_id,
        agent_id=invitation.agent_id, anonymous=anonymous, language=language,
        submitted_at=answered_at,
    )  # fmt: skip
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[qid], **value)
        for qid, value in cleaned.items()
    )
    if anonymous:
        audit_record(action="survey.answered_anonymously", obj=survey,
                     actor="citizen (anonymous survey answer)", ip_address=NO_ADDRESS,
                     agency_id=invitation.agency_id, changes={"answers": (None, 1)})  # fmt: skip
        return response
    audit_record(action="survey.answered", obj=invitation,
                 actor=f"citizen #{invitation.citizen_id}", agency_id=invitation.agency_id,
                 changes={"status": (Status.SENT, Status.ANSWERED)})  # fmt: skip
    resolution = next((q for q in questions.values() if q.is_resolution), None)
    not_resolved = resolution is not None and cleaned.get(resolution.pk, {}).get("number") == 0
    if not_resolved and case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        _reopen_not_resolved(case, invitation)
        response.reopened_case = True
        response.save(update_fields=["reopened_case"])
    return response


def _start_of_day(moment: datetime, zone: str) -> datetime:
    """Midnight of `moment`'s day in the agency's time zone: the time an anonymous answer
    keeps, so nobody can line it up with an invitation or a log by the second."""
    local = timezone.localtime(moment, ZoneInfo(zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _clean_answers(
    questions: Mapping[int, Question], answers: Mapping[int, Any]
) -> dict[int, dict[str, Any]]:
    """Answers as Answer fields; ValidationError for a missing required or out-of-range one."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, dict[str, Any]] = {}
    for qid, question in questions.items():
        value = answers.get(qid)
        if value in (None, "", []):
            if question.required:
                errors[f"q{qid}"] = [_("Answer this question.")]
            continue
        Kind = Question.Kind
        try:
            if question.kind in (Kind.CSAT, Kind.NPS, Kind.YES_NO):
                number = int(value)
                low, high = {Kind.CSAT: (1, 5), Kind.NPS: (0, 10), Kind.YES_NO: (0, 1)}[
                    question.kind
                ]
                if not low <= number <= high:
                    raise ValueError
                cleaned[qid] = {"number": number}
            elif question.kind == Kind.CHOICE:
                if str(value) not in dict(question.choice_options()):
                    raise ValueError
                cleaned[qid] = {"choice": str(value)}
            else:
                text = str(value).strip()
                if len(text) > TEXT_ANSWER_MAX:
                    errors[f"q{qid}"] = [_("Keep it under 2,000 characters.")]
                    continue
                if text:
                    cleaned[qid] = {"text": text}
        except (TypeError, ValueError):
            errors[f"q{qid}"] = [_("Choose one of the answers.")]
    if errors:
        raise FeedbackRuleError(errors)
    return cleaned


SURVEY_REOPEN_ACTOR = "citizen (satisfaction survey)"


def _reopen_not_resolved(case: Case, invitation: SurveyInvitation) -> None:
    with translation.override(case_email_language(case)):
        note = _("You told us in the satisfaction survey that your request was not resolved, "
                 "so we have reopened it.")  # fmt: skip
    case_services.case_transition(
        case=case, to_status=Case.Status.OPEN, actor=SURVEY_REOPEN_ACTOR, note=note
    )
    _notify_team_of_reopen(case)


def _notify_team_of_reopen(case: Case) -> int:
    """Tell the case's assignee and its team's members, in-app and by email at once (each in
    their own language); returns how many were told."""

    def text() -> tuple[str, str]:
        context = {"case": case, "category": case.category.display_name}
        subject = render_to_string("emails/survey_reopened_subject.txt", context).strip()
        return subject, render_to_string("emails/survey_reopened_message.txt", context).strip()

    team = team_staff(agency_id=case.agency_id, team_id=case.team_id, also_user_id=case.assignee_id)
    notices = [
        StaffNotice(
            recipient=user,
            kind="case.reopened_by_survey",
            text=text,
            url=staff_case_url(case.reference),
            agency_id=case.agency_id,
            email_now=True,
        )
        for user in team
    ]
    return len(notify_staff(notices=notices))


# --- opt-out --------------------------------------------------------------------------------


@transaction.atomic
def survey_unsubscribe(*, invitation: SurveyInvitation) -> bool:
    """The citizen's one-click stop for surveys (from any survey email).

    Withdraws the citizen's survey consent (with its history row), cancels their invitations
    not sent yet and stops their reminders. False if there was nothing left to change.
    """
    citizen = citizen_survivor(Citizen.objects.get(pk=invitation.citizen_id))
    changed = citizen.consent_surveys
    if changed:
        citizen_consent_set(citizen=citizen, kind=ConsentKind.SURVEYS, granted=False,
                            source=ConsentSource.EMAIL_UNSUBSCRIBE)  # fmt: skip
    theirs = SurveyInvitation.objects.filter(citizen_id__in=[citizen.pk, invitation.citizen_id])
    cancelled = theirs.filter(status=Status.PENDING).update(
        status=Status.CANCELLED, cancel_reason="opt-out"
    )
    stopped = theirs.filter(status=Status.SENT, remind_after__isnull=False).update(
        remind_after=None
    )
    if changed or cancelled or stopped:
        audit_record(action="survey.unsubscribed", obj=invitation,
                     actor=f"citizen #{citizen.pk}", agency_id=invitation.agency_id,
                     changes={"consent_surveys": (True, False) if changed else (False, False),
                              "invitations_cancelled": (None, cancelled),
                              "reminders_stopped": (None, stopped)})  # fmt: skip
    return bool(changed or cancelled or stopped)
