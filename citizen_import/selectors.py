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
from citizens.selectors import (
    ADDRESS_BONUS,
    EMAIL_BONUS,
    LIKELY_DUPLICATE_SCORE,
    NAME_WEIGHT,
    PHONE_BONUS,
    DuplicateCandidate,
    Person,
    citizen_duplicate_candidates_many,
    name_probe,
    name_trigrams,
    trigram_similarity,
)
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
    pending: RowOutcome | None = None  # the same person, created by an earlier row of the chunk


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


@dataclass
class _Pending:
    """A record this chunk creates, as later rows of the same chunk compare with it."""

    outcome: RowOutcome
    person: Person
    trigrams: frozenset[str]


def _same_person(best: DuplicateCandidate) -> bool:
    return (best.same_email or best.same_phone) and (
        best.name_similarity >= SAME_PERSON_NAME_SIMILARITY
    )


class _ChunkRecords:
    """The records the chunk creates, found by key: each exact contact key, and each trigram
    of the name (a name alike enough shares one of any |A| - ceil(t·|A|) + 1 of its
    trigrams, as in citizens.selectors.name_probe)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], list[_Pending]] = {}

    def add(self, record: _Pending) -> None:
        keys = [("trigram", t) for t in record.trigrams]
        keys += [(k, getattr(record.person, k)) for k in ("email", "phone", "address")]
        for key in keys:
            if key[1]:
                self.by_key.setdefault(key, []).append(record)

    def best(self, person: Person, trigrams: frozenset[str]):
        """The best match among them, scored by the same rule, or None."""
        probe = name_probe(trigrams, {}, (LIKELY_DUPLICATE_SCORE - 0.5) / NAME_WEIGHT)
        keys = [("trigram", t) for t in probe]
        keys += [(k, getattr(person, k)) for k in ("email", "phone", "address")]
        seen, best = set(), None
        for key in keys:
            for earlier in self.by_key.get(key, ()) if key[1] else ():
                if id(earlier) in seen:
                    continue
                seen.add(id(earlier))
                similarity = trigram_similarity(trigrams, earlier.trigrams) if person.name else 0.0
                same = [
                    bool(getattr(person, k)) and getattr(person, k) == getattr(earlier.person, k)
                    for k in ("email", "phone", "address")
                ]
                raw = min(100.0, NAME_WEIGHT * similarity + EMAIL_BONUS * same[0]
                          + PHONE_BONUS * same[1] + ADDRESS_BONUS * same[2])  # fmt: skip
                if raw >= LIKELY_DUPLICATE_SCORE - 0.5 and (best is None or raw > best[0]):
                    candidate = DuplicateCandidate(
                        citizen=None, score=round(raw), name_similarity=similarity,
                        same_email=same[0], same_phone=same[1], same_address=same[2],
                    )  # fmt: skip
                    best = (raw, earlier, candidate)
        return best


def chunk_outcomes(user: Any, rows: list[ParsedRow]) -> list[RowOutcome]:
    """What importing each row does, in file order: create a record, complete one (update),
    nothing (unchanged), leave it for a person to decide (possible duplicate, the new-citizen
    form's rule), or an error with its reason. The records on file are compared in two
    queries for the whole chunk; a row is also compared with the records created by the rows
    before it in the chunk (a person listed twice is created once)."""
    cleaned = [row.error or _cleaned(row) for row in rows]
    valid = [i for i, fields in enumerate(cleaned) if isinstance(fields, dict)]
    found = citizen_duplicate_candidates_many(user=user, people=[cleaned[i] for i in valid])
    candidates = dict(zip(valid, found, strict=True))
    people = {i: Person.of(cleaned[i]) for i in valid}
    trigrams = dict(zip(valid, name_trigrams([people[i].name for i in valid]), strict=True))
    pending = _ChunkRecords()
    outcomes = []
    for i, row in enumerate(rows):
        fields = cleaned[i]
        if isinstance(fields, str):
            outcomes.append(RowOutcome(row, "error", fields))
            continue
        on_file = candidates[i][0] if candidates[i] else None
        earlier = pending.best(people[i], trigrams[i])
        if earlier and (on_file is None or earlier[0] > on_file.score):
            _raw, twin, candidate = earlier
            if _same_person(candidate):
                # The same person again: what this row adds goes into the record being made.
                added = {k: v for k, v in fields.items() if not twin.outcome.fields.get(k)}
                twin.outcome.fields.update(added)
                outcomes.append(RowOutcome(row, "update" if added else "unchanged",
                                           pending=twin.outcome))  # fmt: skip
            else:
                outcomes.append(RowOutcome(
                    row, "duplicate",
                    _("Possibly the same person as row %(row)s of this file (score %(score)s): "
                      "not imported.") % {"row": twin.outcome.row.number, "score": candidate.score},
                ))  # fmt: skip
            continue
        if on_file is None:
            outcome = RowOutcome(row, "create", fields=fields)
            pending.add(_Pending(outcome, people[i], trigrams[i]))
        elif _same_person(on_file):
            changes = _changes(on_file.citizen, fields, row)
            outcome = RowOutcome(row, "update" if changes else "unchanged",
                                 existing=on_file.citizen, fields=changes)  # fmt: skip
        else:
            outcome = RowOutcome(
                row, "duplicate",
                _("Possibly the same person as record %(pk)s (%(name)s, score %(score)s): "
                  "not imported.")
                % {"pk": on_file.citizen.pk, "name": on_file.citizen.full_name,
                   "score": on_file.score},
                existing=on_file.citizen,
            )  # fmt: skip
        outcomes.append(outcome)
    return outcomes


def import_preview(job: CitizenImport, user: Any, limit: int = PREVIEW_ROWS) -> list[RowOutcome]:
    rows = data_rows(job.content, job.delimiter, limit=limit)
    return chunk_outcomes(
        user, [parse_row(n, cells, job.mapping, default_source=job.consent_source)
               for n, cells in rows],
    )  # fmt: skip
