"""Attribute answers are checked against the category's questions, for every datatype."""

import pytest
from django.core.exceptions import ValidationError

from cases.attributes import attributes_clean
from cases.models import AttributeDefinition

Datatype = AttributeDefinition.Datatype
COLOURS = [{"key": "red", "name": {"en": "Red"}}, {"key": "blue", "name": {"en": "Blue"}}]


def _definition(datatype, required=False, values=None, code="q"):
    return AttributeDefinition(code=code, datatype=datatype, required=required,
                               values=values or [], label={"en": "Question"})  # fmt: skip


CASES = [
    # datatype, submitted, expected (None = refused)
    (Datatype.STRING, "  a lamp post ", "a lamp post"),
    (Datatype.STRING, "x" * 501, None),
    (Datatype.TEXT, "long " * 900, ("long " * 900).strip()),
    (Datatype.TEXT, "x" * 5001, None),
    (Datatype.NUMBER, "42", 42),
    (Datatype.NUMBER, "3.5", 3.5),
    (Datatype.NUMBER, "-7", -7),
    (Datatype.NUMBER, "forty", None),
    (Datatype.NUMBER, "NaN", None),
    (Datatype.DATETIME, "2026-05-01T14:30:00+00:00", "2026-05-01T14:30:00+00:00"),
    (Datatype.DATETIME, "2026-05-01 14:30", "2026-05-01T14:30:00-05:00"),  # agency time
    (Datatype.DATETIME, "yesterday", None),
    (Datatype.DATETIME, "2026-13-45 99:99", None),
    (Datatype.SINGLEVALUELIST, "red", "red"),
    (Datatype.SINGLEVALUELIST, "green", None),
    (Datatype.SINGLEVALUELIST, ["red", "blue"], None),
    (Datatype.MULTIVALUELIST, ["red", "blue", "red"], ["red", "blue"]),
    (Datatype.MULTIVALUELIST, "blue", ["blue"]),
    (Datatype.MULTIVALUELIST, ["red", "green"], None),
]


@pytest.mark.parametrize(("datatype", "value", "expected"), CASES)
def test_values_are_normalised_or_refused(datatype, value, expected):
    definition = _definition(datatype, values=COLOURS)

    if expected is None:
        with pytest.raises(ValidationError) as refused:
            attributes_clean([definition], {"q": value}, timezone="America/Chicago")
        assert list(refused.value.message_dict) == ["q"]
    else:
        cleaned = attributes_clean([definition], {"q": value}, timezone="America/Chicago")
        assert cleaned == {"q": expected}


@pytest.mark.parametrize("datatype", list(Datatype.values))
def test_required_questions_must_be_answered(datatype):
    definition = _definition(datatype, required=True, values=COLOURS)

    for blank in (None, "", "   ", []):
        with pytest.raises(ValidationError) as refused:
            attributes_clean([definition], {"q": blank} if blank is not None else {})
        assert refused.value.message_dict == {"q": ["This field is required."]}


def test_optional_blank_answers_are_left_out_and_unknown_questions_refused():
    definition = _definition(Datatype.STRING)

    assert attributes_clean([definition], {"q": " "}) == {}
    with pytest.raises(ValidationError) as refused:
        attributes_clean([definition], {"colour": "red"})
    assert "colour" in refused.value.message_dict


def test_all_errors_are_reported_together():
    definitions = [
        _definition(Datatype.NUMBER, code="count", required=True),
        _definition(Datatype.SINGLEVALUELIST, code="colour", values=COLOURS),
    ]

    with pytest.raises(ValidationError) as refused:
        attributes_clean(definitions, {"colour": "green"})

    assert set(refused.value.message_dict) == {"count", "colour"}
