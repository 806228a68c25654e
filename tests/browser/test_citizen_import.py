"""An admin imports a CSV of citizens with a bad row and a duplicate: maps the columns, reads
the preview, runs it (a real Celery worker takes the chunks from the outbox), reloads the page
while it runs, and downloads the rows left out. axe-core finds nothing on each page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from agencies.models import Agency
from agencies.services import staff_member_create
from citizens.models import Citizen
from citizens.services import citizen_create
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

FILE = (
    "Nombre;Apellido;Correo;Teléfono;Idioma\n"
    "Lucía;Fernández;lucia.f@example.org;312 555 0133;es\n"
    "Marco;Polo;marco@;;en\n"  # a bad email: an error row
    "Jon;Smith;jon.smith@example.org;;en\n"  # like John Smith: a possible duplicate
    "Ana;Ortega;ana.ortega@example.org;;es\n"
).encode("cp1252")


@pytest.fixture
def admin_user(transactional_db):
    agency = Agency.objects.create(slug="pw", name="Public Works", timezone="America/Chicago")
    user = get_user_model().objects.create_user(username="boss", password="pw-0123456789",
                                                first_name="Bea")  # fmt: skip
    staff_member_create(user=user, agency=agency, role="admin", actor=None)
    citizen_create(actor=None, first_name="John", last_name="Smith", email="john@example.org")
    return user


def test_admin_imports_a_csv_and_downloads_the_problem_rows(page, admin_user, celery_worker):
    sign_in(page, admin_user.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Import citizens"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import citizens from a CSV file")
    assert_no_axe_violations(page)
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "vecinos.csv", "mimeType": "text/csv", "buffer": FILE}]
    )
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import of vecinos.csv")
    expect(page.locator("main")).to_contain_text("4 data rows, read as windows-1252")
    # The guessed mapping: name, surname, email, phone, language.
    expect(page.get_by_label("Column “Correo”")).to_have_value("email")
    expect(page.get_by_label("Column “Teléfono”")).to_have_value("phone")
    page.get_by_label("Column “Apellido”").select_option("last_name")
    page.get_by_role("button", name="Save the mapping and preview").click()
    preview = page.locator("table", has_text="What happens")
    expect(preview.locator("tr", has_text="Lucía")).to_contain_text("New record")
    expect(preview.locator("tr", has_text="Marco")).to_contain_text("is not an email address")
    expect(preview.locator("tr", has_text="Jon")).to_contain_text("Possible duplicate")
    assert_no_axe_violations(page)
    screenshot(page, "citizen-import-preview")

    page.get_by_role("button", name="Import 4 rows").click()
    page.reload()  # the progress is the job's row: a reload shows it again
    expect(page.locator("#import-progress")).to_contain_text("Import finished", timeout=30_000)
    expect(page.locator("#import-progress")).to_contain_text("2 new records")
    expect(page.locator("#import-progress")).to_contain_text("1 possible duplicate left out")
    expect(page.locator("#import-progress")).to_contain_text("1 row with an error")
    assert_no_axe_violations(page)
    screenshot(page, "citizen-import-done")
    lucia = Citizen.objects.get(email="lucia.f@example.org")
    assert (lucia.last_name, lucia.phone, lucia.preferred_language) == (
        "Fernández", "+13125550133", "es")  # fmt: skip

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the rows left out (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "vecinos-problems.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[:2] for row in rows[1:]] == [["3", "Error"], ["4", "Possible duplicate"]]
    assert rows[1][4:6] == ["Marco", "Polo"]
