from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self) -> None:
        from agencies.hooks import register_staff_home_panel
        from cases.hooks import register_case_closed_hook, register_case_panel
        from citizens.subject_access import register_subject_access_provider
        from citizens.timeline import register_timeline_provider
        from core.audit_presenters import register_audit_vocabulary
        from core.retention import register_retention_step
        from feedback import audit_presenters, tasks  # noqa: F401  (tasks: the Celery tasks)
        from feedback.hooks import (
            case_closed_survey_hook,
            case_feedback_panel,
            staff_home_feedback_panel,
        )
        from feedback.services import feedback_anonymise
        from feedback.subject_access import feedback_subject_access
        from feedback.timeline import feedback_timeline

        register_case_closed_hook(case_closed_survey_hook)
        register_timeline_provider(feedback_timeline)
        register_subject_access_provider(feedback_subject_access)
        register_case_panel(case_feedback_panel)
        register_staff_home_panel(staff_home_feedback_panel)
        register_retention_step("feedback and survey invitations", feedback_anonymise)
        register_audit_vocabulary(audit_presenters.vocabulary)
