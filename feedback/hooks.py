"""What `feedback` does when a case closes (registered with cases.hooks in ready())."""

from __future__ import annotations

from typing import Any

from cases.models import Case


def case_closed_survey_hook(case: Case, actor: Any) -> None:
    """Runs inside the closing transaction: the invitation commits or rolls back with it."""
    from feedback.survey_services import survey_invite_followers, survey_invite_for_closed_case

    survey_invite_for_closed_case(case=case, actor=actor)
    survey_invite_followers(case=case, actor=actor)


def case_feedback_panel(case: Case, user: Any) -> str:
    """The staff case page's "Feedback and survey" section (only when there is something)."""
    from django.template.loader import render_to_string

    from feedback.selectors import feedback_for_case

    found = feedback_for_case(case, user)
    if not found:
        return ""
    return render_to_string("feedback/_case_feedback.html", {"case": case, "case_feedback": found})


def staff_home_feedback_panel(user: Any) -> str:
    """The staff home's count of new feedback waiting for triage in the agency (a link to it)."""
    from django.template.loader import render_to_string

    from feedback.selectors import feedback_triage

    waiting = feedback_triage(user, status="new").count()
    return render_to_string("feedback/_home_feedback.html", {"waiting": waiting})
