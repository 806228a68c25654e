"""Feedback and surveys in a subject access export (registered in FeedbackConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from citizens.subject_access import Section
from core.scoping import scope_queryset
from feedback.models import FeedbackSubmission, SurveyInvitation, SurveyResponse


def feedback_subject_access(citizen: Any, user: Any) -> list[Section]:
    feedback = scope_queryset(FeedbackSubmission.objects.filter(citizen=citizen), user)
    invitations = scope_queryset(SurveyInvitation.objects.filter(citizen=citizen), user)
    # Answers given anonymously are not linked to the person, so they cannot be listed.
    responses = scope_queryset(
        SurveyResponse.objects.filter(invitation__citizen=citizen, anonymous=False), user
    ).prefetch_related("answers__question")
    return [
        Section(_("Feedback"), [
            {"at": row.created_at, "kind": row.kind, "message": row.message,
             "contact_name": row.contact_name, "contact_email": row.contact_email,
             "contact_phone": row.contact_phone, "status": row.status}
            for row in feedback.order_by("created_at", "id")
        ]),
        Section(_("Survey invitations"), [
            {"at": row.created_at, "email": row.email, "status": row.status,
             "sent_at": row.sent_at, "answered_at": row.answered_at}
            for row in invitations.order_by("created_at", "id")
        ]),
        Section(_("Survey answers"), [
            {"at": response.submitted_at,
             "answers": {a.question.code: a.text or a.choice or a.number
                         for a in response.answers.all()}}
            for response in responses.order_by("submitted_at", "id")
        ]),
    ]  # fmt: skip
