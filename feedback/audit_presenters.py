"""The audit trail's words for feedback and satisfaction surveys (core.audit_presenters).
Registered in FeedbackConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit_presenters import HIDDEN, ActionKind, AuditVocabulary, ObjectKind, Ref
from core.translated import translate

CASE_BY_REFERENCE = Ref("cases.case", "reference")


def _feedback_url(feedback: Any, viewer: Any) -> str:
    return reverse("feedback:detail", args=[feedback.pk])


def _invitation_label(invitation: Any) -> str:
    return _("Survey about %(reference)s") % {"reference": invitation.case.reference}


def _invitation_url(invitation: Any, viewer: Any) -> str:
    return reverse("cases:detail", args=[invitation.case.reference])


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "feedback.citizen_created_and_linked": gettext_lazy(
                "A citizen record was created for the sender and linked"
            ),
            "feedback.citizen_suggestion_rejected": gettext_lazy(
                "The suggested citizen record was set aside: not the same person"
            ),
            "feedback.submitted": gettext_lazy("Feedback received: %(kind)s"),
            "feedback.handled": gettext_lazy("Feedback marked as handled"),
            "feedback.reopened": gettext_lazy("Feedback marked as new again"),
            "feedback.citizen_linked": gettext_lazy("Linked to the citizen record of %(citizen)s"),
            "feedback.case_opened": gettext_lazy("Case %(follow_up_case)s opened from it"),
            "feedbacksubmission.anonymised": gettext_lazy("Personal data removed (retention)"),
            "surveyinvitation.anonymised": gettext_lazy("Personal data removed (retention)"),
            "survey.builtin_question_added": gettext_lazy("Question added: %(question)s"),
            "survey.invitation_created": gettext_lazy("Survey prepared for %(case)s"),
            "survey.invitation_rearmed": gettext_lazy("Survey prepared again for %(case)s"),
            "survey.sent": gettext_lazy("Survey sent to the citizen"),
            "survey.reminder_sent": gettext_lazy("Survey reminder sent"),
            "survey.failed": gettext_lazy("The survey could not be sent"),
            "survey.reminder_failed": gettext_lazy("The survey reminder could not be sent"),
            "survey.cancelled": gettext_lazy("Survey not sent: %(reason)s"),
            "survey.reminder_skipped": gettext_lazy("Survey reminder not sent"),
            "survey.expired": gettext_lazy("Survey expired unanswered"),
            "survey.answered": gettext_lazy("Survey answered"),
            "survey.answered_anonymously": gettext_lazy("Survey answered anonymously"),
            "survey.unsubscribed": gettext_lazy("The citizen stopped the survey emails"),
        },
        fields={
            "kind": gettext_lazy("Kind"),
            "case": gettext_lazy("Case"),
            "follow_up_case": gettext_lazy("Case opened"),
            "question": gettext_lazy("Question"),
            "send_after": gettext_lazy("To be sent after"),
            "remind_after": gettext_lazy("Reminder"),
            "last_error": gettext_lazy("Error"),
            "reason": gettext_lazy("Why"),
            "consent_surveys": gettext_lazy("Agrees to satisfaction surveys"),
            "invitations_cancelled": gettext_lazy("Surveys cancelled"),
            "reminders_stopped": gettext_lazy("Reminders stopped"),
        },
        values={
            "feedback.submitted:case": CASE_BY_REFERENCE,
            "feedback.case_opened:follow_up_case": CASE_BY_REFERENCE,
            "survey.invitation_created:case": CASE_BY_REFERENCE,
            "survey.invitation_rearmed:case": CASE_BY_REFERENCE,
            "survey.answered_anonymously:answers": HIDDEN,
            "survey.reminder_skipped:remind_after": str,
        },
        objects={
            "feedback.feedbacksubmission": ObjectKind(
                noun=gettext_lazy("feedback"), url=_feedback_url
            ),
            "feedback.survey": ObjectKind(noun=gettext_lazy("survey")),
            "feedback.question": ObjectKind(
                noun=gettext_lazy("survey question"),
                label=lambda question: translate(question.text) or question.code,
            ),
            "feedback.surveyinvitation": ObjectKind(
                noun=gettext_lazy("survey invitation"),
                label=_invitation_label,
                url=_invitation_url,
                select_related=("case",),
            ),
        },
        actors={
            "survey-dispatch": gettext_lazy("Survey sender (automatic)"),
            "citizen (public feedback form)": gettext_lazy("Citizen (public feedback form)"),
            "citizen (anonymous survey answer)": gettext_lazy("Citizen (anonymous survey answer)"),
            "citizen (satisfaction survey)": gettext_lazy("Citizen (satisfaction survey)"),
            "demo data": gettext_lazy("Demo data"),
        },
        kinds=[
            ActionKind("feedback", gettext_lazy("Feedback"), ("feedback.*",)),
            ActionKind("surveys", gettext_lazy("Satisfaction surveys"), ("survey.*",)),
        ],
    )
