"""Staff case search: a reference opens the case; other words search the caller's cases.

What is searched is `Case.search_text`: the description, address, reporter's and citizen's
names, the service's names and every text of the timeline (internal notes, public updates,
contacts, status and feed notes), accent-folded and lower-cased like the citizen search
(citizens.normalise.fold). It is written with the case and appended to by the services whenever
a text is added (`search_text_append`), so a search is one indexed query: PostgreSQL full-text
search over English and Spanish stems (one GIN index on both vectors), plus trigram matches on
the citizen's folded name so that a typo still finds "Muñoz". Results are ranked, keyset-paged
on (rank, id), scoped like the queues, and each carries a snippet with the matching words.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Case as Choose
from django.db.models import F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, CaseEvent
from cases.references import PREFIX, reference_normalise
from cases.selectors import cases_visible
from citizens.models import Citizen
from citizens.normalise import fold
from core.translated import translate

PAGE_SIZE = 25
SNIPPET_WIDTH = 160
NAME_MATCHES = 50  # citizens whose name is close to the words, at most
# The one expression the GIN index case_search_idx is built on, and the search filters on.
SEARCH_VECTOR = SearchVector("search_text", config="english") + SearchVector(
    "search_text", config="spanish"
)
TEXT_KINDS = (
    CaseEvent.Kind.NOTE,
    CaseEvent.Kind.PUBLIC_UPDATE,
    CaseEvent.Kind.CONTACT,
    CaseEvent.Kind.STATUS,
    CaseEvent.Kind.FEED_NOTE,
)
_REFERENCE_TAIL = re.compile(r"^(?:(?:CRM-?)?(\d{4})-?)?([0-9A-HJKMNP-TV-Z]{6})$")


# --- keeping search_text (called by the services that write the texts) ---------------------


def search_text_for(case: Case) -> str:
    """The searchable text of a new case (its own fields; the timeline is appended later)."""
    citizen = case.citizen if case.citizen_id else None
    parts = [
        case.description,
        case.address,
        case.reporter_name,
        citizen.full_name if citizen else "",
        *(case.category.name or {}).values(),
    ]
    return fold(" ".join(p for p in parts if p))


def search_text_append(cases: int | QuerySet[Case], *texts: str) -> None:
    """Add texts to the search_text of a case (its id) or of several (a queryset): a note, an
    update, a new service's or citizen's name. One UPDATE."""
    added = fold(" ".join(t for t in texts if t))
    if added:
        rows = Case.objects.filter(pk=cases) if isinstance(cases, int) else cases
        rows.update(search_text=Concat(F("search_text"), Value(" " + added)))


# --- reading --------------------------------------------------------------------------------


def case_for_reference(user: Any, text: str) -> Case | None:
    """The case a typed reference names, in any letter case, with or without "CRM-" or the
    year, among the cases the user may open; None when the text is not a reference."""
    cleaned = reference_normalise(text)
    match = _REFERENCE_TAIL.match(cleaned.removeprefix(f"{PREFIX}-") if "-" in cleaned else cleaned)
    if match is None:
        return None
    year, tail = match.groups()
    cases = cases_visible(user)
    if year:
        return cases.filter(reference=f"{PREFIX}-{year}-{tail}").first()
    found = list(cases.filter(reference__endswith=f"-{tail}").order_by("-created_at")[:2])
    return found[0] if len(found) == 1 else None


@dataclass
class SearchHit:
    case: Case
    snippet: SafeString


@dataclass
class SearchPage:
    hits: list[SearchHit]
    next_cursor: str | None


def cases_search(
    user: Any, query: str, *, cases: QuerySet[Case] | None = None, cursor: str | None = None,
    size: int = PAGE_SIZE,
) -> SearchPage:  # fmt: skip
    """The user's cases matching `query` (words in any order), best first. `cases` narrows the
    set (the queue filters); it must come from cases_visible. Three queries per page."""
    words = fold(query)
    if not words:
        return SearchPage(hits=[], next_cursor=None)
    text_query = SearchQuery(words, config="english", search_type="websearch") | SearchQuery(
        words, config="spanish", search_type="websearch"
    )
    names = list(
        Citizen.objects.filter(
            search_name__trigram_similar=words, merged_into__isnull=True
        ).values_list("pk", flat=True)[:NAME_MATCHES]
    )
    base = cases if cases is not None else cases_visible(user)
    found = base.annotate(
        search=SEARCH_VECTOR,
        rank=SearchRank(SEARCH_VECTOR, text_query, cover_density=True) + _name_bonus(names),
    ).filter(Q(search=text_query) | Q(citizen_id__in=names))
    position = _decode(cursor) if cursor else None
    if position:
        rank, pk = position
        found = found.filter(Q(rank__lt=rank) | Q(rank=rank, id__lt=pk))
    rows = list(
        found.select_related("category", "team", "assignee", "citizen").order_by("-rank", "-id")[
            : size + 1
        ]
    )
    page, more = rows[:size], len(rows) > size
    texts = _timeline_texts([case.pk for case in page])
    hits = [
        SearchHit(case=case, snippet=_snippet(case, texts.get(case.pk, []), words)) for case in page
    ]
    return SearchPage(hits=hits, next_cursor=_encode(page[-1]) if more else None)


def _name_bonus(names: list[int]) -> Any:
    """A citizen whose name is close to the words ranks a case higher."""
    if not names:
        return Value(0.0, output_field=FloatField())
    return Choose(When(citizen_id__in=names, then=Value(0.5)), default=Value(0.0),
                  output_field=FloatField())  # fmt: skip


def _timeline_texts(case_ids: list[int]) -> dict[int, list[str]]:
    """Every text of the page's timelines, in one query (for the snippets)."""
    texts: dict[int, list[str]] = {}
    rows = (
        CaseEvent.objects.filter(case_id__in=case_ids, kind__in=TEXT_KINDS)
        .exclude(body="")
        .order_by("-created_at", "-id")
        .values_list("case_id", "body")
    )
    for case_id, body in rows:
        texts.setdefault(case_id, []).append(body)
    return texts


def _snippet(case: Case, timeline: list[str], words: str) -> SafeString:
    """A passage of the case's own words around the first match, the matches marked."""
    terms = [w for w in re.split(r"\W+", words) if len(w) > 1]
    sources = [case.description, *timeline, case.address, translate(case.category.name)]
    for text in sources:
        marked = _mark(text or "", terms)
        if marked is not None:
            return marked
    return mark_safe(escape(_clip(case.description or "", 0)))  # noqa: S308  (escaped above)


def _stem(term: str) -> str:
    """Enough of a word to find its other forms ("potholes" ~ "pothole", "baches" ~ "bache")."""
    return term if len(term) <= 4 else term[: max(4, len(term) - 2)]


def _mark(text: str, terms: list[str]) -> SafeString | None:
    """`text` clipped around its first matching word, each match in <mark>; None if none."""
    folded, positions = _fold_with_positions(text)
    spans = []
    for term in terms:
        for found in re.finditer(rf"\b{re.escape(_stem(term))}\w*", folded):
            spans.append((positions[found.start()], positions[found.end() - 1] + 1))
    if not spans:
        return None
    spans.sort()
    start = max(0, spans[0][0] - SNIPPET_WIDTH // 3)
    end = min(len(text), start + SNIPPET_WIDTH)
    html, cursor = [], start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        html += [escape(text[cursor:span_start]), "<mark>", escape(text[span_start:span_end]),
                 "</mark>"]  # fmt: skip
        cursor = span_end
    html.append(escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(html) + suffix)  # noqa: S308  (every piece escaped)


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """fold() of `text` character by character, with the original index of each folded one."""
    out, positions = [], []
    for index, char in enumerate(text):
        for folded in fold(char) or (" " if char.isspace() else ""):
            out.append(folded)
            positions.append(index)
    return "".join(out), positions


def _clip(text: str, start: int) -> str:
    clipped = text[start : start + SNIPPET_WIDTH]
    return clipped + (" …" if len(text) > start + SNIPPET_WIDTH else "")


def _encode(case: Any) -> str:
    raw = f"{case.rank!r}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[float, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        rank, _sep, pk = raw.partition("|")
        return float(rank), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
