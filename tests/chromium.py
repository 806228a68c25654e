"""Where the browser tests find Chromium: the one lookup that both `scripts/ensure-chromium`
(before `make test` runs pytest) and the Playwright fixtures use.

    python -m tests.chromium    prints the path and exits 0, or exits 1 when there is none
"""

from __future__ import annotations

import os
import shutil
import sys

# Debian names the binary chromium, Ubuntu and others chromium-browser.
NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    """CHROMIUM_PATH if set (and executable), else the first of NAMES on PATH, else in /usr/bin."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    candidates = [shutil.which(name) for name in NAMES] + [f"/usr/bin/{name}" for name in NAMES]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


if __name__ == "__main__":
    path = chromium_path()
    if path:
        print(path)
    sys.exit(0 if path else 1)
