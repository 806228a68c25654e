"""Fixtures shared with the case tests (the two-agency world)."""

from tests.cases.conftest import world  # noqa: F401
