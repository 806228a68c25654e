"""Duplicate candidates: typos, swapped names, accents, and exact email/phone/address matches."""

import pytest

from citizens.selectors import (
    LIKELY_DUPLICATE_SCORE,
    citizen_duplicate_candidates,
    citizen_duplicates_of,
    duplicate_score,
)
from citizens.services import citizen_merge

pytestmark = pytest.mark.django_db


def _candidates(agent, **data):
    data.setdefault("first_name", "")
    data.setdefault("last_name", "")
    return citizen_duplicate_candidates(user=agent, **data)


def _names(candidates):
    return [c.citizen.full_name for c in candidates]


def test_score_formula_weights_name_similarity_and_adds_exact_match_bonuses():
    assert (
        duplicate_score(name_similarity=1.0, same_email=False, same_phone=False, same_address=False)
        == 60
    )
    assert (
        duplicate_score(name_similarity=0.5, same_email=True, same_phone=False, same_address=True)
        == 75
    )
    assert (
        duplicate_score(name_similarity=1.0, same_email=True, same_phone=True, same_address=True)
        == 100
    )  # fmt: skip  (capped)
    assert (
        duplicate_score(name_similarity=0.0, same_email=False, same_phone=False, same_address=True)
        < LIKELY_DUPLICATE_SCORE
    )


def test_a_typo_in_the_first_name_is_a_likely_duplicate(agent, make_citizen):
    make_citizen("John", "Smith")

    found = _candidates(agent, first_name="Jonh", last_name="Smith")

    assert _names(found) == ["John Smith"]
    assert found[0].score >= LIKELY_DUPLICATE_SCORE


def test_swapped_first_and_last_names_score_as_the_same_name(agent, make_citizen):
    make_citizen("Lucía", "Fernández")

    found = _candidates(agent, first_name="Fernández", last_name="Lucía")

    assert _names(found) == ["Lucía Fernández"]
    assert found[0].name_similarity == pytest.approx(1.0)


def test_accents_and_case_do_not_matter(agent, make_citizen):
    make_citizen("José", "Muñoz")

    found = _candidates(agent, first_name="JOSE", last_name="munoz")

    assert _names(found) == ["José Muñoz"]
    assert found[0].score == 60


def test_same_email_or_phone_flags_even_a_different_name(agent, make_citizen):
    make_citizen("Robert", "Jones", email="bob@example.org")
    make_citizen("Mary", "Taylor", phone="+13125550142")

    by_email = _candidates(agent, first_name="Bobby", last_name="J", email="BOB@example.org")
    by_phone = _candidates(agent, first_name="M", last_name="T", phone="(312) 555-0142")

    assert _names(by_email) == ["Robert Jones"]
    assert by_email[0].same_email and not by_email[0].same_phone
    assert _names(by_phone) == ["Mary Taylor"]
    assert by_phone[0].same_phone


def test_exact_matches_raise_the_score_and_order_candidates(agent, make_citizen):
    make_citizen("John", "Smith")
    make_citizen(
        "John",
        "Smith",
        email="john@example.org",
        phone="+13125550142",
        address_line1="12 Oak St.",
        postal_code="62701",
    )

    found = _candidates(
        agent,
        first_name="John",
        last_name="Smith",
        email="john@example.org",
        phone="312 555 0142",
        address_line1="12 oak st",
        postal_code="62701",
    )

    assert [c.score for c in found] == [100, 60]
    assert found[0].same_email and found[0].same_phone and found[0].same_address


def test_a_shared_address_alone_or_a_different_person_is_not_flagged(agent, make_citizen):
    make_citizen("Maria", "Lopez", address_line1="7 Walnut Lane", postal_code="62704")
    make_citizen("Peter", "Parker")

    found = _candidates(
        agent,
        first_name="Tom",
        last_name="Baker",
        address_line1="7 Walnut Lane",
        postal_code="62704",
    )

    assert found == []


def test_duplicates_of_a_record_exclude_itself_and_tombstones(agent, supervisor, make_citizen):
    john = make_citizen("John", "Smith")
    typo = make_citizen("Jonh", "Smith")
    merged = make_citizen("John", "Smyth")
    keeper = make_citizen("Peter", "Parker", email="pp@example.org")
    citizen_merge(survivor=keeper, other=merged, actor=supervisor)

    assert _names(citizen_duplicates_of(user=agent, citizen=john)) == ["Jonh Smith"]
    assert [c.citizen.pk for c in citizen_duplicates_of(user=agent, citizen=typo)] == [john.pk]


def test_candidates_are_found_in_one_query(agent, make_citizen, django_assert_num_queries):
    for i in range(5):
        make_citizen("John", "Smith", email=f"j{i}@example.org")

    with django_assert_num_queries(1):
        found = _candidates(agent, first_name="John", last_name="Smith", email="j1@example.org")

    assert len(found) == 5
    assert found[0].citizen.email == "j1@example.org"
