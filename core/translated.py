"""Translatable database texts, one way everywhere: a JSON object {language code: text}.

Citizen-visible texts stored in the database (service names, attribute labels, survey
questions) use `TranslatedField`. Adding a language to settings.LANGUAGES adds an input to
every admin form and needs no migration. Reading falls back to the default language.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def translate(value: dict[str, str] | None, language: str | None = None) -> str:
    """The text in `language` (default: the active one), else the default language's, else any."""
    if not value:
        return ""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return value.get(language) or value.get(settings.LANGUAGE_CODE) or next(iter(value.values()))


def _as_translations(value: Any) -> dict[str, str]:
    """A stored or posted value as {language: text}, whatever shape it came in.

    Forms meet these values as dicts (from the database), but also as strings: the admin's
    initial values from the query string (`?name=…`), or JSON posted back by a browser. A string
    that is not a JSON object is the default language's text.
    """
    if isinstance(value, dict):
        return {str(code): "" if text is None else str(text) for code, text in value.items()}
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return _as_translations(parsed)
        return {settings.LANGUAGE_CODE: value}
    return {}


class TranslationsWidget(forms.MultiWidget):
    """One box per language, each with its language's name as its visible label; the boxes
    form a group named after the field (`group_label`), so a screen reader says "Name, group;
    English, edit text"."""

    template_name = "core/widgets/translations.html"

    class Media:
        css = {"all": ["css/admin-widgets.css"]}

    def __init__(self, textarea: bool = False, attrs: dict | None = None, hidden: bool = False):
        widget = forms.HiddenInput if hidden else (forms.Textarea if textarea else forms.TextInput)
        self.languages = [code for code, _name in settings.LANGUAGES]
        self.group_label: Any = ""
        self.textarea = textarea
        if textarea and not hidden:
            attrs = {"rows": 3, **(attrs or {})}
        super().__init__(
            {code: widget(attrs={"lang": code, **(attrs or {})}) for code in self.languages}
        )

    def decompress(self, value: Any) -> list[str]:
        value = _as_translations(value)
        return [value.get(code, "") for code in self.languages]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        names = dict(settings.LANGUAGES)
        for code, subwidget in zip(self.languages, context["widget"]["subwidgets"], strict=True):
            subwidget["language_name"] = names[code]
        context["widget"]["group_label"] = self.group_label
        context["widget"]["textarea"] = self.textarea
        return context


class TranslationsHiddenWidget(TranslationsWidget):
    """The hidden copy of the initial value (`show_hidden_initial`): one hidden input per
    language, so what comes back is a list like the visible boxes', never a dict's repr."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, textarea: bool = False, attrs: dict | None = None):
        super().__init__(textarea=textarea, attrs=attrs, hidden=True)


class TranslationsFormField(forms.MultiValueField):
    """One input per language; the default language is required when the field is."""

    hidden_widget = TranslationsHiddenWidget

    def __init__(self, *, textarea: bool = False, max_length: int | None = None, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        self.languages = [code for code, _name in settings.LANGUAGES]
        fields = [forms.CharField(required=False, max_length=max_length) for _ in self.languages]
        super().__init__(
            fields=fields,
            widget=TranslationsWidget(textarea=textarea),
            require_all_fields=False,
            **kwargs,
        )
        self.widget.group_label = self.label

    def compress(self, data_list: list[str]) -> dict[str, str]:
        pairs = zip(self.languages, data_list or [], strict=False)
        data = {code: (text or "").strip() for code, text in pairs}
        return {code: text for code, text in data.items() if text}

    def validate(self, value: dict[str, str]) -> None:
        if self.required and not value.get(settings.LANGUAGE_CODE):
            raise ValidationError(
                _("Enter the text at least in %(language)s.")
                % {"language": dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]},
                code="required",
            )


class TranslatedField(models.JSONField):
    def __init__(self, *args, textarea: bool = False, max_length: int | None = None, **kwargs):
        self.textarea = textarea
        self.text_max_length = max_length
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.textarea:
            kwargs["textarea"] = True
        if self.text_max_length:
            kwargs["max_length"] = self.text_max_length
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        # The callable default (dict) would make Django add a hidden copy of the initial value
        # (`show_hidden_initial`), for nothing: an empty dict is the same at every render.
        return super().formfield(
            **{
                "form_class": TranslationsFormField,
                "textarea": self.textarea,
                "max_length": self.text_max_length,
                "show_hidden_initial": False,
                **kwargs,
            }
        )
