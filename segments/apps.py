from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    """Citizen segments for outreach. Deliberately not offered to routing, SLA policies,
    priorities or queues (tests/segments/test_segments.py checks that nothing links them)."""

    name = "segments"
    verbose_name = "Citizen segments for outreach"

    def ready(self) -> None:
        from core.audit_presenters import register_audit_vocabulary
        from segments import audit_presenters

        register_audit_vocabulary(audit_presenters.vocabulary)
