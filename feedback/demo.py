"""Demo surveys and feedback, in English and Spanish.

- A survey per demo agency: the built-in "Was your request resolved?", CSAT, NPS and a free-text
  question (updated in place on every run).
- Some public feedback (only when the demo has none yet).
- Answered surveys for demo cases closed over the last months (only when there are none yet):
  cases of demo citizens who agreed to surveys, taken through the case services so the real
  case-closed hook makes the invitations; delivery is recorded as done (no email is sent by the
  demo) and the answers go through `survey_respond`, so one "not resolved" reopens its case.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency
from cases import services as case_services
from cases.models import Case, CaseEvent, ServiceCategory
from citizens.models import Citizen
from feedback import services, survey_services
from feedback.models import FeedbackSubmission, Question, Survey, SurveyInvitation, SurveyResponse

DEMO_ACTOR = "demo data"
SURVEY_NAME = "Satisfaction after closure"


def _t(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


QUESTIONS = [
    # code, kind, text, help text, required
    ("csat", "csat",
     _t("Overall, how satisfied are you with how we handled your request?",
        "En general, ¿qué tan satisfecho está con cómo gestionamos su solicitud?"),
     _t("", ""), True),
    ("nps", "nps",
     _t("How likely are you to recommend our services to a neighbour?",
        "¿Qué probabilidad hay de que recomiende nuestros servicios a un vecino?"),
     _t("", ""), False),
    ("comment", "text",
     _t("Is there anything else you would like to tell us?",
        "¿Hay algo más que quiera contarnos?"),
     _t("Please do not include personal information.",
        "Por favor, no incluya datos personales."), False),
]  # fmt: skip

FEEDBACK = [
    # agency slug, category code or None, kind, language, message, contact (name, email)
    ("public-works", "pothole", "complaint", "en",
     "I reported the pothole on Lake Street three weeks ago and it is still there.",
     ("Maria Lopez", "maria.lopez@example.org")),
    ("public-works", "missed-collection", "compliment", "en",
     "The crew came back the same afternoon after I called. Thank you!", None),
    ("public-works", None, "suggestion", "es",
     "Sería útil poder enviar fotos desde el móvil al hacer una solicitud.",
     ("José Muñoz", "jose.munoz@example.com")),
    ("public-works", "fallen-tree", "question", "en",
     "Who is responsible for trees on the strip between the sidewalk and the road?", None),
    ("revenue", "tax-bill", "complaint", "es",
     "Llamé tres veces y nadie me explicó por qué subió mi recibo.",
     ("Lucía Fernández", "lucia.f@example.net")),
    ("revenue", None, "compliment", "en",
     "The front desk staff were patient and helpful with my licence renewal.", None),
]  # fmt: skip

COMMENTS = [
    "Quick and friendly, thank you.",
    "It took a while but it was fixed properly.",
    "Nobody called me back before closing it.",
    "Muy buen servicio, gracias.",
    "The online form was easy to use.",
    "",
    "",
]


def load() -> list[str]:
    surveys = [_survey(agency) for agency in Agency.objects.filter(
        slug__in=["public-works", "revenue"]).order_by("slug")]  # fmt: skip
    made_feedback = _feedback()
    answered = _answered_surveys(surveys)
    return [
        f"Surveys: {len(surveys)}; feedback made now: {made_feedback}; "
        f"answered surveys made now: {answered}"
    ]


def _survey(agency: Agency) -> Survey:
    survey, _created = Survey.objects.update_or_create(
        agency=agency, name=SURVEY_NAME,
        defaults={"title": _t("How did we do?", "¿Qué tal lo hicimos?"),
                  "intro": _t("Your request has been closed. Your answers help us improve.",
                              "Su solicitud se ha cerrado. Sus respuestas nos ayudan a mejorar."),
                  "is_default": True, "active": True, "allow_anonymous": True},
    )  # fmt: skip
    survey_services.survey_ensure_builtin_question(survey=survey, actor=DEMO_ACTOR)
    for order, (code, kind, text, help_text, required) in enumerate(QUESTIONS, start=1):
        Question.objects.update_or_create(
            survey=survey, code=code,
            defaults={"kind": kind, "text": text, "help_text": help_text,
                      "required": required, "order": order},
        )  # fmt: skip
    return survey


def _feedback() -> int:
    if FeedbackSubmission.objects.filter(agency__slug__in=["public-works", "revenue"]).exists():
        return 0
    for slug, code, kind, language, message, contact in FEEDBACK:
        agency = Agency.objects.get(slug=slug)
        category = (
            ServiceCategory.objects.filter(agency=agency, code=code).first() if code else None
        )
        name, email = contact or ("", "")
        services.feedback_submit(
            agency=agency, category=category, kind=kind, message=message, language=language,
            contact_name=name, contact_email=email, consent_contact=bool(contact),
        )  # fmt: skip
    return len(FEEDBACK)


def _answered_surveys(surveys: list[Survey], count: int = 40) -> int:
    if not surveys or SurveyResponse.objects.filter(survey__in=surveys).exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - a repeatable demo, not security
    users = {u.username: u for u in get_user_model().objects.filter(staff_profile__isnull=False)}
    categories = list(
        ServiceCategory.objects.filter(agency__in=[s.agency for s in surveys], active=True)
        .select_related("agency")
        .order_by("agency__slug", "order")
    )
    already = SurveyInvitation.objects.values("citizen_id")
    citizens = list(
        Citizen.objects.filter(consent_surveys=True, merged_into__isnull=True)
        .exclude(email="")
        .exclude(pk__in=already)
        .order_by("id")[:count]
    )
    now = timezone.now()
    answered = 0
    for n, citizen in enumerate(citizens):
        category = categories[n % len(categories)]
        agent = users.get("agente" if category.agency.slug == "revenue" else "agent")
        if agent is None:
            continue
        closed_at = now - timedelta(days=rng.randint(3, 170), hours=rng.randint(0, 8))
        case = _closed_case(category, citizen, agent, closed_at, rng)
        invitation = SurveyInvitation.objects.filter(case=case).first()
        if invitation is None:
            continue
        sent_at = closed_at + timedelta(hours=1)
        # Delivery as it would have happened (the demo sends no email).
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            created_at=closed_at, send_after=sent_at, status="sent", sent_at=sent_at,
            expires_at=sent_at + timedelta(days=14), remind_after=None,
        )  # fmt: skip
        if n % 5 == 4:
            continue  # not answered: counts against the response rate
        invitation.refresh_from_db()
        questions = {q.code: q.pk for q in invitation.survey.questions.all()}
        builtin = invitation.survey.questions.get(is_resolution=True).pk
        happy = rng.random() < 0.75
        answers = {
            builtin: 1 if happy or n % 7 else 0,
            questions["csat"]: rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 3]),
            questions["nps"]: rng.choice([8, 9, 10]) if happy else rng.choice([2, 5, 6, 7]),
            questions["comment"]: rng.choice(COMMENTS),
        }
        survey_services.survey_respond(invitation=invitation, answers=answers,
                                anonymous=n % 6 == 0, language=invitation.language,
                                now=sent_at + timedelta(hours=rng.randint(2, 60)))  # fmt: skip
        answered += 1
    return answered


def _closed_case(category, citizen, agent, closed_at, rng) -> Case:
    opened = closed_at - timedelta(days=rng.randint(1, 6))
    case = case_services.case_create(
        category=category, description="Demo request answered in the satisfaction survey.",
        channel=rng.choice(["phone", "web", "email"]), actor=agent, citizen=citizen,
        attributes=_answers(category),
    )  # fmt: skip
    # A demo of past months: the case starts when it would have (demo data only).
    Case.objects.filter(pk=case.pk).update(created_at=opened)
    CaseEvent.objects.filter(case=case).update(created_at=opened)
    case = case_services.case_transition(case=case, to_status="open", actor=agent,
                                         at=opened + timedelta(hours=1))  # fmt: skip
    case = case_services.case_transition(
        case=case, to_status="resolved", actor=agent, resolution_code="resolved",
        citizen_contacted=True, at=closed_at - timedelta(hours=2),
    )  # fmt: skip
    return case_services.case_close(case=case, actor=agent, at=closed_at)


def _answers(category: ServiceCategory) -> dict:
    answers = {}
    for definition in category.attributes.filter(required=True):
        if definition.datatype == "singlevaluelist":
            answers[definition.code] = definition.values[0]["key"]
        elif definition.datatype == "multivaluelist":
            answers[definition.code] = [definition.values[0]["key"]]
        else:
            answers[definition.code] = "12345"
    return answers
