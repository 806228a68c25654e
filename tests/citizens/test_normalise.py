"""What is stored and searched: E.164 phones, lower-case emails, accent-free names."""

import os

import pytest

from citizens import normalise


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(312) 555-0142", "+13125550142"),
        ("312.555.0142", "+13125550142"),
        ("+1 312 555 0142", "+13125550142"),
        ("+34 612 345 678", "+34612345678"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert normalise.normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["555-1234", "12", "call me", "+1 000 000 0000"])
def test_impossible_phone_numbers_are_refused(typed):
    with pytest.raises(normalise.InvalidPhoneNumber):
        normalise.normalise_phone(typed)


def test_numbers_without_country_code_use_the_configured_region(settings):
    settings.CITIZENCRM_PHONE_REGION = "ES"

    assert normalise.normalise_phone("612 345 678") == "+34612345678"


def test_default_region_is_the_us(settings):
    """Declared in settings.py: CITIZENCRM_PHONE_REGION, US unless the environment says."""
    assert "CITIZENCRM_PHONE_REGION" not in os.environ
    assert settings.CITIZENCRM_PHONE_REGION == "US"
    assert normalise.phone_region() == "US"
    assert normalise.normalise_phone("312 555 0142") == "+13125550142"


@pytest.mark.parametrize(
    ("first", "last", "folded"),
    [
        ("José", "Muñoz", "jose munoz"),
        ("  JOSÉ ", " Muñoz  Pérez ", "jose munoz perez"),
        ("Íñigo", "Ibáñez", "inigo ibanez"),
        ("Jürgen", "Straße", "jurgen strasse"),
        ("Zoë", "", "zoe"),
    ],
)
def test_search_name_is_lower_case_accent_free_and_single_spaced(first, last, folded):
    assert normalise.search_name(first, last) == folded


def test_emails_are_trimmed_and_lower_cased():
    assert normalise.normalise_email("  John.Smith@Example.ORG ") == "john.smith@example.org"


def test_address_key_ignores_case_accents_punctuation_and_postal_code_spacing():
    assert normalise.address_key("12 Oak St., Apt 3", "sw1a 1aa") == normalise.address_key(
        "12 OAK ST APT 3", "SW1A1AA"
    )
    assert normalise.address_key("3 Calle Peña", "28001") == "3 calle pena|28001"
    assert normalise.address_key("12 Oak St.", "") == ""  # incomplete: never matches


@pytest.mark.parametrize(
    ("text", "phone"),
    [("(312) 555-0142", True), ("+34 612 345 678", True), ("John 5", False), ("2024", False)],
)
def test_search_recognises_phone_numbers(text, phone):
    assert normalise.looks_like_phone(text) is phone
