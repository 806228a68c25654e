"""manage.py restore DIR: put a `manage.py backup` folder back, then check every table's rows
against its manifest (core.backup). Stop web, worker and beat first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and MEDIA_ROOT from a backup folder, replacing what is there."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        source = Path(options["folder"])
        if not (source / "manifest.json").exists():
            raise CommandError(f"{source} is not a backup folder (no manifest.json)")
        if not options["yes"]:
            answer = input("This replaces the whole database and the uploaded files. Go on? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was changed.")
        try:
            result = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restore: {result.tables} tables and {result.rows:,} rows match the backup's "
            f"manifest; {result.files:,} files"
        )
