"""The audit trail's words for received email (core.audit_presenters), registered in ready()."""

from django.utils.translation import gettext_lazy

from core.audit_presenters import AuditVocabulary


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "inbound.received": gettext_lazy("Email received"),
            "inbound.ignored": gettext_lazy(
                "Email set aside (automatic mail, over a limit, or not for us)"
            ),
            "inbound.requeued": gettext_lazy("Email put back to be processed again"),
            "inbound.anonymised": gettext_lazy(
                "Old received emails emptied by the retention policy"
            ),
        }
    )
