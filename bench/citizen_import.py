"""Measurement 8: a citizen CSV import of 100k rows (full size) into the generated citizens,
in-process as the Celery worker runs it (the chain of chunk messages, one after the other).

The file is what an agency's old system exports: 90 % people new to the CRM (names unlike the
generated ones, so the duplicate rule finds no one), 5 % people already on record (same email
and name: completed or unchanged), 3 % someone with the same name and another email (a possible
duplicate, left for a person), 2 % rows with a bad email (errors). The rows it created are
deleted afterwards, so the other measurements see the generated data set unchanged."""

from __future__ import annotations

import csv
import io
import random
import time
from typing import Any

SYLLABLES = ("ka", "lo", "mi", "ren", "zu", "ta", "vel", "or", "ish", "dan", "bre", "quo",
             "nel", "fa", "gri", "sto", "yu", "wen", "pax", "dro")  # fmt: skip


def _novel_name(rnd: random.Random) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(3, 4))).capitalize()


def build_csv(rows: int, seed: int = 8) -> tuple[bytes, dict[str, int]]:
    from citizens.models import Citizen

    rnd = random.Random(seed)  # noqa: S311  (test data, not secrets)
    known = list(
        Citizen.objects.exclude(email="").order_by("?")
        .values_list("first_name", "last_name", "email")[: max(rows // 10, 10)]
    )  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["First name", "Last name", "Email", "Phone", "Street", "Zip", "Language",
                     "Survey consent", "Consent date"])  # fmt: skip
    planned = dict.fromkeys(("new", "known", "same_name", "bad_email"), 0)
    for i in range(rows):
        draw = rnd.random()
        if draw < 0.05 and known:
            first, last, email = rnd.choice(known)
            kind = "known"
        elif draw < 0.08 and known:
            first, last, _email = rnd.choice(known)
            email, kind = f"other.{i}@example.net", "same_name"
        elif draw < 0.10:
            first, last, email, kind = _novel_name(rnd), _novel_name(rnd), f"bad-{i}", "bad_email"
        else:
            first, last = _novel_name(rnd), _novel_name(rnd)
            email, kind = f"{first}.{last}.{i}@example.net".lower(), "new"
        planned[kind] += 1
        writer.writerow([first, last, email, f"+1217555{i % 10000:04d}" if i % 3 else "",
                         f"{rnd.randint(1, 999)} Oak St" if i % 2 else "", "62701",
                         "es" if i % 5 == 0 else "en", "yes" if i % 4 else "no",
                         "2026-01-15"])  # fmt: skip
    return out.getvalue().encode(), planned


def measure_import(rows: int, user: Any) -> dict[str, Any]:
    from django.conf import settings

    from citizen_import import services
    from citizen_import.models import CitizenImport
    from citizens.models import Citizen, ConsentRecord

    raw, planned = build_csv(rows)
    last_citizen = Citizen.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    job = services.import_upload(actor=user, file_name="bench.csv", raw=raw)
    mapping = {str(i): name for i, name in enumerate(
        ("first_name", "last_name", "email", "phone", "address_line1", "postal_code",
         "preferred_language", "consent_surveys", "consent_date"))}  # fmt: skip
    services.import_set_mapping(job=job, mapping=mapping, actor=user,
                                consent_source="old case system")  # fmt: skip
    services.import_start(job=job, actor=user)
    began = time.perf_counter()
    chunks = 0
    while services.import_run_chunk(import_id=job.pk):  # what the chain of messages does
        chunks += 1
    seconds = time.perf_counter() - began
    job.refresh_from_db()
    result = {
        "how": f"a {rows:,}-row semicolon CSV ({planned}) imported in-process chunk after "
        f"chunk ({settings.CITIZEN_IMPORT_CHUNK} rows each, as the worker runs them) into "
        f"{Citizen.objects.filter(pk__lte=last_citizen).count():,} generated citizens; the "
        "created rows are deleted afterwards",
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "chunks": chunks,
        "outcome": {
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "possible_duplicates": job.duplicates,
            "errors": job.errors,
        },
        "goal_seconds_100k": 120,
    }
    ConsentRecord.objects.filter(citizen_id__gt=last_citizen).delete()
    Citizen.objects.filter(pk__gt=last_citizen).delete()
    CitizenImport.objects.filter(pk=job.pk).delete()
    return result
