"""Translated texts in forms: a value that comes back as a string never breaks a form."""

import pytest
from django import forms

from cases.models import ServiceCategory
from core.translated import TranslationsFormField


class CategoryNameForm(forms.ModelForm):
    class Meta:
        model = ServiceCategory
        fields = ["name", "keywords"]


def test_the_hidden_initial_copy_of_a_translated_text_compares_as_a_dict():
    """The 500 of issue 16: with `show_hidden_initial`, the browser posts the initial value
    back as a string, and the widget's decompress() got that string."""

    class Form(forms.Form):
        name = TranslationsFormField(show_hidden_initial=True)

    initial = {"en": "Pothole", "es": "Bache"}
    rendered = str(Form(initial={"name": initial})["name"])
    assert 'name="initial-name_en" value="Pothole"' in rendered
    assert 'name="initial-name_es" value="Bache"' in rendered

    unchanged = Form(
        {"name_en": "Pothole", "name_es": "Bache", "initial-name_en": "Pothole",
         "initial-name_es": "Bache"},
        initial={"name": initial},
    )  # fmt: skip
    assert unchanged.is_valid() and unchanged.changed_data == []

    # A page rendered before this fix posted the dict's repr() in one hidden input.
    old_page = Form(
        {"name_en": "Pot hole", "name_es": "Bache", "initial-name": str(initial)},
        initial={"name": initial},
    )
    assert old_page.is_valid() and old_page.changed_data == ["name"]


@pytest.mark.parametrize(
    ("initial", "expected"),
    [
        ('{"en": "Pothole", "es": "Bache"}', ["Pothole", "Bache"]),
        ("Pothole", ["Pothole", ""]),  # e.g. /admin/…/add/?name=Pothole
        (None, ["", ""]),
        ({"es": "Bache"}, ["", "Bache"]),
    ],
)
def test_a_translated_text_arrives_in_any_shape(initial, expected):
    assert TranslationsFormField().widget.decompress(initial) == expected


def test_translated_model_fields_have_no_hidden_initial_copy():
    form = CategoryNameForm()

    assert not form.fields["name"].show_hidden_initial
    assert "initial-name" not in str(form["name"])


def test_each_box_is_labelled_with_its_language_in_a_group_named_after_the_field():
    html = str(CategoryNameForm()["name"])

    assert 'role="group" aria-label="Name"' in html
    assert '<label class="crm-translation__language" for="id_name_0">English</label>' in html
    assert '<label class="crm-translation__language" for="id_name_1">Spanish</label>' in html
    assert 'lang="es"' in html


def test_the_admin_audit_keeps_a_list_of_options_in_its_order():
    """Sorting a question's options (dicts) for the audit row was a 500 on saving them."""
    from core.admin_scoping import _plain

    options = [{"key": "small", "name": {"en": "Small"}}, {"key": "large", "name": {"en": "L"}}]

    assert _plain(options) == options
    assert _plain(set()) == []
