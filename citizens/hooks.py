"""Registry that lets higher apps react when a citizen's contact details change.

`citizens` cannot import `cases`, yet a case keeps the email it was opened with and follows a
change only when the case's own agency makes it. `citizen_update` calls the hooks inside its
transaction with the editing staff member's agency; `cases` registers its hook in
AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.registry import Registry

if TYPE_CHECKING:
    from citizens.models import Citizen

# (citizen, agency_id of the editor or None, {field: (before, after)}, actor)
ContactChangedHook = Callable[["Citizen", int | None, dict[str, tuple[Any, Any]], Any], None]
contact_changed_hooks: Registry[ContactChangedHook] = Registry("contact changed hooks")
register_contact_changed_hook = contact_changed_hooks.register


def run_contact_changed_hooks(
    citizen: Citizen, agency_id: int | None, changes: dict[str, tuple[Any, Any]], actor: Any
) -> None:
    contact_changed_hooks.call(citizen, agency_id, changes, actor)
