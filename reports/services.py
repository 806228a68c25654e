"""Writes of `reports`: the audit record of a case export (the figures are derived data,
kept by reports.figures, not audited)."""

from __future__ import annotations

from typing import Any

from core.services import audit_record


def cases_export_record(*, actor: Any, agency: Any, query: str) -> None:
    """Record that `actor` exported the cases of `agency` matching `query` (GET parameters)."""
    audit_record(
        action="cases.exported", obj=agency, actor=actor, agency_id=agency.pk,
        changes={"filters": (None, query)},
    )  # fmt: skip
