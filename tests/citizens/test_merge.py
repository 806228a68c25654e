"""Merging: every relation to Citizen moves, staff choose field values, all or nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models

from citizens import services
from citizens.models import Citizen, ConsentRecord
from citizens.services import citizen_consent_set, citizen_merge
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


# One row factory per relation to Citizen, keyed "app_label.model.field": it creates a row
# (or an M2M link) that points at the given citizen through that field and returns the row.
# A new model pointing at Citizen needs an entry here, so the merge test covers it.
def _case(citizen: Citizen) -> models.Model:
    from datetime import time

    from agencies.models import Agency
    from agencies.services import calendar_create, team_create
    from cases.models import ServiceCategory
    from cases.services import case_create

    category = ServiceCategory.objects.filter(agency__slug="merge-test").first()
    if category is None:
        agency = Agency.objects.create(name="Merge test agency", slug="merge-test")
        hours = [(0, time(9), time(17))]
        calendar = calendar_create(agency=agency, name="Office", intervals=hours, actor=None)
        team = team_create(agency=agency, name="Desk", slug="desk", calendar=calendar, actor=None)
        category = ServiceCategory.objects.create(
            agency=agency, code="general", name={"en": "General"}, owning_team=team
        )
    return case_create(
        category=category, description="Merge test", channel="phone", citizen=citizen
    )


def _feedback(citizen: Citizen) -> models.Model:
    from agencies.models import Agency
    from feedback.models import FeedbackSubmission

    agency, _ = Agency.objects.get_or_create(slug="merge-feedback", defaults={"name": "Feedback"})
    return FeedbackSubmission.objects.create(
        agency=agency, kind="complaint", message="Merge test", citizen=citizen
    )


def _suggested_on_feedback(citizen: Citizen) -> models.Model:
    feedback = _feedback(citizen)
    type(feedback).objects.filter(pk=feedback.pk).update(citizen=None, suggested_citizen=citizen)
    feedback.refresh_from_db()
    return feedback


def _suggested_on_case(citizen: Citizen) -> models.Model:
    case = _case(citizen)
    type(case).objects.filter(pk=case.pk).update(citizen=None, suggested_citizen=citizen)
    case.refresh_from_db()
    return case


def _case_of_another_agency(citizen: Citizen) -> models.Model:
    from datetime import time

    from agencies.models import Agency
    from agencies.services import calendar_create, team_create
    from cases.models import ServiceCategory
    from cases.services import case_create

    agency = Agency.objects.create(name="Merge survey agency", slug="merge-survey")
    hours = [(0, time(9), time(17))]
    calendar = calendar_create(agency=agency, name="Office", intervals=hours, actor=None)
    team = team_create(agency=agency, name="Desk", slug="desk", calendar=calendar, actor=None)
    category = ServiceCategory.objects.create(
        agency=agency, code="general", name={"en": "General"}, owning_team=team
    )
    return case_create(category=category, description="Merge test", channel="phone")


def _survey_invitation(citizen: Citizen) -> models.Model:
    from django.utils import timezone

    from feedback.models import Survey, SurveyInvitation

    case = _case_of_another_agency(citizen)
    survey = Survey.objects.create(agency=case.agency, name="Merge test", title={"en": "Survey"})
    return SurveyInvitation.objects.create(
        survey=survey, case=case, citizen=citizen, agency=case.agency, category=case.category,
        email="merge@example.org", send_after=timezone.now(),
        message_id="<merge-invitation@test>", reminder_message_id="<merge-reminder@test>",
    )  # fmt: skip


def _visit(citizen: Citizen) -> models.Model:
    from agencies.models import Agency, Team
    from cases.models import ServiceCategory
    from tests.visits.world import office_make
    from visits.models import Visit
    from visits.services import visit_check_in

    agency = Agency.objects.create(name="Merge walk-in agency", slug="merge-walk-in")
    office = office_make(agency=agency, categories=[], slug="merge-office")
    team = Team.objects.create(agency=agency, name="Desk", slug="merge-desk",
                               calendar=office.calendar)  # fmt: skip
    category = ServiceCategory.objects.create(agency=agency, code="walk-in",
                                              name={"en": "Walk-in"}, owning_team=team)  # fmt: skip
    office.services.add(category)
    visit = visit_check_in(office=office, category=category)
    Visit.objects.filter(pk=visit.pk).update(citizen=citizen)
    return visit


ROW_FACTORIES: dict[str, Callable[[Citizen], models.Model]] = {
    "citizens.consentrecord.citizen": lambda citizen: ConsentRecord.objects.create(
        citizen=citizen, kind="contact", granted=True, source="web"
    ),
    "cases.case.citizen": _case,
    "cases.case.suggested_citizen": lambda citizen: _suggested_on_case(citizen),
    "feedback.feedbacksubmission.citizen": lambda citizen: _feedback(citizen),
    "feedback.feedbacksubmission.suggested_citizen": lambda citizen: _suggested_on_feedback(
        citizen
    ),
    "feedback.surveyinvitation.citizen": lambda citizen: _survey_invitation(citizen),
    "visits.visit.citizen": lambda citizen: _visit(citizen),
    "cases.casefollower.citizen": lambda citizen: _follower(citizen),
}


def _follower(citizen: Citizen):
    from cases.models import CaseFollower

    case = _case(citizen)
    return CaseFollower.objects.create(
        case=case, citizen=citizen, email="follower@example.org", source="web", token="t" * 40
    )


def _relations_to_citizen():
    """Citizen._meta.related_objects, plus foreign keys hidden with related_name="+" (which
    related_objects leaves out), except the tombstone link itself and the foreign keys of
    auto-created many-to-many tables (those are covered by their many-to-many relation)."""
    hidden_foreign_keys = [
        field
        for field in Citizen._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and field.is_relation
        and field.hidden
        and not field.many_to_many
        and not field.related_model._meta.auto_created
    ]
    return [
        relation
        for relation in [*Citizen._meta.related_objects, *hidden_foreign_keys]
        if not (relation.related_model is Citizen and relation.field.name == "merged_into")
    ]


def _key(relation) -> str:
    return f"{relation.related_model._meta.label_lower}.{relation.field.name}"


def _points_at(relation, row, citizen: Citizen) -> bool:
    if relation.many_to_many:
        return getattr(row, relation.field.name).filter(pk=citizen.pk).exists()
    row.refresh_from_db()
    return getattr(row, relation.field.attname) == citizen.pk


def test_every_relation_to_citizen_moves_to_the_survivor(supervisor, make_citizen):
    relations = _relations_to_citizen()
    missing = [_key(r) for r in relations if _key(r) not in ROW_FACTORIES]
    assert not missing, (
        f"add a row factory to ROW_FACTORIES in tests/citizens/test_merge.py for: {missing}"
    )
    survivor = make_citizen("John", "Smith")
    other = make_citizen("Jon", "Smith")
    rows = [(relation, ROW_FACTORIES[_key(relation)](other)) for relation in relations]
    assert all(_points_at(relation, row, other) for relation, row in rows)

    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    not_moved = [_key(r) for r, row in rows if not _points_at(r, row, survivor)]
    assert not_moved == [], f"these relations still point at the merged-away record: {not_moved}"


def test_factories_table_has_no_stale_entries():
    assert set(ROW_FACTORIES) <= {_key(r) for r in _relations_to_citizen()}


def test_merge_keeps_chosen_values_and_leaves_a_tombstone(supervisor, make_citizen):
    survivor = make_citizen(
        "John", "Smith", email="john@example.org", address_line1="1 Old Road", city="Springfield"
    )
    other = make_citizen(
        "Jonh",
        "Smith",
        email="jonh@example.org",
        phone="+13125550142",
        address_line1="12 Oak Street",
        city="Peoria",
        postal_code="61602",
    )

    result = citizen_merge(
        survivor=survivor, other=other, actor=supervisor, keep_from_other=["address", "phone"]
    )

    survivor.refresh_from_db()
    other.refresh_from_db()
    assert result.pk == survivor.pk
    assert survivor.first_name == "John" and survivor.email == "john@example.org"  # kept
    assert survivor.phone == "+13125550142"  # chosen from the other record
    assert (survivor.address_line1, survivor.city, survivor.postal_code) == (
        "12 Oak Street",
        "Peoria",
        "61602",
    )
    assert survivor.address_key == "12 oak street|61602"
    assert other.merged_into_id == survivor.pk and other.merged_by == supervisor
    assert other.merged_at is not None


def test_merge_writes_one_audit_event_with_before_and_after(supervisor, make_citizen):
    survivor = make_citizen("John", "Smith", email="john@example.org")
    other = make_citizen("Jonh", "Smith", email="jonh@example.org")
    citizen_consent_set(citizen=other, kind="contact", granted=True, source="web")

    citizen_merge(survivor=survivor, other=other, actor=supervisor, keep_from_other=["email"])

    event = AuditEvent.objects.get(action="citizen.merged")
    assert event.object_id == str(survivor.pk) and event.actor_user == supervisor
    assert event.changes["email"] == ["john@example.org", "jonh@example.org"]
    assert event.changes["merged_from"] == [None, other.pk]
    assert "citizens.consentrecord: 1" in event.changes["moved"][1]


def test_choosing_the_other_records_consent_is_recorded_in_the_history(supervisor, make_citizen):
    survivor = make_citizen("Ana", "Ruiz")
    other = make_citizen("Ana", "Ruis")
    citizen_consent_set(citizen=other, kind="contact", granted=True, source="web")

    citizen_merge(
        survivor=survivor, other=other, actor=supervisor, keep_from_other=["consent_contact"]
    )

    survivor.refresh_from_db()
    assert survivor.consent_contact is True
    sources = sorted(survivor.consent_records.values_list("source", flat=True))
    assert sources == ["merge", "web"]


def test_old_tombstones_are_repointed_so_links_take_one_hop(supervisor, make_citizen):
    first, second, third = (make_citizen("Ana", n) for n in ("Ruiz", "Ruis", "Ruíz"))
    citizen_merge(survivor=second, other=first, actor=supervisor)

    citizen_merge(survivor=third, other=second, actor=supervisor)

    assert Citizen.objects.get(pk=first.pk).merged_into_id == third.pk
    assert Citizen.objects.get(pk=second.pk).merged_into_id == third.pk


def test_refuses_merging_a_record_into_itself_or_a_tombstone(supervisor, make_citizen):
    survivor, other = make_citizen("Ana", "Ruiz"), make_citizen("Ana", "Ruis")
    with pytest.raises(ValidationError):
        citizen_merge(survivor=survivor, other=survivor, actor=supervisor)
    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    with pytest.raises(ValidationError):
        citizen_merge(survivor=other, other=survivor, actor=supervisor)


@pytest.fixture
def extra_relations(db):
    """For one test: models with a one-to-one, a many-to-many and a hidden foreign key to
    Citizen, as another app might add. Tables live in the test's transaction; the models are
    unregistered afterwards so the rest of the session sees only the real relations."""

    class MergeTestGroup(models.Model):  # noqa: DJ008 (test-only model)
        members = models.ManyToManyField(Citizen, related_name="merge_test_groups")

        class Meta:
            app_label = "citizens"

    class MergeTestProfile(models.Model):  # noqa: DJ008 (test-only model)
        citizen = models.OneToOneField(
            Citizen, on_delete=models.CASCADE, related_name="merge_test_profile"
        )

        class Meta:
            app_label = "citizens"

    class MergeTestNote(models.Model):  # noqa: DJ008 (test-only model)
        citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "citizens"

    test_models = (MergeTestGroup, MergeTestProfile, MergeTestNote)
    try:
        with connection.schema_editor() as editor:
            for model in test_models:
                editor.create_model(model)
        yield test_models
    finally:
        registered = apps.all_models["citizens"]
        for name in (
            "mergetestgroup",
            "mergetestgroup_members",
            "mergetestprofile",
            "mergetestnote",
        ):
            registered.pop(name, None)
        apps.clear_cache()


def test_many_to_many_one_to_one_and_hidden_relations_follow_their_rules(
    supervisor, make_citizen, extra_relations
):
    Group, Profile, Note = extra_relations
    survivor, other = make_citizen("Ana", "Ruiz"), make_citizen("Ana", "Ruis")
    both, only_other = Group.objects.create(), Group.objects.create()
    both.members.add(survivor, other)
    only_other.members.add(other)
    kept, stays = Profile.objects.create(citizen=survivor), Profile.objects.create(citizen=other)
    note = Note.objects.create(citizen=other)

    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    # many-to-many: moved, and no duplicate pair where the survivor was already a member
    assert list(both.members.values_list("pk", flat=True)) == [survivor.pk]
    assert list(only_other.members.values_list("pk", flat=True)) == [survivor.pk]
    # one-to-one: the survivor keeps its own; the other one stays with the tombstone
    kept.refresh_from_db()
    stays.refresh_from_db()
    assert (kept.citizen_id, stays.citizen_id) == (survivor.pk, other.pk)
    # foreign key hidden with related_name="+": moved all the same
    note.refresh_from_db()
    assert note.citizen_id == survivor.pk


def test_a_one_to_one_row_moves_when_the_survivor_has_none(
    supervisor, make_citizen, extra_relations
):
    _group, Profile, _note = extra_relations
    survivor, other = make_citizen("Ana", "Ruiz"), make_citizen("Ana", "Ruis")
    profile = Profile.objects.create(citizen=other)

    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    profile.refresh_from_db()
    assert profile.citizen_id == survivor.pk


def _snapshot(*citizens):
    rows = Citizen.objects.filter(pk__in=[c.pk for c in citizens]).order_by("pk")
    return (
        list(rows.values()),
        sorted(ConsentRecord.objects.values_list("pk", "citizen_id")),
        AuditEvent.objects.count(),
    )


def test_a_failure_while_moving_relations_leaves_both_records_untouched(
    supervisor, make_citizen, monkeypatch
):
    survivor = make_citizen("John", "Smith", email="john@example.org")
    other = make_citizen("Jonh", "Smith", email="jonh@example.org")
    citizen_consent_set(citizen=other, kind="contact", granted=True, source="web")
    before = _snapshot(survivor, other)
    real_move = services._move_relation

    def move_then_fail(relation, *, source, target):
        real_move(relation, source=source, target=target)  # the rows really move…
        raise RuntimeError("database went away mid-merge")  # …then the merge fails

    monkeypatch.setattr(services, "_move_relation", move_then_fail)

    with pytest.raises(RuntimeError):
        citizen_merge(survivor=survivor, other=other, actor=supervisor, keep_from_other=["email"])

    assert _snapshot(survivor, other) == before
    assert not Citizen.objects.get(pk=other.pk).is_tombstone


def test_a_failure_at_the_last_step_rolls_everything_back(supervisor, make_citizen, monkeypatch):
    survivor = make_citizen("John", "Smith")
    other = make_citizen("Jonh", "Smith", phone="+13125550142")
    citizen_consent_set(citizen=other, kind="surveys", granted=False, source="web")
    before = _snapshot(survivor, other)

    def audit_fails(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", audit_fails)

    with pytest.raises(RuntimeError):
        citizen_merge(survivor=survivor, other=other, actor=supervisor, keep_from_other=["phone"])

    assert _snapshot(survivor, other) == before
