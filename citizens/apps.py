from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = "Citizens"

    def ready(self) -> None:
        from citizens import audit_presenters
        from citizens.services import citizens_anonymise
        from citizens.timeline import citizen_record_history, register_timeline_provider
        from core.audit_presenters import register_audit_vocabulary
        from core.retention import register_retention_step

        register_timeline_provider(citizen_record_history)
        # Last: a citizen goes once the cases and feedback about them have gone.
        register_retention_step("citizens", citizens_anonymise)
        register_audit_vocabulary(audit_presenters.vocabulary)
