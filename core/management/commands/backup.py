"""manage.py backup [--to DIR]: the database and the uploaded files, with a manifest that
`manage.py restore` checks (core.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into a new folder (default: backups/<time>)."

    def add_arguments(self, parser):
        parser.add_argument("--to", help="the folder to create (must not exist)")

    def handle(self, *args, **options):
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        target = Path(options["to"] or Path(settings.BASE_DIR) / "backups" / stamp)
        try:
            result = backup(target)
        except (BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup: {result.path} ({result.tables} tables, {result.rows:,} rows, "
            f"{result.files:,} files)"
        )
