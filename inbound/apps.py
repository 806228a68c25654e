from django.apps import AppConfig


class InboundConfig(AppConfig):
    """Email into cases: the mail gateway (SMTP), the IMAP poller, and replies onto cases."""

    name = "inbound"
    verbose_name = "Inbound email"

    def ready(self) -> None:
        from core.audit_presenters import register_audit_vocabulary
        from inbound import audit_presenters

        register_audit_vocabulary(audit_presenters.vocabulary)
        from cases.hooks import register_reply_address
        from inbound import tasks  # noqa: F401  (registers the outbox handler)
        from inbound.selectors import reply_address_for

        register_reply_address(reply_address_for)

        from core.retention import register_retention_step
        from inbound.services import inbound_messages_anonymise

        register_retention_step("received emails", inbound_messages_anonymise)
