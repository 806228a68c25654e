from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        # Outbox handlers register themselves on import.
        from core import api_schema, metrics, tasks  # noqa: F401

        metrics.register()
