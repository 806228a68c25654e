from django.apps import AppConfig


class Open311Config(AppConfig):
    """GeoReport v2 for civic apps, above `cases`: its requests are ordinary cases."""

    name = "open311"
    verbose_name = "Open311"

    def ready(self) -> None:
        from core.audit_presenters import register_audit_vocabulary
        from open311 import audit_presenters

        register_audit_vocabulary(audit_presenters.vocabulary)
