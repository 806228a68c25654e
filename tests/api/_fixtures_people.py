"""Helpers of the citizens, feedback and audit API tests (fixtures come from conftest.py)."""

from __future__ import annotations

from typing import Any

from tests.cases.conftest import make_staff


def staff_of(agency, role: str, username: str) -> Any:
    """Another staff member (e.g. the other agency's supervisor or admin)."""
    return make_staff(username, agency, role)


def error_of(response, status: int) -> dict[str, Any]:
    """The API's one error body, checked for shape: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"], body
    return body["error"]
