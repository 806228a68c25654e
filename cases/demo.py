"""Demo service catalogue (English and Spanish), SLA policies and a few dozen cases in every state.

Idempotent: categories and policies are updated in place; cases are only made when the demo has
none yet. Cases are made through the services, so their timelines, SLA clocks and audit rows are
real, at moments spread over the past six weeks (time-machine moves the clock for each step, so
every date, deadline and audit row agrees). A sweep at the end records what is breached by now:
the SLA board, the queues, the staff home and the notifications all have something to show on a
fresh `make run`, in both agencies and both languages.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Team
from cases import services
from cases.models import (
    AttributeDefinition,
    CannedReply,
    Case,
    ServiceCategory,
    SlaEscalationLevel,
    SlaPolicy,
)
from cases.sla.services import sla_sweep
from citizens.models import Citizen


def _t(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


STREETS = _t("Streets and sidewalks", "Calles y aceras")
WASTE = _t("Rubbish and recycling", "Basura y reciclaje")
PARKS = _t("Parks and trees", "Parques y árboles")
TAX = _t("Property tax", "Impuesto sobre bienes inmuebles")
LICENCES = _t("Business licences", "Licencias comerciales")

# agency slug, team slug, code, name, group, description, priority, attributes
CATALOGUE = [
    ("public-works", "roads-and-sidewalks", "pothole", _t("Pothole", "Bache"), STREETS,
     _t("A hole in the road surface.", "Un agujero en la calzada."), "normal",
     [("size", _t("How big is it?", "¿Qué tamaño tiene?"), "singlevaluelist", True,
       [("small", _t("Smaller than a plate", "Más pequeño que un plato")),
        ("medium", _t("About a car tyre", "Como una rueda de coche")),
        ("large", _t("Larger than a car tyre", "Más grande que una rueda de coche"))]),
      ("lane", _t("Which lane?", "¿En qué carril?"), "string", False, [])]),
    ("public-works", "roads-and-sidewalks", "streetlight", _t("Street light out", "Farola apagada"),
     STREETS, _t("A street light that is off or flickering.",
                 "Una farola apagada o que parpadea."), "normal",
     [("pole", _t("Pole number (on the pole)", "Número de poste (en el poste)"), "string", False,
       [])]),
    ("public-works", "roads-and-sidewalks", "sidewalk", _t("Damaged sidewalk", "Acera dañada"),
     STREETS, _t("Broken or lifted paving that makes walking unsafe.",
                 "Pavimento roto o levantado que hace peligroso caminar."), "high", []),
    ("public-works", "sanitation", "missed-collection",
     _t("Missed collection", "Recogida no realizada"), WASTE,
     _t("Your bin was not emptied on collection day.",
        "No se vació su contenedor el día de recogida."), "normal",
     [("bins", _t("Which bins?", "¿Qué contenedores?"), "multivaluelist", True,
       [("rubbish", _t("Rubbish", "Basura")), ("recycling", _t("Recycling", "Reciclaje")),
        ("garden", _t("Garden waste", "Restos de jardín"))]),
      ("collection_day", _t("Collection day", "Día de recogida"), "datetime", False, [])]),
    ("public-works", "sanitation", "dumping", _t("Illegal dumping", "Vertido ilegal"), WASTE,
     _t("Rubbish left on public land.", "Basura abandonada en un espacio público."), "high",
     [("bags", _t("Roughly how many bags?", "¿Cuántas bolsas, más o menos?"), "number", False,
       [])]),
    ("public-works", "parks", "fallen-tree", _t("Fallen tree or branch", "Árbol o rama caída"),
     PARKS, _t("A tree or large branch down in a park or street.",
               "Un árbol o una rama grande caída en un parque o una calle."), "urgent",
     [("blocking", _t("Is it blocking the way?", "¿Bloquea el paso?"), "singlevaluelist", True,
       [("yes", _t("Yes", "Sí")), ("no", _t("No", "No"))])]),
    ("public-works", "parks", "graffiti", _t("Graffiti", "Pintadas"), PARKS,
     _t("Graffiti on public property.", "Pintadas en un bien público."), "low",
     [("details", _t("What does it cover?", "¿Qué cubre?"), "text", False, [])]),
    ("revenue", "property-tax", "tax-bill", _t("Question about a tax bill",
                                                "Pregunta sobre un recibo del impuesto"), TAX,
     _t("Ask about the amount or due date of a property tax bill.",
        "Pregunte por el importe o el vencimiento de un recibo."), "normal",
     [("parcel", _t("Parcel number", "Número de parcela"), "string", True, [])]),
    ("revenue", "business-licences", "licence-renewal",
     _t("Business licence renewal", "Renovación de licencia comercial"), LICENCES,
     _t("Help renewing a business licence.", "Ayuda para renovar una licencia comercial."),
     "normal", [("licence", _t("Licence number", "Número de licencia"), "string", False, [])]),
]  # fmt: skip

OPEN_DATA_SERVICES = {"pothole", "streetlight", "sidewalk", "dumping", "fallen-tree", "graffiti"}
# Problems on the road cannot be found without a place: the public form and Open311 ask for one.
LOCATION_REQUIRED_SERVICES = {"pothole", "streetlight", "sidewalk"}

# What residents actually write, per service (English and Spanish).
DESCRIPTIONS = {
    "pothole": ["Deep pothole in front of number 42, cars swerve around it.",
                "El bache de la calle Mayor está cada vez más grande."],
    "streetlight": ["The light at the corner has been off for a week.",
                    "La farola de la esquina parpadea toda la noche."],
    "sidewalk": ["Paving slabs lifted by tree roots, my mother tripped yesterday.",
                 "Baldosas levantadas delante del colegio."],
    "missed-collection": ["Recycling not collected on Tuesday again.",
                          "No han recogido la basura de nuestra calle esta semana."],
    "dumping": ["Someone left a sofa and bags of rubbish by the park entrance.",
                "Han dejado un colchón y bolsas junto al contenedor."],
    "fallen-tree": ["Large branch fell on the footpath after the storm.",
                    "Una rama grande bloquea el carril bici."],
    "graffiti": ["New graffiti on the library wall.", "Pintadas nuevas en el puente."],
    "tax-bill": ["My bill shows two installments for the same month.",
                 "No entiendo el importe del segundo plazo del recibo."],
    "licence-renewal": ["How do I renew the licence of my bakery before it expires?",
                        "Quiero renovar la licencia de mi tienda, ¿qué documentos necesito?"],
}  # fmt: skip
STREET_NAMES = ["Oak", "Main", "Elm", "Lake"]
SPREAD_DAYS = 42  # demo cases are created over the past six weeks


HOUR = 60
DAY = 8 * HOUR  # a business day of the demo calendars (08:00-12:00, 13:00-17:00)

# agency slug, category code (None: every service), priority ("": every priority), name,
# first response and resolution targets (business minutes), business hours only (False: 24/7),
# escalation level 1: business minutes after the resolution breach, who is told
SLA_POLICIES = [
    *[(slug, None, priority, name, first, resolution, True, 4 * HOUR, "agency_supervisors")
      for slug in ("public-works", "revenue")
      for priority, name, first, resolution in [
          ("urgent", "Urgent requests", 1 * HOUR, 1 * DAY),
          ("high", "High priority", 4 * HOUR, 2 * DAY),
          ("normal", "Standard", 1 * DAY, 5 * DAY),
          ("low", "Low priority", 2 * DAY, 10 * DAY),
      ]],
    ("public-works", "dumping", "", "Illegal dumping (around the clock)", 30, 4 * HOUR, False,
     30, "team_supervisors"),
    ("public-works", "fallen-tree", "", "Fallen trees (around the clock)", 1 * HOUR, 4 * HOUR,
     False, 1 * HOUR, "team_supervisors"),
]  # fmt: skip


CANNED_REPLIES = [
    # (agency slug, title, body)
    ("public-works", "Repair scheduled", _t(
        "Hello {first_name}, thank you for reporting this. A crew is scheduled and we expect it "
        "to be done by {expected_date}. Your reference is {reference}. {agent_name}",
        "Hola {first_name}, gracias por avisarnos. Hay una cuadrilla programada y esperamos "
        "terminar antes del {expected_date}. Su referencia es {reference}. {agent_name}",
    )),
    ("public-works", "We need the exact location", _t(
        "Hello {first_name}, to send a crew we need the exact location of the {service} "
        "problem: a house number or the nearest crossing. Please reply to this message.",
        "Hola {first_name}, para enviar una cuadrilla necesitamos la ubicación exacta del "
        "problema ({service}): un número de casa o el cruce más cercano. Responda a este mensaje.",
    )),
    ("revenue", "Documents received", _t(
        "Hello {first_name}, we have received your documents for {reference} and will answer "
        "by {expected_date}.",
        "Hola {first_name}, hemos recibido sus documentos para {reference} y le responderemos "
        "antes del {expected_date}.",
    )),
]  # fmt: skip


def canned_replies_load() -> int:
    """Saved replies agents insert into updates (configuration: the admin writes them too)."""
    for slug, title, body in CANNED_REPLIES:
        CannedReply.objects.update_or_create(
            agency=Agency.objects.get(slug=slug), title=title, defaults={"body": body}
        )
    return len(CANNED_REPLIES)


def load() -> list[str]:
    categories = catalogue_load()
    policies = sla_policies_load()
    canned_replies_load()
    made = cases_load(categories)
    return [
        f"Service catalogue: {len(categories)} services; SLA policies: {len(policies)}; "
        f"demo cases made (over the past {SPREAD_DAYS} days): {made}"
    ]


def sla_policies_load() -> list[SlaPolicy]:
    """Agency-wide targets per priority and two round-the-clock services, each with one
    escalation level (policies are configuration: the admin writes them the same way)."""
    policies = []
    for spec in SLA_POLICIES:
        slug, code, priority, name, first, resolution, business_hours, after, notify = spec
        agency = Agency.objects.get(slug=slug)
        category = ServiceCategory.objects.get(agency=agency, code=code) if code else None
        policy, _ = SlaPolicy.objects.update_or_create(
            agency=agency, category=category, priority=priority,
            defaults={"name": name, "first_response_minutes": first,
                      "resolution_minutes": resolution, "warning_percent": 75,
                      "business_hours": business_hours, "active": True},
        )  # fmt: skip
        SlaEscalationLevel.objects.update_or_create(
            policy=policy, level=1, defaults={"after_minutes": after, "notify": notify}
        )
        policies.append(policy)
    return policies


def catalogue_load() -> list[ServiceCategory]:
    categories = []
    for order, (slug, team_slug, code, name, group, description, priority, attrs) in enumerate(
        CATALOGUE
    ):
        agency = Agency.objects.get(slug=slug)
        team = Team.objects.get(agency=agency, slug=team_slug)
        category, _ = ServiceCategory.objects.update_or_create(
            agency=agency, code=code,
            defaults={"name": name, "group": group, "description": description,
                      "owning_team": team, "default_priority": priority, "order": order,
                      "keywords": code.replace("-", " "),
                      # Street problems go on the open data feed; tax and licence questions
                      # are about one person's affairs and never do.
                      "open_data": code in OPEN_DATA_SERVICES,
                      "location_required": code in LOCATION_REQUIRED_SERVICES},
        )  # fmt: skip
        for position, (attr_code, label, datatype, required, values) in enumerate(attrs):
            AttributeDefinition.objects.update_or_create(
                category=category, code=attr_code,
                defaults={"label": label, "datatype": datatype, "required": required,
                          "order": position,
                          "values": [{"key": key, "name": text} for key, text in values]},
            )  # fmt: skip
        categories.append(category)
    return categories


def _answers(category: ServiceCategory, rng: random.Random) -> dict:
    answers = {}
    for definition in category.attributes.all():
        if definition.datatype == "singlevaluelist":
            answers[definition.code] = rng.choice(definition.values)["key"]
        elif definition.datatype == "multivaluelist":
            answers[definition.code] = [definition.values[0]["key"]]
        elif definition.datatype == "number":
            answers[definition.code] = str(rng.randint(1, 9))
        elif definition.required:
            answers[definition.code] = f"{rng.randint(10000, 99999)}"
    return answers


def cases_load(categories: list[ServiceCategory], count: int = 60) -> int:
    if Case.objects.filter(category__in=categories).exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - a repeatable demo, not security
    users = {u.username: u for u in get_user_model().objects.filter(staff_profile__isnull=False)}
    citizens = list(Citizen.objects.filter(merged_into__isnull=True).order_by("id")[:200])
    now = timezone.now()
    latest = now - timedelta(minutes=2)
    for n in range(count):
        category = categories[n % len(categories)]
        spanish = category.agency.slug == "revenue" or n % 4 == 0
        agent = users.get("agente" if category.agency.slug == "revenue" else "agent")
        citizen = rng.choice(citizens) if citizens and n % 5 else None
        # Newer cases are more often still open: the stage follows the age.
        created = now - timedelta(days=SPREAD_DAYS * (1 - (n % 6) / 6) * rng.uniform(0.1, 1))
        created = min(_office_hours(created, category.agency.timezone, rng), latest)
        moments = _steps(created, rng, latest)
        with time_machine.travel(created, tick=False):
            case = services.case_create(
                category=category, description=DESCRIPTIONS[category.code][1 if spanish else 0],
                channel=rng.choice(["phone", "web", "walk_in", "email"]), actor=agent,
                citizen=citizen, attributes=_answers(category, rng),
                address=f"{rng.randint(1, 400)} {rng.choice(STREET_NAMES)} Street",
                reporter_email="" if citizen else f"resident{n}@example.org",
                language="es" if spanish else "en",
            )  # fmt: skip
        stage = n % 6  # new, open, in progress, waiting, resolved, closed (if there was time)
        if stage == 0 or agent is None:
            continue
        for step, moment in zip(_STEPS[: stage + 1][1:], moments, strict=False):
            with time_machine.travel(moment, tick=False):
                case = _step(case, step, agent, spanish)
    sla_sweep(now=now)  # what is at risk, breached or escalated by now, recorded once
    return count


def _office_hours(moment: datetime, zone: str, rng: random.Random) -> datetime:
    """The same day between 08:00 and 16:59 in the agency's time zone: when people call."""
    local = moment.astimezone(ZoneInfo(zone))
    return local.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))


_STEPS = ["new", "take", "in_progress", "waiting", "resolved", "closed"]


def _steps(created: datetime, rng: random.Random, latest: datetime) -> list[datetime]:
    """When each later step happens: minutes to take, a day or two to start, days to finish,
    a week to close. Steps that would fall in the future do not happen yet."""
    gaps = [timedelta(minutes=rng.uniform(5, 240)), timedelta(hours=rng.uniform(2, 40)),
            timedelta(hours=rng.uniform(4, 72)), timedelta(days=rng.uniform(1, 6)),
            timedelta(days=7, minutes=rng.uniform(1, 60))]  # fmt: skip
    moments, moment = [], created
    for gap in gaps:
        moment += gap
        if moment > latest:
            break
        moments.append(moment)
    return moments


def _step(case: Case, step: str, agent: Any, spanish: bool) -> Case:
    if step == "take":
        case = services.case_take(case=case, actor=agent)
        services.case_note_add(case=case, body="Revisado en el mapa." if spanish else
                               "Checked the location on the map.", actor=agent)  # fmt: skip
        return case
    if step == "in_progress":
        case = services.case_transition(case=case, to_status="in_progress", actor=agent)
        services.case_public_update(
            case=case, actor=agent, body="Hemos programado una visita." if spanish
            else "A crew has been scheduled to look at this.",
        )  # fmt: skip
        return case
    if step == "waiting":
        return services.case_transition(
            case=case, to_status="waiting_on_citizen", actor=agent,
            note="¿Nos puede enviar una foto?" if spanish else "Could you send us a photo?",
        )  # fmt: skip
    if step == "resolved":
        if case.status == Case.Status.WAITING_ON_CITIZEN:
            case = services.case_transition(case=case, to_status="in_progress", actor=agent)
        return services.case_transition(
            case=case, to_status="resolved", actor=agent, resolution_code="resolved",
            citizen_contacted=True, note="Resuelto. Gracias por avisarnos." if spanish
            else "Fixed. Thank you for reporting it.",
            feed_note="Arreglado" if spanish else "Fixed",
        )  # fmt: skip
    return services.case_close(case=case, actor=agent)
