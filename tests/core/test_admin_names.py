"""The admin's sections read as a service manager says them, not as libraries name them."""

import pytest
from django.contrib.auth import get_user_model

from tests.agencies.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def test_third_party_sections_have_names_a_service_manager_understands():
    root = get_user_model().objects.create_superuser(username="root", password="pw-0123456789")
    html = signed_in_client(root).get("/admin/").content.decode()

    names = ["Sign-in lockouts", "Failed sign-ins and lockouts", "Two-step verification",
             "Authenticator apps", "App keys (Open311)", "Services and SLAs",
             "User accounts"]  # fmt: skip
    for name in names:
        assert name in html
    for technical in ("Axes", "Otp_Totp", "TOTP devices", "Open311 clients", "Access attempts"):
        assert technical not in html


def test_the_names_make_no_migration():
    """They are display names: a library's models keep the Meta its migrations know."""
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 on a change
