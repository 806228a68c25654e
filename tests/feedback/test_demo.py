"""The feedback demo: a survey per demo agency, feedback, answered surveys; idempotent."""

import pytest
from django.core.management import call_command

from feedback.models import FeedbackSubmission, Question, Survey, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "surveys": Survey.objects.count(),
        "questions": Question.objects.count(),
        "feedback": FeedbackSubmission.objects.count(),
        "invitations": SurveyInvitation.objects.count(),
        "responses": SurveyResponse.objects.count(),
    }


def test_demo_data_is_loaded_once_and_a_second_run_changes_nothing(settings):
    settings.SURVEY_SEND_DELAY_MINUTES = 0
    call_command("load_demo_data", verbosity=0)
    first = _counts()

    call_command("load_demo_data", verbosity=0)

    assert _counts() == first
    assert first["surveys"] == 2
    assert first["feedback"] == 6
    assert first["responses"] >= 20
    kinds = set(Question.objects.values_list("kind", flat=True))
    assert kinds == {"yes_no", "csat", "nps", "text"}
    assert Question.objects.filter(is_resolution=True).count() == 2
    assert Survey.objects.filter(is_default=True, title__es="¿Qué tal lo hicimos?").count() == 2
