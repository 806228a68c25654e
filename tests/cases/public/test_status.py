"""The citizen's status page: public updates and status changes, never internal notes."""

from __future__ import annotations

import pytest

from cases.links import status_token, unsubscribe_token
from cases.models import Case
from cases.services import (
    case_create,
    case_note_add,
    case_public_update,
    case_take,
    case_transition,
)

LOOKUP = "/en/requests/status/"
NO_MATCH = "We found no request with that reference and email address."
NOTE = "Caller sounded upset; check the CCTV first"
UPDATE = "A crew is booked for Tuesday morning."
WAITING = "Please tell us which lamp post it is."


@pytest.fixture
def followed_case(world) -> Case:
    """A web case with an internal note, a public update and a public status change."""
    case = case_create(
        category=world.graffiti, description="Tags on the park wall", channel="web",
        reporter_email="resident@example.org", address="Elm Park",
    )  # fmt: skip
    case_take(case=case, actor=world.agent)
    case_note_add(case=case, body=NOTE, actor=world.agent)
    case_public_update(case=case, body=UPDATE, actor=world.agent)
    case_transition(case=case, to_status="waiting_on_citizen", actor=world.agent, note=WAITING)
    case.refresh_from_db()
    return case


def _lookup(client, reference: str, email: str):
    return client.post(LOOKUP, {"reference": reference, "email": email})


def test_the_status_page_shows_updates_and_status_changes_but_never_internal_notes(
    client, followed_case
):
    response = _lookup(client, followed_case.reference, "resident@example.org")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Request {followed_case.reference}" in html
    assert UPDATE in html
    assert WAITING in html
    assert "Waiting on citizen" in html
    assert NOTE not in html
    assert "Internal note" not in html


def test_the_status_page_says_what_each_status_change_changed_it_to(client, world, followed_case):
    case_transition(case=followed_case, to_status="in_progress", actor=world.agent)
    case_transition(case=followed_case, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip

    html = _lookup(client, followed_case.reference, "resident@example.org").content.decode()
    spanish = client.get(f"/es/requests/status/{status_token(followed_case.reference)}/")

    assert "Status changed to “Waiting on citizen”." in html
    assert "Status changed to “Resolved”." in html
    assert html.index("“Waiting on citizen”") < html.index("“Resolved”")
    assert "Status changed." not in html
    assert "Estado cambiado a “Resuelto”." in spanish.content.decode()


def test_the_lookup_forgives_case_spaces_and_the_email_case(client, followed_case):
    typed = f"  {followed_case.reference.lower()} "

    response = _lookup(client, typed, "Resident@Example.ORG")

    assert UPDATE in response.content.decode()


def test_a_wrong_email_and_an_unknown_reference_get_the_same_answer(client, followed_case):
    wrong_email = _lookup(client, followed_case.reference, "someone@example.org")
    unknown = _lookup(client, "CRM-2026-ZZZZZZ", "resident@example.org")

    for response in (wrong_email, unknown):
        html = response.content.decode()
        assert response.status_code == 200
        assert NO_MATCH in html
        assert UPDATE not in html and NOTE not in html
    assert _alert(wrong_email) == _alert(unknown)


def _alert(response) -> str:
    html = response.content.decode()
    start = html.index('<div class="usa-alert usa-alert--error"')
    return html[start : html.index("</div></div>", start)]


def test_a_case_without_an_email_cannot_be_looked_up_with_an_empty_email(client, world):
    case = case_create(category=world.graffiti, description="Tags", channel="web")

    response = _lookup(client, case.reference, "")

    assert "Tags" not in response.content.decode()
    assert f"Request {case.reference}" not in response.content.decode()


def test_the_signed_status_link_shows_the_page_without_the_email(client, followed_case):
    response = client.get(f"/en/requests/status/{status_token(followed_case.reference)}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert UPDATE in html and NOTE not in html


def test_the_signed_status_link_works_in_spanish(client, followed_case):
    response = client.get(f"/es/requests/status/{status_token(followed_case.reference)}/")

    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()


def test_a_tampered_status_link_is_404(client, followed_case):
    token = status_token(followed_case.reference)
    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")

    assert client.get(f"/en/requests/status/{tampered}/").status_code == 404
    assert client.get(f"/en/requests/status/{followed_case.reference}/").status_code == 404
    # A token signed for something else (the unsubscribe link) does not open the status page.
    other = unsubscribe_token(followed_case.reference)
    assert client.get(f"/en/requests/status/{other}/").status_code == 404


def test_the_unsubscribe_page_get_does_not_unsubscribe_but_its_post_does(client, followed_case):
    url = f"/en/requests/unsubscribe/{unsubscribe_token(followed_case.reference)}/"

    page = client.get(url)

    assert page.status_code == 200
    assert "Stop these emails" in page.content.decode()
    followed_case.refresh_from_db()
    assert followed_case.updates_opted_out is False

    done = client.post(url)

    assert done.status_code == 200
    assert "We will not email you about request" in done.content.decode()
    followed_case.refresh_from_db()
    assert followed_case.updates_opted_out is True


def test_a_tampered_unsubscribe_link_is_404(client, followed_case):
    token = unsubscribe_token(followed_case.reference)

    assert client.get(f"/en/requests/unsubscribe/{token}x/").status_code == 404
    assert client.post(f"/en/requests/unsubscribe/{token}x/").status_code == 404
    followed_case.refresh_from_db()
    assert followed_case.updates_opted_out is False


# --- failed look-ups are limited (issue 13) --------------------------------------------------


def _address() -> str:
    import uuid

    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_failed_lookups_of_one_reference_are_limited_whatever_the_address(
    client, settings, followed_case
):
    """A reference read off the open data feed must not let anyone try email after email."""
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_STATUS_FAILURES_PER_REFERENCE = 3
    settings.RATELIMIT_STATUS_FAILURES_PER_ADDRESS = 100
    reference = followed_case.reference
    tries = [
        client.post(LOOKUP, {"reference": reference, "email": f"guess{n}@example.org"},
                    REMOTE_ADDR=_address())
        for n in range(3)
    ]  # fmt: skip
    assert [r.status_code for r in tries] == [200, 200, 200]
    # The right email now, from yet another address: still refused, with the same answer as
    # for a wrong one, and the form keeps what was typed.
    limited = client.post(
        LOOKUP, {"reference": reference.lower(), "email": "resident@example.org"},
        REMOTE_ADDR=_address(),
    )  # fmt: skip
    html = limited.content.decode()
    assert limited.status_code == 429
    assert limited["Retry-After"] == str(settings.RATELIMIT_WINDOW_SECONDS)
    assert "Too many tries that did not match" in html
    assert UPDATE not in html
    assert 'value="resident@example.org"' in html and reference.lower() in html


def test_failed_lookups_from_one_address_are_limited_across_references(
    client, settings, followed_case
):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_STATUS_FAILURES_PER_ADDRESS = 2
    settings.RATELIMIT_STATUS_FAILURES_PER_REFERENCE = 100
    ip = _address()
    for n in range(2):
        wrong = client.post(LOOKUP, {"reference": f"CRM-2026-AAAA{n}{n}", "email": "x@example.org"},
                            REMOTE_ADDR=ip)  # fmt: skip
        assert wrong.status_code == 200
    limited = client.post(
        LOOKUP, {"reference": followed_case.reference, "email": "resident@example.org"},
        REMOTE_ADDR=ip,
    )  # fmt: skip
    assert limited.status_code == 429
    # Another address is served; a right answer never counts as a failure.
    other = _address()
    for _ in range(3):
        ok = client.post(
            LOOKUP, {"reference": followed_case.reference, "email": "resident@example.org"},
            REMOTE_ADDR=other,
        )  # fmt: skip
        assert ok.status_code == 200 and UPDATE in ok.content.decode()
