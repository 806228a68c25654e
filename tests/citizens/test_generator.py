"""The synthetic generator (benchmarks) and the demo data."""

import pytest
from django.core.management import call_command

from citizens import demo, normalise
from citizens.models import Citizen, ConsentRecord
from citizens.selectors import citizen_duplicates_of, citizens_search
from citizens.synthetic import Generator, strip_accents

pytestmark = pytest.mark.django_db


def test_generate_citizens_loads_rows_searchable_like_any_other(agent, capsys):
    call_command("generate_citizens", count=300, seed=7)

    assert Citizen.objects.count() == 300
    assert "Loaded 300 citizens" in capsys.readouterr().out
    for citizen in Citizen.objects.all():
        assert citizen.search_name == normalise.search_name(citizen.first_name, citizen.last_name)
        assert citizen.address_key == normalise.address_key(
            citizen.address_line1, citizen.postal_code
        )
        assert citizen.email == citizen.email.lower()
        assert not citizen.phone or normalise.normalise_phone(citizen.phone) == citizen.phone
    with_consent = Citizen.objects.exclude(consent_contact_at=None).count()
    assert ConsentRecord.objects.filter(kind="contact").count() == with_consent > 0
    sample = Citizen.objects.exclude(email="").order_by("pk").first()
    assert list(citizens_search(user=agent, query=sample.email)) == [sample]


def test_generated_near_duplicates_are_realistic_and_found():
    people = list(Generator(seed=3, duplicate_ratio=0.3).people(400))
    originals = {(p.first_name, p.last_name) for p in people}
    names = [(p.first_name, p.last_name) for p in people]

    swapped = [n for n in names if (n[1], n[0]) in originals and n[0] != n[1]]
    unaccented = [
        n
        for n in names
        if n != tuple(map(strip_accents, n)) and tuple(map(strip_accents, n)) in originals
    ]
    recased = [n for n in names if n[0].isupper() or n[1].isupper()]
    assert swapped and unaccented and recased


def test_generated_duplicates_show_up_as_candidates(agent):
    call_command("generate_citizens", count=200, seed=11, duplicates=0.2)
    flagged = sum(
        bool(citizen_duplicates_of(user=agent, citizen=c))
        for c in Citizen.objects.order_by("-pk")[:40]
    )
    assert flagged >= 5


def test_demo_data_is_idempotent_and_shows_duplicates_and_a_merge(agent):
    lines = demo.load()
    count = Citizen.objects.count()

    assert demo.load() == []
    assert Citizen.objects.count() == count >= 490
    assert len(lines) == 1
    jose = Citizen.objects.get(email=demo.MARKER_EMAIL)
    assert "Jose Munoz" in [
        c.citizen.full_name for c in citizen_duplicates_of(user=agent, citizen=jose)
    ]
    assert Citizen.objects.filter(merged_into__isnull=False).count() == 1
