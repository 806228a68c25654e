"""The citizen's status page: public updates and status changes, never internal notes."""

from __future__ import annotations

import re

import pytest

from cases.links import reference_from_status_token, status_token, unsubscribe_token
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


def _lookup(client, reference: str, email: str, **extra):
    """The look-up, following its redirect to the signed status link when it matches."""
    return client.post(LOOKUP, {"reference": reference, "email": email}, follow=True, **extra)


def test_the_status_page_shows_updates_and_status_changes_but_never_internal_notes(
    client, followed_case
):
    response = _lookup(client, followed_case.reference, "resident@example.org")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Request {followed_case.reference}" in html
    assert UPDATE in html
    assert WAITING in html
    assert "Waiting for your reply" in html
    assert NOTE not in html
    assert "Internal note" not in html


def test_a_matching_lookup_redirects_to_the_signed_link_so_reload_and_language_keep_it(
    client, followed_case
):
    response = client.post(
        LOOKUP, {"reference": followed_case.reference, "email": "resident@example.org"}
    )

    assert response.status_code == 302
    token = response["Location"].removeprefix("/en/requests/status/").rstrip("/")
    assert reference_from_status_token(token) == followed_case.reference
    page = client.get(response["Location"]).content.decode()
    # The language switcher points at the same request in Spanish.
    assert f'href="/es/requests/status/{token}/"' in page


def test_the_status_page_says_what_each_status_change_changed_it_to(client, world, followed_case):
    case_transition(case=followed_case, to_status="in_progress", actor=world.agent)
    case_transition(case=followed_case, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True,
                    note="Pothole filled.")  # fmt: skip

    html = _lookup(client, followed_case.reference, "resident@example.org").content.decode()
    spanish = client.get(f"/es/requests/status/{status_token(followed_case.reference)}/")

    summaries = _summaries(html)
    assert summaries == [
        "Request received",
        "Status changed to Open",
        "Message from Public Works",
        "Status changed to Waiting for your reply",
        "Status changed to In progress",
        "Resolved",
    ]
    assert "Pothole filled." in html
    assert "Status changed." not in html
    assert "Estado cambiado a En curso" in spanish.content.decode()


def _summaries(html: str) -> list[str]:
    return re.findall(r'<p class="crm-event-summary">([^<]*)</p>', html)


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
        ok = _lookup(client, followed_case.reference, "resident@example.org", REMOTE_ADDR=other)
        assert ok.status_code == 200 and UPDATE in ok.content.decode()


# --- the words, the times and the expected date (issue 17) -----------------------------------


def _page(client, case: Case, language: str = "en") -> str:
    response = client.get(f"/{language}/requests/status/{status_token(case.reference)}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def week_long(world, clock) -> Case:
    """A web case opened Monday 2 March 2026 09:00 Chicago, due in five business days (the
    world's calendar: Mon-Fri 09:00-17:00): at 17:00 on Friday 6 March."""
    from tests.cases.sla.support import make_policy

    make_policy(world, first_response_minutes=None, resolution_minutes=5 * 8 * 60)
    return case_create(category=world.graffiti, description="Tags", channel="web",
                       address="Elm Park")  # fmt: skip


def test_the_expected_date_is_the_business_day_the_deadline_falls_in(client, week_long):
    from tests.cases.sla.support import chi, utc

    assert utc(week_long.resolution_due_at) == utc(chi(2026, 3, 6, 17))

    english, spanish = _page(client, week_long), _page(client, week_long, "es")

    assert "Expected by Friday 6 March 2026" in english
    assert "Prevista para el viernes 6 de marzo de 2026" in spanish


def test_while_waiting_for_the_citizen_the_page_says_the_clock_is_paused(client, world, week_long):
    case_take(case=week_long, actor=world.agent)
    case_transition(case=week_long, to_status="waiting_on_citizen", actor=world.agent,
                    note="Which wall is it?")  # fmt: skip

    html = _page(client, week_long)

    assert "Waiting for your reply: the clock is paused until you answer." in html
    assert "Expected by" not in html
    assert "Status changed to Waiting for your reply" in html and "Which wall is it?" in html


def test_after_the_expected_day_the_page_says_it_is_late(client, world, week_long, clock):
    from tests.cases.sla.support import chi

    clock.set(chi(2026, 3, 9, 10))  # the Monday after

    html = _page(client, week_long)

    assert "We expected to finish by Friday 6 March 2026. It is taking longer" in html


def test_a_resolved_case_promises_nothing_and_says_how_it_was_resolved(client, world, week_long):
    case_take(case=week_long, actor=world.agent)
    case_transition(case=week_long, to_status="resolved", actor=world.agent,
                    resolution_code="no_action", citizen_contacted=False)  # fmt: skip

    html = _page(client, week_long)

    assert "Expected by" not in html
    assert _summaries(html)[-1] == "Resolved: no action was needed"


def test_times_are_in_the_agencys_time_zone(client, week_long):
    html = _page(client, week_long)

    # 09:00 in Chicago is 15:00 UTC.
    assert "March 2, 2026, 9 a.m." in html
    assert "3 p.m." not in html
    assert 'datetime="2026-03-02T09:00:00-06:00"' in html


def test_a_referral_says_who_has_the_request_now_but_not_why(client, world, new_case):
    from cases.services import case_refer

    case_public_update(case=new_case, body="We had a look.", actor=world.agent)
    case_refer(case=new_case, category=world.other_category, reason="Their job, not ours",
               actor=world.agent)  # fmt: skip

    html = _page(client, new_case)

    assert _summaries(html) == [
        "Request received",
        "Message from Public Works",
        "Passed to Revenue, who now deal with your request",
    ]
    assert "Their job, not ours" not in html


def test_the_page_repeats_what_was_reported_and_offers_the_link_to_keep(client, world):
    case = case_create(
        category=world.pothole, description="Deep hole by the school", channel="web",
        attributes={"size": "large"}, address="5 School Lane", latitude="41.5",
        longitude="-87.25",
    )  # fmt: skip

    html = _page(client, case)

    for fact in ("Pothole", "Size", "Large", "5 School Lane",
                 "Latitude 41.500000, longitude -87.250000", "Photos", "None"):  # fmt: skip
        assert fact in html, fact
    assert "Deep hole by the school" not in html
    assert "You gave no email address, so this link is the only way" in html
    link = re.search(r'<p class="crm-status-link"><a class="usa-link" href="([^"]+)">', html)
    assert link.group(1).startswith("http://testserver/en/requests/status/")
    assert reference_from_status_token(link.group(1).rstrip("/").rsplit("/", 1)[1]) == (
        case.reference
    )
    assert "data-print" in html
