"""Survey definitions in the Django admin: per-language texts, services of the own agency only,
and the built-in "Was your request resolved?" question added to every survey."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from feedback.models import Survey
from tests.agencies.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def _data(world, **extra) -> dict:
    return {
        "agency": world.agency.pk, "name": "After closure", "title_en": "How did we do?",
        "title_es": "¿Qué tal lo hicimos?", "intro_en": "", "intro_es": "",
        "categories": [world.graffiti.pk], "is_default": "on", "allow_anonymous": "on",
        "active": "on",
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000",
        "questions-0-order": "1", "questions-0-code": "csat", "questions-0-kind": "csat",
        "questions-0-text_en": "Happy?", "questions-0-text_es": "¿Contento?",
        "questions-0-help_text_en": "", "questions-0-help_text_es": "",
        "questions-0-choices": "[]", "questions-0-required": "on",
        **extra,
    }  # fmt: skip


def test_a_survey_is_defined_in_the_admin_with_both_languages(world, admin_user):
    client = signed_in_client(admin_user)
    for name in ["admin:feedback_survey_changelist", "admin:feedback_survey_add",
                 "admin:feedback_feedbacksubmission_changelist",
                 "admin:feedback_surveyinvitation_changelist"]:  # fmt: skip
        assert client.get(reverse(name)).status_code == 200, name

    response = client.post(reverse("admin:feedback_survey_add"), _data(world))

    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.title == {"en": "How did we do?", "es": "¿Qué tal lo hicimos?"}
    assert list(survey.categories.all()) == [world.graffiti]
    questions = sorted(survey.questions.values_list("code", "kind", "is_resolution"))
    assert questions == [("csat", "csat", False), ("resolved", "yes_no", True)]
    assert AuditEvent.objects.filter(action="survey.builtin_question_added").count() == 1
    assert client.get(reverse("admin:feedback_survey_change", args=[survey.pk])).status_code == 200


def test_services_of_another_agency_are_refused(world, admin_user):
    client = signed_in_client(admin_user)
    response = client.post(
        reverse("admin:feedback_survey_add"),
        _data(world, categories=[world.other_category.pk]),
    )
    assert response.status_code == 200
    assert "Choose services of the survey&#x27;s own agency." in response.content.decode()
    assert Survey.objects.count() == 0


def test_a_resolution_question_must_be_yes_or_no(world, admin_user):
    client = signed_in_client(admin_user)
    response = client.post(
        reverse("admin:feedback_survey_add"),
        _data(world, **{"questions-0-is_resolution": "on"}),
    )
    assert response.status_code == 200
    assert Survey.objects.count() == 0
