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
