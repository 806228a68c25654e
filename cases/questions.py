"""A service's questions as form fields: one builder for the staff intake and the public form.

The fields pass the answers on as typed; `cases.attributes.attributes_clean` judges them (the
same rules, and messages, as the API and Open311), and its errors land on the questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.attributes import attributes_clean
from cases.models import AttributeDefinition
from core.translated import translate

Datatype = AttributeDefinition.Datatype
ATTRIBUTE_PREFIX = "attr_"
# Radios for up to this many options, a select above (a long list of radios is hard to scan).
RADIO_LIMIT = 6


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"


class AnswerField(forms.CharField):
    """One answer as typed. Marked required when the question is, but an empty answer still
    reaches attributes_clean, which says what is missing (as it does on every channel)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strip=False, **kwargs)  # attributes_clean strips and measures

    def validate(self, value: Any) -> None:
        pass


class AnswerListField(forms.Field):
    """The ticked options of a "pick any" question, as submitted (a list of strings)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]

    def validate(self, value: Any) -> None:
        pass  # as AnswerField


def question_field(definition: AttributeDefinition) -> forms.Field:
    """The form field for one question, by its datatype."""
    help_text = translate(definition.description)
    if definition.datatype == Datatype.DATETIME and not help_text:
        help_text = _("For example 2026-05-01 14:30.")
    common = {
        "label": translate(definition.label) or definition.code,
        "help_text": help_text,
        "required": definition.required,
    }
    datatype = definition.datatype
    if datatype == Datatype.MULTIVALUELIST:
        return AnswerListField(widget=forms.CheckboxSelectMultiple(choices=definition.choices()),
                               **common)  # fmt: skip
    if datatype == Datatype.TEXT:
        widget = forms.Textarea(attrs={"rows": 4})
    elif datatype == Datatype.NUMBER:
        widget = forms.NumberInput(attrs={"class": "usa-input usa-input--small", "step": "any"})
    elif datatype == Datatype.DATETIME:
        widget = DateTimeLocalInput(attrs={"class": "usa-input usa-input--medium"})
    elif datatype == Datatype.SINGLEVALUELIST:
        choices = definition.choices()
        if len(choices) <= RADIO_LIMIT:
            widget = forms.RadioSelect(choices=choices)
        else:
            widget = forms.Select(choices=[("", _("- Select -")), *choices])
    else:
        widget = forms.TextInput()
    return AnswerField(widget=widget, **common)


class QuestionsMixin:
    """A form that asks a service's questions, as fields named `attr_<code>`.

    Call `add_questions()` in `__init__` and `questions_clean()` in `clean()`; a service's
    ValidationError about a question lands on its field (`add_service_errors`)."""

    questions: list[AttributeDefinition]

    def add_questions(self, definitions: Iterable[AttributeDefinition]) -> dict[str, forms.Field]:
        """The fields of the questions (the variable definitions), in their order."""
        self.questions = [d for d in definitions if d.variable]
        return {ATTRIBUTE_PREFIX + d.code: question_field(d) for d in self.questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[ATTRIBUTE_PREFIX + d.code] for d in self.questions]

    def attribute_values(self) -> dict[str, Any]:
        """The answers as submitted, keyed by question code (for attributes_clean/case_create)."""
        values = {}
        for definition in self.questions:
            value = self.cleaned_data.get(ATTRIBUTE_PREFIX + definition.code)
            if value not in (None, "", []):
                values[definition.code] = value
        return values

    def questions_clean(self, *, timezone: str) -> None:
        try:
            attributes_clean(self.questions, self.attribute_values(), timezone=timezone)
        except ValidationError as exc:
            self.add_service_errors(exc)

    def service_field_name(self, key: str) -> str:
        if ATTRIBUTE_PREFIX + key in self.fields:
            return ATTRIBUTE_PREFIX + key
        return super().service_field_name(key)
