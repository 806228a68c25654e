"""1,000 automated posts to the public request form from one address: beyond the limit they
get 429 and store nothing, honeypot posts store nothing at all, and a citizen at another
address is served normally throughout. Run with `make chaos`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cases.models import Case
from tests.cases import conftest as case_fixtures
from tests.cases.public import test_request as public_request

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
world = case_fixtures.world
streetlight = public_request.streetlight

POSTS = 1000
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "form-flood.json"


def test_a_thousand_automated_posts_store_nothing_beyond_the_limit(client, settings, streetlight):
    settings.RATELIMIT_ENABLED = True  # accepted posts and honeypot hits count
    settings.RATELIMIT_PUBLIC_FORMS = 10
    url, bot = public_request._url(streetlight), public_request._ip()

    answers: Counter[int] = Counter()
    for n in range(POSTS):
        data = public_request._valid(contact_email=f"bot{n}@example.org")
        if n % 2:
            data["website"] = "http://spam.example"  # what form-filling bots do
        answers[public_request._post(client, url, data, bot).status_code] += 1
    stored_from_bot = Case.objects.filter(reporter_email__startswith="bot").count()
    citizen = public_request._post(client, url, public_request._valid(), public_request._ip())

    figures = {"posts": POSTS, "answers": dict(answers), "stored": stored_from_bot}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2))
    print("form flood:", figures)
    assert answers[429] == POSTS - settings.RATELIMIT_PUBLIC_FORMS
    assert stored_from_bot == settings.RATELIMIT_PUBLIC_FORMS // 2  # the honeypot half: none
    assert citizen.status_code == 302
    assert Case.objects.exclude(reporter_email__startswith="bot").count() == 1
