"""Plumbing of the benchmark generator: the bench-database guard and COPY into model tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def check_bench_database() -> str:
    from django.conf import settings
    from django.db import connection

    name = connection.settings_dict["NAME"]
    # A bench database, or the throwaway one pytest made for this run (its tests).
    if "bench" not in name and not (settings.TESTING and name.startswith("test_")):
        raise SystemExit(
            f"refusing to empty database {name!r}: the benchmark data set goes into a database "
            "whose name contains 'bench' (DATABASE_URL=…/citizencrm_bench)"
        )
    return name


def _copy(cursor: Any, model: Any, rows: Iterable[dict[str, Any]], base: dict[str, Any]) -> int:
    """COPY dict rows (defaults from `base`) into the model's table; every column is named."""
    columns = [f.column for f in model._meta.concrete_fields]
    count = 0
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = {**base, **row}
            if not count:
                for name, default in _field_defaults(model, set(columns) - set(values)).items():
                    base[name] = values[name] = default
                missing = set(columns) - set(values)
                if missing:
                    raise SystemExit(f"the generator does not know these {model.__name__} "
                                     f"columns yet: {sorted(missing)}")  # fmt: skip
            copy.write_row([values[column] for column in columns])
            count += 1
    return count


def _field_defaults(model: Any, columns: set[str]) -> dict[str, Any]:
    """Values for columns the generator does not set (fields added later): NULL when nullable,
    else a constant default (JSON as text); columns without either stay missing."""
    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.column not in columns:
            continue
        if f.null:
            out[f.column] = None
        elif f.has_default():
            default = f.get_default()
            if isinstance(default, dict | list):  # default=list / dict: the same empty value
                out[f.column] = json.dumps(default)
            elif not callable(f.default):
                out[f.column] = default
    return out


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND i.schemaname = current_schema() AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    return list(cursor.fetchall())
