"""The audit trail's words for reports: case exports and saved queue and dashboard views
(core.audit_presenters), registered in ReportsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from core.audit_presenters import HIDDEN, TEXT, AuditVocabulary, ObjectKind, Ref


def _saved_view_url(view: Any, viewer: Any) -> str | None:
    if view.owner_id != getattr(viewer, "pk", None):
        return None
    return reverse("saved_views:edit", args=[view.pk])


def vocabulary() -> AuditVocabulary:
    from reports.models import SavedView

    return AuditVocabulary(
        actions={
            "savedview.created": gettext_lazy("Saved view “%(name)s” created"),
            "savedview.renamed": gettext_lazy("Saved view renamed to “%(name)s”"),
            "savedview.shared": gettext_lazy("Saved view shared with the team %(team)s"),
            "savedview.unshared": gettext_lazy("Saved view no longer shared"),
            "savedview.deleted": gettext_lazy("Saved view “%(name_before)s” deleted"),
        },
        fields={
            "reports.savedview:name": gettext_lazy("Name"),
            "reports.savedview:kind": gettext_lazy("Page"),
            "reports.savedview:query": gettext_lazy("Filters and order"),
            "reports.savedview:team": gettext_lazy("Shared with the team"),
        },
        values={
            "reports.savedview:kind": SavedView.Kind,
            "reports.savedview:team": Ref("agencies.team"),
            "reports.savedview:query": TEXT,
            "savedview.deleted:name": HIDDEN,
        },
        objects={
            "reports.savedview": ObjectKind(noun=gettext_lazy("saved view"), url=_saved_view_url),
        },
    )
