"""`generate_bench_data`: the benchmark data set (bench/generate.py), into a *bench* database."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Empty the database and load the synthetic benchmark data set with PostgreSQL COPY "
        "(2 agencies, 40 teams, cases/5 citizens, --cases cases, 3-10 events each, cases/10 "
        "survey responses). Refuses a database whose name lacks 'bench'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        try:
            from bench.generate import generate
        except ImportError as exc:  # an installed package without the checkout's bench/
            raise CommandError("bench/ is not importable: run this from the checkout") from exc
        if options["cases"] < 100:
            raise CommandError("--cases must be at least 100")
        try:
            generate(cases=options["cases"], seed=options["seed"], log=self.stdout.write)
        except SystemExit as exc:
            raise CommandError(str(exc)) from None
