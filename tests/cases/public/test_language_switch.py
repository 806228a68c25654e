"""The public header's language switcher keeps the person on the same page with the same
request: the signed status link, the confirmation, the form's step, the service search."""

from __future__ import annotations

import re

import pytest

from cases.links import status_token, unsubscribe_token
from cases.services import case_create


def _switch_to(html: str, language: str = "es") -> str:
    links = re.findall(rf'<a class="usa-button" href="([^"]*)" lang="{language}"', html)
    assert len(links) == 1, links
    return links[0].replace("&amp;", "&")


@pytest.fixture
def case(world):
    return case_create(category=world.pothole, description="Hole", channel="web",
                       attributes={"size": "large"})  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/requests/new/",
        "/en/requests/new/?q=pot+hole",
        "/en/requests/new/pw/pothole/",
        "/en/requests/status/",
    ],
)
def test_the_switcher_keeps_the_page_and_its_query(client, world, path):
    html = client.get(path).content.decode()

    assert _switch_to(html) == path.replace("/en/", "/es/", 1)


def test_the_switcher_keeps_the_request_on_its_status_confirmation_and_unsubscribe_pages(
    client, case
):
    for path in (
        f"/en/requests/status/{status_token(case.reference)}/",
        f"/en/requests/new/done/{status_token(case.reference)}/",
        f"/en/requests/unsubscribe/{unsubscribe_token(case.reference)}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path

        spanish = _switch_to(response.content.decode())

        assert spanish == path.replace("/en/", "/es/", 1)
        page = client.get(spanish).content.decode()
        assert case.reference in page and '<html lang="es">' in page
        assert _switch_to(page, "en") == path


def test_after_a_lookup_the_switcher_keeps_the_request(client, world):
    case = case_create(category=world.graffiti, description="Tags", channel="web",
                       reporter_email="resident@example.org")  # fmt: skip

    page = client.post(
        "/en/requests/status/",
        {"reference": case.reference, "email": "resident@example.org"},
        follow=True,
    )  # fmt: skip

    spanish = client.get(_switch_to(page.content.decode()))
    assert f"Solicitud {case.reference}" in spanish.content.decode()
