"""Saved queue and dashboard views: save, open, rename, share with the team, delete; scoped
by agency and owner; limited per person; audited in words."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from reports import services
from reports.models import SavedView
from tests.cases.conftest import make_staff

pytestmark = pytest.mark.django_db

QUEUE_QUERY = "queue=team&status=any&priority=high&sort=sla&cursor=abc&junk=1"


def _save(client, name="High priority", kind="queue", query=QUEUE_QUERY, team=""):
    return client.post("/staff/saved-views/new/",
                       {"kind": kind, "query": query, "name": name, "team": team})  # fmt: skip


def test_agent_saves_a_queue_view_and_opens_it_from_the_queue_page(client, world):
    client.force_login(world.agent)
    response = _save(client)
    view = SavedView.objects.get()
    # Only the filters and the order are kept: never the page cursor or unknown parameters.
    assert view.query == "queue=team&sort=sla&status=any&priority=high"
    assert (view.owner, view.agency, view.kind, view.team) == (world.agent, world.agency,
                                                               "queue", None)  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/?{view.query}"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "View saved: High priority." in text
    assert f'href="/staff/saved-views/{view.pk}/" aria-current="page">High priority</a>' in text
    opened = client.get(f"/staff/saved-views/{view.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/staff/cases/?{view.query}"


def test_a_bad_name_is_a_clear_error_and_keeps_what_was_typed(client, world):
    client.force_login(world.agent)
    _save(client, name="Mine")
    response = _save(client, name="  mine ")
    assert response.status_code == 400
    assert "You already have a view called “mine”." in response.content.decode()
    assert _save(client, name="   ").status_code == 400
    assert SavedView.objects.count() == 1
    typed = _save(client, name="Roads " + "x" * 80)
    assert typed.status_code == 400
    assert 'value="Roads xxx' in typed.content.decode()  # the form keeps what was typed
    assert SavedView.objects.count() == 1


def test_a_person_keeps_at_most_the_limit_with_a_clear_message(client, world, monkeypatch):
    monkeypatch.setattr(services, "SAVED_VIEWS_PER_PERSON", 2)
    client.force_login(world.supervisor)
    for name in ("One", "Two"):
        assert _save(client, name=name, kind="dashboard", query="period=90d").status_code == 302
    response = _save(client, name="Three", kind="dashboard", query="period=90d")
    assert response.status_code == 400
    assert "You have 2 saved views of this kind" in response.content.decode()
    assert SavedView.objects.filter(owner=world.supervisor).count() == 2
    # The limit counts each kind apart: a queue view can still be saved.
    assert _save(client, name="Three").status_code == 302


def test_sharing_with_the_team_shows_it_read_only_to_teammates_only(client, world):
    client.force_login(world.agent)
    _save(client, name="Roads backlog", team=str(world.roads.pk))
    view = SavedView.objects.get()
    assert view.team == world.roads
    # A teammate (Roads) sees it on the queue page and the list, and can open it...
    client.force_login(world.agent2)
    queue = client.get("/staff/cases/").content.decode()
    assert "Roads backlog" in queue and "(shared by Alex)" in queue
    assert client.get(f"/staff/saved-views/{view.pk}/").status_code == 302
    listing = client.get("/staff/saved-views/?kind=queue").content.decode()
    assert "Roads backlog" in listing and f"/staff/saved-views/{view.pk}/edit/" not in listing
    # ...but cannot rename or delete it.
    assert client.get(f"/staff/saved-views/{view.pk}/edit/").status_code == 404
    assert (
        client.post(f"/staff/saved-views/{view.pk}/edit/", {"name": "Mine now"}).status_code == 404
    )
    assert client.post(f"/staff/saved-views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.get().name == "Roads backlog"
    # Someone of the agency who is not in the team does not see it.
    parks = make_staff("pat", world.agency, "agent", [world.parks])
    client.force_login(parks)
    assert "Roads backlog" not in client.get("/staff/cases/").content.decode()
    assert client.get(f"/staff/saved-views/{view.pk}/").status_code == 404


def test_only_a_team_of_ones_own_can_be_chosen(client, world):
    client.force_login(world.agent)
    response = _save(client, team=str(world.parks.pk))
    assert response.status_code == 400 and not SavedView.objects.exists()
    with pytest.raises(services.SavedViewError):
        services.saved_view_create(owner=world.agent, agency=world.agency, kind="queue",
                                   name="X", query="", team=world.parks)  # fmt: skip


def test_another_agencys_saved_view_is_a_404(client, world):
    theirs = services.saved_view_create(owner=world.other_agent, agency=world.other_agency,
                                        kind="queue", name="Tax", query="status=any",
                                        team=world.other_team)  # fmt: skip
    client.force_login(world.supervisor)
    for url in (f"/staff/saved-views/{theirs.pk}/", f"/staff/saved-views/{theirs.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/staff/saved-views/{theirs.pk}/delete/").status_code == 404
    assert "Tax" not in client.get("/staff/saved-views/?kind=queue").content.decode()
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_owner_renames_shares_unshares_and_deletes_all_audited_in_words(client, world):
    client.force_login(world.agent)
    _save(client, name="Old name")
    view = SavedView.objects.get()
    edit = f"/staff/saved-views/{view.pk}/edit/"
    assert client.post(edit, {"name": "New name", "team": ""}).status_code == 302
    assert client.post(edit, {"name": "New name", "team": world.roads.pk}).status_code == 302
    assert client.post(edit, {"name": "New name", "team": ""}).status_code == 302
    view.refresh_from_db()
    assert (view.name, view.team) == ("New name", None)
    assert client.post(f"/staff/saved-views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()
    actions = list(AuditEvent.objects.filter(object_type="reports.savedview")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions == ["savedview.created", "savedview.renamed", "savedview.shared",
                       "savedview.unshared", "savedview.deleted"]  # fmt: skip
    assert all(a.agency_id == world.agency.pk and a.actor_user_id == world.agent.pk
               for a in AuditEvent.objects.filter(object_type="reports.savedview"))  # fmt: skip
    client.force_login(world.supervisor)
    trail = client.get("/staff/audit/").content.decode()
    for words in ("Saved view “Old name” created", "Saved view renamed to “New name”",
                  "Saved view shared with the team Roads", "Saved view no longer shared",
                  "Saved view “New name” deleted"):  # fmt: skip
        assert words in trail


def test_dashboard_view_keeps_the_dashboard_filters(client, world):
    client.force_login(world.supervisor)
    query = f"period=2026-03&team={world.parks.pk}&panel=volume&cursor=x"
    response = _save(client, name="Parks in March", kind="dashboard", query=query)
    view = SavedView.objects.get()
    assert view.query == f"period=2026-03&team={world.parks.pk}"
    assert response["Location"] == f"/staff/dashboards/?{view.query}"
    page = client.get(response["Location"]).content.decode()
    assert "Parks in March" in page and "Save this view" in page
