"""Reads for the public request form (no account): the service list, one category, the receipt.

Texts stored in the database are translated here, in the active language, so templates and the
client-side search see exactly the same words the server-side ?q= filter matched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cases.models import Case, ServiceCategory
from cases.selectors import categories_public
from core.translated import translate


def search_fold(text: str) -> str:
    """Lower-case without accents: "Señal" and "senal" match (the script does the same)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class PublicCategory:
    category: ServiceCategory
    name: str
    description: str
    search_text: str

    @property
    def agency_slug(self) -> str:
        return self.category.agency.slug

    @property
    def code(self) -> str:
        return self.category.code


@dataclass
class PublicCategoryGroup:
    title: str
    agency_name: str
    categories: list[PublicCategory] = field(default_factory=list)


@dataclass
class PublicCatalogue:
    groups: list[PublicCategoryGroup]
    total: int  # public categories before the search filter
    shown: int
    several_agencies: bool


def _search_text(category: ServiceCategory) -> str:
    """Name and description in every language, the group and the keywords."""
    parts = [
        *(category.name or {}).values(),
        *(category.description or {}).values(),
        *(category.group or {}).values(),
        category.keywords.replace(",", " "),
    ]
    return search_fold(" ".join(p for p in parts if p))


def _matches(search_text: str, query: str) -> bool:
    return all(word in search_text for word in search_fold(query).split())


def categories_public_catalogue(query: str = "") -> PublicCatalogue:
    """Active public categories grouped by (agency, translated group), filtered by `query`."""
    categories = list(categories_public())
    several_agencies = len({c.agency_id for c in categories}) > 1
    groups: dict[tuple[int, str], PublicCategoryGroup] = {}
    shown = 0
    for category in categories:
        entry = PublicCategory(
            category=category,
            name=translate(category.name) or category.code,
            description=translate(category.description),
            search_text=_search_text(category),
        )
        if query and not _matches(entry.search_text, query):
            continue
        title = translate(category.group) or _("Other services")
        key = (category.agency_id, title)
        if key not in groups:
            groups[key] = PublicCategoryGroup(title=title, agency_name=category.agency.name)
        groups[key].categories.append(entry)
        shown += 1
    return PublicCatalogue(
        groups=list(groups.values()),
        total=len(categories),
        shown=shown,
        several_agencies=several_agencies,
    )


def category_public_get(agency_slug: str, code: str) -> ServiceCategory:
    """An active public category with its questions; 404 for anything else."""
    return get_object_or_404(
        categories_public().select_related("agency", "owning_team"),
        agency__slug=agency_slug,
        code=code,
    )


@dataclass
class RequestReceipt:
    reference: str
    email_given: bool


def request_receipt(reference: str) -> RequestReceipt:
    """What the confirmation page may say: the reference and whether an email was given.

    A reference with no case behind it (a submission the honeypot caught and dropped) gets the
    same page, so a bot learns nothing.
    """
    case = Case.objects.select_related("citizen").filter(reference=reference).first()
    return RequestReceipt(reference=reference, email_given=bool(case and case.contact_email))
