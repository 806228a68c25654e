"""A world for inbound email: an agency with a routed address, its "to be classified" service,
an agent; and helpers to build raw messages and run the processing jobs."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from agencies.models import Agency, Team
from agencies.services import calendar_create, team_create
from cases.models import ServiceCategory
from core.models import OutboxMessage
from core.services import outbox_deliver
from inbound.models import InboundAddress
from inbound.services import PROCESS_TOPIC, UNCLASSIFIED_CODE
from tests.cases.conftest import WEEKDAYS_9_TO_5, make_category, make_staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class InboundWorld:
    agency: Agency
    roads: Team
    other_team: Team
    unclassified: ServiceCategory
    address: InboundAddress
    agent: Any


@pytest.fixture
def inbound_world(db) -> InboundWorld:
    agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
    calendar = calendar_create(agency=agency, name="Office", intervals=WEEKDAYS_9_TO_5, actor=None)
    roads = team_create(agency=agency, name="Roads", slug="roads", calendar=calendar, actor=None)
    parks = team_create(agency=agency, name="Parks", slug="parks", calendar=calendar, actor=None)
    unclassified = make_category(agency, parks, UNCLASSIFIED_CODE, "To be classified",
                                 public=False)  # fmt: skip
    address = InboundAddress.objects.create(address="roads@city.example", agency=agency, team=roads)
    agent = make_staff("alex", agency, "agent", [roads])
    agent.email = "alex@city.example"
    agent.save()
    return InboundWorld(agency=agency, roads=roads, other_team=parks, unclassified=unclassified,
                        address=address, agent=agent)  # fmt: skip


def make_mail(
    *, sender: str = "Ana Ruiz <ana@example.org>", to: str = "roads@city.example",
    subject: str = "Pothole on Main St", body: str = "There is a deep pothole outside no. 12.",
    html: str | None = None, headers: dict[str, str] | None = None,
    attachment: tuple[str, bytes, str] | None = None, message_id: str | None = None,
) -> bytes:  # fmt: skip
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    message["Date"] = "Thu, 03 Dec 2026 10:00:00 +0000"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        name, content, content_type = attachment
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def run_processing() -> int:
    """Run the queued processing jobs (what the worker does), as many rounds as needed."""
    ran = 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(
                topic=PROCESS_TOPIC, status__in=["pending", "published"]
            ).values_list("pk", flat=True)
        )
        if not ids:
            return ran
        for pk in ids:
            ran += outbox_deliver(message_id=pk)
