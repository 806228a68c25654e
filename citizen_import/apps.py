from django.apps import AppConfig


class CitizenImportConfig(AppConfig):
    name = "citizen_import"
    verbose_name = "Citizen import"

    def ready(self) -> None:
        from citizen_import import tasks  # noqa: F401  (registers the outbox handler)
