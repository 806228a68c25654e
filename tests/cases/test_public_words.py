"""What the citizen reads about their request (cases.presenters): every public event in words,
the statuses in their words, the expected date. Pure functions: no database."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from cases.models import Case, CaseEvent
from cases.presenters import (
    event_public_summary,
    expected_resolution_text,
    photo_count_text,
    public_status_label,
    public_timeline_entry,
)

Kind = CaseEvent.Kind


def status(to: str | None, **data) -> CaseEvent:
    return CaseEvent(kind=Kind.STATUS, data={"to": to, **data} if to else data)


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (CaseEvent(kind=Kind.CREATED, data={"channel": "web"}), "Request received"),
        (status("open", **{"from": "new"}), "Status changed to Open"),
        (status("in_progress"), "Status changed to In progress"),
        (status("waiting_on_citizen"), "Status changed to Waiting for your reply"),
        (status("resolved", resolution_code="resolved"), "Resolved"),
        (status("resolved", resolution_code="no_action"), "Resolved: no action was needed"),
        (status("resolved", resolution_code="duplicate"),
         "Resolved: already reported by someone else"),
        (status("resolved", resolution_code="referred"),
         "Resolved: passed to another organisation"),
        (status("resolved", resolution_code="spam"), "Closed: not a request we can act on"),
        (status("closed"), "Status changed to Closed"),
        (status("open", reopened=True), "Reopened: we are looking at your request again"),
        (status(None), "Status updated"),  # no "to": never "Status changed."
        (CaseEvent(kind=Kind.ATTACHMENT, body="photo.jpg"), "File added to your request"),
        (CaseEvent(kind=Kind.REFERRAL, data={"agency": "Revenue"}),
         "Passed to Revenue, who now deal with your request"),
    ],
)  # fmt: skip
def test_every_public_event_says_what_happened(event, words):
    assert event_public_summary(event) == words


def test_a_public_update_says_who_wrote_it():
    update = CaseEvent(kind=Kind.PUBLIC_UPDATE, body="A crew comes on Tuesday.")

    assert event_public_summary(update, agency_name="Public Works") == "Message from Public Works"
    assert event_public_summary(update) == "Message about your request"
    assert public_timeline_entry(update).text == "A crew comes on Tuesday."


def test_the_resolution_note_is_the_citizens_to_read_but_a_referral_reason_is_not():
    resolved = status("resolved", resolution_code="resolved")
    resolved.body = "Pothole filled."
    referral = CaseEvent(kind=Kind.REFERRAL, body="Not ours", data={"agency": "Revenue"})

    assert public_timeline_entry(resolved).text == "Pothole filled."
    assert public_timeline_entry(referral).text == ""


def test_the_words_are_spanish_in_spanish():
    with translation.override("es"):
        assert event_public_summary(status("in_progress")) == "Estado cambiado a En curso"
        assert event_public_summary(status("resolved", resolution_code="resolved")) == "Resuelta"
        assert public_status_label("waiting_on_citizen") == "Esperando su respuesta"
        assert public_status_label("new") == "Recibida"


def test_every_status_has_citizen_words():
    assert {public_status_label(s) for s in Case.Status.values} == {
        "Received", "Open", "In progress", "Waiting for your reply", "Resolved", "Closed",
    }  # fmt: skip


FRIDAY = date(2026, 12, 11)


@pytest.mark.parametrize(
    ("language", "state", "words"),
    [
        ("en", "due", "Expected by Friday 11 December 2026"),
        ("es", "due", "Prevista para el viernes 11 de diciembre de 2026"),
        ("en", "late", "We expected to finish by Friday 11 December 2026. It is taking longer "
                       "than planned; we are still working on it."),
        ("en", "paused", "Waiting for your reply: the clock is paused until you answer. Then we "
                         "give you a new expected date."),
        ("es", "paused", "Esperando su respuesta: el plazo queda en pausa hasta que responda. "
                         "Después le daremos una nueva fecha prevista."),
        ("en", "", ""),
    ],
)  # fmt: skip
def test_the_expected_date_in_words(language, state, words):
    with translation.override(language):
        assert expected_resolution_text(state, FRIDAY) == words


def test_photos_are_counted_in_words():
    assert [photo_count_text(n) for n in (0, 1, 3)] == ["None", "1 photo", "3 photos"]
    with translation.override("es"):
        assert [photo_count_text(n) for n in (0, 1, 3)] == ["Ninguna", "1 foto", "3 fotos"]
