"""Validation of a case's attribute values against its category's definitions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cases.models import AttributeDefinition

Datatype = AttributeDefinition.Datatype
MAX_STRING = 500
MAX_TEXT = 5000


def attributes_clean(
    definitions: Iterable[AttributeDefinition], raw: Mapping[str, Any], *, timezone: str = "UTC"
) -> dict[str, Any]:
    """Check and normalise submitted values. Raises ValidationError({code: [message]})."""
    definitions = [d for d in definitions if d.variable]
    known = {d.code for d in definitions}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for code in raw:
        if code not in known:
            errors[code] = [_("This category has no question “%(code)s”.") % {"code": code}]
    for definition in definitions:
        value = raw.get(definition.code)
        if _is_blank(value):
            if definition.required:
                errors[definition.code] = [_("This field is required.")]
            continue
        try:
            cleaned[definition.code] = _clean_one(definition, value, timezone)
        except ValidationError as exc:
            errors[definition.code] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not [v for v in value if not _is_blank(v)]
    return False


def _clean_one(definition: AttributeDefinition, value: Any, timezone: str) -> Any:
    datatype = definition.datatype
    if datatype in (Datatype.STRING, Datatype.TEXT):
        limit = MAX_STRING if datatype == Datatype.STRING else MAX_TEXT
        text = _single(value).strip()
        if len(text) > limit:
            raise ValidationError(_("Keep this under %(limit)s characters.") % {"limit": limit})
        return text
    if datatype == Datatype.NUMBER:
        try:
            number = Decimal(_single(value).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if datatype == Datatype.DATETIME:
        parsed = _parse_datetime(_single(value).strip(), timezone)
        if parsed is None:
            raise ValidationError(_("Enter a date and time, for example 2026-05-01 14:30."))
        return parsed.isoformat()
    allowed = {str(v["key"]) for v in definition.values}
    if datatype == Datatype.SINGLEVALUELIST:
        key = _single(value).strip()
        if key not in allowed:
            raise ValidationError(_("Choose one of the listed options."))
        return key
    if datatype == Datatype.MULTIVALUELIST:
        keys = [str(v).strip() for v in (value if isinstance(value, list | tuple) else [value])]
        keys = [k for k in keys if k]
        if any(k not in allowed for k in keys):
            raise ValidationError(_("Choose only from the listed options."))
        return sorted(set(keys), key=keys.index)
    raise ValidationError(_("Unsupported question type."))


def _single(value: Any) -> str:
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValidationError(_("Give one value."))
        value = value[0]
    return str(value)


def _parse_datetime(text: str, timezone: str) -> datetime | None:
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed
