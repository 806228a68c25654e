"""API tokens: shown once, stored hashed, revocable, issued on the staff page or the CLI."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from core.models import ApiToken, AuditEvent
from core.services import api_token_create, api_token_revoke
from tests.cases.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    from agencies.models import Agency

    agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
    return make_staff("alex", agency, "agent")


def _api(raw: str) -> int:
    return APIClient().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_only_the_hash_is_stored_and_the_token_works_until_revoked(agent):
    token, raw = api_token_create(user=agent, name="phone system", actor=agent)

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in [str(value) for value in stored.values()]
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    assert _api(raw) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    assert api_token_revoke(token=token, actor=agent) is True
    assert api_token_revoke(token=token, actor=agent) is False
    assert _api(raw) == 401
    actions = list(
        AuditEvent.objects.filter(object_id=str(token.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]


def test_a_deactivated_users_token_stops_working(agent):
    _token, raw = api_token_create(user=agent, name="cti", actor=None)
    agent.is_active = False
    agent.save()

    assert _api(raw) == 401


def test_the_command_prints_a_working_token_once_and_revokes_it(agent):
    out, err = StringIO(), StringIO()
    call_command("api_token", "create", "alex", "--name", "portal", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert _api(raw) == 200 and "not shown again" in err.getvalue()

    listing = StringIO()
    call_command("api_token", "list", "alex", stdout=listing)
    assert raw[:12] in listing.getvalue() and raw not in listing.getvalue()

    call_command("api_token", "revoke", "alex", raw[:12], stdout=StringIO())
    assert _api(raw) == 401
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nobody")


def test_the_staff_page_shows_a_new_token_once_and_only_ones_own(client, agent):
    other = make_staff("blair", agent.staff_profile.agency, "agent")
    api_token_create(user=other, name="blairs secret integration", actor=other)
    client.force_login(agent)

    created = client.post("/staff/tokens/", {"name": "city app"})
    page = created.content.decode()
    raw = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    again = client.get("/staff/tokens/").content.decode()

    assert _api(raw) == 200
    assert "no-store" in created["Cache-Control"]
    assert raw not in again and "city app" in again
    assert "blairs secret integration" not in again
    assert client.post("/staff/tokens/", {"name": ""}).status_code == 400
