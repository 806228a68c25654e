"""Background work of the walk-in queue: none of its own; "you are next" emails go through the
core outbox (core.services.email_enqueue)."""
