"""Registry of outbox handlers: topic name → function taking the message payload.

Apps register handlers at import time (their `tasks.py`, imported in `AppConfig.ready()`).
A handler must be idempotent: it may run again after a crash between its work and the commit.
"""

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}


def outbox_handler(topic: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        if topic in _handlers and _handlers[topic] is not func:
            raise RuntimeError(f"outbox topic {topic!r} registered twice")
        _handlers[topic] = func
        return func

    return register


def handler_for(topic: str) -> Handler:
    try:
        return _handlers[topic]
    except KeyError:
        raise LookupError(f"no outbox handler registered for topic {topic!r}") from None


def registered_topics() -> list[str]:
    return sorted(_handlers)


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Delay before retry number `attempts` (1 = the first retry): `base`, doubling, at most
    `cap`. The one backoff of both job engines (the outbox and survey delivery)."""
    return min(base * 2 ** max(attempts - 1, 0), cap)
