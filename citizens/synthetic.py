"""Synthetic citizens for benchmarks and demo data, loaded with PostgreSQL COPY.

Names are a mix of English and Spanish (with accents, and Spanish double surnames); about
`duplicate_ratio` of the rows are realistic near-duplicates of an earlier row: a typo
("Jonh"), first and last name swapped, accents dropped ("Jose Munoz"), or the same email with
the name typed in another casing. Derived columns (search_name, address_key) are computed with
the same functions the application uses, so search behaves as on real data.

Emails use reserved example domains; demo phone numbers use the fictional 555-01xx range.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db import connection

from citizens import normalise
from citizens.models import Citizen, ConsentRecord


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES_EN = _words(
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Steven Paul Andrew Joshua Kevin Brian George Timothy Ronald Jason "
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Laura "
    "Rebecca Sharon Cynthia Kathleen Amy Angela Helen Anna Brenda Emma Olivia Noah Liam Ethan"
)
LAST_NAMES_EN = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans "
    "Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson "
    "Bailey Reed Kelly Howard Cox Ward Richardson Watson Brooks Wood Bennett Gray Hughes Price"
)
FIRST_NAMES_ES = _words(
    "José María Juan Ana Luis Carmen Carlos Sofía Jesús Lucía Andrés Inés Ramón Begoña Íñigo "
    "Martín Raúl Mónica Álvaro Verónica Sebastián Marta Javier Rocío Héctor Ángela Víctor "
    "Elena Adrián Beatriz Rubén Teresa Óscar Pilar Tomás Nuria Joaquín Dolores Iván Consuelo "
    "Guadalupe Alejandro Fernando Valentina Mateo Camila Diego Daniela Gabriel Ximena"
)
LAST_NAMES_ES = _words(
    "García Martínez López González Rodríguez Fernández Pérez Sánchez Gómez Muñoz Díaz "
    "Hernández Jiménez Álvarez Ruiz Romero Núñez Peña Ibáñez Castaño Morales Ortiz Gutiérrez "
    "Navarro Ramos Torres Domínguez Vázquez Gil Serrano Blanco Suárez Molina Castro Ortega "
    "Delgado Rubio Marín Sanz Iglesias Medina Garrido Cortés Castillo Santos Lozano Guerrero"
)
STREETS = _words(
    "Oak Elm Maple Cedar Pine Walnut Washington Lincoln Jefferson Adams Madison Monroe Lake "
    "Hill Park Main Church Spring Mill River Sunset Highland Franklin Jackson Chestnut Willow"
)
STREET_TYPES = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard", "Way")
# (city, state, ZIP prefix, area codes)
PLACES = (
    ("Springfield", "IL", "627", ("217",)),
    ("Chicago", "IL", "606", ("312", "773", "872")),
    ("Peoria", "IL", "616", ("309",)),
    ("Rockford", "IL", "611", ("815",)),
    ("Naperville", "IL", "605", ("630", "331")),
    ("Champaign", "IL", "618", ("217", "447")),
    ("Decatur", "IL", "625", ("217",)),
    ("Joliet", "IL", "604", ("815", "779")),
)
DEMO_AREA_CODES = ("217", "309", "312", "630", "773", "815", "872")
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "correo.example.es")
CHANNELS = ("", "email", "email", "phone", "post", "sms")

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "preferred_language",
    "preferred_channel",
    "consent_contact",
    "consent_contact_at",
    "consent_surveys",
    "consent_surveys_at",
    "created_at",
    "updated_at",
    "search_name",
    "address_key",
)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    preferred_language: str
    preferred_channel: str
    consent_contact_at: datetime | None
    consent_contact: bool
    consent_surveys_at: datetime | None
    consent_surveys: bool
    created_at: datetime

    def row(self) -> tuple:
        return (
            self.first_name,
            self.last_name,
            normalise.normalise_email(self.email),
            self.phone,
            self.address_line1,
            self.address_line2,
            self.city,
            self.region,
            self.postal_code,
            self.preferred_language,
            self.preferred_channel,
            self.consent_contact,
            self.consent_contact_at,
            self.consent_surveys,
            self.consent_surveys_at,
            self.created_at,
            self.created_at,
            normalise.search_name(self.first_name, self.last_name),
            normalise.address_key(self.address_line1, self.postal_code),
        )


def strip_accents(text: str) -> str:
    """ "José Muñoz" → "Jose Munoz" (case kept), as people type on a keyboard without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _ascii_slug(text: str) -> str:
    return "".join(ch for ch in strip_accents(text).lower() if ch.isalnum())


class Generator:
    def __init__(
        self,
        *,
        seed: int = 2026,
        duplicate_ratio: float = 0.05,
        fictional_phones: bool = False,
        now: datetime | None = None,
    ) -> None:
        self.random = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.duplicate_ratio = duplicate_ratio
        self.fictional_phones = fictional_phones
        self.now = now or datetime.now(UTC)
        self.originals: list[Person] = []

    def people(self, count: int, start: int = 0) -> Iterator[Person]:
        """`count` people; `start` numbers them after rows already loaded (unique emails)."""
        for index in range(start, start + count):
            if self.originals and self.random.random() < self.duplicate_ratio:
                yield self.near_duplicate(self.random.choice(self.originals), index)
            else:
                person = self.person(index)
                if len(self.originals) < 20_000:
                    self.originals.append(person)
                else:
                    self.originals[self.random.randrange(len(self.originals))] = person
                yield person

    def person(self, index: int) -> Person:
        r = self.random
        spanish = r.random() < 0.4
        if spanish:
            first = r.choice(FIRST_NAMES_ES)
            last = r.choice(LAST_NAMES_ES)
            if r.random() < 0.3:
                last = f"{last} {r.choice(LAST_NAMES_ES)}"
            language = "es" if r.random() < 0.7 else "en"
        else:
            first, last, language = r.choice(FIRST_NAMES_EN), r.choice(LAST_NAMES_EN), "en"
        city, state, zip_prefix, area_codes = r.choice(PLACES)
        email = ""
        if r.random() < 0.9:
            local = f"{_ascii_slug(first)}.{_ascii_slug(last)}"
            email = f"{local}{index}@{r.choice(DOMAINS)}"
        phone = self._phone(index, area_codes) if r.random() < 0.85 else ""
        created = self.now - timedelta(seconds=r.randrange(3 * 365 * 24 * 3600))
        contact_at = created if r.random() < 0.7 else None
        surveys_at = created if r.random() < 0.5 else None
        return Person(
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            address_line1=f"{r.randint(1, 9999)} {r.choice(STREETS)} {r.choice(STREET_TYPES)}",
            address_line2=f"Apt {r.randint(1, 40)}" if r.random() < 0.2 else "",
            city=city,
            region=state,
            postal_code=f"{zip_prefix}{r.randint(0, 99):02d}",
            preferred_language=language,
            preferred_channel=r.choice(CHANNELS) if (email and phone) else "",
            consent_contact=contact_at is not None and r.random() < 0.9,
            consent_contact_at=contact_at,
            consent_surveys=surveys_at is not None and r.random() < 0.6,
            consent_surveys_at=surveys_at,
            created_at=created,
        )

    def _phone(self, index: int, area_codes: tuple[str, ...]) -> str:
        if self.fictional_phones:  # 555-0100…0199 are reserved for fiction: unique per index
            area = DEMO_AREA_CODES[(index // 100) % len(DEMO_AREA_CODES)]
            return f"+1{area}55501{index % 100:02d}"
        r = self.random
        return f"+1{r.choice(area_codes)}{r.randint(200, 999)}{r.randint(0, 9999):04d}"

    def near_duplicate(self, original: Person, index: int) -> Person:
        r = self.random
        kind = r.choice(("typo", "swapped", "accents", "casing"))
        first, last = original.first_name, original.last_name
        if kind == "accents" and strip_accents(first + last) == first + last:
            kind = "typo"  # nothing to drop
        if kind == "typo":
            if r.random() < 0.5:
                first = _typo(first, r)
            else:
                last = _typo(last, r)
        elif kind == "swapped":
            first, last = last, first
        elif kind == "accents":
            first, last = strip_accents(first), strip_accents(last)
        else:
            first, last = (
                (first.upper(), last.lower()) if r.random() < 0.5 else (first.lower(), last.upper())
            )
        keep_email = kind == "casing" or r.random() < 0.4
        return replace(
            original,
            first_name=first,
            last_name=last,
            email=original.email if keep_email else "",
            phone=original.phone if r.random() < 0.5 else "",
            address_line1=original.address_line1 if r.random() < 0.6 else "",
            address_line2="",
            created_at=min(self.now, original.created_at + timedelta(days=r.randint(1, 400))),
            consent_contact_at=None,
            consent_contact=False,
            consent_surveys_at=None,
            consent_surveys=False,
        )


def _typo(word: str, r: random.Random) -> str:
    """Swap two adjacent letters inside the word: "John" → "Jonh"."""
    if len(word) < 3:
        return word + word[-1]
    i = r.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@dataclass(frozen=True)
class LoadResult:
    rows: int
    consent_records: int
    seconds: float


def copy_people(people: Iterator[Person]) -> LoadResult:
    """COPY the people into the citizen table; consent flags get their history rows."""
    started = time.monotonic()
    table = Citizen._meta.db_table
    consent_table = ConsentRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        (last_id,) = cursor.fetchone()
        rows = 0
        sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for person in people:
                copy.write_row(person.row())
                rows += 1
        consent_records = 0
        for kind in ("contact", "surveys"):
            cursor.execute(
                f"INSERT INTO {consent_table} (citizen_id, kind, granted, at, source) "  # noqa: S608
                f"SELECT id, %s, consent_{kind}, consent_{kind}_at, 'web' FROM {table} "
                f"WHERE id > %s AND consent_{kind}_at IS NOT NULL",
                [kind, last_id],
            )
            consent_records += cursor.rowcount
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {consent_table}")
    return LoadResult(
        rows=rows, consent_records=consent_records, seconds=time.monotonic() - started
    )


def generate_citizens(
    *, count: int, seed: int = 2026, duplicate_ratio: float = 0.05, fictional_phones: bool = False
) -> LoadResult:
    generator = Generator(
        seed=seed, duplicate_ratio=duplicate_ratio, fictional_phones=fictional_phones
    )
    start = Citizen.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return copy_people(generator.people(count, start=start))
