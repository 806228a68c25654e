"""`python manage.py mail_gateway [--host H] [--port N]`: the SMTP server a city's mail server
delivers the inbound addresses to (DESIGN.md "Interfaces"); `--list-addresses` prints them.

Each message is stored (an InboundMessage row, committed) before the answer 250: a gateway
killed before answering leaves the sender to retry, and the retry is recognised by its
Message-ID and content hash, so it makes no second case. Processing is an outbox job.
Recipients that are not active inbound addresses (or their signed +reply tags) are refused
with 550 at RCPT; oversized messages with 552; beyond MAIL_GATEWAY_MAX_PER_MINUTE, 451 (the
sender's server retries later).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from core import metrics
from inbound import selectors
from inbound.models import InboundMessage
from inbound.services import MessageTooLarge, inbound_receive

logger = logging.getLogger("inbound.gateway")


def _known_recipient(address: str) -> bool:
    close_old_connections()
    return (
        selectors.address_route([address]) is not None
        or selectors.case_from_reply_address([address]) is not None
    )


def _store(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> None:
    close_old_connections()
    inbound_receive(raw=raw, source=InboundMessage.Source.SMTP, envelope_from=mail_from,
                    envelope_to=rcpt_tos)  # fmt: skip


class GatewayHandler:
    """aiosmtpd handler: refuse unknown recipients, store before acknowledging."""

    def __init__(self, *, max_per_minute: int | None = None) -> None:
        self.max_per_minute = max_per_minute or settings.MAIL_GATEWAY_MAX_PER_MINUTE
        self.window = (0, 0)  # (minute, count)
        # The database is used from one thread of its own (never from the event loop).
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-db")

    async def _run(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    def close(self) -> None:
        self.executor.submit(connections.close_all).result(timeout=10)
        self.executor.shutdown(wait=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            known = await self._run(_known_recipient, address)
        except Exception:
            logger.exception("gateway: recipient check failed")
            return "451 4.3.0 Temporary failure, try again later"
        if not known:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answer = await self._data(envelope)
        outcome = "accepted" if answer.startswith("250") else "rejected"
        metrics.MAIL_GATEWAY_MESSAGES.labels(outcome=outcome).inc()
        return answer

    async def _data(self, envelope) -> str:
        minute = int(time.monotonic() // 60)
        count = self.window[1] + 1 if self.window[0] == minute else 1
        self.window = (minute, count)
        if count > self.max_per_minute:
            return "451 4.7.1 Too many messages just now, try again later"
        raw = envelope.original_content or envelope.content
        try:
            await self._run(_store, raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        except MessageTooLarge:
            return "552 5.3.4 Message too big"
        except Exception:
            logger.exception("gateway: could not store a message")
            return "451 4.3.0 Temporary failure, try again later"
        return "250 2.0.0 OK: queued"


def make_controller(*, host: str, port: int):
    from aiosmtpd.controller import Controller

    return Controller(
        GatewayHandler(), hostname=host, port=port,
        data_size_limit=settings.INBOUND_MAX_BYTES, decode_data=False,
        server_hostname="citizencrm-gateway", ready_timeout=10,
    )  # fmt: skip


def gateway_stop(controller) -> None:
    controller.stop()
    controller.handler.close()


class Command(BaseCommand):
    help = "Receive email for the inbound addresses over SMTP (see README, 'Receiving email')."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="bind address (MAIL_GATEWAY_HOST)")
        parser.add_argument("--port", type=int, default=None, help="port (MAIL_GATEWAY_PORT)")
        parser.add_argument(
            "--list-addresses", action="store_true", help="print the inbound addresses and exit"
        )

    def handle(self, *args, **options):
        if options["list_addresses"]:
            for address in selectors.addresses_active():
                self.stdout.write(address.address)
            return
        host = options["host"] or settings.MAIL_GATEWAY_HOST
        port = options["port"] if options["port"] is not None else settings.MAIL_GATEWAY_PORT
        controller = make_controller(host=host, port=port)
        controller.start()
        self.stdout.write(f"mail gateway listening on {host}:{controller.port}", ending="\n")
        self.stdout.flush()
        done = {"stop": False}

        def _stop(*_args):
            done["stop"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        try:
            while not done["stop"]:
                time.sleep(0.5)
        finally:
            gateway_stop(controller)
