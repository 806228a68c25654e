"""Demo walk-in offices: a counter per demo agency, open during the agency's calendar hours."""

from __future__ import annotations

from agencies.models import Agency, BusinessCalendar
from cases.models import ServiceCategory
from visits.models import Desk, Office

OFFICES = [
    # agency slug, office slug, name, address, services, desks
    ("public-works", "public-works-counter", "Public Works front counter", "100 Main Street",
     ["pothole", "streetlight", "sidewalk", "missed-collection"], ["Desk 1", "Desk 2"]),
    ("revenue", "city-hall", "City Hall, Revenue hall", "1 City Hall Plaza",
     ["tax-bill", "licence-renewal"], ["Desk 1", "Desk 2", "Desk 3"]),
]  # fmt: skip


def load() -> list[str]:
    lines = []
    for agency_slug, slug, name, address, codes, desks in OFFICES:
        agency = Agency.objects.filter(slug=agency_slug).first()
        calendar = BusinessCalendar.objects.filter(agency=agency).order_by("pk").first()
        if agency is None or calendar is None:
            continue
        office, _created = Office.objects.get_or_create(
            slug=slug,
            defaults={"agency": agency, "name": name, "address": address, "calendar": calendar},
        )
        office.services.add(*ServiceCategory.objects.filter(agency=agency, code__in=codes))
        for desk in desks:
            Desk.objects.get_or_create(office=office, name=desk)
        lines.append(f"Walk-in check-in: /en/check-in/{slug}/ (waiting-room display: …/display/)")
    return lines
