"""Staff sign-in security: who needs two-factor, TOTP enrolment, and sign-in audit rows.

Lockout after repeated failures is django-axes (settings AXES_*); TOTP devices are django-otp's.
"""

from __future__ import annotations

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.scoping import two_factor_required, user_agency_id
from core.services import audit_record

DEVICE_NAME = "Authenticator app"


def confirmed_totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def two_factor_step(user: Any) -> str | None:
    """What a signed-in but unverified user must do next: "verify", "enrol", or nothing."""
    if confirmed_totp_device(user) is not None:
        return "verify"
    if two_factor_required(user):
        return "enrol"
    return None


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps want it typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_data_uri(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def totp_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a sign-in code (django-otp records the step used, so a code works once)."""
    return bool(device.confirmed and device.verify_token(token))


# --- writers --------------------------------------------------------------------------------


@transaction.atomic
def staff_totp_device_start(*, user: Any) -> TOTPDevice:
    """The unconfirmed device an enrolling user scans; reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        audit_record(action="staff.2fa_enrolment_started", obj=user, actor=user)
    return device


@transaction.atomic
def staff_totp_enrol_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment if the code from the app is right; other unconfirmed devices go."""
    if device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit_record(
        action="staff.2fa_enrolled", obj=device.user, actor=device.user,
        changes={"two_factor": (False, True)},
    )  # fmt: skip
    return True


@transaction.atomic
def staff_totp_reset(*, user: Any, actor: Any) -> int:
    """An administrator removes a member's devices (lost phone); they enrol again at sign-in."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            action="staff.2fa_reset", obj=user, actor=actor, changes={"two_factor": (True, False)}
        )
    return deleted


def on_signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action="staff.signed_in", obj=user, actor=user, agency_id=user_agency_id(user))


def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(
            action="staff.signed_out", obj=user, actor=user, agency_id=user_agency_id(user)
        )
