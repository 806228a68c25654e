"""Browser fixtures live in tests/playwright_fixtures.py (loaded by tests/conftest.py)."""

from tests.playwright_fixtures import WCAG_TAGS, assert_no_axe_violations, screenshot

__all__ = ["WCAG_TAGS", "assert_no_axe_violations", "screenshot"]
