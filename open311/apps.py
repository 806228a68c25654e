from django.apps import AppConfig


class Open311Config(AppConfig):
    """GeoReport v2 for civic apps, above `cases`: its requests are ordinary cases."""

    name = "open311"
    verbose_name = "Open311"
