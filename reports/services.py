"""Writes of `reports`: the audit record of a case export (the figures are derived data,
kept by reports.figures, not audited) and people's saved queue and dashboard views."""

from __future__ import annotations

from typing import Any

from core.services import audit_record


def cases_export_record(*, actor: Any, agency: Any, query: str) -> None:
    """Record that `actor` exported the cases of `agency` matching `query` (GET parameters)."""
    audit_record(
        action="cases.exported", obj=agency, actor=actor, agency_id=agency.pk,
        changes={"filters": (None, query)},
    )  # fmt: skip


# --- saved views (queues and dashboards) ---------------------------------------------------

SAVED_VIEWS_PER_PERSON = 20


class SavedViewError(ValueError):
    """A saved view that cannot be written as asked (the message says why, in words)."""

    def __init__(self, message: Any, field: str = "name") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _check_name(*, owner: Any, kind: str, name: str, exclude: int | None = None) -> str:
    from django.utils.translation import gettext as _

    from reports.models import SavedView

    name = " ".join((name or "").split())
    if not name:
        raise SavedViewError(_("Give the view a name."))
    if len(name) > 80:
        raise SavedViewError(_("Keep the name to 80 characters or fewer."))
    same = SavedView.objects.filter(owner=owner, kind=kind, name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise SavedViewError(_("You already have a view called “%(name)s”.") % {"name": name})
    return name


def _check_team(owner: Any, agency: Any, team: Any) -> None:
    from django.utils.translation import gettext as _

    from agencies.selectors import staff_team_ids

    if team is not None and (team.agency_id != agency.pk or team.pk not in staff_team_ids(owner)):
        raise SavedViewError(_("You can share a view only with a team you are in."), "team")


def saved_view_create(*, owner: Any, agency: Any, kind: str, name: str, query: str,
                      team: Any = None) -> Any:  # fmt: skip
    """Save `query` (already cleaned: reports.selectors.clean_view_query) under `name`."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from reports.models import SavedView

    name = _check_name(owner=owner, kind=kind, name=name)
    _check_team(owner, agency, team)
    with transaction.atomic():
        count = SavedView.objects.select_for_update().filter(owner=owner, kind=kind).count()
        if count >= SAVED_VIEWS_PER_PERSON:
            raise SavedViewError(
                _(
                    "You have %(limit)s saved views of this kind, the most one person may keep. "
                    "Delete one you no longer use, then save again."
                )
                % {"limit": SAVED_VIEWS_PER_PERSON}
            )
        view = SavedView.objects.create(owner=owner, agency=agency, kind=kind, name=name,
                                        query=query, team=team)  # fmt: skip
        audit_record(
            action="savedview.created", obj=view, actor=owner, agency_id=agency.pk,
            changes={"name": (None, name), "kind": (None, kind), "query": (None, query),
                     "team": (None, getattr(team, "pk", None))},
        )  # fmt: skip
    return view


def saved_view_update(*, view: Any, actor: Any, name: str, team: Any = None) -> Any:
    """Rename a saved view and share it with one of the owner's teams (or stop sharing)."""
    from django.db import transaction

    name = _check_name(owner=view.owner, kind=view.kind, name=name, exclude=view.pk)
    _check_team(view.owner, view.agency, team)
    changes: dict[str, tuple[Any, Any]] = {}
    if name != view.name:
        changes["name"] = (view.name, name)
    if getattr(team, "pk", None) != view.team_id:
        changes["team"] = (view.team_id, getattr(team, "pk", None))
    if not changes:
        return view
    with transaction.atomic():
        view.name, view.team = name, team
        view.save(update_fields=["name", "team", "updated_at"])
        if "team" in changes:
            action = "savedview.shared" if team is not None else "savedview.unshared"
        else:
            action = "savedview.renamed"
        audit_record(action=action, obj=view, actor=actor, agency_id=view.agency_id,
                     changes=changes)  # fmt: skip
    return view


def saved_view_delete(*, view: Any, actor: Any) -> None:
    from django.db import transaction

    with transaction.atomic():
        audit_record(action="savedview.deleted", obj=view, actor=actor, agency_id=view.agency_id,
                     changes={"name": (view.name, None)})  # fmt: skip
        view.delete()
