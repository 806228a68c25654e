from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports and transparency"

    def ready(self) -> None:
        from core.audit_presenters import register_audit_vocabulary
        from reports import audit_presenters

        register_audit_vocabulary(audit_presenters.vocabulary)
