"""The one way a lower app lets higher apps take part (DESIGN.md: registries).

A lower app declares a Registry; a higher app adds to it in its AppConfig.ready(); the lower
app calls what was added, in the order it was added, without importing the higher app:

    case_closed_hooks: Registry[CaseClosedHook] = Registry("case closed hooks")
    register_case_closed_hook = case_closed_hooks.register   # the name higher apps call
    ...
    case_closed_hooks.call(case, actor)                       # run every hook
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Callable[..., Any])


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[T] = []

    def register(self, item: T) -> T:
        """Add `item` once (registering again is a no-op); returns it, so it works as a
        decorator."""
        if item not in self._items:
            self._items.append(item)
        return item

    def unregister(self, item: T) -> None:
        if item in self._items:
            self._items.remove(item)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))  # a copy: a hook may (un)register while we iterate

    def __len__(self) -> int:
        return len(self._items)

    def call(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every item with the same arguments; their results, in registration order."""
        return [item(*args, **kwargs) for item in self]

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._items)}>"
