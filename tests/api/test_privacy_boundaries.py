"""Issue 13's medium and low findings that cross an agency or a role boundary."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import StaffMember
from agencies.services import staff_member_update
from cases.models import Case
from cases.services import case_attach, case_create, case_public_update, case_take
from citizens.services import citizen_create
from core.models import ApiToken, AuditEvent, OutboxMessage
from core.services import api_token_create

CITIZENS = "/api/v1/citizens/"


def _emails() -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(topic="core.email").order_by("id")]


@pytest.fixture
def martin(world):
    return citizen_create(actor=world.agent, first_name="Martin", last_name="Vogel",
                          email="martin@example.org")  # fmt: skip


@pytest.fixture
def martins_case(world, martin):
    case = case_create(category=world.graffiti, description="Tags", channel="phone",
                       citizen=martin, actor=world.agent)  # fmt: skip
    case_take(case=case, actor=world.agent)
    return case


def _patch_email(api_as, user, citizen, email: str):
    client = api_as(user)
    etag = client.get(f"{CITIZENS}{citizen.pk}/")["ETag"]
    return client.patch(f"{CITIZENS}{citizen.pk}/", {"email": email}, format="json",
                        HTTP_IF_MATCH=etag)  # fmt: skip


def test_another_agency_changing_the_shared_email_does_not_redirect_our_case_mail(
    api_as, world, martin, martins_case, client
):
    changed = _patch_email(api_as, world.other_agent, martin, "attacker@example.org")
    assert changed.status_code == 200, changed.content
    before = len(_emails())

    case_public_update(case=martins_case, body="We come on Monday.", actor=world.agent)

    [update] = _emails()[before:]
    assert update["to"] == ["martin@example.org"]
    # The status page does not open with the new address either.
    page = client.post(
        "/en/requests/status/",
        {"reference": martins_case.reference, "email": "attacker@example.org"},
        follow=True,
    )
    assert "We come on Monday." not in page.content.decode()
    ok = client.post(
        "/en/requests/status/",
        {"reference": martins_case.reference, "email": "martin@example.org"},
        follow=True,  # a match redirects to the request's signed status link
    )
    assert "We come on Monday." in ok.content.decode()


def test_the_previous_address_is_told_of_the_change_without_the_new_value(api_as, world, martin):
    before = len(_emails())
    assert _patch_email(api_as, world.other_agent, martin, "new@example.org").status_code == 200
    [notice] = _emails()[before:]
    assert notice["to"] == ["martin@example.org"]
    assert "were changed" in notice["subject"]
    assert "email" in notice["body"] and "new@example.org" not in notice["body"]


def test_our_own_agency_changing_the_email_moves_our_cases_mail(
    api_as, world, martin, martins_case
):
    assert _patch_email(api_as, world.agent, martin, "martin.v@example.org").status_code == 200
    martins_case.refresh_from_db()
    assert martins_case.contact_email == "martin.v@example.org"
    assert AuditEvent.objects.filter(action="case.contact_changed",
                                     object_id=str(martins_case.pk)).count() == 1  # fmt: skip


def test_each_agency_reads_only_its_own_actions_on_a_shared_citizen(api_as, world, martin):
    _patch_email(api_as, world.other_agent, martin, "m2@example.org")
    mine = (
        api_as(world.admin)
        .get("/api/v1/audit/", {"object_type": "citizens.citizen", "object_id": str(martin.pk)})
        .json()
    )
    actions = [(row["action"], row["actor"]) for row in mine["results"]]
    assert ("citizen.created", "alex") in actions
    assert all(actor != "olga" for _action, actor in actions), actions
    theirs = AuditEvent.objects.filter(
        object_type="citizens.citizen", object_id=str(martin.pk), actor_user=world.other_agent
    )
    assert theirs.exists() and {e.agency_id for e in theirs} == {world.other_agency.pk}


# --- tokens and two-step verification --------------------------------------------------------


def test_a_token_stops_working_when_its_owner_is_promoted_and_until_they_enrol(world, settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["supervisor", "admin"]
    token, raw = api_token_create(user=world.agent, name="phone system", actor=world.agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/cases/").status_code == 200

    member = StaffMember.objects.get(user=world.agent)
    staff_member_update(member=member, actor=world.admin, role="supervisor")

    token.refresh_from_db()
    assert token.revoked_at is not None  # issued under the old role
    assert client.get("/api/v1/cases/").status_code == 401
    # A new token of the supervisor works only once they have enrolled an authenticator.
    _new, raw = api_token_create(user=world.agent, name="phone system 2", actor=world.agent)
    fresh = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert fresh.get("/api/v1/cases/").status_code == 401
    TOTPDevice.objects.create(user=world.agent, name="app", confirmed=True)
    assert fresh.get("/api/v1/cases/").status_code == 200
    assert ApiToken.objects.filter(user=world.agent, revoked_at__isnull=True).count() == 1


# --- files and caches --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "downloaded"),
    [
        ("report.pdf.html", b"%PDF-1.4 body", "report.pdf.html.pdf"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0 jpeg", "photo.jpeg"),
        ("notes", b"plain words", "notes.txt"),
        ("x.exe", b"\x89PNG\r\n\x1a\n....", "x.exe.png"),
    ],
)
def test_a_download_is_named_with_the_extension_of_its_detected_type(
    world, new_case, client, settings, tmp_path, name, content, downloaded
):
    settings.MEDIA_ROOT = tmp_path
    attachment = case_attach(case=new_case, upload=SimpleUploadedFile(name, content),
                             actor=world.agent)  # fmt: skip
    client.force_login(world.agent)
    response = client.get(f"/staff/cases/{new_case.reference}/attachments/{attachment.token}/")
    assert response.status_code == 200
    assert f'filename="{downloaded}"' in response["Content-Disposition"]


def test_staff_pages_and_api_answers_are_never_stored(world, new_case, client, api_as):
    client.force_login(world.agent)
    for path in ("/staff/", "/staff/cases/", f"/staff/cases/{new_case.reference}/",
                 "/staff/citizens/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path
    answer = api_as(world.agent).get(f"/api/v1/cases/{new_case.reference}/")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    public = Client().get("/en/")
    assert "no-store" not in public.get("Cache-Control", "")


# --- a match on an unproved email is a suggestion -------------------------------------------------


def test_staff_see_the_suggested_record_and_link_it_themselves(world, client, martin):
    case = case_create(category=world.graffiti, description="Tags", channel="open311",
                       reporter_email="martin@example.org", suggested_citizen=martin)  # fmt: skip
    assert case.citizen is None
    client.force_login(world.agent)
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert f"Record {martin.pk}, Martin Vogel, has the email address this request gave" in page
    response = client.post(f"/staff/cases/{case.reference}/link-citizen/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.citizen == martin and case.suggested_citizen is None
    assert AuditEvent.objects.filter(action="case.citizen_linked", object_id=str(case.pk)).exists()
    # Another agency's agent cannot link (the case is a 404 for them).
    client.force_login(world.other_agent)
    assert client.post(f"/staff/cases/{case.reference}/link-citizen/").status_code == 404


def test_case_keeps_the_email_it_was_opened_with(world, martin):
    case = case_create(category=world.graffiti, description="Tags", channel="phone",
                       citizen=martin)  # fmt: skip
    assert Case.objects.get(pk=case.pk).reporter_email == "martin@example.org"
