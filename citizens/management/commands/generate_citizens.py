"""Load synthetic citizens fast (PostgreSQL COPY), e.g. 200,000 for the search benchmarks."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citizens.synthetic import generate_citizens


class Command(BaseCommand):
    help = (
        "Add N synthetic citizens (English and Spanish names, ~5% near-duplicates) with COPY. "
        "Adds to what is there; use a fresh --seed to vary the people."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="how many citizens to add")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (reproducible)")
        parser.add_argument(
            "--duplicates",
            type=float,
            default=0.05,
            help="share of near-duplicates of earlier rows (default 0.05)",
        )

    def handle(self, *args, count: int, seed: int, duplicates: float, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        if not 0 <= duplicates < 1:
            raise CommandError("--duplicates must be between 0 and 1")
        with transaction.atomic():
            result = generate_citizens(count=count, seed=seed, duplicate_ratio=duplicates)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.rows} citizens and {result.consent_records} consent records "
                f"in {result.seconds:.1f} s."
            )
        )
