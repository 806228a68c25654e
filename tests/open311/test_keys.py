"""Open311 API keys: the management command and the admin; stored hashed, shown once, audited."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import Case
from core.models import AuditEvent
from open311.models import Open311Client
from tests.agencies.conftest import signed_in_client
from tests.open311.conftest import url


def run(*args: str) -> str:
    out = StringIO()
    call_command("open311_key", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def post_request(api, key: str):
    return api.post(url("requests.json"), {
        "api_key": key, "jurisdiction_id": "pw", "service_code": "graffiti",
        "address_string": "1 Elm St", "description": "Tags",
    })  # fmt: skip


def test_command_creates_a_key_that_works_and_revokes_it(o311, api):
    key = run("create", "FixMyStreet", "--agency", "pw")
    client = Open311Client.objects.get(name="FixMyStreet")
    assert client.agency == o311.agency and client.active
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(client.key_prefix) and key not in client.key_prefix
    assert AuditEvent.objects.filter(action="open311_client.created",
                                     object_id=str(client.pk)).exists()  # fmt: skip
    assert post_request(api, key).status_code == 200
    assert Case.objects.get().channel == "open311"

    assert "Revoked" in run("revoke", "FixMyStreet")
    client.refresh_from_db()
    assert not client.active and client.revoked_at is not None
    assert AuditEvent.objects.filter(action="open311_client.revoked",
                                     object_id=str(client.pk)).count() == 1  # fmt: skip
    assert post_request(api, key).status_code == 403
    assert "already revoked" in run("revoke", "FixMyStreet")  # nothing more written
    assert AuditEvent.objects.filter(action="open311_client.revoked").count() == 1


def test_command_lists_clients_without_their_keys(o311):
    listing = run("list")
    assert "City app" in listing and o311.key not in listing


def test_command_refuses_unclear_or_duplicate_input(o311):
    with pytest.raises(CommandError, match="--agency"):
        run("create", "Another")  # two agencies: which one?
    with pytest.raises(CommandError, match="No agency"):
        run("create", "Another", "--agency", "nowhere")
    with pytest.raises(CommandError):
        run("create", "City app", "--agency", "pw")  # the name is taken
    with pytest.raises(CommandError, match="No Open311 client"):
        run("revoke", "Nobody")


@pytest.fixture
def admin_client(o311):
    """A deployment superuser signed in with a verified second factor (the admin needs one)."""
    user = get_user_model().objects.create_superuser(username="root", password="pw-0123456789")
    return signed_in_client(user)


def test_admin_creates_a_key_shown_once_and_stores_only_its_hash(o311, admin_client):
    client = admin_client
    response = client.post(
        reverse("admin:open311_open311client_add"), {"name": "Kiosk", "agency": o311.agency.pk}
    )
    assert response.status_code == 302
    kiosk = Open311Client.objects.get(name="Kiosk")
    [message] = [str(m) for m in get_messages(response.wsgi_request) if "API key" in str(m)]
    key = next(word for word in message.split() if word.startswith("o311_"))
    assert kiosk.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert AuditEvent.objects.filter(action="open311_client.created",
                                     object_id=str(kiosk.pk)).exists()  # fmt: skip
    assert key in client.get(response.url).content.decode()  # the page after saving shows it
    page = client.get(reverse("admin:open311_open311client_change", args=[kiosk.pk]))
    assert page.status_code == 200
    assert key not in page.content.decode() and kiosk.key_hash not in page.content.decode()
    listing = client.get(reverse("admin:open311_open311client_changelist"))
    assert key not in listing.content.decode()


def test_admin_action_revokes_keys(o311, admin_client):
    client = admin_client
    response = client.post(
        reverse("admin:open311_open311client_changelist"),
        {"action": "revoke_keys", "_selected_action": [o311.client.pk]},
    )
    assert response.status_code == 302
    o311.client.refresh_from_db()
    assert not o311.client.active
    assert AuditEvent.objects.filter(action="open311_client.revoked").count() == 1


def test_agency_admins_manage_only_their_own_agencys_keys(o311):
    from agencies.services import staff_member_create

    user = get_user_model().objects.create_user(username="ada", password="pw-0123456789")
    staff_member_create(user=user, agency=o311.agency, role="admin", actor=None)
    client = signed_in_client(user)
    other = Open311Client.objects.get(agency=o311.other_agency)

    listing = client.get(reverse("admin:open311_open311client_changelist")).content.decode()
    assert "City app" in listing and "Revenue app" not in listing
    assert (
        client.get(reverse("admin:open311_open311client_change", args=[other.pk])).status_code
        == 404
    )
    # The agency is not asked for: a new key is always for the admin's own agency.
    response = client.post(reverse("admin:open311_open311client_add"), {"name": "Kiosk"})
    assert response.status_code == 302
    assert Open311Client.objects.get(name="Kiosk").agency == o311.agency
    # Revoking another agency's key through the action does nothing.
    client.post(
        reverse("admin:open311_open311client_changelist"),
        {"action": "revoke_keys", "_selected_action": [other.pk]},
    )
    other.refresh_from_db()
    assert other.active
