"""The audit trail's words for citizen records (core.audit_presenters): a citizen is named
and linked to the 360° page. Registered in CitizensConfig.ready()."""

from __future__ import annotations

import contextlib
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy

from citizens.models import ConsentSource
from core.audit_presenters import ActionKind, AuditVocabulary, ObjectKind, Ref


def _citizen_url(citizen: Any, viewer: Any) -> str:
    return reverse("citizens:detail", args=[citizen.pk])


def _moved(value: Any) -> str:
    """What a merge moved ("cases.case: 3"), by what those records are called ("cases: 3")."""
    parts = []
    for part in str(value).split(","):
        label, _sep, count = part.strip().rpartition(":")
        with contextlib.suppress(LookupError, ValueError):
            label = str(apps.get_model(label.strip())._meta.verbose_name_plural)
        parts.append(f"{label}: {count.strip()}")
    return ", ".join(parts)


def vocabulary() -> AuditVocabulary:
    return AuditVocabulary(
        actions={
            "citizen.created": gettext_lazy("Citizen record created"),
            "citizen.updated": gettext_lazy("Citizen record changed"),
            "citizen.consent_set": gettext_lazy("Consent changed"),
            "citizen.merged": gettext_lazy("Duplicate record merged into this one"),
            "citizen.anonymised": gettext_lazy("Personal data removed (retention)"),
            "citizen.subject_access_exported": gettext_lazy(
                "Subject access export made (everything held on the person)"
            ),
        },
        fields={
            "consent_source": gettext_lazy("Consent recorded from"),
            "merged_from": gettext_lazy("Merged record"),
            "moved": gettext_lazy("Records moved to this one"),
        },
        values={
            "consent_source": ConsentSource,
            "citizen.merged:merged_from": Ref("citizens.citizen"),
            "citizen.merged:moved": _moved,
        },
        objects={
            "citizens.citizen": ObjectKind(
                noun=gettext_lazy("citizen"),
                label=lambda citizen: citizen.full_name,
                url=_citizen_url,
            ),
        },
        kinds=[
            ActionKind("citizens", gettext_lazy("Citizen records"), ("citizen.*",)),
        ],
    )
