"""The SLA UI: the supervisors' board (list, filters, sorts, counts, bulk actions, compliance),
the case page's SLA box and the queues' SLA-state filter."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import Case
from cases.services import case_assign, case_create, case_public_update, case_transition
from cases.sla.services import sla_sweep
from core.models import AuditEvent
from tests.cases.sla.support import chi, make_level, make_policy

pytestmark = pytest.mark.django_db
Status = Case.Status
BOARD = "/staff/cases/sla/"


def _case(world, category=None, priority=None) -> Case:
    category = category or world.graffiti
    answers = {"size": "small"} if category == world.pothole else None
    return case_create(category=category, description="Wall", channel="phone",
                       actor=world.agent, priority=priority, attributes=answers)  # fmt: skip


def _resolve(case, world, clock, at) -> None:
    clock.set(at)
    if case.status == Status.NEW:
        case = case_assign(case=case, assignee=world.agent, actor=world.agent)
    case_transition(case=case, to_status=Status.RESOLVED, actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip


def text(response) -> str:
    return response.content.decode()


def refs(response) -> list[str]:
    """The references of the board's rows, in order (each row's header: checkbox and link)."""
    return re.findall(r'<th scope="row"[^>]*>.*?<a class="usa-link" href="[^"]+">([^<]+)</a>',
                      text(response), re.S)  # fmt: skip


@pytest.fixture
def supervisor_client(client, world):
    client.force_login(world.supervisor)
    return client


@pytest.fixture
def board(world, clock):
    """Mon 2 March 2026 13:30 Chicago: breached (roads, high), at risk (parks), fine, and a
    breached case of the other agency."""
    policy = make_policy(world, "Standard", first_response_minutes=None)
    make_level(policy, 1, 30)
    make_policy(world, "Revenue", agency=world.other_agency, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 9))
    breached = _case(world, world.pothole, priority="high")  # due 13:00
    foreign = case_create(category=world.other_category, description="Tax", channel="phone",
                          actor=world.other_agent)  # fmt: skip
    clock.set(chi(2026, 3, 2, 10))
    at_risk = _case(world)  # due 14:00, warning at 13:00
    clock.set(chi(2026, 3, 2, 12))
    fine = _case(world)
    clock.set(chi(2026, 3, 2, 13, 30))
    sla_sweep(now=clock.now)
    return {"breached": breached, "at_risk": at_risk, "fine": fine, "foreign": foreign}


# --- the board ------------------------------------------------------------------------------


def test_board_shows_breached_and_at_risk_cases_of_the_own_agency_only(
    supervisor_client, world, board
):
    response = supervisor_client.get(BOARD)

    assert response.status_code == 200
    assert refs(response) == [board["breached"].reference, board["at_risk"].reference]
    page = text(response)
    assert board["foreign"].reference not in page and board["fine"].reference not in page
    # The state is a tag with text; time left in words, in business time.
    assert '<span class="usa-tag crm-sla crm-sla--breached">Breached</span>' in page
    assert '<span class="usa-tag crm-sla crm-sla--at_risk">At risk</span>' in page
    assert "30 min overdue" in page and "30 min left" in page
    assert f'href="{reverse("cases:detail", args=[board["breached"].reference])}"' in page
    counts = re.search(r'<div id="sla-counts".*?</ul>', page, re.S).group(0)
    assert re.findall(r'crm-sla-count__value">(\d+)<', counts) == ["1", "1"]
    assert 'hx-trigger="every 60s"' in page
    assert 'href="/staff/cases/sla/"' in page  # the nav link


def test_board_time_left_reads_in_hours_and_minutes(supervisor_client, world, board, clock):
    clock.set(chi(2026, 3, 2, 15, 15))
    page = text(supervisor_client.get(BOARD))
    assert "2 h 15 min overdue" in page  # the breached case, due 13:00
    assert "1 h 15 min overdue" in page  # the other, due 14:00 (breached since, not swept)


@pytest.mark.parametrize(
    ("user", "status"), [("agent", 403), ("supervisor", 200), ("admin", 200), ("other_agent", 403)]
)
def test_board_is_for_supervisors_and_admins(client, world, board, user, status):
    client.force_login(getattr(world, user))
    assert client.get(BOARD).status_code == status


def test_board_sends_anonymous_users_to_sign_in(client, world):
    response = client.get(BOARD)
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"team": "roads"}, ["breached"]),
        ({"team": "parks"}, ["at_risk"]),
        ({"category": "graffiti"}, ["at_risk"]),
        ({"priority": "high"}, ["breached"]),
        ({"priority": "urgent"}, []),
        ({"sort": "-time_left"}, ["at_risk", "breached"]),
        ({"sort": "due"}, ["breached", "at_risk"]),
        ({"sort": "priority"}, ["breached", "at_risk"]),
        ({"sort": "nonsense"}, ["breached", "at_risk"]),
    ],
)
def test_board_filters_and_sorts(supervisor_client, world, board, params, expected):
    params = {k: getattr(world, v).pk if k in ("team", "category") else v
              for k, v in params.items()}  # fmt: skip
    response = supervisor_client.get(BOARD, params)
    assert response.status_code == 200
    assert refs(response) == [board[name].reference for name in expected]


def test_board_marks_the_sorted_column_and_says_the_order(supervisor_client, board):
    page = text(supervisor_client.get(BOARD))
    assert "Order: Most overdue first" in page  # across both clocks: no one column
    assert "aria-sort" not in page
    assert '<a class="usa-link" href="?sort=resolution">Resolution</a>' in page
    page = text(supervisor_client.get(BOARD, {"sort": "resolution"}))
    assert ('<th scope="col" aria-sort="ascending"><a class="usa-link" href="?sort=resolution">'
            "Resolution</a>") in page  # fmt: skip
    assert "Order: Resolution: least time left first" in page
    page = text(supervisor_client.get(BOARD, {"sort": "priority"}))
    assert 'aria-sort="descending"><a class="usa-link" href="?sort=priority">Priority' in page


def _row(page: str, case: Case) -> str:
    """The board's row of `case`, its tags removed and its spaces collapsed."""
    row = re.search(rf"<tr>(?:(?!</tr>).)*?{case.reference}.*?</tr>", page, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


@pytest.fixture
def clocks(world, clock):
    """Mon 2 March 2026 12:30 Chicago, swept: a case whose first response is overdue, one
    answered whose resolution is at risk, one escalated twice, one breached and then paused."""
    make_policy(world, "Standard")  # first response 1 h, resolution 4 h, warning at 75 %
    high = make_policy(world, "High", priority="high", resolution_minutes=120)
    make_level(high, 1, 30)
    make_level(high, 2, 60)
    clock.set(chi(2026, 3, 2, 9))
    silent = _case(world)
    answered = _case(world)
    escalated = _case(world, priority="high")
    paused = case_assign(case=_case(world, priority="high"), assignee=world.agent,
                         actor=world.agent)  # fmt: skip
    clock.set(chi(2026, 3, 2, 9, 30))
    case_public_update(case=answered, body="We are on it.", actor=world.agent)
    clock.set(chi(2026, 3, 2, 11, 10))
    sla_sweep(now=clock.now)
    case_transition(case=paused, to_status=Status.WAITING_ON_CITIZEN, actor=world.agent)
    clock.set(chi(2026, 3, 2, 12, 30))
    sla_sweep(now=clock.now)
    return {"silent": silent, "answered": answered, "escalated": escalated, "paused": paused}


def test_board_shows_both_clocks_and_the_escalation_level(supervisor_client, world, clocks):
    page = text(supervisor_client.get(BOARD))

    # Times are the agency's (Chicago): the server's own zone is UTC.
    assert _row(page, clocks["silent"]) == (
        f"Select {clocks['silent'].reference} {clocks['silent'].reference} Breached Not escalated"
        " 2 h 30 min overdue was due 03/02/2026, 10 a.m."
        " 30 min left due 03/02/2026, 1 p.m. Normal Graffiti Parks Nobody"
    )
    assert _row(page, clocks["answered"]) == (
        f"Select {clocks['answered'].reference} {clocks['answered'].reference} At risk"
        " Not escalated Met answered 03/02/2026, 9:30 a.m."
        " 30 min left due 03/02/2026, 1 p.m. Normal Graffiti Parks Nobody"
    )
    assert _row(page, clocks["escalated"]) == (
        f"Select {clocks['escalated'].reference} {clocks['escalated'].reference} Breached"
        " Escalated, level 2 2 h 30 min overdue was due 03/02/2026, 10 a.m."
        " 1 h 30 min overdue was due 03/02/2026, 11 a.m. High Graffiti Parks Nobody"
    )
    assert _row(page, clocks["paused"]) == (
        f"Select {clocks['paused'].reference} {clocks['paused'].reference} Breached"
        " Not escalated Paused (waiting on citizen) 1 h 10 min overdue"
        " Paused (waiting on citizen) 10 min overdue High Graffiti Parks Alex"
    )
    # Overdue reads as words first; the colour only helps.
    assert '<span class="crm-sla-clock__headline crm-sla-overdue">2 h 30 min overdue</span>' in page
    assert '<time datetime="2026-03-02T10:00:00-06:00">03/02/2026, 10 a.m.</time>' in page


def test_the_breaches_api_gives_both_clocks_and_the_escalation_level(
    supervisor_client, world, clocks
):
    rows = {row["reference"]: row for row in supervisor_client.get("/api/v1/sla/breaches/").json()}

    silent = rows[clocks["silent"].reference]
    assert silent["first_response"] == {
        "state": "overdue",
        "minutes_left": -150.0,
        "due_at": "2026-03-02T16:00:00Z",
        "done_at": None,
    }
    assert silent["resolution"] == {
        "state": "running",
        "minutes_left": 30.0,
        "due_at": "2026-03-02T19:00:00Z",
        "done_at": None,
    }
    assert silent["escalation_level"] == 0
    assert rows[clocks["escalated"].reference]["escalation_level"] == 2
    assert rows[clocks["answered"].reference]["first_response"]["state"] == "met"
    assert rows[clocks["paused"].reference]["resolution"]["state"] == "paused"  # fmt: skip


def test_board_sorts_by_either_clock(supervisor_client, world, clocks):
    def order(sort: str) -> list[str]:
        listed = refs(supervisor_client.get(BOARD, {"sort": sort}))
        return [next(k for k, c in clocks.items() if c.reference == ref) for ref in listed]

    # First response: most overdue first, then paused, answered ones last.
    assert order("first_response") == ["silent", "escalated", "paused", "answered"]
    # Resolution: most overdue first (the paused one stopped 10 min past), most time left last.
    assert order("resolution") == ["escalated", "paused", "silent", "answered"]


def test_board_refuses_another_agencys_team_as_a_filter(supervisor_client, world, board):
    response = supervisor_client.get(BOARD, {"team": world.other_team.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert refs(response) == [board["breached"].reference, board["at_risk"].reference]


def test_board_without_cases_says_so(supervisor_client, world):
    page = text(supervisor_client.get(BOARD))
    assert "No open case is breached or at risk." in page


def test_counts_partial_for_htmx_polling(
    supervisor_client, world, board, django_assert_max_num_queries
):
    # Session, user, profile, the filter form's choices, one count: no per-case clock maths.
    with django_assert_max_num_queries(7):
        response = supervisor_client.get(BOARD, {"partial": "counts", "team": world.roads.pk},
                                         HTTP_HX_REQUEST="true")  # fmt: skip
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert re.findall(r'crm-sla-count__value">(\d+)<', page) == ["1", "0"]


def test_counts_url_keeps_the_filters(supervisor_client, world, board):
    page = text(supervisor_client.get(BOARD, {"team": world.roads.pk}))
    assert f'hx-get="?team={world.roads.pk}&amp;partial=counts"' in page


# --- bulk actions ---------------------------------------------------------------------------


def test_bulk_reassign_from_the_board(supervisor_client, world, board):
    back = f"{BOARD}?team={world.roads.pk}"
    response = supervisor_client.post(reverse("cases:sla_board_bulk"), {
        "cases": [board["breached"].pk, board["foreign"].pk], "bulk-action": "assign",
        "bulk-assignee": world.agent2.pk, "bulk-next": back,
    })  # fmt: skip

    assert response.status_code == 302 and response.url == back
    assert Case.objects.get(pk=board["breached"].pk).assignee == world.agent2
    assert Case.objects.get(pk=board["foreign"].pk).assignee is None
    audit = AuditEvent.objects.get(action="case.assigned", object_id=str(board["breached"].pk))
    assert audit.actor_user == world.supervisor and audit.changes["assignee"][1] == "blair"
    page = text(supervisor_client.get(back))
    assert "1 case assigned to Blair." in page
    assert re.search(rf"{board['breached'].reference}.*?Blair</td>", page, re.S)


def test_bulk_priority_from_the_board(supervisor_client, world, board):
    response = supervisor_client.post(reverse("cases:sla_board_bulk"), {
        "cases": [board["breached"].pk, board["at_risk"].pk], "bulk-action": "priority",
        "bulk-priority": "urgent",
    })  # fmt: skip

    assert response.status_code == 302 and response.url == BOARD
    priorities = dict(Case.objects.values_list("pk", "priority"))
    assert priorities[board["breached"].pk] == priorities[board["at_risk"].pk] == "urgent"
    assert AuditEvent.objects.filter(action="case.priority_changed").count() == 2
    assert "2 cases set to priority Urgent." in text(supervisor_client.get(BOARD))


def test_bulk_without_cases_or_choice_changes_nothing(supervisor_client, world, board):
    response = supervisor_client.post(reverse("cases:sla_board_bulk"), {})
    assert response.status_code == 302 and response.url == BOARD
    assert "Select at least one case first." in text(supervisor_client.get(BOARD))

    supervisor_client.post(reverse("cases:sla_board_bulk"), {
        "cases": [board["breached"].pk], "bulk-action": "assign", "bulk-assignee": "",
    })  # fmt: skip
    assert Case.objects.get(pk=board["breached"].pk).assignee is None
    assert "Choose who gets the selected cases." in text(supervisor_client.get(BOARD))


def test_bulk_refuses_an_offsite_next(supervisor_client, world, board):
    response = supervisor_client.post(reverse("cases:sla_board_bulk"), {
        "cases": [board["breached"].pk], "bulk-action": "priority", "bulk-priority": "low",
        "bulk-next": "https://evil.example/",
    })  # fmt: skip
    assert response.url == BOARD


def test_bulk_is_for_supervisors(client, world, board):
    client.force_login(world.agent)
    response = client.post(reverse("cases:sla_board_bulk"), {
        "cases": [board["breached"].pk], "bulk-action": "priority", "bulk-priority": "low",
    })  # fmt: skip
    assert response.status_code == 403
    assert Case.objects.get(pk=board["breached"].pk).priority == "high"


# --- compliance per team --------------------------------------------------------------------


def _compliance_rows(response) -> dict[str, list[str]]:
    """{team: [resolved, met, breached, met %]} from the compliance table."""
    table = re.search(r'<table class="[^"]*crm-compliance-table">.*?</table>', text(response),
                      re.S).group(0)  # fmt: skip
    rows = {}
    for name, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', table, re.S):
        values = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        rows[name] = [re.sub(r"<[^>]+>", "", value).strip() for value in values]
    return rows


def test_period_changes_the_compliance_figures(supervisor_client, world, clock):
    make_policy(world, first_response_minutes=None)  # 240 business minutes to resolve
    clock.set(chi(2026, 1, 5, 9))
    old_met = _case(world)
    _resolve(old_met, world, clock, chi(2026, 1, 5, 10))  # 56 days before
    clock.set(chi(2026, 2, 16, 9))
    late = _case(world)
    _resolve(late, world, clock, chi(2026, 2, 17, 15))  # 13 days before, breached
    clock.set(chi(2026, 2, 27, 9))
    recent = _case(world)
    _resolve(recent, world, clock, chi(2026, 2, 27, 10))  # 3 days before, met
    clock.set(chi(2026, 3, 2, 9))

    expected = {
        "7": ["1", "1", "0", "100.0 %"],
        "30": ["2", "1", "1", "50.0 %"],
        "90": ["3", "2", "1", "66.7 %"],
    }
    for period, parks in expected.items():
        response = supervisor_client.get(BOARD, {"period": period})
        rows = _compliance_rows(response)
        assert rows["Parks"] == parks, period
        assert rows["Roads"][:3] == ["0", "0", "0"]
        assert f"last {period} days" in text(response)
    # Default: 30 days; the chart writes its values out, the bar's width is the percentage.
    page = text(supervisor_client.get(BOARD))
    assert _compliance_rows(supervisor_client.get(BOARD))["Parks"] == expected["30"]
    assert "50.0 % met" in page and 'class="crm-sla-chart__fill" x="0" y="0" width="50.0"' in page
    assert '<option value="30" selected>' in page


# --- the case page's SLA box ----------------------------------------------------------------


def test_case_page_shows_a_breached_clock_and_its_history(supervisor_client, world, board):
    case = board["breached"]
    page = text(supervisor_client.get(reverse("cases:detail", args=[case.reference])))
    box = re.search(r'<div class="usa-summary-box crm-sla-box".*?</ul>', page, re.S).group(0)
    assert '<span class="usa-tag crm-sla crm-sla--breached">Breached</span>' in box
    assert "Standard" in box and "30 min overdue" in box
    assert "breach: resolution overdue" in box and "warning: resolution due soon" in box
    assert "escalated to level 1" in box  # level 1: 30 minutes after the breach, at 13:30
    assert re.search(r"<dt>Escalation</dt>\s*<dd>Level 1</dd>", box)


def test_case_page_shows_a_paused_clock(client, world, clock):
    make_policy(world, "Standard", first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 9))
    case = case_assign(case=_case(world), assignee=world.agent, actor=world.agent)
    clock.set(chi(2026, 3, 2, 10))
    case_transition(case=case, to_status=Status.WAITING_ON_CITIZEN, actor=world.agent)
    clock.set(chi(2026, 3, 3, 10))
    client.force_login(world.agent)

    page = text(client.get(reverse("cases:detail", args=[case.reference])))

    assert '<span class="usa-tag crm-sla crm-sla--paused">Paused</span>' in page
    assert "Paused (waiting on citizen)" in page
    assert "3 h left" in page and "clock paused" in page  # 240 - 60 minutes run


def test_case_page_without_a_policy(client, world, new_case):
    client.force_login(world.agent)
    page = text(client.get(reverse("cases:detail", args=[new_case.reference])))
    assert "No SLA policy applies to this case." in page


# --- the queues' SLA-state filter -----------------------------------------------------------


def test_queue_filters_by_sla_state(client, world, board):
    client.force_login(world.agent)
    response = client.get("/staff/cases/", {"queue": "all", "sla_state": "breached"})
    page = text(response)
    assert board["breached"].reference in page
    assert board["at_risk"].reference not in page and board["fine"].reference not in page
    assert '<select name="sla_state"' in page and '<option value="breached" selected>' in page
    page = text(client.get("/staff/cases/", {"queue": "all", "sla_state": "at_risk"}))
    assert board["at_risk"].reference in page and board["breached"].reference not in page


def test_case_page_with_a_policy_stays_within_the_query_budget(
    client, world, board, django_assert_max_num_queries
):
    from tests.cases.test_staff_views import MAX_CASE_PAGE_QUERIES

    client.force_login(world.supervisor)
    with django_assert_max_num_queries(MAX_CASE_PAGE_QUERIES):
        response = client.get(reverse("cases:detail", args=[board["breached"].reference]))
    assert "30 min overdue" in text(response)
