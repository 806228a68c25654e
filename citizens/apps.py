from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = "Citizens"

    def ready(self) -> None:
        from citizens.timeline import citizen_record_history, register_timeline_provider

        register_timeline_provider(citizen_record_history)
