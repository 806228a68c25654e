"""Reading an uploaded CSV: its encoding (UTF-8, else Windows-1252), its delimiter (comma or
semicolon), and its rows; turning a row into citizen fields by the job's mapping."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The fields a column can be mapped to, with their labels.
FIELDS: dict[str, Any] = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "address_line1": gettext_lazy("Address line 1"),
    "address_line2": gettext_lazy("Address line 2"),
    "city": gettext_lazy("City or town"),
    "region": gettext_lazy("State or region"),
    "postal_code": gettext_lazy("Postal code"),
    "preferred_language": gettext_lazy("Preferred language (en, es)"),
    "consent_contact": gettext_lazy("Consent to contact (yes/no)"),
    "consent_surveys": gettext_lazy("Consent to surveys (yes/no)"),
    "consent_date": gettext_lazy("Date consent was given"),
    "consent_source": gettext_lazy("Where consent was given"),
}
CONTACT_FIELDS = (
    "first_name", "last_name", "email", "phone", "address_line1", "address_line2", "city",
    "region", "postal_code", "preferred_language",
)  # fmt: skip
YES = {"yes", "y", "true", "1", "si", "sí", "x"}
NO = {"no", "n", "false", "0", ""}
# Header words that suggest a field, for the first mapping offered.
GUESSES = {
    "first_name": ("first", "given", "nombre"),
    "last_name": ("last", "surname", "family", "apellido"),
    "email": ("email", "e-mail", "mail", "correo"),
    "phone": ("phone", "tel", "mobile", "teléfono", "telefono"),
    "address_line1": ("address", "street", "dirección", "direccion"),
    "city": ("city", "town", "ciudad"),
    "region": ("state", "region", "estado"),
    "postal_code": ("zip", "postal", "postcode", "código postal"),
    "preferred_language": ("language", "idioma", "lang"),
    "consent_contact": ("consent contact", "contact consent", "may contact"),
    "consent_surveys": ("consent survey", "survey consent", "surveys"),
    "consent_date": ("consent date", "date of consent", "consent given"),
    "consent_source": ("consent source", "source"),
}


class FileUnreadable(ValueError):
    pass


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileUnreadable(_("The file is neither UTF-8 nor Windows-1252 text.")) from exc


def sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def reader(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def headers_and_count(text: str, delimiter: str) -> tuple[list[str], int]:
    rows = reader(text, delimiter)
    headers = next(rows, None)
    if not headers or not any(h.strip() for h in headers):
        raise FileUnreadable(_("The file has no header row."))
    count = sum(1 for row in rows if any(cell.strip() for cell in row))
    return [h.strip() for h in headers], count


def data_rows(text: str, delimiter: str, *, start: int = 0, limit: int | None = None):
    """(row number as a spreadsheet shows it, cells) of the non-empty data rows from `start`."""
    rows = ((n, row) for n, row in enumerate(reader(text, delimiter), start=1) if n > 1)
    rows = ((n, row) for n, row in rows if any(cell.strip() for cell in row))
    stop = None if limit is None else start + limit
    return islice(rows, start, stop)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        folded = header.strip().lower().replace("_", " ")
        for name, words in GUESSES.items():
            if name not in taken and any(word in folded for word in words):
                mapping[str(index)] = name
                taken.add(name)
                break
    return mapping


@dataclass
class ParsedRow:
    number: int
    cells: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    consent: dict[str, bool] = field(default_factory=dict)
    consent_at: datetime | None = None
    consent_source: str = ""
    error: str = ""


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_row(number: int, cells: list[str], mapping: dict[str, str], *,
              default_source: str = "") -> ParsedRow:  # fmt: skip
    """The row's citizen fields and consent, or an error saying why it cannot be imported.

    Consent is taken only with the date it was given and where (a column, or the source given
    for the whole file); a consent cell without them is an error, not a guess."""
    row = ParsedRow(number=number, cells=cells)
    values: dict[str, str] = {}
    for index, name in mapping.items():
        i = int(index)
        values[name] = cells[i].strip() if i < len(cells) else ""
    row.fields = {k: values[k] for k in CONTACT_FIELDS if values.get(k)}
    if not (row.fields.get("first_name") or row.fields.get("last_name")):
        row.error = _("No first or last name.")
        return row
    language = row.fields.get("preferred_language", "").lower()[:2]
    if language and language not in dict(settings.LANGUAGES):
        row.error = _("Unknown language “%(value)s” (use en or es).") % {"value": language}
        return row
    if language:
        row.fields["preferred_language"] = language
    for kind in ("contact", "surveys"):
        raw = values.get(f"consent_{kind}", "").strip().lower()
        if raw in NO and raw != "":
            row.consent[kind] = False
        elif raw in YES:
            row.consent[kind] = True
        elif raw:
            row.error = _("Consent must be yes or no, not “%(value)s”.") % {"value": raw}
            return row
    if row.consent:
        given = _parse_date(values.get("consent_date", ""))
        source = values.get("consent_source", "") or default_source
        if given is None or not source:
            row.error = _("Consent needs the date it was given and where: not imported.")
            return row
        row.consent_at = datetime.combine(given, time(12), tzinfo=UTC)
        row.consent_source = source[:200]
    return row
