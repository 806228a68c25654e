"""`make test` checks for a Chromium before pytest (scripts/ensure-chromium) and the browser
fixtures launch one: both find it the same way (tests/chromium.py)."""

import os
import subprocess
from pathlib import Path

from tests.chromium import chromium_path

ROOT = Path(__file__).resolve().parents[2]


def _ensure(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "ensure-chromium")],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_chromium_browser_on_path_passes_the_check_and_is_what_the_fixtures_launch(
    tmp_path, monkeypatch
):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    browser = bin_dir / "chromium-browser"  # Ubuntu's name for it
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)

    check = _ensure({"PATH": str(bin_dir)})

    assert check.returncode == 0, check.stderr
    assert chromium_path() == str(browser)


def test_a_chromium_path_that_is_not_there_fails_the_check_and_says_so():
    env = {"PATH": os.environ["PATH"], "CHROMIUM_PATH": "/nowhere/chromium"}

    check = _ensure(env)

    assert check.returncode == 1
    assert "CHROMIUM_PATH=/nowhere/chromium is not an executable file" in check.stderr
