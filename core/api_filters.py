"""django-filter filters for the API that accept exactly what the OpenAPI schema says."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import django_filters
from django import forms

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


class Rfc3339Field(forms.Field):
    """An instant as RFC 3339 (`date-time` in OpenAPI), with its offset: nothing looser."""

    def to_python(self, value):
        if value is None:  # not given
            return None
        if not RFC3339.fullmatch(value):
            raise forms.ValidationError("Use RFC 3339, e.g. 2026-11-24T09:30:00Z.")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            # In UTC: PostgreSQL takes offsets up to ±15:59 only, RFC 3339 up to ±23:59.
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # e.g. year 1 at +01:00 is before year 1 in UTC
            raise forms.ValidationError("This instant does not exist.") from None


class Rfc3339Filter(django_filters.Filter):
    field_class = Rfc3339Field


class StrictFilterSet(django_filters.FilterSet):
    """Query parameters exactly as the schema describes them: a parameter given is not empty,
    and one that takes a single value is not repeated (which one would count?)."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, flt in self.filters.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            multiple = isinstance(flt, django_filters.MultipleChoiceFilter)
            if any(value == "" for value in values):
                self.form.add_error(name, "Give a value or leave the parameter out.")
                valid = False
            elif len(values) > 1 and not multiple:
                self.form.add_error(name, "Give this parameter once.")
                valid = False
        return valid
