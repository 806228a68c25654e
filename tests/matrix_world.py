"""The world of the authorization matrix: two agencies, staff of the first, objects of both."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agencies.models import Agency, BusinessCalendar, Holiday, StaffMember, Team
from agencies.services import calendar_create, staff_member_create, team_create
from cases.models import AttributeDefinition, CannedReply, Case, ServiceCategory, SlaPolicy
from cases.services import case_create, case_note_add
from citizens.services import citizen_create
from core.models import AuditEvent, OutboxMessage

HOURS = [(day, time(9), time(17)) for day in range(5)]


@dataclass
class Side:
    agency: Agency
    calendar: BusinessCalendar
    team: Team
    holiday: Holiday
    category: ServiceCategory
    case: Case
    member: StaffMember


@dataclass
class MatrixWorld:
    own: Side
    other: Side
    users: dict[str, Any]
    citizen: Any
    citizen_twin: Any
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls) -> MatrixWorld:
        own = _side("pw", "Public Works")
        other = _side("rev", "Revenue")
        users = {}
        for role in ("agent", "supervisor", "admin"):
            user = get_user_model().objects.create_user(
                username=f"own-{role}", password="pw-0123456789"
            )
            staff_member_create(user=user, agency=own.agency, role=role, actor=None,
                                teams=[own.team])  # fmt: skip
            users[role] = user
        citizen = citizen_create(actor=None, first_name="Ana", last_name="García",
                                 email="ana@example.org")  # fmt: skip
        twin = citizen_create(actor=None, first_name="Ana", last_name="Garcia",
                              email="ana.g@example.org")  # fmt: skip
        for side in (own, other):
            side.case.citizen = citizen
            side.case.save(update_fields=["citizen"])
        return cls(own=own, other=other, users=users, citizen=citizen, citizen_twin=twin)

    def side(self, side: str) -> Side:
        return self.own if side == "own" else self.other

    def case(self, side: str) -> Case:
        return self.side(side).case

    def admin_object(self, model: type, side: str) -> Any:
        """An instance of a registered admin model belonging to `side` (or unscoped)."""
        s = self.side(side)
        if model._meta.app_label == "feedback":
            return self.feedback_object(model._meta.model_name, side)
        if model._meta.app_label == "visits":
            return self.office(side)
        scoped = {
            Agency: s.agency,
            BusinessCalendar: s.calendar,
            Holiday: s.holiday,
            Team: s.team,
            StaffMember: s.member,
            ServiceCategory: s.category,
            AttributeDefinition: s.category.attributes.first(),
            SlaPolicy: SlaPolicy.objects.get_or_create(
                agency=s.agency, name="Standard", defaults={"resolution_minutes": 480}
            )[0],
            CannedReply: CannedReply.objects.get_or_create(
                agency=s.agency, title="Booked", defaults={"body": {"en": "Booked."}}
            )[0],
        }
        if model in scoped:
            return scoped[model]
        if model._meta.app_label == "inbound":
            return self.inbound_object(model._meta.model_name, side)
        return self._unscoped(model)

    def inbound_object(self, model_name: str, side: str) -> Any:
        """An inbound address and a received message of `side`'s agency (made once)."""
        from inbound.models import InboundAddress
        from inbound.services import inbound_receive

        key = (model_name, side)
        if key not in self.extra:
            s = self.side(side)
            address = InboundAddress.objects.create(
                address=f"mail-{side}@{s.agency.slug}.example", agency=s.agency, team=s.team
            )
            raw = (f"From: a@example.org\r\nTo: {address.address}\r\nSubject: Hi\r\n"
                   f"Message-ID: <{side}@example.org>\r\n\r\nHello\r\n").encode()  # fmt: skip
            message = inbound_receive(raw=raw, source="smtp", envelope_to=[address.address])[0]
            self.extra[("inboundaddress", side)] = address
            self.extra[("inboundmessage", side)] = message
        return self.extra[key]

    def feedback_object(self, model_name: str, side: str) -> Any:
        """Feedback, a survey and a sent survey invitation of `side`'s agency (made once)."""
        key = (model_name, side)
        if key not in self.extra:
            self.extra.update(_feedback_objects(self.side(side), side))
        return self.extra[key]

    def office(self, side: str) -> Any:
        """A walk-in office of `side`'s agency, open around the clock, with a waiting ticket."""
        key = ("office", side)
        if key not in self.extra:
            from tests.visits.world import office_make
            from visits.services import visit_check_in

            s = self.side(side)
            office = office_make(agency=s.agency, categories=[s.category], slug=f"{side}-office")
            self.extra[key] = office
            self.extra[("visit", side)] = visit_check_in(office=office, category=s.category)
        return self.extra[key]

    def citizen_import(self, side: str) -> Any:
        key = ("citizen_import", side)
        if key not in self.extra:
            from citizen_import.models import CitizenImport

            self.extra[key] = CitizenImport.objects.create(
                agency=self.side(side).agency, file_name="people.csv", encoding="utf-8",
                delimiter=",", content="first,last\nAna,Ruiz\n", headers=["first", "last"],
                mapping={"0": "first_name", "1": "last_name"}, total_rows=1,
            )  # fmt: skip
        return self.extra[key]

    def visit(self, side: str) -> Any:
        self.office(side)
        return self.extra[("visit", side)]

    def _unscoped(self, model: type) -> Any:
        if model not in self.extra:
            self.extra[model] = _unscoped_instance(model, self)
        return self.extra[model]


def _side(slug: str, name: str) -> Side:
    agency = Agency.objects.create(slug=slug, name=name, timezone="America/Chicago")
    calendar = calendar_create(agency=agency, name="Office", intervals=HOURS, actor=None)
    holiday = Holiday.objects.create(calendar=calendar, date=date(2026, 12, 25), name="Christmas")
    team = team_create(agency=agency, name="Roads", slug=f"{slug}-roads", calendar=calendar,
                       actor=None)  # fmt: skip
    category = ServiceCategory.objects.create(agency=agency, code=f"{slug}-pothole",
                                              name={"en": "Pothole"}, owning_team=team,
                                              open_data=True)  # fmt: skip
    AttributeDefinition.objects.create(category=category, code="size", label={"en": "Size"})
    case = case_create(category=category, description="Hole in the road", channel="phone",
                       reporter_email=f"someone@{slug}.example.org")  # fmt: skip
    case_note_add(case=case, body="internal", actor=None)
    user = get_user_model().objects.create_user(username=f"{slug}-member", password="x-12345678")
    member = staff_member_create(user=user, agency=agency, role="agent", actor=None)
    return Side(agency=agency, calendar=calendar, team=team, holiday=holiday,
                category=category, case=case, member=member)  # fmt: skip


def _unscoped_instance(model: type, world: MatrixWorld) -> Any:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = world.users["agent"]
    factories = {
        Group: lambda: Group.objects.get_or_create(name="Matrix group")[0],
        get_user_model(): lambda: user,
        OutboxMessage: lambda: OutboxMessage.objects.create(topic="core.email", payload={}),
        AuditEvent: lambda: AuditEvent.objects.first(),
        TOTPDevice: lambda: TOTPDevice.objects.create(user=user, name="phone"),
        AccessAttempt: lambda: AccessAttempt.objects.create(
            username="x",
            ip_address="203.0.113.1",
            user_agent="t",
            failures_since_start=1,
            attempt_time=timezone.now(),
        ),
        AccessLog: lambda: AccessLog.objects.create(
            username="x", ip_address="203.0.113.1", user_agent="t", attempt_time=timezone.now()
        ),
        AccessFailureLog: lambda: AccessFailureLog.objects.create(
            username="x",
            ip_address="203.0.113.1",
            user_agent="t",
            attempt_time=timezone.now(),
            locked_out=False,
        ),
    }
    if model not in factories:
        raise AssertionError(
            f"the authorization matrix needs an instance of {model._meta.label}: "
            "add a factory in tests/matrix_world.py"
        )
    return factories[model]()


def _feedback_objects(s: Side, side: str) -> dict:
    from django.utils import timezone

    from feedback.models import FeedbackSubmission, Survey, SurveyInvitation

    feedback = FeedbackSubmission.objects.create(
        agency=s.agency, kind="complaint", message="The hole is still there."
    )
    survey = Survey.objects.create(agency=s.agency, name="Survey", title={"en": "How did we do?"})
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        survey=survey, case=s.case, citizen=s.case.citizen, agency=s.agency,
        category=s.category, email="ana@example.org", status="sent", send_after=now,
        sent_at=now, expires_at=now + timezone.timedelta(days=14),
        message_id=f"<matrix-{side}@test>", reminder_message_id=f"<matrix-{side}-r@test>",
    )  # fmt: skip
    return {
        ("feedbacksubmission", side): feedback,
        ("survey", side): survey,
        ("surveyinvitation", side): invitation,
    }
