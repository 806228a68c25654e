"""The outbox handler that runs an import, one chunk per message (see citizen_import.services)."""

from __future__ import annotations

from citizen_import import services
from core.outbox import outbox_handler


@outbox_handler(services.CHUNK_TOPIC)
def import_chunk(payload: dict) -> None:
    services.import_run_chunk(import_id=payload["import_id"])
