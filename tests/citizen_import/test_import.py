"""Citizen CSV import: encodings and delimiters, mapping, preview, the run in chunks (resumed
after a worker dies), idempotent re-runs, consent only with source and date, the problems CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from agencies.models import Agency
from agencies.services import staff_member_create
from citizen_import import selectors, services
from citizen_import.models import CitizenImport
from citizens.models import Citizen, ConsentRecord
from citizens.services import citizen_create
from core.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db

CSV = (
    "First name;Last name;Email;Phone;Language;Consent contact;Consent date;Consent source\n"
    "Ana;García;ana@example.org;+1 312 555 0101;es;yes;2026-03-01;paper form\n"
    "Bo;Lee;not-an-email;;en;;;\n"
    "Jon;Smith;jon.smith@example.org;;en;;;\n"
    "Carla;Núñez;carla@example.org;;es;yes;;\n"
    "Dora;Diaz;dora@example.org;+1 312 555 0199;;;;\n"
)
MAPPING = {"0": "first_name", "1": "last_name", "2": "email", "3": "phone",
           "4": "preferred_language", "5": "consent_contact", "6": "consent_date",
           "7": "consent_source"}  # fmt: skip


@pytest.fixture
def admin_user():
    agency = Agency.objects.create(slug="pw", name="Public Works")
    user = get_user_model().objects.create_user(username="boss", password="pw-0123456789")
    staff_member_create(user=user, agency=agency, role="admin", actor=None)
    return user


@pytest.fixture
def existing(admin_user):
    citizen_create(actor=admin_user, first_name="John", last_name="Smith",
                   email="john@example.org")  # fmt: skip
    return citizen_create(actor=admin_user, first_name="Dora", last_name="Díaz",
                          email="dora@example.org")  # fmt: skip


def _run(job):
    services.import_set_mapping(job=job, mapping=MAPPING, actor=job.created_by)
    services.import_start(job=job, actor=job.created_by)
    while services.import_run_chunk(import_id=job.pk, chunk=2):
        pass
    job.refresh_from_db()
    return job


def test_windows_1252_with_semicolons_is_read(admin_user):
    job = services.import_upload(actor=admin_user, file_name="people.csv",
                                 raw=CSV.encode("cp1252"))  # fmt: skip
    assert (job.encoding, job.delimiter, job.total_rows) == ("windows-1252", ";", 5)
    assert job.headers[1] == "Last name" and job.mapping["2"] == "email"
    utf = services.import_upload(actor=admin_user, file_name="p.csv",
                                 raw=CSV.replace(";", ",").encode("utf-8-sig"))  # fmt: skip
    assert (utf.encoding, utf.delimiter) == ("utf-8", ",")
    with pytest.raises(ValidationError):
        services.import_upload(actor=admin_user, file_name="e.csv", raw=b"only,a,header\n")


def test_preview_says_what_each_row_would_do(admin_user, existing):
    job = services.import_upload(actor=admin_user, file_name="p.csv", raw=CSV.encode())
    job = services.import_set_mapping(job=job, mapping=MAPPING, actor=admin_user)
    actions = [(o.row.number, o.action) for o in selectors.import_preview(job, admin_user)]
    assert actions == [(2, "create"), (3, "error"), (4, "duplicate"), (5, "error"),
                       (6, "update")]  # fmt: skip
    assert Citizen.objects.count() == 2  # a preview writes nothing


def test_the_run_imports_in_chunks_and_a_rerun_changes_nothing(admin_user, existing):
    job = _run(services.import_upload(actor=admin_user, file_name="p.csv", raw=CSV.encode()))
    assert (job.status, job.cursor, job.created, job.updated, job.duplicates, job.errors) == (
        "done", 5, 1, 1, 1, 2)  # fmt: skip
    ana = Citizen.objects.get(email="ana@example.org")
    assert (ana.last_name, ana.preferred_language, ana.phone, ana.consent_contact) == (
        "García", "es", "+13125550101", True)  # fmt: skip
    consent = ConsentRecord.objects.get(citizen=ana)
    assert (consent.source, consent.source_detail, str(consent.at.date())) == (
        "import", "paper form", "2026-03-01")  # fmt: skip
    existing.refresh_from_db()
    assert existing.last_name == "Díaz"  # completed, never overwritten
    finished = AuditEvent.objects.get(action="citizen_import.finished", object_id=str(job.pk))
    assert finished.changes["created"] == [None, 1] and finished.changes["errors"] == [None, 2]
    assert AuditEvent.objects.filter(action="citizen_import.chunk").count() == 3

    before = set(Citizen.objects.values_list("pk", "updated_at"))
    again = _run(services.import_upload(actor=admin_user, file_name="p.csv", raw=CSV.encode()))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert set(Citizen.objects.values_list("pk", "updated_at")) == before


def test_a_chunk_that_dies_is_rolled_back_and_redone_without_duplicates(admin_user, monkeypatch):
    rows = "first,last,email\n" + "".join(f"P{i},Zed{i}x,p{i}@example.org\n" for i in range(6))
    job = services.import_upload(actor=admin_user, file_name="big.csv", raw=rows.encode())
    services.import_set_mapping(job=job, mapping={"0": "first_name", "1": "last_name",
                                                  "2": "email"}, actor=admin_user)  # fmt: skip
    services.import_start(job=job, actor=admin_user)
    assert services.import_run_chunk(import_id=job.pk, chunk=2)
    real = services._create_all

    def dies_after_inserting(outcomes, job):
        real(outcomes, job)  # the chunk's records are written, the cursor not yet moved
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_create_all", dies_after_inserting)
    with pytest.raises(SystemExit), transaction.atomic():
        services.import_run_chunk(import_id=job.pk, chunk=2)
    job.refresh_from_db()
    assert job.cursor == 2 and Citizen.objects.count() == 2
    monkeypatch.setattr(services, "_create_all", real)
    while services.import_run_chunk(import_id=job.pk, chunk=2):
        pass
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 6)
    assert Citizen.objects.count() == 6


def test_start_queues_the_first_chunk_through_the_outbox(admin_user):
    job = services.import_upload(actor=admin_user, file_name="p.csv", raw=CSV.encode())
    services.import_set_mapping(job=job, mapping=MAPPING, actor=admin_user)
    services.import_start(job=job, actor=admin_user)
    assert OutboxMessage.objects.filter(topic="citizen_import.chunk",
                                        payload={"import_id": job.pk}).exists()  # fmt: skip
    with pytest.raises(ValidationError):
        services.import_start(job=job, actor=admin_user)


def test_mapping_rules(admin_user):
    job = services.import_upload(actor=admin_user, file_name="p.csv", raw=CSV.encode())
    with pytest.raises(ValidationError):
        services.import_set_mapping(job=job, mapping={"2": "email"}, actor=admin_user)
    with pytest.raises(ValidationError):
        services.import_set_mapping(job=job, mapping={"0": "first_name", "1": "first_name"},
                                    actor=admin_user)  # fmt: skip


def test_pages_and_the_problems_csv(admin_user, existing, client):
    client.force_login(admin_user)
    text = (
        "First,Last,Email\n=cmd|' /C calc'!A0,Evil,x\n"
        "Jon,Smith,jon.smith@example.org\nNew,Person,new@example.org\n"
    )
    upload = io.BytesIO(text.encode())
    upload.name = "people.csv"
    response = client.post(reverse("citizen_import:upload"), {"file": upload})
    assert response.status_code == 302
    job = CitizenImport.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Possible duplicate" in page.content
    client.post(response["Location"], {"col_0": "first_name", "col_1": "last_name",
                                       "col_2": "email", "consent_source": ""})  # fmt: skip
    client.post(reverse("citizen_import:start", kwargs={"pk": job.pk}))
    while services.import_run_chunk(import_id=job.pk):
        pass
    progress = client.get(response["Location"], headers={"HX-Request": "true"})
    assert progress.status_code == 286 and b"Import finished" in progress.content
    body = b"".join(client.get(reverse("citizen_import:problems_csv",
                                       kwargs={"pk": job.pk})).streaming_content)  # fmt: skip
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Row", "Problem", "Reason"]
    assert [r[0] for r in rows[1:]] == ["2", "3"]
    assert rows[1][4].startswith("'=")  # a formula is neutralised


def test_a_person_listed_twice_in_a_chunk_is_created_once(admin_user):
    rows = ("first,last,email,phone\n"
            "Rosa,Quintana,rosa@example.org,\n"
            "Rosa,Quintana,rosa@example.org,+1 217 555 0101\n"  # the same person, with a phone
            "Rosa,Quintanna,other@example.org,\n")  # fmt: skip
    job = services.import_upload(actor=admin_user, file_name="twice.csv", raw=rows.encode())
    services.import_set_mapping(job=job, mapping={"0": "first_name", "1": "last_name",
                                                  "2": "email", "3": "phone"},
                                actor=admin_user)  # fmt: skip
    actions = [(o.row.number, o.action) for o in selectors.import_preview(job, admin_user)]
    assert actions == [(2, "create"), (3, "update"), (4, "duplicate")]
    services.import_start(job=job, actor=admin_user)
    while services.import_run_chunk(import_id=job.pk):  # one chunk holds the three rows
        pass
    (rosa,) = Citizen.objects.filter(last_name="Quintana")
    assert rosa.phone == "+12175550101"  # the second row completed the record being made
    problem = job.problems.get()
    assert problem.row_number == 4 and "row 2 of this file" in problem.message


def test_the_chunk_query_finds_what_the_new_citizen_form_finds(admin_user):
    """The bulk duplicate check and the form's one-person check agree on every candidate."""
    from citizens.selectors import citizen_duplicate_candidates, citizen_duplicate_candidates_many
    from citizens.services import citizen_create

    on_file = [("María", "García López", "maria@example.org", "+12175550100", "1 Oak St"),
               ("Jon", "Smith", "", "+12175550111", "9 Elm St"),
               ("Ana", "Pérez", "ana@example.org", "", ""),
               ("Zoë", "Ng", "", "", "4 Pine Rd")]  # fmt: skip
    for first, last, email, phone, street in on_file:
        citizen_create(actor=None, first_name=first, last_name=last, email=email, phone=phone,
                       address_line1=street, postal_code="62701")  # fmt: skip
    people = [
        {"first_name": "Maria", "last_name": "Garcia Lopez"},  # accents folded: same name
        {"first_name": "Mária", "last_name": "Garsia", "email": "MARIA@example.org"},
        {"first_name": "John", "last_name": "Smith", "phone": "(217) 555-0111"},
        {"first_name": "Anna", "last_name": "Perez"},
        {
            "first_name": "Zoe",
            "last_name": "Ng",
            "address_line1": "4 pine rd",
            "postal_code": "62701",
        },
        {"first_name": "Nobody", "last_name": "Alike", "email": "n@example.org"},
        {"first_name": "", "last_name": "", "phone": "+12175550100"},
    ]
    many = citizen_duplicate_candidates_many(user=admin_user, people=people)
    for data, found in zip(people, many, strict=True):
        one = citizen_duplicate_candidates(user=admin_user, limit=3, **data)
        assert [(c.citizen.pk, c.score) for c in found] == [(c.citizen.pk, c.score) for c in one]
    assert [len(found) for found in many] == [1, 1, 1, 1, 1, 0, 1]
