"""README's "try it on your laptop": `.env.laptop.example` as the compose .env gives a server
that works over plain HTTP on http://localhost: pages with their styles, and a staff sign-in
(no HTTPS redirect, no Secure-only cookies a browser would drop on http://)."""

from __future__ import annotations

import re

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from agencies.models import Agency, StaffMember
from tests.deploy import compose
from tests.deploy.conftest import database_overrides, run_check, start_web, write_env_file

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the server process sees the rows
    pytest.mark.xdist_group("deploy-laptop"),  # one server for the module
]
PASSWORD = "laptop-demo-pass-2026"


@pytest.fixture(scope="module")
def laptop(tmp_path_factory, deploy_redis, django_db_setup):
    directory = tmp_path_factory.mktemp("laptop")
    env = compose.container_env(
        "web", write_env_file(directory, ".env.laptop.example"),
        REDIS_URL=deploy_redis.url, **database_overrides(),
    )  # fmt: skip
    web, base = start_web(env, directory / "web.log")
    yield web, base.replace("127.0.0.1", "localhost")
    web.stop()


def test_pages_and_their_styles_over_plain_http(laptop):
    web, base = laptop

    page = requests.get(f"{base}/en/", timeout=30, allow_redirects=False)

    assert page.status_code == 200
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
    assert requests.get(base + stylesheet, timeout=30).status_code == 200
    assert run_check(compose.service("web")["healthcheck"]["test"], web.env).returncode == 0


def test_staff_sign_in_over_plain_http(laptop):
    _, base = laptop
    agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
    user = StaffMember.objects.model.user.field.related_model.objects.create(
        username="agent", password=PBKDF2PasswordHasher().encode(PASSWORD, "laptopsalt")
    )
    StaffMember.objects.create(user=user, agency=agency, role="agent")
    browser = requests.Session()

    form = browser.get(f"{base}/staff/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    signed_in = browser.post(
        f"{base}/staff/login/", timeout=30,
        data={"csrfmiddlewaretoken": token, "username": "agent", "password": PASSWORD},
    )  # fmt: skip

    assert signed_in.status_code == 200, signed_in.text[:500]
    assert signed_in.url == f"{base}/staff/"
    assert not any(cookie.secure for cookie in browser.cookies)
