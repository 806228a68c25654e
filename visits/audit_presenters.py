"""The audit trail's words for the walk-in queue (core.audit_presenters), registered in ready()."""

from django.utils.translation import gettext_lazy

from core.audit_presenters import AuditVocabulary


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "visit.checked_in": gettext_lazy("Checked in at the office"),
            "visit.called": gettext_lazy("Called to a desk"),
            "visit.serving": gettext_lazy("Being served"),
            "visit.done": gettext_lazy("Served: the visit is over"),
            "visit.no_show": gettext_lazy("Did not come when called"),
            "visit.recall": gettext_lazy("Called again"),
            "visit.told_next": gettext_lazy("Told by email that they are next"),
            "visit.transferred": gettext_lazy("Sent to another desk or service"),
            "visit.case_opened": gettext_lazy("A case was opened from the visit"),
        }
    )
