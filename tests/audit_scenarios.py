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


def _citizens_anonymise(world: World) -> Call:
    from datetime import timedelta

    from django.utils import timezone

    from citizens.models import Citizen
    from citizens.services import citizen_create, citizens_anonymise

    old = citizen_create(actor=None, first_name="Olga", last_name="Old", email="o@example.org")
    Citizen.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=4000))
    return lambda: citizens_anonymise(cutoff=timezone.now() - timedelta(days=3000))


def _api_token_create(world: World) -> Call:
    from core.services import api_token_create

    return lambda: api_token_create(user=world.agent, name="phone system", actor=world.agent)


def _api_token_revoke(world: World) -> Call:
    from core.services import api_token_create, api_token_revoke

    token, _raw = api_token_create(user=world.agent, name="old", actor=world.agent)
    return lambda: api_token_revoke(token=token, actor=world.agent)


def _api_tokens_revoke_all(world: World) -> Call:
    from core.services import api_token_create, api_tokens_revoke_all

    api_token_create(user=world.agent, name="one", actor=world.agent)
    api_token_create(user=world.agent, name="two", actor=world.agent)
    return lambda: api_tokens_revoke_all(user=world.agent, actor=world.admin, reason="role")


# --- agencies -------------------------------------------------------------------------------


def _agencies_calendar(world: World, name: str = "Office hours"):
    from datetime import time

    from agencies.models import BusinessCalendar, OpeningInterval

    calendar = BusinessCalendar.objects.create(
        agency=world.agency, name=name, timezone="America/Chicago"
    )
    OpeningInterval.objects.create(calendar=calendar, weekday=0, start=time(8), end=time(17))
    return calendar


def _agencies_team(world: World):
    from agencies.models import Team

    calendar = _agencies_calendar(world)
    return Team.objects.create(agency=world.agency, name="Roads", slug="roads", calendar=calendar)


def _team_create(world: World) -> Call:
    from agencies.services import team_create

    calendar = _agencies_calendar(world)
    return lambda: team_create(
        agency=world.agency, name="Parks", slug="parks", calendar=calendar, actor=world.admin
    )


def _team_update(world: World) -> Call:
    from agencies.services import team_update

    team = _agencies_team(world)
    return lambda: team_update(team=team, name="Roads and Sidewalks", actor=world.admin)


def _calendar_create(world: World) -> Call:
    from datetime import time

    from agencies.services import calendar_create

    hours = [(day, time(8), time(17)) for day in range(5)]
    return lambda: calendar_create(
        agency=world.agency, name="Front desk", intervals=hours, actor=world.admin
    )


def _calendar_set_hours(world: World) -> Call:
    from datetime import time

    from agencies.services import calendar_set_hours

    calendar = _agencies_calendar(world)
    hours = [(5, time(9), time(12))]
    return lambda: calendar_set_hours(calendar=calendar, intervals=hours, actor=world.admin)


def _holiday_add(world: World) -> Call:
    from datetime import date

    from agencies.services import holiday_add

    calendar = _agencies_calendar(world)
    return lambda: holiday_add(
        calendar=calendar, date=date(2026, 12, 25), name="Christmas Day", actor=world.admin
    )


def _calendar_seed_holidays(world: World) -> Call:
    from agencies.services import calendar_seed_holidays

    calendar = _agencies_calendar(world)
    return lambda: calendar_seed_holidays(
        calendar=calendar, country="US", subdivision="IL", years=[2026], actor=world.admin
    )


def _staff_member_create(world: World) -> Call:
    from agencies.services import staff_member_create

    user = get_user_model().objects.create_user(username="new-admin", password="pw-0123456789")
    return lambda: staff_member_create(
        user=user, agency=world.agency, role="admin", actor=world.admin
    )


def _staff_member_update(world: World) -> Call:
    from agencies.services import staff_member_update

    member = world.agent.staff_profile
    return lambda: staff_member_update(member=member, role="supervisor", actor=world.admin)


def _staff_member_set_teams(world: World) -> Call:
    from agencies.services import staff_member_set_teams

    team = _agencies_team(world)
    member = world.agent.staff_profile
    return lambda: staff_member_set_teams(member=member, teams=[team], actor=world.admin)


def _citizen_create(world: World) -> Call:
    from citizens.services import citizen_create

    return lambda: citizen_create(
        actor=world.agent,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@example.org",
        consent_contact=True,
    )


def _citizen(world: World, first_name: str = "José", last_name: str = "Muñoz"):
    from citizens.services import citizen_create

    return citizen_create(actor=world.agent, first_name=first_name, last_name=last_name)


def _citizen_update(world: World) -> Call:
    from citizens.services import citizen_update

    citizen = _citizen(world)
    return lambda: citizen_update(
        citizen=citizen, actor=world.agent, data={"phone": "(312) 555-0142"}
    )


def _citizen_consent_set(world: World) -> Call:
    from citizens.services import citizen_consent_set

    citizen = _citizen(world)
    return lambda: citizen_consent_set(
        citizen=citizen, kind="surveys", granted=False, source="email-unsubscribe"
    )


def _citizen_match_requester(world: World) -> Call:
    from citizens.services import citizen_match_requester

    return lambda: citizen_match_requester(
        actor="citizen (web)", source="web", name="Rosa Díaz", email="rosa@example.org",
        consent_surveys=False,
    )  # fmt: skip


def _citizen_merge(world: World) -> Call:
    from citizens.services import citizen_merge

    survivor, other = _citizen(world), _citizen(world, "Jose", "Munoz")
    return lambda: citizen_merge(
        survivor=survivor, other=other, actor=world.supervisor, keep_from_other=["first_name"]
    )


SCENARIOS: dict[str, Callable[[World], Call]] = {
    "agencies.services.team_create": _team_create,
    "agencies.services.team_update": _team_update,
    "agencies.services.calendar_create": _calendar_create,
    "agencies.services.calendar_set_hours": _calendar_set_hours,
    "agencies.services.holiday_add": _holiday_add,
    "agencies.services.calendar_seed_holidays": _calendar_seed_holidays,
    "agencies.services.staff_member_create": _staff_member_create,
    "agencies.services.staff_member_update": _staff_member_update,
    "agencies.services.staff_member_set_teams": _staff_member_set_teams,
    "citizens.services.citizen_create": _citizen_create,
    "citizens.services.citizen_update": _citizen_update,
    "citizens.services.citizen_consent_set": _citizen_consent_set,
    "citizens.services.citizen_merge": _citizen_merge,
    "citizens.services.citizen_match_requester": _citizen_match_requester,
    "citizens.services.citizens_anonymise": _citizens_anonymise,
    "core.services.outbox_requeue": _outbox_requeue,
    "core.services.api_token_create": _api_token_create,
    "core.services.api_token_revoke": _api_token_revoke,
    "core.services.api_tokens_revoke_all": _api_tokens_revoke_all,
}


# --- cases ----------------------------------------------------------------------------------


def _category(world: World, agency=None, code: str = "pothole"):
    from agencies.models import Team
    from cases.models import ServiceCategory

    agency = agency or world.agency
    calendar = _agencies_calendar(world, name=f"Hours {code}")
    calendar.agency = agency
    calendar.save()
    team = Team.objects.create(agency=agency, name=f"Team {code}", slug=code, calendar=calendar)
    return ServiceCategory.objects.create(
        agency=agency, code=code, name={"en": code.title()}, owning_team=team
    )


def _case(world: World, status: str = "new", **fields):
    from django.utils import timezone

    from cases.models import Case

    now = timezone.now()
    category = _category(world)
    extra = {}
    if status != "new":
        extra.update(assignee=world.agent, opened_at=now)
    if status in ("resolved", "closed"):
        extra.update(resolved_at=now, resolution_code="resolved", citizen_contacted=True)
    if status == "closed":
        extra.update(closed_at=now)
    extra.update(fields)
    return Case.objects.create(
        reference=f"CRM-2026-{Case.objects.count():06d}", agency=world.agency, category=category,
        description="Pothole on Main St", channel="phone", status=status, team=category.owning_team,
        reporter_email="r@example.org", **extra,
    )  # fmt: skip


def _cases_scenarios() -> dict[str, Callable[[World], Call]]:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import citizen_services as cs
    from cases import services as s
    from open311 import services as o311

    def close_resolved(world):
        case = _case(world, "resolved")
        case.resolved_at = timezone.now() - timedelta(days=30)
        case.save()
        return lambda: s.cases_close_resolved()

    def refer(world):
        case = _case(world, "open")
        target = _category(world, agency=world.other_agency, code="tax")
        return lambda: s.case_refer(
            case=case, category=target, reason="Tax matter", actor=world.agent
        )

    def transfer(world):
        case = _case(world, "open")
        other = _category(world, code="parks").owning_team
        return lambda: s.case_transfer(case=case, team=other, actor=world.agent)

    def set_category(world):
        case = _case(world, "open")
        other = _category(world, code="graffiti")
        return lambda: s.case_set_category(case=case, category=other, actor=world.agent)

    def follow_contact_change(world):
        person = _citizen(world)
        _case(world, "open", citizen=person)  # its reporter_email is r@example.org
        return lambda: cs.cases_follow_contact_change(
            person, world.agency.pk, {"email": ("r@example.org", "new@example.org")}, world.agent
        )

    def confirm_by_link(world):
        from citizens.services import citizen_create

        person = citizen_create(actor=None, first_name="Rosa", last_name="Díaz",
                                email="r@example.org")  # fmt: skip
        case = _case(world, "open", suggested_citizen=person)  # reporter_email r@example.org
        return lambda: cs.case_confirm_citizen_by_link(
            case=case, citizen_id=person.pk, email="r@example.org"
        )

    def open311_request(world):
        category = _category(world)
        key, _raw = o311.open311_client_create(name="fix app", agency=world.agency, actor=None)
        contact = o311.RequestContact(email="ana@example.org", first_name="Ana", last_name="Ruiz")
        return lambda: o311.open311_request_create(
            client=key, category=category, description="Streetlight out", attributes={},
            contact=contact, address="1 Main St",
        )  # fmt: skip

    return {
        "cases.services.case_create": lambda w: (
            lambda c=_category(w): s.case_create(
                category=c, description="Broken light", channel="phone", actor=w.agent
            )
        ),
        "cases.services.case_intake": lambda w: (
            lambda c=_category(w): s.case_intake(
                actor=w.agent,
                new_citizen={"first_name": "Ines", "last_name": "Ortega", "phone": "+13125550188"},
                category=c,
                description="Broken light",
                channel="phone",
            )
        ),
        "cases.services.case_transition": lambda w: (
            lambda c=_case(w, "open"): s.case_transition(
                case=c, to_status="in_progress", actor=w.agent
            )
        ),
        "cases.services.case_close": lambda w: (
            lambda c=_case(w, "resolved"): s.case_close(case=c, actor=w.agent)
        ),
        "cases.services.cases_close_resolved": close_resolved,
        "cases.services.case_assign": lambda w: (
            lambda c=_case(w): s.case_assign(case=c, assignee=w.agent, actor=w.supervisor)
        ),
        "cases.services.case_take": lambda w: lambda c=_case(w): s.case_take(case=c, actor=w.agent),
        "cases.services.case_unassign": lambda w: (
            lambda c=_case(w, "open"): s.case_unassign(case=c, actor=w.supervisor)
        ),
        "cases.services.case_transfer": transfer,
        "cases.services.case_refer": refer,
        "cases.services.case_set_priority": lambda w: (
            lambda c=_case(w, "open"): s.case_set_priority(case=c, priority="urgent", actor=w.agent)
        ),
        "cases.services.case_set_category": set_category,
        "open311.services.open311_client_create": lambda w: (
            lambda: o311.open311_client_create(name="city app", agency=w.agency, actor=w.admin)
        ),
        "open311.services.open311_client_revoke": lambda w: (
            lambda c=o311.open311_client_create(name="old app", agency=w.agency, actor=None)[0]: (
                o311.open311_client_revoke(client=c, actor=w.admin)
            )
        ),
        "open311.services.open311_request_create": open311_request,
        "cases.services.cases_anonymise": lambda w: (
            lambda c=_case(w, "closed", closed_at=timezone.now() - timedelta(days=4000)): (
                s.cases_anonymise(cutoff=timezone.now() - timedelta(days=3000))
            )
        ),
        "cases.services.case_change": lambda w: (
            lambda c=_case(w, "open"): s.case_change(case=c, priority="urgent", actor=w.agent)
        ),
        "cases.services.cases_bulk_assign": lambda w: (
            lambda c=_case(w): s.cases_bulk_assign(cases=[c], assignee=w.agent, actor=w.supervisor)
        ),
        "cases.services.cases_bulk_set_priority": lambda w: (
            lambda c=_case(w): s.cases_bulk_set_priority(cases=[c], priority="high", actor=w.agent)
        ),
        "cases.services.case_note_add": lambda w: (
            lambda c=_case(w, "open"): s.case_note_add(case=c, body="Checked", actor=w.agent)
        ),
        "cases.services.case_public_update": lambda w: (
            lambda c=_case(w, "open"): s.case_public_update(case=c, body="On it", actor=w.agent)
        ),
        "cases.services.case_contact_log": lambda w: (
            lambda c=_case(w, "open"): s.case_contact_log(
                case=c, method="phone", body="Called back", actor=w.agent
            )
        ),
        "cases.services.case_attach": lambda w: (
            lambda c=_case(w, "open"): s.case_attach(
                case=c, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test"), actor=w.agent
            )
        ),
        "cases.services.case_updates_unsubscribe": lambda w: (
            lambda c=_case(w, "open"): s.case_updates_unsubscribe(case=c)
        ),
        "cases.citizen_services.case_link_citizen": lambda w: (
            lambda c=_case(w, "open"), p=_citizen(w): cs.case_link_citizen(
                case=c, citizen=p, actor=w.agent
            )
        ),
        "cases.citizen_services.cases_follow_contact_change": follow_contact_change,
        "cases.citizen_services.case_create_for_requester": lambda w: (
            lambda c=_category(w): cs.case_create_for_requester(
                requester=cs.Requester(
                    name="Rosa Díaz", email="rosa@example.org", consent_surveys=True
                ),
                source="web",
                category=c,
                description="Dark lamp",
                channel="web",
            )
        ),
        "cases.citizen_services.case_reject_suggested_citizen": lambda w: (
            lambda c=_case(w, "open", suggested_citizen=_citizen(w)): (
                cs.case_reject_suggested_citizen(case=c, actor=w.agent)
            )
        ),
        "cases.citizen_services.case_create_citizen_for_requester": lambda w: (
            lambda c=_case(w, "open", consent_surveys=True): cs.case_create_citizen_for_requester(
                case=c, actor=w.agent, data={"first_name": "Rosa", "last_name": "Díaz"}
            )
        ),
        "cases.citizen_services.case_confirm_citizen_by_link": confirm_by_link,
        "cases.citizen_services.case_survey_consent_by_link": lambda w: (
            lambda c=_case(w, "open", citizen=_citizen(w)): cs.case_survey_consent_by_link(case=c)
        ),
    }


SCENARIOS.update(_cases_scenarios())


# --- notifications and the SLA engine -------------------------------------------------------


def _notifications_mark_read(world: World) -> Call:
    from core.services import notification_create, notifications_mark_read

    notification_create(recipient=world.agent, kind="sla.breach", title="Overdue")
    return lambda: notifications_mark_read(user=world.agent)


def _sla_case(world: World, *, started_ago_minutes: float = 0):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import SlaPolicy
    from cases.sla.engine import sla_initialise

    case = _case(world, "open")
    SlaPolicy.objects.create(
        agency=world.agency, name="Default", first_response_minutes=30, resolution_minutes=60,
        business_hours=False,
    )  # fmt: skip
    case.created_at = timezone.now() - timedelta(minutes=started_ago_minutes)
    sla_initialise(case)
    case.save()
    return case


def _sla_scenarios() -> dict[str, Callable[[World], Call]]:
    from agencies.hooks import calendar_snapshot
    from cases.sla import services as s

    def refresh(world):
        from cases.models import SlaPolicy

        case = _sla_case(world, started_ago_minutes=10)
        SlaPolicy.objects.create(agency=world.agency, name="Urgent", priority="urgent",
                                 first_response_minutes=5, resolution_minutes=20)  # fmt: skip
        case.priority = "urgent"
        case.save(update_fields=["priority"])
        return lambda: s.case_sla_refresh(case=case, actor=world.agent, reason="priority")

    def for_calendar(world):
        from datetime import time

        from agencies.models import OpeningInterval

        case = _sla_case(world, started_ago_minutes=10)
        case.sla_policy.business_hours = True
        case.sla_policy.save()
        calendar = case.team.calendar
        previous = calendar_snapshot(calendar)
        OpeningInterval.objects.filter(calendar=calendar).delete()
        for day in range(7):
            OpeningInterval.objects.create(calendar=calendar, weekday=day,
                                           start=time(0), end=time(0))  # fmt: skip
        return lambda: s.sla_recompute_for_calendar(
            calendar=calendar, actor=world.admin, previous=previous
        )

    def calendar_hook(world):
        case = _sla_case(world, started_ago_minutes=10)
        calendar = case.team.calendar
        previous = calendar_snapshot(calendar)
        previous = type(previous)(**{**previous.__dict__, "timezone": "Asia/Tokyo"})
        return lambda: s.sla_calendar_changed(
            calendar=calendar, previous=previous, team_ids=None, actor=world.admin
        )

    def sweep(world):
        _sla_case(world, started_ago_minutes=24 * 60)
        return lambda: s.sla_sweep()

    return {
        "core.services.notifications_mark_read": _notifications_mark_read,
        "cases.sla.services.case_sla_refresh": refresh,
        "cases.sla.services.sla_recompute_for_calendar": for_calendar,
        "cases.sla.services.sla_calendar_changed": calendar_hook,
        "cases.sla.services.sla_sweep": sweep,
    }


SCENARIOS.update(_sla_scenarios())


# --- feedback -------------------------------------------------------------------------------


def _feedback_scenarios() -> dict[str, Callable[[World], Call]]:
    from datetime import timedelta

    from django.utils import timezone

    from citizens.services import citizen_create
    from feedback import services as f
    from feedback import survey_services as fs
    from feedback.models import FeedbackSubmission, Question, Survey

    def survey(world):
        s = Survey.objects.create(agency=world.agency, name="CSAT", is_default=True,
                                  title={"en": "How did we do?"})  # fmt: skip
        Question.objects.create(survey=s, code="resolved", kind="yes_no", is_resolution=True)
        Question.objects.create(survey=s, code="csat", kind="csat", text={"en": "Satisfied?"})
        return s

    def feedback(world, **fields):
        return FeedbackSubmission.objects.create(
            agency=world.agency, kind="complaint", message="Bins not emptied.", **fields
        )

    def closed_case_with_consent(world):
        citizen = citizen_create(actor=world.agent, first_name="Ana", last_name="Ruiz",
                                 email="ana@example.org", consent_surveys=True)  # fmt: skip
        return _case(world, "closed", citizen=citizen)

    def invitation(world, *, sent: bool):
        survey(world)
        case = closed_case_with_consent(world)
        inv = fs.survey_invite_for_closed_case(case=case, now=timezone.now() - timedelta(hours=2))
        if sent:
            fs.surveys_dispatch(now=timezone.now())
            inv.refresh_from_db()
        return inv

    def invite(world):
        survey(world)
        case = closed_case_with_consent(world)
        return lambda: fs.survey_invite_for_closed_case(case=case)

    def dispatch(world):
        invitation(world, sent=False)
        return lambda: fs.surveys_dispatch(now=timezone.now())

    def expire(world):
        inv = invitation(world, sent=True)
        return lambda: fs.surveys_expire(now=inv.expires_at + timedelta(seconds=1))

    def respond(world):
        inv = invitation(world, sent=True)
        q = {x.code: x.pk for x in inv.survey.questions.all()}
        return lambda: fs.survey_respond(invitation=inv, answers={q["resolved"]: 0, q["csat"]: 2})

    def unsubscribe(world):
        inv = invitation(world, sent=True)
        return lambda: fs.survey_unsubscribe(invitation=inv)

    def open_case(world):
        item = feedback(world)
        category = _category(world)
        return lambda: f.feedback_open_case(feedback=item, category=category, actor=world.agent)

    def link_citizen(world):
        item = feedback(world)
        citizen = citizen_create(actor=world.agent, first_name="Bo", last_name="Lee")
        return lambda: f.feedback_link_citizen(feedback=item, citizen=citizen, actor=world.agent)

    def reject_suggestion(world):
        person = citizen_create(actor=None, first_name="Bo", last_name="Lee")
        item = feedback(world, suggested_citizen=person)
        return lambda: f.feedback_reject_suggested_citizen(feedback=item, actor=world.agent)

    def ensure_builtin(world):
        s = Survey.objects.create(agency=world.agency, name="Plain", title={"en": "Hi"})
        return lambda: fs.survey_ensure_builtin_question(survey=s, actor=world.admin)

    return {
        "feedback.services.feedback_submit": lambda w: (
            lambda: f.feedback_submit(agency=w.agency, kind="compliment", message="Thank you!")
        ),
        "feedback.services.feedback_mark_handled": lambda w: (
            lambda item=feedback(w): f.feedback_mark_handled(feedback=item, actor=w.agent)
        ),
        "feedback.services.feedback_link_citizen": link_citizen,
        "feedback.services.feedback_reject_suggested_citizen": reject_suggestion,
        "feedback.services.feedback_create_citizen": lambda w: (
            lambda item=feedback(w, consent_surveys=True): f.feedback_create_citizen(
                feedback=item, actor=w.agent, data={"first_name": "Bo", "last_name": "Lee"}
            )
        ),
        "feedback.services.feedback_open_case": open_case,
        "feedback.survey_services.survey_ensure_builtin_question": ensure_builtin,
        "feedback.survey_services.survey_invite_for_closed_case": invite,
        "feedback.survey_services.surveys_dispatch": dispatch,
        "feedback.survey_services.surveys_expire": expire,
        "feedback.survey_services.survey_respond": respond,
        "feedback.survey_services.survey_unsubscribe": unsubscribe,
        "feedback.services.feedback_anonymise": lambda w: (
            lambda fb=feedback(w): (
                FeedbackSubmission.objects.filter(pk=fb.pk).update(
                    created_at=timezone.now() - timedelta(days=4000)
                ),
                f.feedback_anonymise(cutoff=timezone.now() - timedelta(days=3000)),
            )
        ),
    }


SCENARIOS.update(_feedback_scenarios())


# --- inbound email --------------------------------------------------------------------------


def _inbound_scenarios() -> dict[str, Callable[[World], Call]]:
    from cases import services as s
    from inbound import services as ins
    from inbound.models import InboundAddress, InboundMessage

    raw = (b"From: Ana <ana@example.org>\r\nTo: roads@pw.example\r\nSubject: Pothole\r\n"
           b"Message-ID: <1@example.org>\r\n\r\nA hole.\r\n")  # fmt: skip

    def route(world):
        category = _category(world, code=ins.UNCLASSIFIED_CODE)
        InboundAddress.objects.create(address="roads@pw.example", agency=world.agency,
                                      team=category.owning_team)  # fmt: skip

    def receive(world):
        route(world)
        return lambda: ins.inbound_receive(raw=raw, source="smtp", envelope_from="ana@example.org",
                                           envelope_to=["roads@pw.example"])  # fmt: skip

    def process(world):
        route(world)
        message, _created = ins.inbound_receive(raw=raw, source="smtp",
                                                envelope_to=["roads@pw.example"])  # fmt: skip
        return lambda: ins.inbound_process(message_pk=message.pk)

    def requeue(world):
        message = InboundMessage.objects.create(message_id="<2@x>", content_hash="0" * 64,
                                                source="smtp", raw=raw, status="dead")  # fmt: skip
        return lambda: ins.inbound_requeue(message=message, actor=world.admin)

    def citizen_reply(world):
        case = _case(world, "waiting_on_citizen")
        return lambda: s.case_citizen_reply(
            case=case, body="North side.", actor="citizen:r@example.org", channel="email"
        )

    def open311_update(world):
        from open311.services import open311_client_create
        from open311.update_services import PostedUpdate, open311_update_post

        case = _case(world, "open")
        client, _key = open311_client_create(name="FMS", agency=world.agency, actor=None)
        update = PostedUpdate(client_update_id="7", description="By the gate.")
        return lambda: open311_update_post(client=client, case=case, update=update)

    def anonymise(world):
        from datetime import timedelta

        from django.utils import timezone

        message = InboundMessage.objects.create(
            message_id="<3@x>", content_hash="1" * 64, source="smtp", raw=raw, size=len(raw),
            sender="ana@example.org", received_at=timezone.now() - timedelta(days=4000),
        )  # fmt: skip
        assert message.pk
        return lambda: ins.inbound_messages_anonymise(cutoff=timezone.now() - timedelta(days=3000))

    return {
        "inbound.services.inbound_messages_anonymise": anonymise,
        "open311.update_services.open311_update_post": open311_update,
        "inbound.services.inbound_receive": receive,
        "inbound.services.inbound_process": process,
        "inbound.services.inbound_requeue": requeue,
        "cases.services.case_citizen_reply": citizen_reply,
    }


SCENARIOS.update(_inbound_scenarios())


def _visits_scenarios() -> dict[str, Callable[[World], Call]]:
    from tests.visits.world import office_make
    from visits import services as v

    def office(world):
        return office_make(agency=world.agency, categories=[_category(world, code="tax")])

    def waiting(world):
        o = office(world)
        return o, v.visit_check_in(office=o, category=o.services.first(), email="n@example.org")

    def called(world):
        o, visit = waiting(world)
        v.visit_call_next(desk=o.desks.first(), actor=world.agent)
        visit.refresh_from_db()
        return o, visit

    def check_in(world):
        o = office(world)
        return lambda: v.visit_check_in(office=o, category=o.services.first())

    def call_next(world):
        o, _visit = waiting(world)
        return lambda: v.visit_call_next(desk=o.desks.first(), actor=world.agent)

    def set_status(world):
        _o, visit = called(world)
        return lambda: v.visit_set_status(visit=visit, action="serving", actor=world.agent)

    def transfer(world):
        o, visit = called(world)
        return lambda: v.visit_transfer(visit=visit, actor=world.agent, desk=o.desks.last())

    def open_case(world):
        _o, visit = called(world)
        return lambda: v.visit_open_case(
            visit=visit, actor=world.agent, description="Bill question",
            new_citizen={"first_name": "Rosa", "last_name": "Díaz"},
        )  # fmt: skip

    return {
        "visits.services.visit_check_in": check_in,
        "visits.services.visit_call_next": call_next,
        "visits.services.visit_set_status": set_status,
        "visits.services.visit_transfer": transfer,
        "visits.services.visit_open_case": open_case,
    }


SCENARIOS.update(_visits_scenarios())


def _citizen_import_scenarios() -> dict[str, Callable[[World], Call]]:
    from citizen_import import services as imp

    raw = b"First,Last,Email\nAna,Ruiz,ana.ruiz@example.org\n"
    mapping = {"0": "first_name", "1": "last_name", "2": "email"}

    def uploaded(world):
        return imp.import_upload(actor=world.admin, file_name="p.csv", raw=raw)

    def set_mapping(world):
        job = uploaded(world)
        return lambda: imp.import_set_mapping(job=job, mapping=mapping, actor=world.admin)

    def start(world):
        job = imp.import_set_mapping(job=uploaded(world), mapping=mapping, actor=world.admin)
        return lambda: imp.import_start(job=job, actor=world.admin)

    def run_chunk(world):
        job = imp.import_set_mapping(job=uploaded(world), mapping=mapping, actor=world.admin)
        imp.import_start(job=job, actor=world.admin)
        return lambda: imp.import_run_chunk(import_id=job.pk)

    return {
        "citizen_import.services.import_upload": lambda w: (
            lambda: imp.import_upload(actor=w.admin, file_name="p.csv", raw=raw)
        ),
        "citizen_import.services.import_set_mapping": set_mapping,
        "citizen_import.services.import_start": start,
        "citizen_import.services.import_run_chunk": run_chunk,
    }


SCENARIOS.update(_citizen_import_scenarios())


def _segments_scenarios() -> dict[str, Callable[[World], Call]]:
    from cases.models import Case
    from citizens.services import citizen_create
    from feedback import survey_services as fs
    from feedback.models import Survey
    from segments import services as seg

    def closed_case_of(world, citizen):
        case = _case(world, "closed", citizen=citizen)
        Case.objects.filter(pk=case.pk).update(citizen_contacted=True, resolution_code="resolved")
        case.refresh_from_db()
        return case

    def member(world, **consent):
        citizen = citizen_create(
            actor=world.agent,
            first_name="Eva",
            last_name="Sol",
            email="eva@example.org",
            preferred_language="es",
            **consent,
        )
        return citizen, closed_case_of(world, citizen)

    def segment(world):
        return seg.segment_create(name="Spanish", definition={"languages": ["es"]},
                                  actor=world.supervisor)  # fmt: skip

    def campaign(world):
        member(world, consent_surveys=True)
        s = segment(world)
        survey = Survey.objects.create(agency=world.agency, name="Works", title={"en": "Hi"})
        return lambda: seg.segment_survey_campaign(segment=s, survey=survey,
                                                   actor=world.supervisor)  # fmt: skip

    def outreach(world):
        member(world, consent_contact=True)
        s = segment(world)
        return lambda: seg.segment_outreach_send(
            segment=s, actor=world.supervisor, subject={"en": "Works"}, body={"en": "Oak St."}
        )

    def invite(world):
        _citizen, case = member(world, consent_surveys=True)
        survey = Survey.objects.create(agency=world.agency, name="Works", title={"en": "Hi"})
        return lambda: fs.survey_invite(case=case, survey=survey, actor=world.supervisor)

    return {
        "segments.services.segment_create": lambda w: (
            lambda: seg.segment_create(name="All", definition={}, actor=w.supervisor)
        ),
        "segments.services.segment_update": lambda w: (
            lambda s=segment(w): seg.segment_update(
                segment=s,
                name="Spanish speakers",
                definition={"languages": ["es"]},
                actor=w.supervisor,
            )
        ),
        "segments.services.segment_survey_campaign": campaign,
        "segments.services.segment_outreach_send": outreach,
        "feedback.survey_services.survey_invite": invite,
    }


SCENARIOS.update(_segments_scenarios())


def _saved_views_scenarios() -> dict[str, Callable[[World], Call]]:
    from reports import services as rs

    def view(world):
        return rs.saved_view_create(owner=world.agent, agency=world.agency, kind="queue",
                                    name="Mine", query="sort=sla")  # fmt: skip

    def rename(world):
        v = view(world)
        return lambda: rs.saved_view_update(view=v, actor=world.agent, name="Urgent first")

    def delete(world):
        v = view(world)
        return lambda: rs.saved_view_delete(view=v, actor=world.agent)

    return {
        "reports.services.saved_view_create": lambda w: lambda: view(w),
        "reports.services.saved_view_update": rename,
        "reports.services.saved_view_delete": delete,
    }


SCENARIOS.update(_saved_views_scenarios())


# --- followers, merging duplicates, related cases (cases.follower_services, merge_services) ----


def _two_cases(world: World, status: str = "open"):
    from cases.models import Case

    first = _case(world, status)
    second = Case.objects.create(
        reference=f"CRM-2026-{Case.objects.count():06d}", agency=world.agency,
        category=first.category, description="Same pothole", channel="phone", status=status,
        team=first.team, reporter_email="second@example.org", assignee=first.assignee,
        opened_at=first.opened_at,
    )  # fmt: skip
    return first, second


def _joined_scenarios() -> dict[str, Callable[[World], Call]]:
    from cases import follower_services as fol
    from cases import merge_services as m

    def unfollow(world):
        case = _case(world, "open")
        fol.case_follow(case=case, user=world.agent)
        return lambda: fol.case_unfollow(case=case, user=world.agent)

    def unsubscribe(world):
        case = _case(world, "open")
        follower = fol.case_follower_add_citizen(case=case, email="f@example.org", source="web")
        return lambda: fol.case_follower_unsubscribe(follower=follower)

    def merge(world):
        kept, duplicate = _two_cases(world)
        return lambda: m.case_merge(duplicate=duplicate, into=kept, actor=world.agent)

    def unmerge(world):
        kept, duplicate = _two_cases(world)
        m.case_merge(duplicate=duplicate, into=kept, actor=world.agent)
        return lambda: m.case_unmerge(duplicate=duplicate, actor=world.agent)

    def link(world):
        one, two = _two_cases(world)
        return lambda: m.case_link_related(case=one, other=two, actor=world.agent)

    def unlink(world):
        one, two = _two_cases(world)
        m.case_link_related(case=one, other=two, actor=world.agent)
        return lambda: m.case_unlink_related(case=one, other=two, actor=world.agent)

    def invite_followers(world):
        from django.utils import timezone

        from citizens.services import citizen_create
        from feedback import survey_services as fs
        from feedback.models import Question, Survey

        survey = Survey.objects.create(agency=world.agency, name="Satisfaction", is_default=True,
                                       title={"en": "How did we do?"})  # fmt: skip
        Question.objects.create(survey=survey, code="resolved", kind="yes_no",
                                is_resolution=True, required=True)  # fmt: skip
        case = _case(world, "closed")
        citizen = citizen_create(actor=None, first_name="Fay", last_name="Lee",
                                 email="fay@example.org", consent_surveys=True)  # fmt: skip
        fol.case_follower_add_citizen(case=case, email="fay@example.org", consent=True,
                                      citizen=citizen, source="web")  # fmt: skip
        return lambda: fs.survey_invite_followers(case=case, now=timezone.now())

    return {
        "cases.follower_services.case_follow": lambda w: (
            lambda c=_case(w, "open"): fol.case_follow(case=c, user=w.agent)
        ),
        "cases.follower_services.case_unfollow": unfollow,
        "cases.follower_services.case_follower_add_citizen": lambda w: (
            lambda c=_case(w, "open"): fol.case_follower_add_citizen(
                case=c, email="n@example.org", name="Nia Neighbour", consent=True, source="web"
            )
        ),
        "cases.follower_services.case_follower_unsubscribe": unsubscribe,
        "cases.merge_services.case_merge": merge,
        "cases.merge_services.case_unmerge": unmerge,
        "cases.merge_services.case_link_related": link,
        "cases.merge_services.case_unlink_related": unlink,
        "feedback.survey_services.survey_invite_followers": invite_followers,
    }


SCENARIOS.update(_joined_scenarios())
