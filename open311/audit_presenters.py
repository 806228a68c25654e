"""The audit trail's words for Open311 client keys and the requests civic apps send
(core.audit_presenters). Registered in Open311Config.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.audit_presenters import ActionKind, AuditVocabulary, ObjectKind


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "open311.update_posted": gettext_lazy("Comment received from the app %(client)s"),
            "open311.request_created": gettext_lazy("Case received from the app %(client)s"),
            "open311_client.created": gettext_lazy("Open311 client key created"),
            "open311_client.revoked": gettext_lazy("Open311 client key revoked"),
        },
        fields={
            "client": gettext_lazy("App"),
            "key_prefix": gettext_lazy("Key starts with"),
            "media_url": gettext_lazy("Photo or video link"),
            "device_id": gettext_lazy("Device"),
            "account_id": gettext_lazy("Account in the app"),
        },
        objects={
            "open311.open311client": ObjectKind(noun=gettext_lazy("Open311 client key")),
        },
        actors={"system:manage.py open311_key": gettext_lazy("Command line (open311_key)")},
        kinds=[
            ActionKind("open311", gettext_lazy("Open311 client keys"), ("open311_client.*",)),
        ],
    )
