"""Normalisation of citizen contact data: one definition used by forms, services, search and the
synthetic data generator, so that what is stored and what is searched always agree.

The embedded PostgreSQL has no `unaccent`, so accent folding happens here, in Python, and the
folded text is stored (`Citizen.search_name`, `Citizen.address_key`).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.conf import settings

_NOT_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number that can be dialled."""


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "  José  MUÑOZ-Pérez " → "jose munoz-perez".

    NFKD splits "é" into "e" + a combining accent, which is then dropped; casefold handles
    "ß" → "ss". Letters without a decomposition (e.g. "ø") are kept as they are.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_name(first_name: str, last_name: str) -> str:
    """The text trigram search runs on: folded first and last name."""
    return fold(f"{first_name} {last_name}")


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased; "" for none. Staff compare addresses case-insensitively."""
    return (email or "").strip().lower()


def phone_region() -> str:
    return settings.CITIZENCRM_PHONE_REGION


def normalise_phone(raw: str, region: str | None = None) -> str:
    """E.164 ("+13125550142") from what staff type ("(312) 555-0142"); "" for none.

    Numbers without a country code are read in CITIZENCRM_PHONE_REGION (default "US").
    Raises InvalidPhoneNumber for text that is not a valid number.
    """
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region or phone_region())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    """Search input that is a phone number rather than a name: mostly digits, at least 7."""
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 7 and not any(ch.isalpha() for ch in text)


def format_phone(e164: str) -> str:
    """For display: "+1 312-555-0142"."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_postal_code(postal_code: str) -> str:
    return _SPACES.sub("", (postal_code or "")).upper()


def address_key(address_line1: str, postal_code: str) -> str:
    """Exact-match key of a postal address: folded first line without punctuation + postal code.

    "12 Oak St., Apt 3" / "60601" and "12 oak st apt 3" / "60601" give the same key; "" when
    either part is missing (an incomplete address never matches another).
    """
    line = _SPACES.sub(" ", _NOT_WORD.sub(" ", fold(address_line1))).strip()
    code = normalise_postal_code(postal_code)
    if not line or not code:
        return ""
    return f"{line}|{code.casefold()}"


def split_name(name: str) -> tuple[str, str]:
    """("Ana", "García López") from "Ana García López": the first word is the first name, the
    rest the last name (both Spanish surnames stay together); one word is a first name."""
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return "", ""
    return words[0][:100], " ".join(words[1:])[:100]
