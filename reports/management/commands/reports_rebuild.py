"""Recompute every case fact and daily figure from the cases."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from reports.figures import rebuild_all


class Command(BaseCommand):
    help = "Rebuild the pre-aggregated figures (case facts and daily rollups) from the cases."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        result = rebuild_all()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Rebuilt the figures of {result['cases']} cases in {seconds:.1f} s.")
