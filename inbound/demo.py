"""Demo inbound email: one address per team of each demo agency, and each agency's
"to be classified" service that email cases wait in until an agent picks one."""

from __future__ import annotations

from agencies.models import Agency, Team
from cases.models import ServiceCategory
from inbound.models import InboundAddress
from inbound.services import UNCLASSIFIED_CODE

DOMAINS = {"public-works": "works.springfield.example", "revenue": "revenue.springfield.example"}


def unclassified_service_ensure(agency: Agency, team: Team) -> ServiceCategory:
    """The placeholder service (not on the public form, not on open data)."""
    category, _ = ServiceCategory.objects.get_or_create(
        agency=agency, code=UNCLASSIFIED_CODE,
        defaults={"name": {"en": "To be classified", "es": "Por clasificar"},
                  "description": {"en": "A request received by email, waiting for an agent to "
                                        "choose its service.",
                                  "es": "Una solicitud recibida por correo, a la espera de que "
                                        "un agente elija su servicio."},
                  "owning_team": team, "public": False, "open_data": False, "order": 999},
    )  # fmt: skip
    return category


def load() -> list[str]:
    lines = []
    for agency in Agency.objects.filter(slug__in=DOMAINS).order_by("name"):
        teams = list(Team.objects.filter(agency=agency, active=True).order_by("id"))
        if not teams:
            continue
        unclassified_service_ensure(agency, teams[0])
        for team in teams:
            InboundAddress.objects.get_or_create(
                address=f"{team.slug}@{DOMAINS[agency.slug]}",
                defaults={"agency": agency, "team": team},
            )
    addresses = InboundAddress.objects.filter(active=True).count()
    if addresses:
        lines.append(f"Inbound email: {addresses} addresses (python manage.py mail_gateway "
                     "--list-addresses)")  # fmt: skip
    return lines
