"""An agency admin's admin screens name no other agency's object (issue 13): not in a list
filter (e.g. "by owning team"), not in a choice of an add or change form.

Every registered admin the agency admin may open is checked, with the demo's two agencies:
the names of the other agency's objects (of every model that declares `agency_scope`) must not
be among the filter choices of its changelist, nor among the options of its forms' selects.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from core.admin_scoping import agency_id_of
from core.scoping import SHARED
from tests.agencies.conftest import signed_in_client
from tests.browser_form import parse_form
from tests.test_admin_save_sweep import _agency_admin, _demo_world, _one_of_each

pytestmark = pytest.mark.django_db


def _names_by_agency() -> dict[int, set[str]]:
    """str() of every agency-owned object (and staff user), per owning agency id."""
    names: dict[int, set[str]] = {}
    for model in apps.get_models():
        if getattr(model, "agency_scope", None) in (None, SHARED):
            continue
        for obj in model._default_manager.all()[:500]:
            agency_id = agency_id_of(obj)
            if agency_id is not None:
                names.setdefault(agency_id, set()).add(str(obj))
    for user in get_user_model().objects.filter(staff_profile__isnull=False):
        names.setdefault(user.staff_profile.agency_id, set()).add(str(user))
    return names


@pytest.fixture
def foreign_names() -> tuple[object, set[str]]:
    """The agency admin of the demo's Public Works, and names only Revenue's objects have."""
    _demo_world()
    user = _agency_admin()
    _one_of_each()
    names = _names_by_agency()
    own = user.staff_profile.agency_id
    foreign = set().union(*(n for agency, n in names.items() if agency != own)) - names[own]
    # (Once in a full run, after other tests in the same worker, "Question about a tax bill"
    # was also the name of a Public Works object: not understood yet, see the session note.
    # The world is still sound if Revenue's team and calendar are foreign names.)
    assert {"Property Tax", "Revenue office hours"} <= foreign
    return user, foreign


def _viewable(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_or_change_permission(request):
            yield model, model_admin


def test_no_list_filter_names_another_agencys_object(foreign_names):
    user, foreign = foreign_names
    client = signed_in_client(user)
    leaks, filters = [], 0

    for model, _model_admin in _viewable(user):
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, model
        changelist = response.context["cl"]
        for spec in changelist.filter_specs:
            filters += 1
            for choice in spec.choices(changelist):
                if str(choice["display"]) in foreign:
                    leaks.append(f"{model._meta.label} filter {spec.title}: {choice['display']}")

    assert filters >= 10  # the check looked at something
    assert not leaks, "\n".join(leaks)


def test_no_form_choice_names_another_agencys_object(foreign_names):
    user, foreign = foreign_names
    client = signed_in_client(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    leaks, selects = [], 0

    for model, model_admin in _viewable(user):
        info = (model._meta.app_label, model._meta.model_name)
        urls = []
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            for control in parse_form(page.content.decode(), f"{info[1]}_form").controls:
                if control.tag != "select":
                    continue
                selects += 1
                leaks += [f"{url} {control.name}: {text}" for text in control.option_texts
                          if text in foreign]  # fmt: skip

    assert selects >= 10
    assert not leaks, "\n".join(leaks)


def test_a_superuser_still_filters_by_every_agencys_teams(foreign_names):
    from tests.test_admin_save_sweep import _superuser

    response = signed_in_client(_superuser()).get(reverse("admin:cases_servicecategory_changelist"))
    changelist = response.context["cl"]
    teams = next(s for s in changelist.filter_specs if s.title == "owning team")
    names = {str(c["display"]) for c in teams.choices(changelist)}

    assert {"Roads and Sidewalks", "Property Tax"} <= names
