"""Feedback and surveys: what citizens tell an agency, asked or unasked (DESIGN.md "Surveys").

- FeedbackSubmission: a compliment, complaint, suggestion or question from the public form.
- Survey / Question: a satisfaction survey an agency defines (per-language texts), attached to
  service categories or used as the agency's default.
- SurveyInvitation: one per (case, survey), created in the transaction that closes the case,
  then sent, reminded and expired by the dispatch sweep (pending → sending → sent / failed).
- SurveyResponse / Answer: what the citizen answered (once per invitation).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedField, translate

BUILTIN_RESOLVED_TEXT = _("Was your request resolved?")


class FeedbackSubmission(models.Model):
    """Feedback sent through the public form, owned by the agency it is about."""

    class Kind(models.TextChoices):
        COMPLIMENT = "compliment", _("Compliment")
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")
        QUESTION = "question", _("Question")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        HANDLED = "handled", _("Handled")

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="feedback_submissions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        "cases.ServiceCategory", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="feedback_submissions",
    )  # fmt: skip
    # The reference as the citizen typed it; `case` is set only if it matched a case.
    case_reference = models.CharField(max_length=40, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback",
        help_text="The case this feedback is about.",
    )  # fmt: skip
    follow_up_case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="source_feedback", help_text="The case opened from this feedback.",
    )  # fmt: skip
    message = models.TextField()
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    consent_contact = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.PROTECT,
        related_name="feedback_submissions",
    )  # fmt: skip
    # A record with the email or phone given (not proved): staff confirm it or reject it.
    suggested_citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The answer to "may we send you a short survey?" (None: not asked); kept for a case
    # opened from this feedback, and for the record it is linked to later.
    consent_surveys = models.BooleanField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)  # by the retention policy
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    agency_scope = "agency"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "-created_at"], name="feedback_triage_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new", handled_at__isnull=True)
                | Q(status="handled", handled_at__isnull=False),
                name="feedback_handled_has_handled_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return not (self.contact_name or self.contact_email or self.contact_phone)


class Survey(models.Model):
    """A satisfaction survey of one agency, sent after a case in its categories closes."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="surveys")
    name = models.CharField(max_length=200, help_text="For staff; citizens see the title.")
    title = TranslatedField(max_length=200)
    intro = TranslatedField(textarea=True, blank=True)
    categories = models.ManyToManyField(
        "cases.ServiceCategory", blank=True, related_name="surveys",
        help_text="Cases closed in these services get this survey.",
    )  # fmt: skip
    is_default = models.BooleanField(
        default=False, help_text="Used for the agency's services that have no survey of their own."
    )
    allow_anonymous = models.BooleanField(
        default=True, help_text="Citizens may answer without their answers being linked to them."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    agency_scope = "agency"

    class Meta:
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="survey_name_unique"),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(is_default=True, active=True),
                name="survey_one_active_default_per_agency",
                violation_error_message="This agency already has an active default survey.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_title(self) -> str:
        return translate(self.title) or gettext("Satisfaction survey")

    @property
    def display_intro(self) -> str:
        return translate(self.intro)


class Question(models.Model):
    class Kind(models.TextChoices):
        CSAT = "csat", _("Satisfaction (1 to 5)")
        NPS = "nps", _("Recommendation (0 to 10)")
        YES_NO = "yes_no", _("Yes or no")
        CHOICE = "choice", _("Single choice")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40, help_text="Stable name, e.g. for the CSV export.")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    is_resolution = models.BooleanField(
        default=False,
        help_text='The built-in "Was your request resolved?": a "no" reopens the case.',
    )
    text = TranslatedField(max_length=300, blank=True)
    help_text = TranslatedField(max_length=500, blank=True)
    choices = models.JSONField(
        default=list, blank=True,
        help_text='Single choice: [{"key": "phone", "label": {"en": "Phone", "es": "Teléfono"}}]',
    )  # fmt: skip
    required = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    agency_scope = "survey__agency"

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.UniqueConstraint(
                fields=["survey"],
                condition=Q(is_resolution=True),
                name="question_one_resolution_per_survey",
            ),
            models.CheckConstraint(
                condition=Q(is_resolution=False) | Q(kind="yes_no"),
                name="question_resolution_is_yes_no",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}.{self.code}"

    @property
    def display_text(self) -> str:
        if self.is_resolution and not self.text:
            return gettext(BUILTIN_RESOLVED_TEXT)
        return translate(self.text) or self.code

    @property
    def display_help(self) -> str:
        return translate(self.help_text)

    def choice_options(self) -> list[tuple[str, str]]:
        return [
            (str(item["key"]), translate(item.get("label")) or str(item["key"]))
            for item in self.choices or []
        ]

    def clean(self) -> None:
        super().clean()
        if self.is_resolution and self.kind != self.Kind.YES_NO:
            raise ValidationError({"kind": _('The "resolved" question is a yes-or-no question.')})
        if self.kind == self.Kind.CHOICE:
            if not isinstance(self.choices, list) or len(self.choices) < 2:
                raise ValidationError({"choices": _("Give at least two choices.")})
            for item in self.choices:
                if not isinstance(item, dict) or not item.get("key"):
                    raise ValidationError({"choices": _('Each choice needs a "key".')})
        if not self.is_resolution and not translate(self.text):
            raise ValidationError({"text": _("Write the question.")})


INVITATION_STATUSES = ["pending", "sending", "sent", "failed", "answered", "expired", "cancelled"]


class SurveyInvitation(models.Model):
    """One survey for one closed case, and its delivery (DESIGN.md "Surveys").

    Delivery: pending (due at `send_after`) → sending (claimed by a dispatcher until
    `lease_until`, identified by `claim_token`) → sent / failed; back to pending with a backoff
    after an SMTP error. A sent invitation goes `sending` once more for its reminder, then
    becomes answered or expired. `cancelled`: not sent after all (opt-out, case reopened).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    # What the results are grouped by, as the case was when it closed.
    category = models.ForeignKey(
        "cases.ServiceCategory", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    # A follower of the case (not its requester) invited after closure: one per follower and
    # survey (cases.CaseFollower; the requester's is the one without a follower).
    follower = models.ForeignKey(
        "cases.CaseFollower", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )  # fmt: skip
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    send_after = models.DateTimeField(help_text="Not sent before this time.")
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Stable Message-IDs: a resend after a crash carries the same one, so mail systems can
    # drop the duplicate.
    message_id = models.CharField(max_length=255, unique=True)
    reminder_message_id = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    remind_after = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True)  # by the retention policy

    agency_scope = "agency"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep only looks at these three small sets.
            models.Index(
                fields=["send_after"], name="invitation_due_idx", condition=Q(status="pending")
            ),
            models.Index(
                fields=["remind_after"],
                name="invitation_reminder_idx",
                condition=Q(status="sent", remind_after__isnull=False),
            ),
            models.Index(
                fields=["lease_until"], name="invitation_lease_idx", condition=Q(status="sending")
            ),
            models.Index(
                fields=["expires_at"], name="invitation_expiry_idx", condition=Q(status="sent")
            ),
            models.Index(fields=["citizen", "-created_at"], name="invitation_citizen_idx"),
            models.Index(fields=["agency", "-sent_at"], name="invitation_agency_sent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "survey"],
                name="invitation_once_per_case",
                condition=Q(follower__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["follower", "survey"],
                name="invitation_once_per_follower",
                condition=Q(follower__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(status__in=INVITATION_STATUSES),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending")
                | Q(lease_until__isnull=False, claim_token__isnull=False),
                name="invitation_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "answered", "expired"]) | Q(sent_at__isnull=False),
                name="invitation_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="invitation_answered_has_answered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Survey {self.survey_id} for case {self.case_id} ({self.status})"


class SurveyResponse(models.Model):
    """One citizen's answers to one invitation. Anonymous: not linked to the invitation/case."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="survey_responses"
    )
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="response",
    )  # fmt: skip
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="survey_responses",
    )  # fmt: skip
    category = models.ForeignKey(
        "cases.ServiceCategory", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    reopened_case = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    agency_scope = "agency"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["agency", "submitted_at"], name="response_agency_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(invitation__isnull=True, case__isnull=True),
                name="response_anonymous_is_unlinked",
            ),
        ]

    def __str__(self) -> str:
        return f"Response #{self.pk} to survey {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True, help_text="CSAT, NPS, yes=1/no=0")
    choice = models.CharField(max_length=60, blank=True)
    text = models.TextField(blank=True)

    agency_scope = "response__agency"

    class Meta:
        ordering = ["question__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.choice}"

    # The one reading of a stored answer, by its question's kind (the case page's panel and
    # the results CSV both use these).

    @property
    def value(self) -> Any:
        """bool for yes/no, int for CSAT/NPS, the option's key for a choice, else the text."""
        kind = self.question.kind
        if kind == Question.Kind.YES_NO:
            return self.number == 1
        if kind in (Question.Kind.CSAT, Question.Kind.NPS):
            return self.number
        if kind == Question.Kind.CHOICE:
            return self.choice
        return self.text

    @property
    def display(self) -> str:
        """The answer as a person reads it: "Yes", "4 / 5", the option's label, the text."""
        kind, value = self.question.kind, self.value
        if kind == Question.Kind.YES_NO:
            return gettext("Yes") if value else gettext("No")
        if kind == Question.Kind.CSAT:
            return f"{value} / 5"
        if kind == Question.Kind.NPS:
            return f"{value} / 10"
        if kind == Question.Kind.CHOICE:
            return dict(self.question.choice_options()).get(value, value)
        return value
