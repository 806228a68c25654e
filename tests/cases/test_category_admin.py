"""The service catalogue in the admin, worded for a service manager: a category's questions
with their options typed in rows (never JSON), each language box labelled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AttributeDefinition, ServiceCategory
from core.admin_forms import OptionsFormField, format_minutes
from feedback.models import Survey
from tests.agencies.conftest import signed_in_client
from tests.browser_form import parse_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    """An agency administrator of the world's agency (is_staff and the admin group)."""
    from agencies.services import staff_member_create
    from tests.agencies.conftest import make_user

    member = staff_member_create(user=make_user("ada2"), agency=world.agency, role="admin",
                                 actor=None)  # fmt: skip
    return signed_in_client(member.user)


def _question(index: int, code: str, label: str, datatype: str, options=()) -> dict:
    prefix = f"attributes-{index}"
    data = {
        f"{prefix}-code": code, f"{prefix}-label_en": label, f"{prefix}-label_es": f"{label} (es)",
        f"{prefix}-description_en": "", f"{prefix}-description_es": "",
        f"{prefix}-datatype": datatype, f"{prefix}-order": str(index),
        f"{prefix}-variable": "on", f"{prefix}-values_rows": str(len(options) + 2),
    }  # fmt: skip
    for row, (key, en, es) in enumerate(options):
        data.update({f"{prefix}-values_{row}_key": key, f"{prefix}-values_{row}_en": en,
                     f"{prefix}-values_{row}_es": es})  # fmt: skip
    return data


def _category_post(client, world, *questions: dict) -> dict:
    """The add page as a browser submits it, with the category and `questions` filled in."""
    page = client.get(reverse("admin:cases_servicecategory_add"))
    data = parse_form(page.content.decode(), "servicecategory_form").data()
    data.update({
        "code": "dumped-sofa", "name_en": "Dumped sofa", "name_es": "Sofá abandonado",
        "owning_team": [str(world.roads.pk)], "default_priority": ["normal"],
        "attributes-TOTAL_FORMS": [str(len(questions))], "_save": ["Save"],
    })  # fmt: skip
    for question in questions:
        data.update(question)
    return data


def test_questions_and_their_options_are_typed_in_rows(world, admin_client):
    options = [("", "Small", "Pequeño"), ("large", "Larger than a car tyre", "Grande"),
               ("", "", "")]  # fmt: skip
    response = admin_client.post(
        reverse("admin:cases_servicecategory_add"),
        _category_post(admin_client, world,
                       _question(0, "size", "How big is it?", "singlevaluelist", options),
                       _question(1, "street", "Which street?", "string")),
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[-3000:]
    category = ServiceCategory.objects.get(code="dumped-sofa")
    size, street = category.attributes.order_by("order")
    assert size.values == [
        {"key": "small", "name": {"en": "Small", "es": "Pequeño"}},  # value made from the label
        {"key": "large", "name": {"en": "Larger than a car tyre", "es": "Grande"}},
    ]
    assert size.label == {"en": "How big is it?", "es": "How big is it? (es)"}
    assert street.values == []

    page = admin_client.get(reverse("admin:cases_servicecategory_change", args=[category.pk]))
    html = page.content.decode()
    assert 'name="attributes-0-values_1_key" value="large"' in html
    assert "Questions asked with a request" in html and "Attribute definition" not in html
    assert "<textarea" not in html.split('name="attributes-0-values')[1][:50]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([("a", "Same", ""), ("a", "Other", "")], "Two options have the value “a”"),
        ([("a", "", "Sólo español")], "Option 1: give its label in English."),
        ([], "Give at least one option to pick from."),
    ],
)
def test_options_that_cannot_work_are_form_errors(world, admin_client, options, message):
    response = admin_client.post(
        reverse("admin:cases_servicecategory_add"),
        _category_post(admin_client, world,
                       _question(0, "size", "How big?", "multivaluelist", options)),
    )  # fmt: skip

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ServiceCategory.objects.filter(code="dumped-sofa").exists()


def test_options_of_a_question_without_a_list_are_dropped(world, admin_client):
    response = admin_client.post(
        reverse("admin:cases_servicecategory_add"),
        _category_post(admin_client, world,
                       _question(0, "lane", "Which lane?", "string", [("a", "A", "")])),
    )  # fmt: skip

    assert response.status_code == 302
    assert AttributeDefinition.objects.get(code="lane").values == []


def test_a_survey_questions_options_are_rows_too(world, admin_client):
    page = admin_client.get(reverse("admin:feedback_survey_add"))
    data = parse_form(page.content.decode(), "survey_form").data()
    data.update({
        "name": "Contact", "title_en": "How did we do?", "questions-TOTAL_FORMS": ["1"],
        "questions-0-order": "1", "questions-0-code": "channel", "questions-0-kind": "choice",
        "questions-0-text_en": "How did you contact us?", "questions-0-choices_rows": "3",
        "questions-0-choices_0_key": "phone", "questions-0-choices_0_en": "Phone",
        "questions-0-choices_0_es": "Teléfono", "questions-0-choices_1_en": "Walk-in",
        "_save": "Save",
    })  # fmt: skip

    response = admin_client.post(reverse("admin:feedback_survey_add"), data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    question = Survey.objects.get(name="Contact").questions.get(code="channel")
    assert question.choices == [
        {"key": "phone", "label": {"en": "Phone", "es": "Teléfono"}},
        {"key": "walk-in", "label": {"en": "Walk-in"}},
    ]


def test_options_posted_as_json_still_save():
    """An older page (or a script) posts the JSON list: it is read the same way."""
    field = OptionsFormField(label_key="name")

    assert field.clean('[{"key": "a", "name": {"en": "A"}}]') == [{"key": "a", "name": {"en": "A"}}]
    assert field.clean("") == []


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(None, "—"), (30, "30 min"), (60, "1 h"), (90, "1 h 30 min"), (2400, "40 h")],
)
def test_targets_read_in_hours_and_minutes(minutes, shown):
    assert format_minutes(minutes) == shown


def test_codes_left_empty_are_made_from_the_english_text(world, admin_client):
    data = _category_post(
        admin_client, world, _question(0, "", "Is it blocking the path?", "string")
    )
    data["code"] = [""]

    response = admin_client.post(reverse("admin:cases_servicecategory_add"), data)

    assert response.status_code == 302
    category = ServiceCategory.objects.get(name__en="Dumped sofa")
    assert category.code == "dumped-sofa"
    assert list(category.attributes.values_list("code", flat=True)) == ["is-it-blocking-the-path"]


def test_a_code_with_nothing_to_make_it_from_is_asked_for(world, admin_client):
    data = _category_post(admin_client, world)
    data.update({"code": [""], "name_en": ["¿?"]})

    response = admin_client.post(reverse("admin:cases_servicecategory_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == ["This field is required."]
