"""Realistic calls of every service function, for tests/test_audit_completeness.py.

A scenario gets a fresh World (two agencies with staff), prepares what the call needs, and
returns the call itself (a no-argument callable) so that only the service's own statements are
recorded. The call must really change something. Add one when you add a service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMember


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    agent: object
    supervisor: object
    admin: object

    @classmethod
    def build(cls) -> World:
        agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
        other = Agency.objects.create(name="Revenue", slug="rev", timezone="America/Chicago")
        users = {}
        for role in ("agent", "supervisor", "admin"):
            user = get_user_model().objects.create_user(username=role, password="pw-0123456789")
            StaffMember.objects.create(user=user, agency=agency, role=role)
            users[role] = user
        return cls(agency=agency, other_agency=other, **users)


Call = Callable[[], object]


def _outbox_requeue(world: World) -> Call:
    from core.models import OutboxMessage
    from core.services import outbox_requeue

    message = OutboxMessage.objects.create(topic="core.email", payload={}, status="dead")
    return lambda: outbox_requeue(message=message, actor=world.admin)


SCENARIOS: dict[str, Callable[[World], Call]] = {
    "core.services.outbox_requeue": _outbox_requeue,
}
