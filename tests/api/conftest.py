"""REST API tests: the case world of tests/cases, and clients that carry an API token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.services import api_token_create
from tests.cases.conftest import clock, new_case, world  # noqa: F401  (shared fixtures)


@pytest.fixture
def api_as():
    """api_as(user) → an APIClient sending that user's fresh Bearer token."""

    def make(user) -> APIClient:
        _token, raw = api_token_create(user=user, name="test", actor=None)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
