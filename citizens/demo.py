"""Demo citizens: a few hand-written people showing duplicates, consent and a merge, plus ~490
synthetic ones (seeded, so every run makes the same people). Idempotent: skipped when the
first hand-written citizen already exists."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from citizens.models import Citizen, ConsentKind, ConsentSource
from citizens.services import citizen_consent_set, citizen_create, citizen_merge
from citizens.synthetic import generate_citizens

MARKER_EMAIL = "jose.munoz@example.com"
SYNTHETIC_COUNT = 490

PEOPLE = [
    # José Muñoz and a copy typed without accents, sharing his phone number.
    {
        "first_name": "José",
        "last_name": "Muñoz",
        "email": MARKER_EMAIL,
        "phone": "+12175550001",
        "address_line1": "12 Oak Street",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "preferred_language": "es",
        "preferred_channel": "email",
    },
    {
        "first_name": "Jose",
        "last_name": "Munoz",
        "email": "",
        "phone": "(217) 555-0001",
        "address_line1": "12 Oak St.",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "preferred_language": "es",
        "preferred_channel": "phone",
    },
    # John Smith and "Jonh Smith" with the same email.
    {
        "first_name": "John",
        "last_name": "Smith",
        "email": "john.smith@example.org",
        "phone": "+12175550002",
        "address_line1": "40 Elm Avenue",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62702",
        "preferred_channel": "email",
    },
    {
        "first_name": "Jonh",
        "last_name": "Smith",
        "email": "John.Smith@example.org",
        "address_line1": "40 Elm Avenue",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62702",
    },
    # Names swapped by whoever typed them.
    {
        "first_name": "Lucía",
        "last_name": "Fernández Ruiz",
        "email": "lucia.fernandez@example.net",
        "phone": "+12175550003",
        "city": "Springfield",
        "region": "IL",
        "preferred_language": "es",
        "preferred_channel": "sms",
    },
    {
        "first_name": "Fernández Ruiz",
        "last_name": "Lucía",
        "email": "",
        "phone": "+12175550003",
        "city": "Springfield",
        "region": "IL",
        "preferred_language": "es",
    },
]

# Merged by the demo supervisor, so the 360° timeline shows a merge.
MERGED = [
    {
        "first_name": "María",
        "last_name": "García",
        "email": "maria.garcia@example.com",
        "phone": "+12175550004",
        "preferred_language": "es",
        "preferred_channel": "email",
    },
    {
        "first_name": "Maria",
        "last_name": "Garcia",
        "email": "mgarcia@example.net",
        "phone": "+12175550004",
        "address_line1": "7 Walnut Lane",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62704",
        "preferred_language": "es",
    },
]


def load() -> list[str]:
    if Citizen.objects.filter(email=MARKER_EMAIL).exists():
        return []
    User = get_user_model()
    agent = User.objects.filter(username="agent").first()
    supervisor = User.objects.filter(username="supervisor").first()

    created = [citizen_create(actor=agent, **spec) for spec in PEOPLE]
    jose, _jose_copy, john = created[0], created[1], created[2]
    earlier = timezone.now() - timedelta(days=30)
    for citizen, kind, granted, source, at in (
        (jose, ConsentKind.CONTACT, True, ConsentSource.WEB, earlier),
        (jose, ConsentKind.SURVEYS, True, ConsentSource.WEB, earlier),
        (jose, ConsentKind.SURVEYS, False, ConsentSource.EMAIL_UNSUBSCRIBE, None),
        (john, ConsentKind.CONTACT, True, ConsentSource.STAFF, None),
    ):
        user = agent if source == ConsentSource.STAFF else None
        citizen_consent_set(
            citizen=citizen, kind=kind, granted=granted, source=source, actor=user, at=at
        )

    maria, maria_copy = (citizen_create(actor=agent, **spec) for spec in MERGED)
    citizen_consent_set(
        citizen=maria_copy,
        kind=ConsentKind.CONTACT,
        granted=True,
        source=ConsentSource.STAFF,
        actor=agent,
    )
    citizen_merge(
        survivor=maria,
        other=maria_copy,
        actor=supervisor,
        keep_from_other=["address", "consent_contact"],
    )

    result = generate_citizens(count=SYNTHETIC_COUNT, seed=311, fictional_phones=True)
    total = len(PEOPLE) + len(MERGED) + result.rows
    return [f"Citizens: {total} demo records, with near-duplicates (try “Muñoz”, “Jonh Smith”)."]
