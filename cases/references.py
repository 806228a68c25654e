"""Public case references: human-readable, unique, not guessable, never the database id.

CRM-2026-7K3QX9: the year, then 6 characters of Crockford's base32 (no I, L, O, U, so nothing
is misread on the phone): 32^6 ≈ 1.07 billion per year. Guessing one alone shows nothing:
the status page also needs the citizen's email or a signed link.
"""

import re
import secrets

from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CRM"
PATTERN = re.compile(r"^CRM-\d{4}-[0-9A-HJKMNP-TV-Z]{6}$")


def reference_new() -> str:
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{PREFIX}-{timezone.now():%Y}-{suffix}"


def reference_normalise(text: str) -> str:
    """What a citizen typed → the canonical reference (case, spaces, O/0 and I/1 confusions)."""
    cleaned = re.sub(r"\s+", "", text or "").upper()
    head, sep, tail = cleaned.rpartition("-")
    if sep:
        tail = tail.replace("O", "0").replace("I", "1").replace("L", "1")
        cleaned = f"{head}-{tail}"
    return cleaned
