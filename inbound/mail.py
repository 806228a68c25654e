"""Reading a raw email: who sent it, to whom, its text (HTML reduced to text), attachments,
whether it is automatic mail that must never get an answer, and its identity for exactly-once
(Message-ID and a hash of its content). Pure functions, no database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.conf import settings

# Headers that relays add on the way: the same message delivered twice may differ in these.
TRACE_HEADERS = {"received", "return-path", "delivered-to", "x-original-to", "dkim-signature",
                 "arc-seal", "arc-message-signature", "arc-authentication-results",
                 "authentication-results", "x-received"}  # fmt: skip
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass
class Attachment:
    name: str
    content: bytes
    content_type: str


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    recipients: list[str]
    replied_ids: list[str]
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    language: str = ""
    automatic: str = ""  # why it is automatic mail (never a case, never a receipt); "" if not


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def identity(raw: bytes) -> tuple[str, str]:
    """(Message-ID, content hash): the same message, however relayed, has the same pair."""
    message = parse(raw)
    message_id = _message_id(message)
    normalised = raw.replace(b"\r\n", b"\n")
    head, _sep, body = normalised.partition(b"\n\n")
    kept = [
        line for line in _unfold(head).split(b"\n")
        if line.split(b":", 1)[0].strip().lower().decode("ascii", "replace") not in TRACE_HEADERS
    ]  # fmt: skip
    digest = hashlib.sha256(b"\n".join(sorted(kept)) + b"\n\n" + body).hexdigest()
    return message_id, digest


def _unfold(head: bytes) -> bytes:
    return re.sub(rb"\n[ \t]+", b" ", head)


def _message_id(message: EmailMessage) -> str:
    found = MESSAGE_ID.search(str(message.get("Message-ID", "") or ""))
    return found.group(0)[:500] if found else ""


def read(raw: bytes, *, envelope_from: str | None, envelope_to: list[str]) -> ParsedMail:
    message = parse(raw)
    name, sender = parseaddr(str(message.get("From", "") or ""))
    recipients = list(envelope_to)
    for header in ("To", "Cc", "Delivered-To", "X-Original-To"):
        recipients += [a for _n, a in getaddresses([str(v) for v in message.get_all(header, [])])]
    replied = MESSAGE_ID.findall(
        " ".join(str(message.get(h, "") or "") for h in ("In-Reply-To", "References"))
    )
    text, attachments = _content(message)
    return ParsedMail(
        message_id=_message_id(message),
        sender=sender.strip().lower(),
        sender_name=name.strip(),
        subject=str(message.get("Subject", "") or "").strip()[:300],
        recipients=[r.strip().lower() for r in recipients if r and "@" in r],
        replied_ids=replied,
        text=text,
        attachments=attachments,
        language=_language(message),
        automatic=automatic_reason(message, envelope_from=envelope_from, sender=sender),
    )


def automatic_reason(message: EmailMessage, *, envelope_from: str | None, sender: str) -> str:
    """Why this is mail no person wrote (an auto-reply, a bounce, a list), or ""."""
    if envelope_from is None:  # read from a mailbox: the delivering server wrote Return-Path
        envelope_from = str(message.get("Return-Path", "") or "") or None
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "null sender (a bounce or notification)"
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing-list mail (List-Id)"
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "auto-reply (X-Autoreply)"
    suppress = str(message.get("X-Auto-Response-Suppress", "") or "").lower()
    if "all" in suppress or "oof" in suppress:
        return "auto-reply (X-Auto-Response-Suppress)"
    if message.get_content_type() == "multipart/report":
        return "delivery report (a bounce)"
    if not sender or sender.lower().startswith(BOUNCE_SENDERS):
        return "no sender, or a mailer daemon (a bounce)"
    return ""


def _language(message: EmailMessage) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for header in ("Content-Language", "Accept-Language"):
        for part in str(message.get(header, "") or "").split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in codes:
                return code
    return ""


def _content(message: EmailMessage) -> tuple[str, list[Attachment]]:
    attachments: list[Attachment] = []
    plain: list[str] = []
    html: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if disposition == "attachment" or (
            part.get_filename() and not content_type.startswith("text/")
        ) or content_type.startswith(("image/", "application/")):  # fmt: skip
            payload = part.get_payload(decode=True) or b""
            attachments.append(Attachment(
                name=(part.get_filename() or "attachment")[:150],
                content=payload, content_type=content_type,
            ))  # fmt: skip
            continue
        if content_type == "text/plain":
            plain.append(_text_of(part))
        elif content_type == "text/html":
            html.append(html_to_text(_text_of(part)))
    text = "\n\n".join(t for t in plain if t.strip()) or "\n\n".join(t for t in html if t.strip())
    return _tidy(text), attachments


def _text_of(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _TextExtractor(HTMLParser):
    """HTML → plain text: text nodes only, scripts and styles dropped, blocks on new lines.
    Nothing of the markup survives, so the text is safe wherever it is shown (escaped)."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "table", "ul", "ol", "hr"}  # fmt: skip
    SKIP = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    return _tidy("\n".join(lines))


# Lines that start the quoted history of a reply in common mail programs (English, Spanish).
QUOTE_HEADERS = [
    re.compile(r"^On .{3,200}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^El .{3,200}escribió:\s*$", re.IGNORECASE),
    re.compile(r"^-{2,}\s*(Original Message|Mensaje original)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),
    re.compile(r"^(From|De):\s.+$"),
]
SIGNATURES = [re.compile(r"^--\s*$"), re.compile(r"^Sent from my \w+", re.IGNORECASE),
              re.compile(r"^Enviado desde mi \w+", re.IGNORECASE)]  # fmt: skip


def trim_reply(text: str) -> str:
    """The new part of a reply: quoted history (">" lines, "On … wrote:") and the signature
    cut off. The full text is kept elsewhere; this is for display."""
    kept: list[str] = []
    lines = (text or "").split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if any(p.match(stripped) for p in QUOTE_HEADERS + SIGNATURES):
            break
        # "On Mon, … <x@y>" may wrap onto the next line before "wrote:".
        if stripped.startswith(("On ", "El ")) and index + 1 < len(lines):
            joined = f"{stripped} {lines[index + 1].strip()}"
            if any(p.match(joined) for p in QUOTE_HEADERS[:2]):
                break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    trimmed = _tidy("\n".join(kept))
    return trimmed or _tidy(text)
