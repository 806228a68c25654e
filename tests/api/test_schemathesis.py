"""Schemathesis against /api/schema/ over real HTTP: every phase it offers (examples, coverage,
fuzzing, stateful) and every check; no failure and no 5xx. `make test` runs a bounded number
of examples per operation; `make chaos` runs the long version (marked slow).

Per-operation allowances (rejections the schema cannot express: an unknown category code, a
transition the workflow refuses) live in schemathesis.toml at the repository root.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cases import services as case_services
from citizens.services import citizen_create
from core.services import api_token_create
from tests.cases.conftest import make_category, make_staff

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def _world():
    """A small agency with a few of everything the API can reach, and a second agency."""
    from datetime import time

    from agencies.models import Agency
    from agencies.services import calendar_create, team_create
    from cases.models import AttributeDefinition

    hours = [(day, time(9), time(17)) for day in range(5)]
    agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
    other = Agency.objects.create(name="Revenue", slug="rev", timezone="America/Chicago")
    calendar = calendar_create(agency=agency, name="Office", intervals=hours, actor=None)
    other_calendar = calendar_create(agency=other, name="Office", intervals=hours, actor=None)
    roads = team_create(agency=agency, name="Roads", slug="roads", calendar=calendar, actor=None)
    tax = team_create(agency=other, name="Tax", slug="tax", calendar=other_calendar, actor=None)
    pothole = make_category(agency, roads, "pothole", "Pothole")
    AttributeDefinition.objects.create(
        category=pothole, code="size", label={"en": "Size"}, datatype="string"
    )
    make_category(agency, roads, "graffiti", "Graffiti")
    other_category = make_category(other, tax, "tax-question", "Tax question")
    admin = make_staff("ada", agency, "admin", [roads])
    make_staff("alex", agency, "agent", [roads])
    citizen = citizen_create(actor=admin, first_name="Rosa", last_name="Parks",
                             email="rosa@example.org")  # fmt: skip
    for n in range(3):
        case_services.case_create(category=pothole, description=f"Hole {n}", channel="phone",
                                  citizen=citizen, actor=admin)  # fmt: skip
    case_services.case_create(category=other_category, description="Tax", channel="web")
    _token, raw = api_token_create(user=admin, name="schemathesis", actor=None)
    return raw


def _run(live_server, token: str, max_examples: int, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--checks",
            "all",
            "--max-examples",
            str(max_examples),
            "--seed",
            "20261124",
            "--no-shrink",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _check(result: subprocess.CompletedProcess) -> None:
    Path("test-artifacts").mkdir(exist_ok=True)
    Path("test-artifacts/schemathesis.log").write_text(result.stdout)
    summary = result.stdout[-6000:]
    print(summary)  # the counts for the closing note / CI log
    assert "Server error" not in result.stdout, summary
    assert result.returncode == 0, summary


@pytest.mark.django_db(transaction=True)
def test_the_api_keeps_its_schema_under_generated_requests(live_server, tmp_path):
    _check(_run(live_server, _world(), max_examples=8, tmp_path=tmp_path))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_api_keeps_its_schema_under_many_generated_requests(live_server, tmp_path):
    _check(_run(live_server, _world(), max_examples=200, tmp_path=tmp_path))
