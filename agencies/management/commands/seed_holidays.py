"""Add a country's public holidays to a business calendar (python-holidays). Idempotent."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import BusinessCalendar
from agencies.services import calendar_seed_holidays


class Command(BaseCommand):
    help = (
        "Add the public holidays of a country (and subdivision) for the given years to a "
        "business calendar, e.g. `seed_holidays 3 --country US --subdivision IL --years 2026 "
        "2027`. Dates the calendar already has are kept; a re-run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("calendar_id", type=int, help="Id of the business calendar.")
        parser.add_argument("--country", required=True, help="ISO 3166-1 code, e.g. US.")
        parser.add_argument("--subdivision", help="State/province code, e.g. IL.")
        parser.add_argument("--years", type=int, nargs="+", required=True, metavar="YEAR")

    def handle(self, *args, calendar_id, country, subdivision, years, **options):
        calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
        if calendar is None:
            raise CommandError(f"No business calendar with id {calendar_id}.")
        try:
            added = calendar_seed_holidays(
                calendar=calendar, country=country, subdivision=subdivision, years=years,
                actor="system:seed_holidays",
            )  # fmt: skip
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for holiday in added:
            self.stdout.write(f"  {holiday.date:%Y-%m-%d} {holiday.name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {len(added)} {'holiday' if len(added) == 1 else 'holidays'} to {calendar} "
                f"(id {calendar.pk})."
            )
        )
