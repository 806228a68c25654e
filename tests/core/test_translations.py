"""Every citizen-facing string is translated: no missing, untranslated or fuzzy entry.

Strings are extracted from our templates and Python code the way `makemessages` does
(templates via Django's templatize), but with Babel, so the check needs no GNU gettext.
"""

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
APPS = ["citizencrm", "core", "agencies", "citizens", "cases", "feedback"]
KEYWORDS = {
    "_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2), "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
}  # fmt: skip
LANGUAGES = sorted(p.name for p in (ROOT / "locale").iterdir() if p.is_dir())


def _source_messages() -> set[str]:
    found: set[str] = set()
    templates = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt")]
    for app in APPS:
        templates += (ROOT / app).rglob("templates/**/*.html")
    for template in templates:
        code = templatize(template.read_text(), origin=str(template))
        # templatize writes each message as a one-line repr(); the rest is filler that may not
        # be valid Python indentation, so flatten it before Babel's tokenizer sees it.
        flat = "\n".join(line.lstrip() for line in code.splitlines())
        found |= _extract(flat.encode())
    for app in APPS:
        for py in (ROOT / app).rglob("*.py"):
            if "migrations" not in py.parts:
                found |= _extract(py.read_bytes())
    return found


def _extract(source: bytes) -> set[str]:
    messages = set()
    for _lineno, message, _comments, _context in extract("python", io.BytesIO(source), KEYWORDS):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def test_source_has_strings_to_translate():
    assert "Skip to main content" in _source_messages()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_covers_every_source_string_and_has_no_untranslated_or_fuzzy_entry(language):
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as f:
        catalog = read_po(f)
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}

    missing = sorted(_source_messages() - set(entries))
    untranslated = sorted(k for k, m in entries.items() if not all(_strings(m)))
    fuzzy = sorted(k for k, m in entries.items() if m.fuzzy)

    assert missing == [], f"run `make messages-extract` and translate: {missing}"
    assert untranslated == []
    assert fuzzy == []


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]
