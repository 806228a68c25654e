"""The audit trail's words for outreach segments (core.audit_presenters), registered in ready()."""

from django.utils.translation import gettext_lazy

from core.audit_presenters import AuditVocabulary


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "segment.created": gettext_lazy("Segment created"),
            "segment.updated": gettext_lazy("Segment changed"),
            "segment.outreach_sent": gettext_lazy("Outreach email sent to the segment"),
            "segment.survey_campaign": gettext_lazy("Survey campaign sent to the segment"),
        }
    )
