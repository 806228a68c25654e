"""Feedback's part of the citizen 360° view (registered with citizens.timeline in ready()).

The caller's agency's feedback and (non-anonymous) survey answers as items; other agencies'
only as counts. Anonymous answers are never linked to the citizen, so they never appear.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from citizens.timeline import TimelineContribution, TimelineItem
from core.scoping import scope_queryset
from feedback.models import FeedbackSubmission, SurveyResponse


def feedback_timeline(citizen: Any, user: Any) -> TimelineContribution:
    submissions = FeedbackSubmission.objects.filter(citizen=citizen)
    responses = SurveyResponse.objects.filter(invitation__citizen=citizen, anonymous=False)
    readable = scope_queryset(submissions, user).select_related("category")
    answered = scope_queryset(responses, user).select_related("case", "survey")
    items = [
        TimelineItem(
            when=feedback.created_at,
            kind="feedback",
            kind_label=_("Feedback"),
            title=f"{feedback.get_kind_display()}"
            + (f" · {feedback.category.display_name}" if feedback.category_id else ""),
            detail=feedback.message[:200],
            url=reverse("feedback:detail", args=[feedback.pk]),
        )
        for feedback in readable.order_by("-created_at")[:200]
    ]
    items += [
        TimelineItem(
            when=response.submitted_at,
            kind="survey",
            kind_label=_("Survey"),
            title=_("Survey answered about %(reference)s")
            % {"reference": response.case.reference if response.case_id else "—"},
            detail=_("The citizen said the request was not resolved; it was reopened.")
            if response.reopened_case
            else "",
        )
        for response in answered.order_by("-submitted_at")[:200]
    ]
    counts: Counter[int] = Counter()
    for queryset, visible in ((submissions, readable), (responses, answered)):
        for agency_id in queryset.exclude(pk__in=visible.values("pk")).values_list(
            "agency_id", flat=True
        ):
            counts[agency_id] += 1
    return TimelineContribution(
        items=items, other_agency_counts=dict(counts), label=_("Feedback and surveys")
    )
