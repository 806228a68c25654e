"""What `feedback` does when a case closes (registered with cases.hooks in ready())."""

from __future__ import annotations

from typing import Any

from cases.models import Case


def case_closed_survey_hook(case: Case, actor: Any) -> None:
    """Runs inside the closing transaction: the invitation commits or rolls back with it."""
    from feedback.services import survey_invite_for_closed_case

    survey_invite_for_closed_case(case=case, actor=actor)
