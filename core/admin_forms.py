"""Form fields of the configuration screens, for service managers rather than developers.

- `OptionsFormField`: a question's options as rows (value, then the label in each language),
  stored as the JSON list the models keep: [{"key": "small", <label_key>: {"en": …, "es": …}}].
- `BusinessDurationField`: a target entered in hours and minutes, stored in minutes.
- `format_minutes`: minutes shown the same way ("4 h 30 min").
- `CodeFromTextMixin`: a stable code that may be left empty, then made from the English text.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_OPTIONS = 200
BLANK_ROWS = 2
KEY_MAX_LENGTH = 100


def format_minutes(minutes: int | None) -> str:
    """A duration in minutes as people read it: "45 min", "8 h", "4 h 30 min"; "—" for none."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return gettext("%(hours)s h") % {"hours": hours}
    return gettext("%(minutes)s min") % {"minutes": rest}


# --- options ---------------------------------------------------------------------------------


def _languages() -> list[tuple[str, Any]]:
    return list(settings.LANGUAGES)


class OptionsWidget(forms.Widget):
    """A table: one row per option (value, label per language), a few empty rows to add more,
    and a button that adds another row. Posts `<name>_rows` and `<name>_<i>_key|_<lang>`."""

    template_name = "core/widgets/options.html"

    class Media:
        css = {"all": ["css/admin-widgets.css"]}
        js = ["js/admin-widgets.js"]

    def __init__(
        self, label_key: str, attrs: dict | None = None, shown_for: tuple[str, list] | None = None
    ) -> None:
        self.label_key = label_key
        self.group_label: Any = ""
        # (field, values): the table is shown only while that field of the same form (e.g. the
        # answer type) has one of these values; the others hide it (admin-widgets.js).
        self.shown_for = shown_for
        super().__init__(attrs)

    def rows(self, value: Any) -> list[dict]:
        options = _as_options(value, self.label_key)
        return options + [{"key": "", self.label_key: {}} for _ in range(BLANK_ROWS)]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        languages = _languages()
        rows = []
        for index, option in enumerate(self.rows(value)):
            labels = option.get(self.label_key) or {}
            rows.append(
                {
                    "number": index + 1,
                    "key": {"name": f"{name}_{index}_key", "value": option.get("key", "")},
                    "labels": [
                        {"name": f"{name}_{index}_{code}", "value": labels.get(code, ""),
                         "code": code, "language": language}
                        for code, language in languages
                    ],
                }
            )  # fmt: skip
        context["widget"].update(
            rows=rows,
            rows_name=f"{name}_rows",
            languages=[language for _code, language in languages],
            group_label=self.group_label,
            shown_for_field=self.shown_for[0] if self.shown_for else "",
            shown_for_values=" ".join(self.shown_for[1]) if self.shown_for else "",
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if f"{name}_rows" not in data:
            return data.get(name)  # JSON, as an API client or an older page posts it
        try:
            count = min(int(data.get(f"{name}_rows") or 0), MAX_OPTIONS + BLANK_ROWS)
        except ValueError:
            count = 0
        return [
            {
                "key": data.get(f"{name}_{i}_key", ""),
                self.label_key: {
                    code: data.get(f"{name}_{i}_{code}", "") for code, _lang in _languages()
                },
            }
            for i in range(count)
        ]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}_rows" not in data and name not in data

    def id_for_label(self, id_: str) -> str:
        return ""  # a table of inputs, each with its own label


def _as_options(value: Any, label_key: str) -> list[dict]:
    """Any shape of options (JSON text, a list) as a list of {"key", label_key} dicts."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            raise ValidationError(_("Enter the options in the rows of the table.")) from None
    if not isinstance(value, list):
        return []
    options = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError(_("Enter the options in the rows of the table."))
        labels = item.get(label_key)
        if isinstance(labels, str):
            labels = {settings.LANGUAGE_CODE: labels}
        options.append({"key": str(item.get("key") or ""), label_key: dict(labels or {})})
    return options


class OptionsFormField(forms.Field):
    """A question's options: rows of value + label per language (see OptionsWidget).

    Rows left empty are dropped; a row without a value gets one made from its label in the
    default language ("Larger than a car tyre" → "larger-than-a-car-tyre"); values must differ
    and each option needs its label in the default language.
    """

    def __init__(
        self, *, label_key: str, shown_for: tuple[str, list] | None = None, **kwargs: Any
    ) -> None:
        self.label_key = label_key
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", OptionsWidget(label_key=label_key, shown_for=shown_for))
        for unused in ("encoder", "decoder", "max_length"):
            kwargs.pop(unused, None)
        super().__init__(**kwargs)
        self.widget.group_label = self.label

    def to_python(self, value: Any) -> list[dict]:
        if value in self.empty_values:
            return []
        options = []
        for option in _as_options(value, self.label_key):
            key = option["key"].strip()
            labels = {
                code: text.strip()
                for code, text in option[self.label_key].items()
                if isinstance(text, str) and text.strip()
            }
            if not key and not labels:
                continue  # an empty row
            if not key:
                key = slugify(labels.get(settings.LANGUAGE_CODE, ""))[:KEY_MAX_LENGTH]
            options.append({"key": key, self.label_key: labels})
        return options

    def validate(self, value: list[dict]) -> None:
        super().validate(value)
        language = dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]
        errors, seen = [], set()
        if len(value) > MAX_OPTIONS:
            errors.append(_("Keep to %(count)s options at most.") % {"count": MAX_OPTIONS})
        for number, option in enumerate(value, start=1):
            key = option["key"]
            if not option[self.label_key].get(settings.LANGUAGE_CODE):
                errors.append(
                    _("Option %(number)s: give its label in %(language)s.")
                    % {"number": number, "language": language}
                )
            if not key:
                errors.append(_("Option %(number)s: give it a value.") % {"number": number})
            elif len(key) > KEY_MAX_LENGTH:
                errors.append(
                    _("Option %(number)s: keep its value under %(limit)s characters.")
                    % {"number": number, "limit": KEY_MAX_LENGTH}
                )
            elif key in seen:
                errors.append(
                    _("Two options have the value “%(value)s”: give each its own.") % {"value": key}
                )
            seen.add(key)
        if errors:
            raise ValidationError(errors)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


# --- durations -------------------------------------------------------------------------------


class DurationWidget(forms.MultiWidget):
    """Hours and minutes, each a number box with its own label, in a group named after the
    field."""

    template_name = "core/widgets/duration.html"

    class Media:
        css = {"all": ["css/admin-widgets.css"]}

    def __init__(self, attrs: dict | None = None) -> None:
        self.group_label: Any = ""
        super().__init__(
            {
                "hours": forms.NumberInput(attrs={"min": 0, "step": 1, "class": "crm-hours"}),
                "minutes": forms.NumberInput(
                    attrs={"min": 0, "max": 59, "step": 1, "class": "crm-minutes"}
                ),
            },
            attrs,
        )

    def decompress(self, value: Any) -> list[int | None]:
        if value in (None, ""):
            return [None, None]
        try:
            return list(divmod(int(value), 60))
        except (TypeError, ValueError):
            return [None, None]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        hours, minutes = context["widget"]["subwidgets"]
        hours["unit"], minutes["unit"] = gettext("hours"), gettext("minutes")
        context["widget"]["group_label"] = self.group_label
        return context


class BusinessDurationField(forms.MultiValueField):
    """A duration typed as hours and minutes, cleaned to whole minutes (None when both boxes
    are empty)."""

    widget = DurationWidget

    def __init__(self, **kwargs: Any) -> None:
        for unused in ("max_value", "min_value", "step_size"):
            kwargs.pop(unused, None)
        fields = [
            forms.IntegerField(min_value=0, max_value=100_000, required=False),
            forms.IntegerField(min_value=0, max_value=59, required=False),
        ]
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.widget.group_label = self.label

    def compress(self, data_list: list[int | None]) -> int | None:
        if not data_list or all(part in (None, "") for part in data_list):
            return None
        hours, minutes = (part or 0 for part in data_list)
        return hours * 60 + minutes


# --- codes -----------------------------------------------------------------------------------


class CodeFromTextMixin:
    """For a ModelForm with a `code` (slug): left empty, it is made from the default-language
    text of the translated field `code_source` ("Abandoned bicycle" → "abandoned-bicycle")."""

    code_source = "name"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "code" in self.fields:
            self.fields["code"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if "code" not in self.fields or cleaned.get("code") or "code" in self.errors:
            return cleaned
        text = (cleaned.get(self.code_source) or {}).get(settings.LANGUAGE_CODE, "")
        limit = self._meta.model._meta.get_field("code").max_length
        code = slugify(text)[:limit].strip("-")
        if code:
            cleaned["code"] = code
        else:
            self.add_error("code", self.fields["code"].error_messages["required"])
        return cleaned
