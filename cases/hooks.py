"""Registry that lets higher apps take part when a case closes (DESIGN.md: registries).

Hooks run synchronously inside the closing transaction, so what they record (a survey
invitation, say) commits or rolls back together with the closure: nothing is lost in between.
`feedback` registers its hook in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.registry import Registry

if TYPE_CHECKING:
    from cases.models import Case

CaseClosedHook = Callable[["Case", Any], None]  # (case, actor)
case_closed_hooks: Registry[CaseClosedHook] = Registry("case closed hooks")
register_case_closed_hook = case_closed_hooks.register
unregister_case_closed_hook = case_closed_hooks.unregister


def run_case_closed_hooks(case: Case, actor: Any) -> None:
    case_closed_hooks.call(case, actor)


# --- panels on the staff case page ------------------------------------------------------------
# A higher app shows what it holds about a case (feedback, survey answers) without `cases`
# importing it: a panel renders to HTML for (case, user), or to "" when it has nothing to say.

CasePanel = Callable[["Case", Any], str]
case_panels: Registry[CasePanel] = Registry("case page panels")
register_case_panel = case_panels.register


def render_case_panels(case: Case, user: Any) -> list[str]:
    return [html for html in case_panels.call(case, user) if html]


# --- the reply-to address of citizen emails ----------------------------------------------------
# A higher app that receives email (inbound) gives the address a citizen's reply should go to,
# so the reply comes back onto the case; None when it has none for this case.

ReplyAddress = Callable[["Case"], "str | None"]
reply_address_providers: Registry[ReplyAddress] = Registry("citizen email reply-to addresses")
register_reply_address = reply_address_providers.register


def reply_address_for(case: Case) -> str | None:
    return next((address for address in reply_address_providers.call(case) if address), None)
