"""Staff sign-in security: lockout after repeated failures, TOTP enrolment and verification."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, StaffMember
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def _member(username: str, role: str) -> StaffMember:
    agency, _ = Agency.objects.get_or_create(slug="roads", defaults={"name": "Roads Department"})
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    return StaffMember.objects.create(user=user, agency=agency, role=role)


def _sign_in(client, username: str, password: str = PASSWORD, ip: str = "203.0.113.7"):
    return client.post(
        "/staff/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


# --- lockout --------------------------------------------------------------------------------


@pytest.fixture
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_repeated_failures_lock_the_account_from_that_address_even_for_the_right_password(
    client, lockout_on
):
    _member("alex", "agent")
    for _ in range(2):
        assert _sign_in(client, "alex", "wrong").status_code == 200  # form error, not locked

    locked = _sign_in(client, "alex", "wrong")

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert _sign_in(client, "alex").status_code == 429  # right password, still locked
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_address_and_ends_after_the_cooloff(client, lockout_on):
    from axes.models import AccessAttempt

    _member("alex", "agent")
    for _ in range(3):
        _sign_in(client, "alex", "wrong", ip="203.0.113.7")

    other_address = _sign_in(client, "alex", ip="198.51.100.4")
    assert other_address.status_code == 302  # a colleague elsewhere is not locked out
    client.logout()

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _sign_in(client, "alex", ip="203.0.113.7").status_code == 302


def test_lockout_is_off_unless_turned_on(client):
    _member("alex", "agent")
    for _ in range(10):
        _sign_in(client, "alex", "wrong")

    assert _sign_in(client, "alex").status_code == 302


# --- two-factor -----------------------------------------------------------------------------


@pytest.fixture
def two_factor_on(settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["supervisor", "admin"]


def test_supervisor_must_enrol_then_verify_at_every_sign_in(client, two_factor_on):
    _member("sam", "supervisor")

    response = _sign_in(client, "sam")
    home = client.get(response.url)
    assert home.status_code == 302
    assert home.url.startswith("/staff/two-step/enrol/")

    enrol_page = client.get(home.url)
    assert enrol_page.status_code == 200
    device = TOTPDevice.objects.get(user__username="sam", confirmed=False)
    from agencies.security import totp_secret_base32

    assert totp_secret_base32(device) in enrol_page.content.decode()

    wrong = client.post("/staff/two-step/enrol/", {"code": "000000", "next": "/staff/"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302  # still not through
    too_soon = client.post("/staff/two-step/enrol/", {"code": _code(device), "next": "/staff/"})
    assert "Too many wrong codes" in too_soon.content.decode()  # guessing is throttled

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    done = client.post("/staff/two-step/enrol/", {"code": _code(device), "next": "/staff/"})
    assert done.status_code == 302 and done.url == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.2fa_enrolled", object_id=str(device.user_id))

    client.post("/staff/logout/")
    _sign_in(client, "sam")
    gate = client.get("/staff/")
    assert gate.status_code == 302 and gate.url.startswith("/staff/two-step/verify/")
    assert client.get("/admin/").url.startswith("/staff/two-step/verify/")
    assert client.get("/api/v1/cases/").url.startswith("/staff/two-step/verify/")  # session API

    device.refresh_from_db()
    ok = client.post("/staff/two-step/verify/", {"code": _code(device, step_offset=1)})
    assert ok.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_a_used_code_cannot_be_replayed(client, two_factor_on):
    member = _member("sam", "supervisor")
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    code = _code(device)

    _sign_in(client, "sam")
    assert client.post("/staff/two-step/verify/", {"code": code}).status_code == 302
    client.post("/staff/logout/")

    _sign_in(client, "sam")
    replay = client.post("/staff/two-step/verify/", {"code": code})
    assert replay.status_code == 200
    assert "That code is not right" in replay.content.decode()


def test_agents_are_not_asked_for_a_code_unless_they_enrolled(client, two_factor_on):
    _member("alex", "agent")

    _sign_in(client, "alex")

    assert client.get("/staff/").status_code == 200


def test_verify_page_does_not_redirect_off_site(client, two_factor_on):
    member = _member("sam", "supervisor")
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _sign_in(client, "sam")

    response = client.post(
        "/staff/two-step/verify/", {"code": _code(device), "next": "https://evil.example/"}
    )

    assert response.url == "/staff/"


def test_sign_in_and_out_are_audited(client):
    member = _member("alex", "agent")

    _sign_in(client, "alex")
    client.post("/staff/logout/")

    actions = list(
        AuditEvent.objects.filter(object_id=str(member.user_id)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["staff.signed_in", "staff.signed_out"]
    assert AuditEvent.objects.filter(action="staff.signed_in").get().ip_address == "203.0.113.7"
