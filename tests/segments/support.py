"""A small segment world: Spanish and English citizens with pothole cases last month, closed
after contact, and a survey; used by the segment tests and the browser test."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from cases.services import case_create
from citizens.services import citizen_create
from feedback.models import Survey


def closed_case(world, citizen, category, *, days_ago: int, agency_side: str = "own") -> Case:
    answers = {"size": "small"} if category.attributes.filter(code="size").exists() else None
    case = case_create(category=category, description="Hole", channel="phone", citizen=citizen,
                       attributes=answers)  # fmt: skip
    when = timezone.now() - timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(
        created_at=when, status="closed", resolved_at=when, closed_at=when,
        resolution_code="resolved", citizen_contacted=True, opened_at=when,
    )  # fmt: skip
    case.refresh_from_db()
    return case


def people(world) -> dict:
    """ana, berta (es, pothole last month, consent); carlos (es, pothole, no consent); dan
    (en, pothole); eva (es, graffiti); fer (es, pothole at another agency only)."""
    make = lambda first, lang, **kw: citizen_create(  # noqa: E731
        actor=None, first_name=first, last_name="Test", email=f"{first}@example.org",
        preferred_language=lang, **kw,
    )  # fmt: skip
    p = {
        "ana": make("ana", "es", consent_surveys=True, consent_contact=True),
        "berta": make("berta", "es", consent_surveys=True),
        "carlos": make("carlos", "es"),
        "dan": make("dan", "en", consent_surveys=True),
        "eva": make("eva", "es", consent_surveys=True),
        "fer": make("fer", "es", consent_surveys=True),
    }
    for name in ("ana", "berta", "carlos", "dan"):
        closed_case(world, p[name], world.pothole, days_ago=20)
    closed_case(world, p["eva"], world.graffiti, days_ago=20)
    closed_case(world, p["fer"], world.other_category, days_ago=20)
    return p


def survey(world) -> Survey:
    return Survey.objects.create(agency=world.agency, name="Street works", title={"en": "How?"})
