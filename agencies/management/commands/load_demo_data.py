"""Demo agencies and staff, idempotent: running it twice changes nothing the second time."""

from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.demo import DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = "Create (or refresh) the demo agencies and staff users. Safe to run repeatedly."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = demo_data_load()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /staff/login/ with:"))
        for user in users:
            profile = user.staff_profile
            self.stdout.write(
                f"  {user.username:<12} {DEMO_PASSWORD}   "
                f"({profile.get_role_display()}, {profile.agency.name})"
            )
