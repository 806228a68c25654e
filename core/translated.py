"""Translatable database texts, one way everywhere: a JSON object {language code: text}.

Citizen-visible texts stored in the database (service names, attribute labels, survey
questions) use `TranslatedField`. Adding a language to settings.LANGUAGES adds an input to
every admin form and needs no migration. Reading falls back to the default language.
"""

from __future__ import annotations

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


class TranslationsWidget(forms.MultiWidget):
    def __init__(self, textarea: bool = False, attrs: dict | None = None):
        widget = forms.Textarea if textarea else forms.TextInput
        self.languages = [code for code, _name in settings.LANGUAGES]
        super().__init__(
            {
                code: widget(attrs={"lang": code, "aria-label": name, **(attrs or {})})
                for code, name in settings.LANGUAGES
            }
        )

    def decompress(self, value: Any) -> list[str]:
        value = value or {}
        return [value.get(code, "") for code in self.languages]


class TranslationsFormField(forms.MultiValueField):
    """One input per language; the default language is required when the field is."""

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
        return super().formfield(
            **{
                "form_class": TranslationsFormField,
                "textarea": self.textarea,
                "max_length": self.text_max_length,
                **kwargs,
            }
        )
