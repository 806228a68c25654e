"""Queues: scoped lists with filters, keyset paging, capped counts and bulk actions."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import references
from cases.models import Case
from cases.services import case_assign, case_create, case_transition
from citizens.services import citizen_create

pytestmark = pytest.mark.django_db

QUEUE = "/staff/cases/"


@pytest.fixture
def agent_client(client, world):
    client.force_login(world.agent)
    return client


def make_case(world, category=None, **extra) -> Case:
    category = category or world.graffiti
    attributes = {"size": "small"} if category == world.pothole else {}
    return case_create(category=category, description=extra.pop("description", "Something"),
                       channel=extra.pop("channel", "phone"), attributes=attributes,
                       **extra)  # fmt: skip


def bulk_cases(world, count: int, *, start: datetime | None = None, step=timedelta(minutes=1),
               **fields) -> list[Case]:  # fmt: skip
    """Many cases at once (queue sizes), written directly: only the rows matter here."""
    start = start or timezone.now() - timedelta(days=30)
    defaults = {"agency": world.agency, "category": world.graffiti, "team": world.parks,
                "description": "Bulk", "channel": "phone"}  # fmt: skip
    defaults.update(fields)
    rows = [
        Case(reference=references.reference_new(), created_at=start + i * step, **defaults)
        for i in range(count)
    ]
    return Case.objects.bulk_create(rows)


def refs(response) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a class="usa-link" href="[^"]+">([^<]+)</a>',
                      response.content.decode())  # fmt: skip


def next_link(response) -> str | None:
    match = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


# --- the queues -----------------------------------------------------------------------------


def test_my_cases_is_the_default_queue_and_shows_open_cases_assigned_to_me(agent_client, world):
    mine = make_case(world)
    case_assign(case=mine, assignee=world.agent, actor=world.agent)
    theirs = make_case(world)
    case_assign(case=theirs, assignee=world.agent2, actor=world.agent2)
    done = make_case(world)
    case_assign(case=done, assignee=world.agent, actor=world.agent)
    case_transition(case=done, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip

    response = agent_client.get(QUEUE)

    assert response.status_code == 200
    assert refs(response) == [mine.reference]
    page = response.content.decode()
    assert '<a href="?queue=mine" class="usa-button" aria-current="page">My cases</a>' in page


def test_team_unassigned_and_all_queues_stay_in_the_agency(agent_client, world):
    roads = make_case(world, world.pothole)  # team Roads (alex's team), unassigned
    parks = make_case(world, world.graffiti)  # team Parks
    case_assign(case=parks, assignee=world.agent2, actor=world.agent2)
    elsewhere = make_case(world, world.other_category)

    def queue(name: str) -> set[str]:
        return set(refs(agent_client.get(QUEUE, {"queue": name})))

    assert queue("team") == {roads.reference}
    assert queue("unassigned") == {roads.reference}
    assert queue("all") == {roads.reference, parks.reference}
    assert elsewhere.reference not in queue("all")


def test_superusers_queues_show_their_own_agency(client, world):
    world.admin.is_superuser = True
    world.admin.save()
    own = make_case(world)
    make_case(world, world.other_category)
    client.force_login(world.admin)
    device = TOTPDevice.objects.create(user=world.admin, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # two-step verification passed
    session.save()

    assert refs(client.get(QUEUE, {"queue": "all"})) == [own.reference]


def test_filters(agent_client, world):
    maria = citizen_create(actor=world.agent, first_name="Maria", last_name="Lopez")
    urgent = make_case(world, world.pothole, priority="urgent", citizen=maria)
    walk_in = make_case(world, world.graffiti, channel="walk_in")
    assigned = make_case(world, world.graffiti)
    case_assign(case=assigned, assignee=world.agent2, actor=world.agent2)
    resolved = make_case(world)
    case_assign(case=resolved, assignee=world.agent2, actor=world.agent2)
    case_transition(case=resolved, to_status="resolved", actor=world.agent2,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip

    def listed(**params) -> set[str]:
        response = agent_client.get(QUEUE, {"queue": "all", **params})
        assert response.status_code == 200
        return set(refs(response))

    open_refs = {urgent.reference, walk_in.reference, assigned.reference}
    assert listed() == open_refs  # the open statuses by default
    assert listed(status="open") == open_refs
    assert listed(status="resolved") == {resolved.reference}
    assert listed(status="any") == open_refs | {resolved.reference}
    assert listed(status="new") == {urgent.reference, walk_in.reference}
    assert listed(priority="urgent") == {urgent.reference}
    assert listed(category=world.pothole.pk) == {urgent.reference}
    assert listed(team=world.parks.pk) == {walk_in.reference, assigned.reference}
    assert listed(assignee=world.agent2.pk) == {assigned.reference}
    assert listed(assignee=world.agent2.pk, status="any") == {
        assigned.reference, resolved.reference,
    }  # fmt: skip
    assert listed(channel="walk_in") == {walk_in.reference}
    page = agent_client.get(QUEUE, {"queue": "all"}).content.decode()
    assert "Maria Lopez" in page


def test_created_date_filters_use_whole_days_in_the_agencys_time_zone(agent_client, world):
    chicago_day_start = datetime(2026, 1, 13, 6, 0, tzinfo=UTC)  # 00:00 in Chicago (CST)
    before, first, last, after = bulk_cases(
        world, 4, start=chicago_day_start - timedelta(minutes=1), step=timedelta(0)
    )
    moments = [
        chicago_day_start - timedelta(minutes=1),
        chicago_day_start,
        chicago_day_start + timedelta(hours=23, minutes=59),
        chicago_day_start + timedelta(days=1),
    ]
    for case, moment in zip((before, first, last, after), moments, strict=True):
        Case.objects.filter(pk=case.pk).update(created_at=moment)

    response = agent_client.get(QUEUE, {"queue": "all", "created_from": "2026-01-13",
                                        "created_to": "2026-01-13"})  # fmt: skip

    assert set(refs(response)) == {first.reference, last.reference}


def test_filter_choices_are_the_agencys_own(agent_client, world):
    page = agent_client.get(QUEUE).content.decode()
    filters = page[page.index('id="filters-heading"') : page.index('id="queue-heading"')]

    assert "Pothole" in filters and "Roads" in filters and "Blair" in filters
    assert "Tax question" not in filters and "Tax" not in filters and "Olga" not in filters
    # Asking for another agency's service is an invalid choice, not a way to list its cases.
    make_case(world, world.other_category)
    response = agent_client.get(QUEUE, {"queue": "all", "category": world.other_category.pk})
    assert response.status_code == 200
    assert refs(response) == []
    assert "Select a valid choice" in response.content.decode()
    assert '<details class="crm-filters-panel" open>' in response.content.decode()


def test_queue_rows_have_labelled_checkboxes_and_tags_with_text(agent_client, world):
    case = make_case(world)
    response = agent_client.get(QUEUE, {"queue": "all"})
    page = response.content.decode()

    assert re.search(
        rf'<input class="usa-checkbox__input" type="checkbox" name="cases" value="{case.pk}" '
        rf'id="select-{case.pk}">\s*<label class="usa-checkbox__label" for="select-{case.pk}">'
        rf'<span class="usa-sr-only">Select {case.reference}</span>',
        page,
    )
    assert '<span class="usa-tag crm-status crm-status--new">New</span>' in page


# --- paging and counting --------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_keyset_pages_follow_each_other_without_overlap(agent_client, world, sort):
    cases = bulk_cases(world, 120)
    # Some rows share a creation time: the id breaks the tie, nothing is lost or repeated.
    Case.objects.filter(pk__in=[c.pk for c in cases[40:70]]).update(created_at=cases[40].created_at)
    expected = [c.reference for c in Case.objects.order_by(
        *(("-created_at", "-id") if sort == "newest" else ("created_at", "id")))]  # fmt: skip

    seen: list[str] = []
    url = f"{QUEUE}?queue=all&sort={sort}"
    pages = 0
    while url:
        response = agent_client.get(url)
        assert response.status_code == 200
        seen.extend(refs(response))
        link = next_link(response)
        url = f"{QUEUE}{link}" if link else None
        pages += 1

    assert pages == 3
    assert seen == expected
    assert len(set(seen)) == 120


def test_the_next_page_link_keeps_queue_filters_and_sort(agent_client, world):
    bulk_cases(world, 60, priority="high")
    response = agent_client.get(QUEUE, {"queue": "all", "priority": "high", "sort": "oldest"})

    params = parse_qs(urlparse(next_link(response)).query)
    assert params["queue"] == ["all"] and params["priority"] == ["high"]
    assert params["sort"] == ["oldest"] and params["cursor"]


def test_paging_sql_has_no_offset(agent_client, world):
    bulk_cases(world, 75)
    first = agent_client.get(QUEUE, {"queue": "all"})
    cursor = parse_qs(urlparse(next_link(first)).query)["cursor"][0]

    for params in ({"queue": "all"}, {"queue": "all", "cursor": cursor},
                   {"queue": "team", "cursor": cursor, "sort": "oldest"}):  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(QUEUE, params).status_code == 200
        sql = " ".join(q["sql"] for q in captured.captured_queries).upper()
        assert "CASES_CASE" in sql
        assert " OFFSET " not in sql


def test_counts_are_capped(agent_client, world):
    bulk_cases(world, 1001)

    page = agent_client.get(QUEUE, {"queue": "all"}).content.decode()
    assert "Matching cases: 1,000+" in page

    Case.objects.filter(pk__in=Case.objects.order_by("id").values("id")[:2]).delete()
    page = agent_client.get(QUEUE, {"queue": "all"}).content.decode()
    assert "Matching cases: 999" in page


# Session, user, staff profile, agency (header), filter choices (service, team, staff), the
# bulk bar's staff, team membership, the rows (one query with their joins), the count and the
# navigation's unread notifications; the saved views (the viewer's teams, then the views).
MAX_QUEUE_QUERIES = 15


@pytest.mark.parametrize("queue", ["mine", "team", "unassigned", "all"])
@pytest.mark.parametrize("rows", [5, 60])
def test_query_count_does_not_grow_with_the_rows(
    client, world, django_assert_max_num_queries, queue, rows
):
    citizen = citizen_create(actor=world.agent, first_name="Maria", last_name="Lopez")
    assignee = world.agent if queue != "unassigned" else None
    bulk_cases(world, rows, citizen=citizen, assignee=assignee, team=world.roads)
    client.force_login(world.agent)

    with django_assert_max_num_queries(MAX_QUEUE_QUERIES):
        response = client.get(QUEUE, {"queue": queue})

    assert len(refs(response)) == min(rows, 50)


# --- bulk actions ---------------------------------------------------------------------------


def test_bulk_assign_changes_only_the_agencys_own_cases(agent_client, world):
    first, second = make_case(world), make_case(world)
    foreign = make_case(world, world.other_category)
    back = f"{QUEUE}?queue=all&priority=normal"

    response = agent_client.post(reverse("cases:bulk"), {
        "cases": [first.pk, second.pk, foreign.pk], "bulk-action": "assign",
        "bulk-assignee": world.agent2.pk, "bulk-next": back,
    })  # fmt: skip

    assert response.status_code == 302 and response.url == back
    assert {c.assignee for c in Case.objects.filter(pk__in=[first.pk, second.pk])} == {world.agent2}
    assert Case.objects.get(pk=foreign.pk).assignee is None
    assert "2 cases assigned to Blair." in agent_client.get(back).content.decode()


def test_bulk_priority(agent_client, world):
    first, second, untouched = make_case(world), make_case(world), make_case(world)
    foreign = make_case(world, world.other_category)

    agent_client.post(reverse("cases:bulk"), {
        "cases": [first.pk, second.pk, foreign.pk], "bulk-action": "priority",
        "bulk-priority": "urgent",
    })  # fmt: skip

    priorities = dict(Case.objects.values_list("pk", "priority"))
    assert priorities[first.pk] == priorities[second.pk] == "urgent"
    assert priorities[untouched.pk] == priorities[foreign.pk] == "normal"
    page = agent_client.get(QUEUE).content.decode()
    assert "2 cases set to priority Urgent." in page


def test_bulk_with_only_another_agencys_cases_changes_nothing(agent_client, world):
    foreign = make_case(world, world.other_category)

    response = agent_client.post(reverse("cases:bulk"), {
        "cases": [foreign.pk], "bulk-action": "priority", "bulk-priority": "urgent",
    })  # fmt: skip

    assert response.status_code == 302 and response.url == QUEUE
    assert Case.objects.get(pk=foreign.pk).priority == "normal"
    assert "Select at least one case first." in agent_client.get(QUEUE).content.decode()


def test_bulk_refusals_change_nothing(agent_client, world):
    case = make_case(world)
    closed = make_case(world)
    case_assign(case=closed, assignee=world.agent, actor=world.agent)
    case_transition(case=closed, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip

    other_agency_person = agent_client.post(reverse("cases:bulk"), {
        "cases": [case.pk], "bulk-action": "assign", "bulk-assignee": world.other_agent.pk,
    })  # fmt: skip
    assert other_agency_person.status_code == 302
    assert "Select a valid choice" in agent_client.get(QUEUE).content.decode()

    no_priority = agent_client.post(reverse("cases:bulk"),
                                    {"cases": [case.pk], "bulk-action": "priority"})  # fmt: skip
    assert no_priority.status_code == 302
    assert "Choose a priority" in agent_client.get(QUEUE).content.decode()

    # The service refuses one of them (a resolved case): all or nothing.
    agent_client.post(reverse("cases:bulk"), {
        "cases": [case.pk, closed.pk], "bulk-action": "assign", "bulk-assignee": world.agent2.pk,
    })  # fmt: skip
    assert Case.objects.get(pk=case.pk).assignee is None
    assert Case.objects.get(pk=closed.pk).assignee == world.agent
    assert "Nothing was changed: Reopen the case before assigning it." in (
        agent_client.get(QUEUE).content.decode()
    )


def test_bulk_ignores_an_unsafe_return_address(agent_client, world):
    case = make_case(world)
    response = agent_client.post(reverse("cases:bulk"), {
        "cases": [case.pk], "bulk-action": "priority", "bulk-priority": "low",
        "bulk-next": "https://evil.example.org/",
    })  # fmt: skip

    assert response.url == QUEUE


def test_queue_access(client, world):
    assert client.get(QUEUE).url.startswith("/staff/login/")
    assert client.post(reverse("cases:bulk"), {}).url.startswith("/staff/login/")
    client.force_login(world.agent)
    assert client.get(reverse("cases:bulk")).status_code == 405


# --- "SLA time left, most urgent first" -----------------------------------------------------


def test_sla_order_puts_the_nearest_resolution_deadline_first(agent_client, world, clock):
    """Deadlines first, nearest first; then paused cases and cases without an SLA, by id; a
    case no longer open has no time left and goes with them when every status is listed."""
    from tests.cases.sla.support import chi, make_policy

    make_policy(world, first_response_minutes=None, category=world.graffiti)  # 4 h to resolve
    make_policy(world, "Urgent", first_response_minutes=None, category=world.graffiti,
                priority="urgent", resolution_minutes=60)  # fmt: skip
    clock.set(chi(2026, 3, 2, 9))
    later = make_case(world)  # due 13:00
    paused = case_assign(case=make_case(world), assignee=world.agent, actor=world.agent)
    no_sla = make_case(world, world.pothole)  # no policy for potholes
    clock.set(chi(2026, 3, 2, 10))
    case_transition(case=paused, to_status="waiting_on_citizen", actor=world.agent)
    resolved = case_assign(case=make_case(world), assignee=world.agent, actor=world.agent)
    case_transition(case=resolved, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip
    sooner = make_case(world, priority="urgent")  # the newest, due first: 11:00

    listed = refs(agent_client.get(QUEUE, {"queue": "all", "sort": "sla"}))
    assert listed == [sooner.reference, later.reference, paused.reference, no_sla.reference]
    listed = refs(agent_client.get(QUEUE, {"queue": "all", "sort": "sla", "status": "any"}))
    assert listed == [sooner.reference, later.reference, paused.reference, no_sla.reference,
                      resolved.reference]  # fmt: skip

    page = agent_client.get(QUEUE, {"queue": "all", "sort": "sla"}).content.decode()
    assert '<option value="sla" selected>SLA time left, most urgent first</option>' in page
    assert '<details class="crm-filters-panel" open>' in page  # the order is not the default


def _sla_expected(cases) -> list[str]:
    from cases.models import SLA_SORT_LAST

    rows = Case.objects.filter(pk__in=[c.pk for c in cases], status__in=Case.OPEN_STATUSES)
    return [c.reference for c in sorted(rows, key=lambda c: (c.resolution_due_at or SLA_SORT_LAST,
                                                             c.pk))]  # fmt: skip


def test_sla_order_pages_with_a_keyset_cursor_that_carries_the_deadline(agent_client, world):
    """Two pages in SLA order: deadlines shared by several cases (the id breaks the tie), cases
    without one after them, nothing lost or repeated across the page boundary, no OFFSET."""
    base = timezone.now() + timedelta(hours=1)
    cases = bulk_cases(world, 75)
    for i, case in enumerate(cases):
        # 60 deadlines, three cases on each of 20 instants, in an order unlike the ids';
        # 15 without (paused or no SLA).
        due = base + timedelta(minutes=(i * 7) % 20) if i < 60 else None
        Case.objects.filter(pk=case.pk).update(resolution_due_at=due, sla_paused=due is None)
    expected = _sla_expected(cases)

    first = agent_client.get(QUEUE, {"queue": "all", "sort": "sla"})
    link = next_link(first)
    cursor = parse_qs(urlparse(link).query)["cursor"][0]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    fiftieth = Case.objects.get(reference=expected[49])
    assert raw == f"sla|{fiftieth.resolution_due_at.isoformat()}|{fiftieth.pk}"
    with CaptureQueriesContext(connection) as captured:
        second = agent_client.get(f"{QUEUE}{link}")
    assert " OFFSET " not in " ".join(q["sql"] for q in captured.captured_queries).upper()

    assert refs(first) + refs(second) == expected
    assert len(refs(first)) == 50 and next_link(second) is None
    assert parse_qs(urlparse(link).query)["sort"] == ["sla"]


def test_a_cursor_of_another_order_starts_the_sla_order_from_its_first_page(agent_client, world):
    cases = bulk_cases(world, 60)
    newest = agent_client.get(QUEUE, {"queue": "all"})
    cursor = parse_qs(urlparse(next_link(newest)).query)["cursor"][0]

    listed = refs(agent_client.get(QUEUE, {"queue": "all", "sort": "sla", "cursor": cursor}))

    assert listed == _sla_expected(cases)[:50]


def test_sla_order_query_count_does_not_grow_with_the_rows(
    client, world, django_assert_max_num_queries
):
    bulk_cases(world, 60, assignee=world.agent, team=world.roads)
    client.force_login(world.agent)

    with django_assert_max_num_queries(MAX_QUEUE_QUERIES):
        response = client.get(QUEUE, {"queue": "mine", "sort": "sla"})

    assert len(refs(response)) == 50


def _clone_open_cases(template: Case, count: int, *, assignees: list[int]) -> None:
    """`count` open copies of `template`, in SQL: deadlines spread over a month (a
    quarter without one), the `assignees` (None: nobody) taking turns."""
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    overrides = {
        "reference": "'Q' || lpad(g::text, 9, '0')",
        "status": "'open'",
        "created_at": "c.created_at - g * interval '1 minute'",
        "resolution_due_at": "CASE WHEN g %% 4 = 0 THEN NULL "
        "ELSE c.created_at + (g * 7919 %% 43200) * interval '1 minute' END",
        "assignee_id": "(%(assignees)s::int[])[1 + g %% cardinality(%(assignees)s::int[])]",
    }
    names = ", ".join(f'"{column}"' for column in columns)
    select = ", ".join(overrides.get(column, f'c."{column}"') for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_case ({names}) SELECT {select} FROM cases_case c, "
            "generate_series(1, %(count)s) g WHERE c.id = %(template)s",
            {"count": count, "template": template.pk, "assignees": assignees},
        )
        cursor.execute("ANALYZE cases_case")


def _plan_nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


@pytest.mark.parametrize(
    ("queue", "index"),
    [("all", "case_open_agency_sla_idx"), ("mine", "case_open_assignee_sla_idx")],
)
def test_sla_order_reads_its_partial_index_in_order(world, queue, index):
    """On 20,000 open cases with fresh statistics and no planner switches, the queue's page
    query in SLA order is one index scan in key order that stops after 51 rows (no sequential
    scan, no sort): of the partial index on the first page and on a deep one among the
    deadlines, whose cursor is where the scan starts; among the cases without a deadline
    (ordered by id) it starts at the cursor's id."""
    from django.http import QueryDict

    from cases import selectors
    from cases.filters import CaseFilter
    from cases.models import SLA_SORT_LAST

    template = make_case(world)
    # Most cases with other people or nobody: an agent's own are a few in the agency's many.
    others = [world.agent2.pk, world.supervisor.pk, None, None] * 5
    _clone_open_cases(template, 20_000, assignees=[world.agent.pk, *others])
    cases = CaseFilter(QueryDict(""), queryset=selectors.cases_for_queue(world.agent, queue),
                       agency=world.agency).qs  # fmt: skip
    ordered = list(selectors.keyset_query(cases, sort="sla", size=30_000)[1])
    first_of_the_rest = next(i for i, case in enumerate(ordered) if case.sort_key == SLA_SORT_LAST)
    among_deadlines = ordered[first_of_the_rest // 2]
    among_the_rest = ordered[(first_of_the_rest + len(ordered)) // 2]
    assert among_deadlines.sort_key < SLA_SORT_LAST == among_the_rest.sort_key

    sla = selectors.SORTS["sla"]
    for where, cursor in [("first", None), ("deadlines", selectors._encode(sla, among_deadlines)),
                          ("the rest", selectors._encode(sla, among_the_rest))]:  # fmt: skip
        _order, query = selectors.keyset_query(cases, sort="sla", cursor=cursor)
        sql, params = query.query.sql_with_params()
        with connection.cursor() as db:
            db.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = db.fetchone()[0][0]["Plan"]
        nodes = _plan_nodes(plan)
        cases_scans = [n for n in nodes if n.get("Relation Name") == "cases_case"]
        assert nodes[0]["Node Type"] == "Limit", plan
        assert [n["Node Type"] for n in cases_scans] == ["Index Scan"], plan
        assert not [n for n in nodes if n["Node Type"] in {"Sort", "Incremental Sort"}], plan
        scan = cases_scans[0]
        if where == "the rest":
            # key = last AND id > cursor: this index, or the primary key's when the cases
            # without a deadline are many (the planner knows how many: see the next test).
            assert "id >" in scan["Index Cond"], scan
            continue
        assert scan["Index Name"] == index, plan
        if where == "deadlines":
            # The cursor's bound is where the scan starts, not a filter on every row before it.
            assert ">=" in scan["Index Cond"], scan


def test_the_planner_has_statistics_on_the_sla_key_the_indexes_hold(db):
    """PostgreSQL ignores the statistics of a partial index's expressions: the migration
    creates statistics on the same expression (without them the planner guessed that few
    cases lack a deadline and sorted thousands of them for one page)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (pg_get_statisticsobjdef_expressions(oid))[1] FROM pg_statistic_ext "
            "WHERE stxname = 'case_sla_sort_key_stats'"
        )
        statistics = cursor.fetchone()[0]
        indexed = []
        for name in ("case_open_agency_sla_idx", "case_open_assignee_sla_idx",
                     "case_open_team_sla_idx"):  # fmt: skip
            cursor.execute("SELECT pg_get_indexdef(%s::regclass, 2, false)", [name])
            indexed.append(cursor.fetchone()[0])

    def bare(sql: str) -> str:
        return re.sub(r"[\s()]", "", sql)

    assert {bare(sql) for sql in indexed} == {bare(statistics)}
