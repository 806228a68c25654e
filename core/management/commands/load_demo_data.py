"""Load the demo data of every app, lowest app first. Idempotent: a second run changes nothing.

Each app may have a `demo.py` with `load() -> list[str]` (lines to print, e.g. logins); they are
discovered like admin modules, in INSTALLED_APPS order (which follows the app dependencies).
"""

import importlib
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo agencies, staff, citizens and more. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo resets its users to the published password and makes `admin` a
            # superuser: on a real deployment that would be an open door.
            raise CommandError(
                "load_demo_data refuses to run with DJANGO_ENV=production: it would give the "
                "demo users their published password and make 'admin' a superuser."
            )
        lines: list[str] = []
        with transaction.atomic():
            for config in apps.get_app_configs():
                if find_spec(f"{config.name}.demo") is None:
                    continue
                module = importlib.import_module(f"{config.name}.demo")
                lines += module.load()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        for line in lines:
            self.stdout.write(line)
