from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Outbox handlers register themselves on import.
        from core import api_schema, tasks  # noqa: F401
