"""Anonymise personal data past the retention period (settings.RETENTION_DAYS), keeping the
statistics: `python manage.py apply_retention [--days N] [--dry-run]`. Safe to re-run."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.retention import retention_apply


class Command(BaseCommand):
    help = "Anonymise citizens, closed cases and feedback older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override RETENTION_DAYS.")
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = days if days is not None else settings.RETENTION_DAYS
        if days < 30:
            raise CommandError("A retention period under 30 days is almost surely a mistake.")
        cutoff = timezone.now() - timedelta(days=days)
        counts = retention_apply(cutoff=cutoff, dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"Retention {days} days (before {cutoff:%Y-%m-%d}):")
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count} {verb}")
