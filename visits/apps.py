from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "Walk-in queue"

    def ready(self) -> None:
        from visits import tasks  # noqa: F401  (registers the outbox handlers, if any)
