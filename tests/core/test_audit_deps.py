"""scripts/audit-deps fails on a fixable vulnerability unless allow-listed with a reason and an
unexpired date, and never reports "all clear" when nothing could be audited."""

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit-deps"


@pytest.fixture
def audit(tmp_path, monkeypatch):
    loader = importlib.machinery.SourceFileLoader("audit_deps", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("audit_deps", loader))
    loader.exec_module(module)
    monkeypatch.setattr(module, "ALLOWLIST", tmp_path / "allow.toml")
    module.ALLOWLIST.write_text("")
    monkeypatch.setattr(module, "npm_findings", lambda: [])
    return module


FIXABLE = [("jinja2", "3.1.2", "GHSA-h5c8-rqwp-cp95", ["3.1.3"])]


def test_a_fixable_vulnerability_fails(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit, "python_findings", lambda: FIXABLE)
    assert audit.main() == 1
    assert "FAIL jinja2 3.1.2: GHSA-h5c8-rqwp-cp95, fixed in 3.1.3" in capsys.readouterr().out


def test_allow_listed_until_its_expiry_with_a_reason(audit, monkeypatch):
    monkeypatch.setattr(audit, "python_findings", lambda: FIXABLE)
    entry = 'id = "GHSA-h5c8-rqwp-cp95"\npackage = "jinja2"\nreason = "templates are ours"\n'
    audit.ALLOWLIST.write_text(f"[[allow]]\n{entry}expires = 2999-01-01\n")
    assert audit.main() == 0
    audit.ALLOWLIST.write_text(f"[[allow]]\n{entry}expires = 2020-01-01\n")
    assert audit.main() == 1  # expired: fails again
    audit.ALLOWLIST.write_text('[[allow]]\nid = "GHSA-h5c8-rqwp-cp95"\nexpires = 2999-01-01\n')
    assert audit.main() == 1  # no reason given: refused


def test_nothing_audited_is_said_not_passed_off_as_clean(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit, "python_findings", lambda: None)
    monkeypatch.setattr(audit, "npm_findings", lambda: None)
    assert audit.main() == 0
    assert "nothing could be audited here" in capsys.readouterr().out
