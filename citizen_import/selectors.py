"""Readers of citizen imports: the jobs, and what a row would do (the preview and the run ask
the same question, so the preview tells the truth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from citizen_import.models import CitizenImport
from citizen_import.parsing import ParsedRow, data_rows, parse_row
from citizens import normalise
from citizens.models import Citizen
from citizens.selectors import citizen_duplicate_candidates
from core.scoping import get_scoped_object_or_404, scope_queryset

# Same email or phone and a name this similar: the same person (their record is completed).
SAME_PERSON_NAME_SIMILARITY = 0.5
PREVIEW_ROWS = 10


def imports_visible_to(user: Any) -> QuerySet[CitizenImport]:
    return scope_queryset(CitizenImport.objects.all(), user).defer("content")


def import_get(user: Any, *, pk: int) -> CitizenImport:
    return get_scoped_object_or_404(CitizenImport.objects.all(), user, pk=pk)


@dataclass
class RowOutcome:
    row: ParsedRow
    action: str  # create, update, unchanged, duplicate, error
    message: str = ""
    existing: Citizen | None = None
    fields: dict[str, str] | None = None  # cleaned values to write


def _cleaned(row: ParsedRow) -> dict[str, str] | str:
    fields = dict(row.fields)
    if fields.get("email"):
        try:
            validate_email(fields["email"])
        except ValidationError:
            return _("“%(value)s” is not an email address.") % {"value": fields["email"]}
        fields["email"] = normalise.normalise_email(fields["email"])
    if fields.get("phone"):
        try:
            fields["phone"] = normalise.normalise_phone(fields["phone"])
        except normalise.InvalidPhoneNumber:
            return _("“%(value)s” is not a phone number.") % {"value": fields["phone"]}
    for name, value in fields.items():
        limit = Citizen._meta.get_field(name).max_length
        if limit and len(value) > limit:
            return _("%(field)s is longer than %(limit)s characters.") % {
                "field": Citizen._meta.get_field(name).verbose_name, "limit": limit,
            }  # fmt: skip
    return fields


def _changes(existing: Citizen, fields: dict[str, str], row: ParsedRow) -> dict[str, Any]:
    """What the row adds to an existing record: blank fields filled, consent newer than the
    record's. Nothing the record already says is overwritten."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "preferred_language":
            continue
        if not getattr(existing, name):
            changes[name] = value
    for kind, granted in row.consent.items():
        at = getattr(existing, f"consent_{kind}_at")
        newer = at is None or (row.consent_at and row.consent_at > at)
        if newer and (at is None or getattr(existing, f"consent_{kind}") != granted):
            changes[f"consent_{kind}"] = granted
    return changes


def row_outcome(user: Any, row: ParsedRow) -> RowOutcome:
    """What importing `row` does: create a record, complete one (update), nothing (unchanged),
    leave it for a person to decide (possible duplicate, the new-citizen form's rule), or an
    error with its reason."""
    if row.error:
        return RowOutcome(row, "error", row.error)
    fields = _cleaned(row)
    if isinstance(fields, str):
        return RowOutcome(row, "error", fields)
    candidates = citizen_duplicate_candidates(
        user=user, first_name=fields.get("first_name", ""), last_name=fields.get("last_name", ""),
        email=fields.get("email", ""), phone=fields.get("phone", ""),
        address_line1=fields.get("address_line1", ""), postal_code=fields.get("postal_code", ""),
        limit=3,
    )  # fmt: skip
    if not candidates:
        return RowOutcome(row, "create", fields=fields)
    best = candidates[0]
    if (best.same_email or best.same_phone) and (
        best.name_similarity >= SAME_PERSON_NAME_SIMILARITY
    ):
        changes = _changes(best.citizen, fields, row)
        action = "update" if changes else "unchanged"
        return RowOutcome(row, action, existing=best.citizen, fields=changes)
    return RowOutcome(
        row, "duplicate",
        _("Possibly the same person as record %(pk)s (%(name)s, score %(score)s): not imported.")
        % {"pk": best.citizen.pk, "name": best.citizen.full_name, "score": best.score},
        existing=best.citizen,
    )  # fmt: skip


def import_preview(job: CitizenImport, user: Any, limit: int = PREVIEW_ROWS) -> list[RowOutcome]:
    rows = data_rows(job.content, job.delimiter, limit=limit)
    return [
        row_outcome(user, parse_row(n, cells, job.mapping, default_source=job.consent_source))
        for n, cells in rows
    ]
