from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases import tasks  # noqa: F401  (registers the Celery tasks)
        from cases.timeline import case_timeline
        from citizens.timeline import register_timeline_provider

        register_timeline_provider(case_timeline)
