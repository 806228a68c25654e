from django.apps import AppConfig


class CitizenImportConfig(AppConfig):
    name = "citizen_import"
    verbose_name = "Citizen import"

    def ready(self) -> None:
        from citizen_import import audit_presenters
        from core.audit_presenters import register_audit_vocabulary

        register_audit_vocabulary(audit_presenters.vocabulary)
        from citizen_import import tasks  # noqa: F401  (registers the outbox handler)
