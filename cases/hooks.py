"""Registry that lets higher apps take part when a case closes (DESIGN.md: registries).

Hooks run synchronously inside the closing transaction, so what they record (a survey
invitation, say) commits or rolls back together with the closure: nothing is lost in between.
`feedback` registers its hook in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cases.models import Case

CaseClosedHook = Callable[["Case", Any], None]  # (case, actor)
_case_closed_hooks: list[CaseClosedHook] = []


def register_case_closed_hook(hook: CaseClosedHook) -> CaseClosedHook:
    if hook not in _case_closed_hooks:
        _case_closed_hooks.append(hook)
    return hook


def run_case_closed_hooks(case: Case, actor: Any) -> None:
    for hook in list(_case_closed_hooks):
        hook(case, actor)


def unregister_case_closed_hook(hook: CaseClosedHook) -> None:
    if hook in _case_closed_hooks:
        _case_closed_hooks.remove(hook)


# --- panels on the staff case page ------------------------------------------------------------
# A higher app shows what it holds about a case (feedback, survey answers) without `cases`
# importing it: a panel renders to HTML for (case, user), or to "" when it has nothing to say.

CasePanel = Callable[["Case", Any], str]
_case_panels: list[CasePanel] = []


def register_case_panel(panel: CasePanel) -> CasePanel:
    if panel not in _case_panels:
        _case_panels.append(panel)
    return panel


def render_case_panels(case: Case, user: Any) -> list[str]:
    return [html for html in (panel(case, user) for panel in list(_case_panels)) if html]
