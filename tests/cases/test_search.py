"""Staff case search (issue 16): a reference opens the case; words find the caller's cases,
ranked, with the matching words marked; another agency's cases never appear."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.search import cases_search
from cases.services import (
    case_create,
    case_note_add,
    case_public_update,
    case_set_category,
    case_take,
)
from citizens.services import citizen_create, citizen_update

SEARCH = "/staff/cases/search/"


@pytest.fixture
def cases(world):
    munoz = citizen_create(actor=world.agent, first_name="José", last_name="Muñoz",
                           email="jose@example.org")  # fmt: skip
    hole = case_create(category=world.graffiti, description="Deep pothole by the school gate",
                       channel="phone", citizen=munoz, address="12 Calle Mayor")  # fmt: skip
    case_take(case=hole, actor=world.agent)
    case_note_add(case=hole, body="Crew says the asphalt lorry is booked", actor=world.agent)
    lamp = case_create(category=world.graffiti, description="La farola está apagada",
                       channel="web")  # fmt: skip
    case_public_update(case=lamp, body="Enviamos un técnico mañana", actor=world.agent)
    theirs = case_create(category=world.other_category, description="Pothole tax question",
                         channel="phone")  # fmt: skip
    return {"hole": hole, "lamp": lamp, "theirs": theirs, "munoz": munoz}


def refs(page) -> list[str]:
    return [hit.case.reference for hit in page.hits]


def test_words_of_notes_updates_descriptions_and_names_find_the_case(world, cases):
    hole, lamp = cases["hole"].reference, cases["lamp"].reference
    assert refs(cases_search(world.agent, "asphalt")) == [hole]  # an internal note
    assert refs(cases_search(world.agent, "potholes")) == [hole]  # English stem
    assert refs(cases_search(world.agent, "tecnicos")) == [lamp]  # Spanish stem, no accent
    assert refs(cases_search(world.agent, "FAROLA")) == [lamp]
    assert refs(cases_search(world.agent, "munoz")) == [hole]  # the citizen, accent folded
    assert refs(cases_search(world.agent, "Munos")) == [hole]  # a typo: trigrams
    assert refs(cases_search(world.agent, "calle mayor")) == [hole]  # the address
    assert refs(cases_search(world.agent, "nothing like it")) == []


def test_another_agencys_cases_never_appear(world, cases):
    assert refs(cases_search(world.agent, "pothole")) == [cases["hole"].reference]
    assert refs(cases_search(world.other_agent, "pothole")) == [cases["theirs"].reference]


def test_the_snippet_marks_the_matching_words_in_the_original_text(world, cases):
    [hit] = cases_search(world.agent, "lorry").hits
    assert "asphalt <mark>lorry</mark> is booked" in hit.snippet
    [hit] = cases_search(world.agent, "tecnico").hits
    assert "<mark>técnico</mark>" in hit.snippet
    case_note_add(case=cases["hole"], body="<script>alert(1)</script> lorry", actor=world.agent)
    [hit] = cases_search(world.agent, "lorry").hits  # the newest text that matches
    assert "&lt;script&gt;" in hit.snippet and "<script>" not in hit.snippet


def test_texts_added_later_are_found_and_a_new_service_or_name_too(world, cases):
    hole = cases["hole"]
    case_set_category(case=hole, category=world.pothole, actor=world.agent)
    assert refs(cases_search(world.agent, "pothole (es)")) == [hole.reference]
    citizen_update(citizen=cases["munoz"], actor=world.agent, data={"last_name": "Quintana"})
    assert refs(cases_search(world.agent, "quintana")) == [hole.reference]


def test_results_page_by_rank_and_the_query_count_does_not_grow_with_results(world):
    for n in range(7):
        case_create(category=world.graffiti, description=f"Broken bench number {n}",
                    channel="phone")  # fmt: skip
    first = cases_search(world.agent, "bench", size=3)
    second = cases_search(world.agent, "bench", size=3, cursor=first.next_cursor)
    third = cases_search(world.agent, "bench", size=3, cursor=second.next_cursor)
    seen = refs(first) + refs(second) + refs(third)
    assert len(seen) == 7 == len(set(seen)) and third.next_cursor is None
    with CaptureQueriesContext(connection) as few:
        cases_search(world.agent, "bench", size=2)
    with CaptureQueriesContext(connection) as many:
        cases_search(world.agent, "bench", size=7)
    assert len(few) == len(many) == 3


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{no_prefix}", "{tail}", " {lower} "])
def test_a_reference_in_the_header_opens_the_case(client, world, cases, typed):
    reference = cases["hole"].reference
    text = typed.format(ref=reference, lower=reference.lower(),
                        no_prefix=reference.removeprefix("CRM-"), tail=reference[-6:])  # fmt: skip
    client.force_login(world.agent)
    response = client.get(SEARCH, {"q": text})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{reference}/"


def test_another_agencys_reference_is_not_opened_nor_listed(client, world, cases):
    client.force_login(world.agent)
    response = client.get(SEARCH, {"q": cases["theirs"].reference})
    assert response.status_code == 200
    assert f'href="/staff/cases/{cases["theirs"].reference}/"' not in response.content.decode()


def test_the_results_page_lists_marks_and_filters(client, world, cases):
    client.force_login(world.agent)
    page = client.get(SEARCH, {"q": "lorry"}).content.decode()
    assert cases["hole"].reference in page and "<mark>lorry</mark>" in page
    assert 'role="search"' in page  # the header form, on every staff page
    none = client.get(SEARCH, {"q": "lorry", "status": "closed"}).content.decode()
    assert cases["hole"].reference not in none and "No case matches" in none
