"""A backup restores: a populated database and its uploaded files are backed up, the schema is
dropped, the restore brings back the same cases, attachment and audit trail, and every table's
row count and checksum match the backup's manifest."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cases.models import Case
from cases.services import case_attach, case_create, case_note_add
from core.backup import table_manifest
from core.models import AuditEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def test_a_backup_restores_the_same_data_and_files(
    transactional_db, world, media, tmp_path, client
):
    case = case_create(category=world.graffiti, description="Tags on the bridge", channel="phone",
                       actor=world.agent, reporter_email="resident@example.org")  # fmt: skip
    case_note_add(case=case, body="Paint crew booked", actor=world.agent)
    attachment = case_attach(case=case, upload=SimpleUploadedFile("wall.png", PNG),
                             actor=world.agent)  # fmt: skip
    before = table_manifest()
    audit_before = list(AuditEvent.objects.order_by("pk").values_list("pk", "action"))

    call_command("backup", to=str(tmp_path / "backup"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:  # disaster: the schema and the files are gone
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    call_command("restore", str(tmp_path / "backup"), yes=True, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert table_manifest() == before  # every table: same rows, same checksum
    assert list(AuditEvent.objects.order_by("pk").values_list("pk", "action")) == audit_before
    restored = Case.objects.get(reference=case.reference)
    assert restored.description == "Tags on the bridge"
    client.force_login(world.agent)
    page = client.get(f"/staff/cases/{case.reference}/")
    assert page.status_code == 200 and "Paint crew booked" in page.content.decode()
    download = client.get(f"/staff/cases/{case.reference}/attachments/{attachment.token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
