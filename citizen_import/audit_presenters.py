"""The audit trail's words for citizen imports (core.audit_presenters), registered in ready()."""

from django.utils.translation import gettext_lazy

from core.audit_presenters import AuditVocabulary


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "citizen_import.uploaded": gettext_lazy("Citizen file uploaded for import"),
            "citizen_import.mapped": gettext_lazy("Columns of the citizen file matched to fields"),
            "citizen_import.started": gettext_lazy("Citizen import started"),
            "citizen_import.chunk": gettext_lazy("Part of the citizen file imported"),
            "citizen_import.finished": gettext_lazy("Citizen import finished"),
        }
    )
