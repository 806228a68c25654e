from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from agencies.hooks import register_calendar_changed_hook, register_staff_home_panel
        from cases import (
            audit_presenters,
            tasks,  # noqa: F401  (registers the Celery tasks)
        )
        from cases.citizen_services import cases_follow_contact_change
        from cases.home import my_work_panel
        from cases.services import cases_anonymise
        from cases.sla.services import sla_calendar_changed
        from cases.subject_access import case_subject_access
        from cases.timeline import case_timeline
        from citizens.hooks import register_contact_changed_hook
        from citizens.subject_access import register_subject_access_provider
        from citizens.timeline import register_timeline_provider
        from core.audit_presenters import register_audit_vocabulary
        from core.retention import register_retention_step

        register_timeline_provider(case_timeline)
        register_subject_access_provider(case_subject_access)
        register_calendar_changed_hook(sla_calendar_changed)
        register_contact_changed_hook(cases_follow_contact_change)
        register_staff_home_panel(my_work_panel)
        register_retention_step("closed cases", cases_anonymise)
        register_audit_vocabulary(audit_presenters.vocabulary)
