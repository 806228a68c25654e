"""Attachments: type checked by content, size limited, stored under a random name."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.services import case_attach

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("photo.png", PNG, "image/png"),
        ("scan.pdf", PDF, "application/pdf"),
        ("notes.txt", "Bache en la calle Mayor, ¡grande!".encode(), "text/plain"),
        ("photo.jpeg.exe", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
    ],
)
def test_accepted_files_are_typed_by_content(world, new_case, name, content, detected):
    attachment = case_attach(
        case=new_case, upload=SimpleUploadedFile(name, content, "application/octet-stream"),
        actor=world.agent,
    )  # fmt: skip

    assert attachment.content_type == detected
    assert attachment.original_name == name
    assert name not in attachment.file.name  # stored under a random token
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # an .exe named .pdf
        ("page.txt", b"<html><script>alert(1)</script></html>"),  # markup disguised as text
        ("image.png", b"\x00\x01\x02\xfe binary blob"),  # no known signature, not text
        ("empty.txt", b""),
    ],
)
def test_forged_or_unknown_content_is_refused_and_nothing_is_stored(world, new_case, name, content):
    with pytest.raises(ValidationError):
        case_attach(case=new_case, upload=SimpleUploadedFile(name, content), actor=world.agent)

    assert not new_case.attachments.exists()
    assert not new_case.events.filter(kind="attachment").exists()


def test_oversize_files_are_refused_with_the_limit_in_the_message(world, new_case, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as refused:
        case_attach(case=new_case, upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
                    actor=world.agent)  # fmt: skip

    assert "too large" in refused.value.messages[0]
    assert "The limit is 1.0\xa0KB" in refused.value.messages[0]
    assert not new_case.attachments.exists()
