"""Search: fuzzy names, exact email and phone, tombstones hidden, scoped to staff."""

import pytest
from django.contrib.auth import get_user_model

from citizens.selectors import citizens_search
from citizens.services import citizen_merge

pytestmark = pytest.mark.django_db


def _found(user, query):
    return [c.full_name for c in citizens_search(user=user, query=query)]


def test_a_misspelt_full_name_finds_the_citizen_best_match_first(agent, make_citizen):
    make_citizen("John", "Smith")
    make_citizen("Joan", "Smithson")
    make_citizen("Maria", "Lopez")

    found = _found(agent, "Jonh Smith")

    assert found[0] == "John Smith"
    assert "Maria Lopez" not in found


def test_part_of_a_name_accents_and_word_order_do_not_matter(agent, make_citizen):
    make_citizen("María José", "García López")
    make_citizen("Peter", "Parker")

    assert _found(agent, "garcia") == ["María José García López"]
    assert _found(agent, "Lopez Garcia Maria") == ["María José García López"]
    assert _found(agent, "MUÑOZ") == []


def test_email_search_is_exact_and_case_insensitive(agent, make_citizen):
    make_citizen("Ana", "Ruiz", email="ana.ruiz@example.org")
    make_citizen("Ana", "Ruiz", email="ana.ruiz2@example.org")

    assert _found(agent, "Ana.Ruiz@Example.org") == ["Ana Ruiz"]
    assert _found(agent, "ana.ruiz@example") == []


def test_phone_search_matches_however_the_number_is_typed(agent, make_citizen):
    make_citizen("Ana", "Ruiz", phone="+13125550142")
    make_citizen("Luis", "Ruiz", phone="+13125550143")

    assert _found(agent, "(312) 555-0142") == ["Ana Ruiz"]
    assert _found(agent, "+1 312 555 0142") == ["Ana Ruiz"]
    assert _found(agent, "555 0000 000") == []  # not a valid number: nothing, no error


def test_merged_away_records_are_not_found(agent, supervisor, make_citizen):
    survivor = make_citizen("John", "Smith", email="john@example.org")
    other = make_citizen("Jon", "Smith", email="jon@example.org", phone="+13125550142")
    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    assert _found(agent, "Jon Smith") == ["John Smith"]
    assert _found(agent, "jon@example.org") == []
    assert _found(agent, "312 555 0142") == []


def test_only_staff_can_search(make_citizen):
    make_citizen("John", "Smith")
    outsider = get_user_model().objects.create_user(username="visitor", password="pw-0123456789")

    assert _found(outsider, "John Smith") == []
