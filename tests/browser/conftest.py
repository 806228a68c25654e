"""Browser tests: the helpers of tests/playwright_fixtures.py, importable from here."""

from tests.playwright_fixtures import (
    WCAG_TAGS,
    assert_no_axe_violations,
    screenshot,
    sign_in,
    tab_to,
)

__all__ = ["WCAG_TAGS", "assert_no_axe_violations", "screenshot", "sign_in", "tab_to"]
