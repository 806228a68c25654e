"""Saved queue and dashboard views: save the filters of the page under a name, open, rename,
share read-only with one's team, delete. Mounted at /staff/saved-views/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import UswdsForm
from core.permissions import staff_required
from reports import selectors, services
from reports.models import SavedView


class SavedViewForm(UswdsForm):
    name = forms.CharField(label=gettext_lazy("Name of the view"), max_length=80)
    team = forms.TypedChoiceField(
        label=gettext_lazy("Who can open it"), required=False, coerce=int, empty_value=None,
        help_text=gettext_lazy("Shared with a team you are in: its members can open it; only "
                               "you can rename or delete it."),
    )  # fmt: skip

    def __init__(self, *args, owner, teams=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {t.pk: t for t in (teams if teams is not None else own_teams(owner))}
        self.fields["team"].choices = [("", _("Only me"))] + [
            (pk, _("Me and the %(team)s team") % {"team": team.name})
            for pk, team in sorted(self.teams.items(), key=lambda x: x[1].name)
        ]

    def chosen_team(self):
        return self.teams.get(self.cleaned_data.get("team"))


def own_teams(user) -> list:
    """The teams a staff member is in (one query)."""
    from agencies.models import Team

    return list(Team.objects.filter(members__user=user).order_by("name"))


def _kind(value: str | None) -> str:
    return value if value in SavedView.Kind.values else SavedView.Kind.QUEUE


def _list_url(kind: str) -> str:
    return f"{reverse('saved_views:list')}?kind={kind}"


@require_GET
@staff_required()
def saved_view_list(request: HttpRequest) -> HttpResponse:
    kind = _kind(request.GET.get("kind"))
    views = selectors.saved_views_visible(request.user, kind)
    return render(request, "reports/saved_views.html", {
        "kind": kind, "kind_label": SavedView.Kind(kind).label,
        "own": [v for v in views if v.owner_id == request.user.pk],
        "shared": [v for v in views if v.owner_id != request.user.pk],
        "limit": services.SAVED_VIEWS_PER_PERSON,
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@staff_required()
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the filters the page was showing (`query`) under a name; back to the saved view."""
    from agencies.selectors import staff_agency

    agency = staff_agency(request.user)
    if agency is None:
        raise Http404(_("No agency."))
    data = request.POST if request.method == "POST" else None
    source = request.POST if request.method == "POST" else request.GET
    kind = _kind(source.get("kind"))
    query = selectors.clean_view_query(kind, source.get("query", ""))
    form = SavedViewForm(data, owner=request.user)
    if form.is_valid():
        try:
            view = services.saved_view_create(
                owner=request.user, agency=agency, kind=kind,
                name=form.cleaned_data["name"], query=query, team=form.chosen_team(),
            )  # fmt: skip
        except services.SavedViewError as error:
            form.add_error(error.field, str(error.message))
        else:
            messages.success(request, _("View saved: %(name)s.") % {"name": view.name})
            return redirect(selectors.saved_view_url(view))
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/saved_view_form.html", {
        "form": form, "kind": kind, "query": query, "view": None,
        "back_url": f"{reverse('reports:dashboard' if kind == 'dashboard' else 'cases:queue')}"
                    f"?{query}",
    }, status=status)  # fmt: skip


@require_GET
@staff_required()
def saved_view_open(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(selectors.saved_view_url(selectors.saved_view_for(request.user, pk)))


@require_http_methods(["GET", "POST"])
@staff_required()
def saved_view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a view of one's own, share it with one's team or stop sharing it."""
    view = selectors.saved_view_for(request.user, pk, owned=True)
    if request.method == "POST":
        form = SavedViewForm(request.POST, owner=request.user)
        if form.is_valid():
            try:
                services.saved_view_update(view=view, actor=request.user,
                                           name=form.cleaned_data["name"],
                                           team=form.chosen_team())  # fmt: skip
            except services.SavedViewError as error:
                form.add_error(error.field, str(error.message))
            else:
                messages.success(request, _("View updated: %(name)s.") % {"name": view.name})
                return redirect(_list_url(view.kind))
        status = 400
    else:
        form = SavedViewForm(initial={"name": view.name, "team": view.team_id}, owner=request.user)
        status = 200
    return render(request, "reports/saved_view_form.html", {
        "form": form, "kind": view.kind, "query": view.query, "view": view,
        "back_url": _list_url(view.kind),
    }, status=status)  # fmt: skip


@require_POST
@staff_required()
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.saved_view_for(request.user, pk, owned=True)
    kind, name = view.kind, view.name
    services.saved_view_delete(view=view, actor=request.user)
    messages.success(request, _("View deleted: %(name)s.") % {"name": name})
    return redirect(_list_url(kind))


def saved_views_context(request: HttpRequest, kind: str) -> dict:
    """What a queue or dashboard page needs to list saved views and offer "Save this view"."""
    from agencies.selectors import staff_agency

    if staff_agency(request.user) is None:  # a deployment superuser without an agency
        return {}
    query = selectors.clean_view_query(kind, request.GET.urlencode())
    teams = own_teams(request.user)
    views = selectors.saved_views_visible(request.user, kind, team_ids=[t.pk for t in teams])
    current = next((v for v in views if v.query == query), None)
    return {"saved_views": views, "saved_query": query, "saved_kind": kind,
            "saved_current": current,
            "saved_form": SavedViewForm(owner=request.user, teams=teams,
                                        auto_id="save-view-%s")}  # fmt: skip
