from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "Walk-in queue"

    def ready(self) -> None:
        from core.audit_presenters import register_audit_vocabulary
        from visits import audit_presenters

        register_audit_vocabulary(audit_presenters.vocabulary)
        from visits import tasks  # noqa: F401  (registers the outbox handlers, if any)
