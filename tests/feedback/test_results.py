"""Survey results: exact figures for a fixture of known answers; the CSV export is safe."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import selectors, survey_services
from tests.feedback.conftest import invitation_of, make_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("survey_settings")]

# (team's category, agent, resolved, csat, nps, comment, anonymous); None: not answered.
KNOWN = [
    ("graffiti", "agent", 1, 5, 10, "+1 great", False),
    ("graffiti", "agent", 1, 4, 9, "@SUM(A1:A2)", False),
    ("graffiti", "agent", None, None, None, None, False),
    ("pothole", "agent2", 0, 2, 3, '=HYPERLINK("http://evil.example")', False),
    ("pothole", "agent2", 1, 3, 7, "-2 stars", True),
]


@pytest.fixture
def known(world, make_citizen, close_case):
    survey = make_survey(world.agency)
    other_survey = make_survey(world.other_agency)
    invitations = []
    for category, agent, *_rest in KNOWN:
        case = close_case(
            make_citizen(), category=getattr(world, category), agent=getattr(world, agent),
            attributes={"size": "small"} if category == "pothole" else None,
        )  # fmt: skip
        invitations.append(invitation_of(case))
    foreign = invitation_of(close_case(make_citizen(), category=world.other_category,
                                       agent=world.other_agent))  # fmt: skip
    survey_services.surveys_dispatch(now=timezone.now())
    q = {question.code: question.pk for question in survey.questions.all()}
    for invitation, (_c, _a, resolved, csat, nps, comment, anonymous) in zip(
        invitations, KNOWN, strict=True
    ):
        if resolved is None:
            continue
        invitation.refresh_from_db()
        survey_services.survey_respond(
            invitation=invitation, anonymous=anonymous,
            answers={q["resolved"]: resolved, q["csat"]: csat, q["nps"]: nps,
                     q["comment"]: comment},
        )  # fmt: skip
    foreign.refresh_from_db()
    oq = {question.code: question.pk for question in other_survey.questions.all()}
    survey_services.survey_respond(invitation=foreign, answers={oq["resolved"]: 0, oq["csat"]: 1,
                                                         oq["nps"]: 0})  # fmt: skip
    return invitations


def test_overall_figures_are_exact(world, known):
    results = selectors.survey_results(world.supervisor)
    total = results.total

    assert (total.sent, total.answered, total.response_rate) == (5, 4, 80.0)
    assert (total.csat_count, total.csat_average, total.csat_satisfied) == (4, 3.5, 50.0)
    assert total.csat_distribution == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}
    assert (total.promoters, total.passives, total.detractors, total.nps) == (2, 1, 1, 25.0)
    assert (total.resolved_yes, total.resolved_count, total.resolved_rate) == (3, 4, 75.0)


def test_figures_per_team_category_and_agent(world, known):
    by_team = {f.label: f for f in selectors.survey_results(world.supervisor).groups}
    parks, roads = by_team["Parks"], by_team["Roads"]
    assert (parks.sent, parks.answered, parks.response_rate) == (3, 2, 66.7)
    assert (parks.csat_average, parks.nps, parks.resolved_rate) == (4.5, 100.0, 100.0)
    assert (roads.sent, roads.answered, roads.response_rate) == (2, 2, 100.0)
    assert (roads.csat_average, roads.nps, roads.resolved_rate) == (2.5, -50.0, 50.0)

    by_category = selectors.survey_results(world.supervisor, group_by="category").groups
    assert [(f.label, f.sent) for f in by_category] == [("Graffiti", 3), ("Pothole", 2)]
    by_agent = selectors.survey_results(world.supervisor, group_by="agent").groups
    assert [(f.label, f.csat_average) for f in by_agent] == [("Alex", 4.5), ("Blair", 2.5)]


def test_figures_per_month_and_comments(world, known):
    import zoneinfo

    world.agency_zone = zoneinfo.ZoneInfo(world.agency.timezone)
    results = selectors.survey_results(world.supervisor)
    assert len(results.months) == 12  # every month of the default period, for the chart axis
    [month] = [m for m in results.months if m.sent]
    assert month.label == timezone.localtime(timezone.now(), world.agency_zone).strftime("%Y-%m")
    assert (month.sent, month.answered, month.csat_average, month.nps) == (5, 4, 3.5, 25.0)
    comments = {c.text: c.case_reference for c in results.comments}
    assert comments['=HYPERLINK("http://evil.example")'] == known[3].case.reference
    assert comments["-2 stars"] is None  # anonymous: no link to the case


def test_another_agency_sees_only_its_own(world, known):
    total = selectors.survey_results(world.other_agent).total
    assert (total.sent, total.answered, total.csat_average, total.nps) == (1, 1, 1.0, -100.0)


def test_the_results_page_is_for_supervisors(client, world, known):
    client.force_login(world.agent)
    assert client.get(reverse("feedback:results")).status_code == 403
    assert client.get(reverse("feedback:results_csv")).status_code == 403
    client.force_login(world.supervisor)
    response = client.get(reverse("feedback:results"), {"by": "category"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "80.0 %" in page and "3.50" in page and "25.0" in page and "75.0 %" in page
    assert 'id="results-chart-data"' in page
    assert "style=" not in page.split("<main", 1)[1]  # CSP: no inline styles
    assert "<script>" not in page  # CSP: no inline scripts (the data is JSON, not code)


def test_csv_export_neutralises_formula_cells(client, world, known):
    client.force_login(world.supervisor)
    response = client.get(reverse("feedback:results_csv"))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header == selectors.CSV_HEADER
    assert len(body) == 4
    comments = sorted(row[header.index("comments")] for row in body)
    assert comments == ["'+1 great", "'-2 stars", "'=HYPERLINK(\"http://evil.example\")",
                        "'@SUM(A1:A2)"]  # fmt: skip
    assert sorted(row[header.index("csat")] for row in body) == ["2", "3", "4", "5"]
    anonymous = next(row for row in body if row[header.index("anonymous")] == "yes")
    assert anonymous[header.index("case_reference")] == ""


def test_neutralise_cell():
    from feedback.exports import neutralise_cell

    for risky in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralise_cell(risky) == "'" + risky
    assert neutralise_cell("Fine") == "Fine"
    assert neutralise_cell(-1) == -1  # numbers are not text a spreadsheet evaluates


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, date(1, 7, 24)), (date(1, 1, 1), None), (date(9999, 12, 31), date(9999, 12, 31))],
)
def test_a_far_fetched_period_is_moved_within_reason_not_a_crash(start, end):
    first, last = selectors.results_period(start, end, today=date(2026, 11, 24))

    assert date(2000, 1, 1) <= first <= last <= date(9000, 12, 31)
