"""Readable labels and values for the printable subject access export."""

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def sar_label(key: str) -> str:
    """`address_line1` → "Address line1": the export's field names, readable."""
    return key.replace("_", " ").capitalize()


@register.filter
def sar_value(value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return value
