"""Attachment checks: the type comes from the content, never from the name or the browser."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# (magic bytes at offset 0, detected type, extension we serve it with)
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
]


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(head: bytes) -> Sniffed | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return Sniffed(content_type, extension)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "webp")
    if _looks_like_text(head):
        return Sniffed("text/plain", "txt")
    return None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Markup would be rendered by a browser that ignored our headers: refuse it as text.
    return not text.lstrip().startswith("<")


def upload_check(upload) -> Sniffed:
    """Validate an uploaded file; returns its detected type or raises ValidationError."""
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    sniffed = sniff(head)
    if sniffed is None:
        raise ValidationError(
            _(
                "This type of file is not accepted. Send a PDF, an image (PNG, JPEG, GIF, WebP) "
                "or plain text."
            ),
            code="type",
        )
    return sniffed


# Extensions a detected type may keep (e.g. "photo.jpeg" stays as it is).
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "text/plain": ("txt", "text", "csv", "log"),
}


def download_name(original_name: str, content_type: str) -> str:
    """The uploader's name with the extension of the detected type: "report.pdf.html" stored
    as a PDF downloads as "report.pdf.html.pdf", so no program opens it as a web page."""
    allowed = EXTENSIONS.get(content_type, ())
    stem, dot, extension = (original_name or "file").rpartition(".")
    if dot and stem and extension.lower() in allowed:
        return original_name
    return f"{original_name or 'file'}.{allowed[0] if allowed else 'bin'}"


def attachment_response(attachment) -> FileResponse:
    """A stored attachment as a download (staff pages and API alike): typed by its detected
    content, never rendered inline, never cached by a shared cache. 404 if the file is gone."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- photos from the public form ------------------------------------------------------------

PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
PHOTO_MAX_SIDE = 3000  # pixels: larger photos are scaled down (a phone's 12 MP fits as it is)
PHOTO_MAX_PIXELS = 60_000_000  # refuse "decompression bombs" before decoding them


def photo_clean(upload) -> ContentFile:
    """A photo checked like any attachment (size, type from the content), then decoded and
    written anew with Pillow: only the pixels travel, so EXIF (GPS position, camera, time),
    XMP, comments and colour profiles are gone before anything is stored. The picture is
    turned upright first (its orientation was one of those tags). JPEG, or PNG when it has
    transparency. Raises ValidationError with a message for the person."""
    sniffed = upload_check(upload)
    if sniffed.content_type not in PHOTO_TYPES:
        raise ValidationError(
            _("This file is not a photo. Send a JPEG, PNG, GIF or WebP image."), code="type"
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as opened:
                if opened.width * opened.height > PHOTO_MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise ValidationError(
            _("We could not read this image. Try another photo, or take it again."),
            code="unreadable",
        ) from None
    finally:
        upload.seek(0)
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    # A new image from the pixels alone: no info, no EXIF, nothing else of the original.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if transparent:
        clean.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    stem = (getattr(upload, "name", "") or "photo").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return ContentFile(out.getvalue(), name=f"{stem[:100] or 'photo'}.{extension}")
