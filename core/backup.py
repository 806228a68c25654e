"""Backups that are known to restore: the database (pg_dump's custom format) and the uploaded
files (a tar of MEDIA_ROOT), with a manifest of every table's row count and checksum that the
restore checks before it says it is done. Used by `manage.py backup` / `manage.py restore`
(`make backup` / `make restore`); README "Operations" says how often and what a restore costs.

The PostgreSQL client tools must be of the server's major version or newer for a dump, and of
the dump's for a restore: the matching ones are looked for in PG_BIN_DIR, Debian's
/usr/lib/postgresql/<major>/bin, the embedded server's own, then PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    pass


@dataclass
class Result:
    path: Path
    tables: int
    rows: int
    files: int


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _version(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             check=True, timeout=10).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def client_tool(name: str, major: int) -> Path:
    """`pg_dump` / `pg_restore` of exactly `major`, else the oldest newer one found."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    versions = [(v, c) for c in candidates if c.exists() and (v := _version(c)) is not None]
    usable = sorted((v, str(c)) for v, c in versions if v >= major)
    exact = [c for v, c in usable if v == major]
    if exact or usable:
        return Path(exact[0] if exact else usable[0][1])
    raise BackupError(f"no {name} of PostgreSQL {major} or newer found (set PG_BIN_DIR)")


def _libpq_env() -> dict[str, str]:
    """The connection Django uses, as libpq variables. A URL naming a unix socket directory
    (`postgres://u@/db?host=/dir`, as the embedded server's) carries it in OPTIONS, so those
    are read too, after the plain settings."""
    db = connection.settings_dict
    options = db.get("OPTIONS") or {}
    env = dict(os.environ)
    for key, option, name in (("HOST", "host", "PGHOST"), ("PORT", "port", "PGPORT"),
                              ("USER", "user", "PGUSER"), ("PASSWORD", "password", "PGPASSWORD"),
                              ("NAME", "dbname", "PGDATABASE"),
                              (None, "sslmode", "PGSSLMODE")):  # fmt: skip
        value = options.get(option) or (db.get(key) if key else None)
        if value:
            env[name] = str(value)
    return env


def table_manifest() -> dict[str, dict[str, int | str]]:
    """Every table of the public schema: its row count and an order-independent checksum of
    its rows (a sum of 64-bit hashes of each row's text)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        manifest = {}
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text "  # noqa: S608
                f"FROM {quoted} AS t"
            )
            count, checksum = cursor.fetchone()
            manifest[table] = {"rows": count, "checksum": checksum}
    return manifest


def backup(target: Path) -> Result:
    """Write the dump, the media tar and the manifest into the new folder `target`."""
    target.mkdir(parents=True, exist_ok=False)
    manifest = table_manifest()
    pg_dump = client_tool("pg_dump", server_major())
    run = subprocess.run(
        [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges",
         f"--file={target / DUMP}"],
        env=_libpq_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    files = 0
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / MEDIA, "w") as tar:
        if media.exists():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(media)))
                    files += 1
    (target / MANIFEST).write_text(json.dumps({
        "created_at": timezone.now().isoformat(), "server_major": server_major(),
        "media_files": files, "tables": manifest,
    }, indent=1))  # fmt: skip
    rows = sum(int(t["rows"]) for t in manifest.values())
    return Result(path=target, tables=len(manifest), rows=rows, files=files)


def restore(source: Path) -> Result:
    """Replace the database's contents and MEDIA_ROOT with the backup's, then check every
    table against the manifest; raises BackupError, saying which tables differ, if any does."""
    manifest = json.loads((source / MANIFEST).read_text())
    pg_restore = client_tool("pg_restore", max(server_major(), manifest["server_major"]))
    connection.close()  # pg_restore drops the tables this connection may hold locks on
    run = subprocess.run(
        [str(pg_restore), "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", f"--dbname={_libpq_env().get('PGDATABASE')}",
         str(source / DUMP)],
        env=_libpq_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()}")
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True)
    with tarfile.open(source / MEDIA) as tar:
        tar.extractall(media, filter="data")
    restored = table_manifest()
    expected = manifest["tables"]
    wrong = sorted(t for t in set(expected) | set(restored) if expected.get(t) != restored.get(t))
    if wrong:
        raise BackupError(f"restored tables differ from the backup: {', '.join(wrong)}")
    files = sum(1 for path in media.rglob("*") if path.is_file())
    if files != manifest["media_files"]:
        raise BackupError(f"{files} files restored, the backup had {manifest['media_files']}")
    rows = sum(int(t["rows"]) for t in restored.values())
    return Result(path=source, tables=len(restored), rows=rows, files=files)
