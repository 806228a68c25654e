"""Writers of citizen imports. Each is atomic and audited: the upload, the mapping, the start
(with the mapping), each chunk (with its counts) and the end (with the totals).

The run is a chain of outbox messages, one per chunk: a chunk's citizens, its problems and
the job's cursor and counts commit together, then the next chunk is queued in the same
transaction. A worker killed mid-chunk rolls the chunk back; the outbox hands the message to
another worker after its lease, which starts again from the committed cursor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizen_import import parsing, selectors
from citizen_import.models import CitizenImport, ImportProblem
from citizens.models import Citizen, ConsentRecord, ConsentSource
from core.scoping import user_agency_id
from core.services import audit_record, outbox_enqueue

CHUNK_TOPIC = "citizen_import.chunk"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
Status = CitizenImport.Status


def _audit(job: CitizenImport, action: str, actor: Any, changes: dict | None = None) -> None:
    audit_record(action=action, obj=job, actor=actor, changes=changes, agency_id=job.agency_id)


@transaction.atomic
def import_upload(*, actor: Any, file_name: str, raw: bytes) -> CitizenImport:
    """A new import job from an uploaded file's bytes (UTF-8 or Windows-1252; comma or
    semicolon). Its columns are mapped next; nothing is imported yet."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 50 MB."))
    try:
        text, encoding = parsing.decode(raw)
        delimiter = parsing.sniff_delimiter(text)
        headers, count = parsing.headers_and_count(text, delimiter)
    except parsing.FileUnreadable as exc:
        raise ValidationError(str(exc)) from None
    if count == 0:
        raise ValidationError(_("The file has a header row but no data rows."))
    job = CitizenImport.objects.create(
        agency_id=user_agency_id(actor), created_by=actor, file_name=file_name[:200],
        encoding=encoding, delimiter=delimiter, content=text, headers=headers,
        mapping=parsing.guess_mapping(headers), total_rows=count,
    )  # fmt: skip
    _audit(job, "citizen_import.uploaded", actor,
           {"file": (None, job.file_name), "rows": (None, count)})  # fmt: skip
    return job


@transaction.atomic
def import_set_mapping(
    *, job: CitizenImport, mapping: Mapping[str, str], actor: Any, consent_source: str = ""
) -> CitizenImport:
    """Which column holds which citizen field (each field at most once; a name is needed)."""
    job = CitizenImport.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.UPLOADED:
        raise ValidationError(_("This import has started: its mapping can no longer change."))
    cleaned = {}
    for index, name in mapping.items():
        if not name:
            continue
        if name not in parsing.FIELDS or not 0 <= int(index) < len(job.headers):
            raise ValidationError(_("Choose a citizen field for each column, or ignore it."))
        if name in cleaned.values():
            raise ValidationError(
                _("Two columns are mapped to “%(field)s”.") % {"field": parsing.FIELDS[name]}
            )
        cleaned[str(index)] = name
    if not {"first_name", "last_name"} & set(cleaned.values()):
        raise ValidationError(_("Map a column to the first name or the last name."))
    before = job.mapping
    job.mapping, job.consent_source = cleaned, consent_source.strip()[:200]
    job.save(update_fields=["mapping", "consent_source"])
    _audit(job, "citizen_import.mapped", actor, {"mapping": (before, cleaned)})
    return job


@transaction.atomic
def import_start(*, job: CitizenImport, actor: Any) -> CitizenImport:
    job = CitizenImport.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.UPLOADED:
        raise ValidationError(_("This import has already started."))
    job.status, job.started_at = Status.QUEUED, timezone.now()
    job.save(update_fields=["status", "started_at"])
    outbox_enqueue(topic=CHUNK_TOPIC, payload={"import_id": job.pk})
    _audit(job, "citizen_import.started", actor,
           {"status": (Status.UPLOADED, Status.QUEUED), "mapping": (None, job.mapping),
            "rows": (None, job.total_rows)})  # fmt: skip
    return job


def _consent_records(citizen: Citizen, row: Any, consent: dict[str, bool], job: CitizenImport):
    return [
        ConsentRecord(
            citizen=citizen,
            kind=kind,
            granted=granted,
            at=row.consent_at,
            source=ConsentSource.IMPORT,
            source_detail=row.consent_source,
            recorded_by=job.created_by,
        )
        for kind, granted in consent.items()
    ]


def _create_all(outcomes: list[selectors.RowOutcome], job: CitizenImport) -> None:
    """The chunk's new records in one INSERT, their consent history in another."""
    now = timezone.now()
    citizens = []
    for outcome in outcomes:
        citizen = Citizen(**outcome.fields, created_at=now, updated_at=now)
        if not citizen.preferred_language:
            citizen.preferred_language = settings.LANGUAGE_CODE
        for kind, granted in outcome.row.consent.items():
            setattr(citizen, f"consent_{kind}", granted)
            setattr(citizen, f"consent_{kind}_at", outcome.row.consent_at)
        citizen.refresh_derived_fields()  # what save() does, which bulk_create skips
        citizens.append(citizen)
    Citizen.objects.bulk_create(citizens)
    ConsentRecord.objects.bulk_create(
        record
        for citizen, outcome in zip(citizens, outcomes, strict=True)
        for record in _consent_records(citizen, outcome.row, outcome.row.consent, job)
    )


def _update(outcome: selectors.RowOutcome, job: CitizenImport) -> None:
    """Complete a record on file: blank fields filled, newer consent recorded."""
    citizen = Citizen.objects.select_for_update().get(pk=outcome.existing.pk)
    consent = {}
    for name, value in outcome.fields.items():
        if name.startswith("consent_"):
            consent[name.removeprefix("consent_")] = value
        else:
            setattr(citizen, name, value)
    for kind, granted in consent.items():
        setattr(citizen, f"consent_{kind}", granted)
        setattr(citizen, f"consent_{kind}_at", outcome.row.consent_at)
    citizen.updated_at = timezone.now()
    citizen.save()
    ConsentRecord.objects.bulk_create(_consent_records(citizen, outcome.row, consent, job))


@transaction.atomic
def import_run_chunk(*, import_id: int, chunk: int | None = None) -> bool:
    """Import the next chunk of rows of a started job; False if there was nothing to do."""
    chunk = chunk or settings.CITIZEN_IMPORT_CHUNK
    job = CitizenImport.objects.select_for_update().filter(pk=import_id).first()
    if job is None or job.status not in (Status.QUEUED, Status.RUNNING):
        return False
    counts = dict.fromkeys(("create", "update", "unchanged", "duplicate", "error"), 0)
    problems = []
    rows = [
        parsing.parse_row(number, cells, job.mapping, default_source=job.consent_source)
        for number, cells in parsing.data_rows(
            job.content, job.delimiter, start=job.cursor, limit=chunk
        )
    ]
    done = len(rows)
    outcomes = selectors.chunk_outcomes(job.created_by, rows)
    for outcome in outcomes:
        counts[outcome.action] += 1
        if outcome.action == "update" and outcome.pending is None:
            _update(outcome, job)
        elif outcome.action in ("duplicate", "error"):
            problems.append(
                ImportProblem(
                    citizen_import=job, row_number=outcome.row.number, kind=outcome.action,
                    message=outcome.message[:500], values=outcome.row.cells,
                    existing_record=outcome.existing.pk if outcome.existing else None,
                )
            )  # fmt: skip
    _create_all([o for o in outcomes if o.action == "create"], job)
    ImportProblem.objects.bulk_create(problems, ignore_conflicts=True)
    job.cursor += done
    job.created += counts["create"]
    job.updated += counts["update"]
    job.unchanged += counts["unchanged"]
    job.duplicates += counts["duplicate"]
    job.errors += counts["error"]
    finished = done < chunk or job.cursor >= job.total_rows
    job.status = Status.DONE if finished else Status.RUNNING
    if finished:
        job.finished_at = timezone.now()
    job.save()
    chunk_counts = {k: (0, v) for k, v in counts.items()}
    _audit(job, "citizen_import.chunk", "citizen import",
           {"rows": (job.cursor - done, job.cursor), **chunk_counts})  # fmt: skip
    if finished:
        _audit(job, "citizen_import.finished", "citizen import", {
            "created": (None, job.created), "updated": (None, job.updated),
            "unchanged": (None, job.unchanged), "possible duplicates": (None, job.duplicates),
            "errors": (None, job.errors),
        })  # fmt: skip
    else:
        outbox_enqueue(topic=CHUNK_TOPIC, payload={"import_id": job.pk})
    return True
