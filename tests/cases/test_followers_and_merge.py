"""Followers (staff and citizens), nearby reports and possible duplicates, merging duplicates
(and undoing it), related cases: issue 20's staff side."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.follower_services import (
    case_follow,
    case_follower_add_citizen,
    case_unfollow,
)
from cases.merge_services import (
    case_link_related,
    case_merge,
    case_unlink_related,
    case_unmerge,
)
from cases.models import Case, CaseEvent, CaseFollower
from cases.services import (
    case_create,
    case_note_add,
    case_public_update,
    case_take,
    case_transition,
)
from core.models import AuditEvent, Notification, OutboxMessage
from core.services import outbox_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Each test starts in English (a request to a Spanish page leaves Spanish active)."""
    from django.utils import translation

    with translation.override("en"):
        yield


# Springfield-ish: a pothole and points a known distance from it.
LAT, LON = Decimal("39.781700"), Decimal("-89.650100")
METERS_PER_DEG = 111_320.0


def north(meters: float) -> Decimal:
    return (LAT + Decimal(str(round(meters / METERS_PER_DEG, 6)))).quantize(Decimal("0.000001"))


def pothole(world, *, lat=LAT, lon=LON, channel="web", email="", citizen=None, **extra) -> Case:
    return case_create(
        category=world.pothole, description="A deep pothole", channel=channel,
        attributes={"size": "large"}, latitude=lat, longitude=lon, reporter_email=email,
        citizen=citizen, actor=world.agent if channel == "phone" else None, **extra,
    )  # fmt: skip


def follower_emails() -> list[dict]:
    return [
        m.payload
        for m in OutboxMessage.objects.filter(topic="core.email").order_by("id")
        if "which you follow" in m.payload["subject"] or "que usted sigue" in m.payload["subject"]
    ]


def run_follower_outbox() -> None:
    """Deliver every follower message (the handler queues the emails as core.email rows)."""
    for message in OutboxMessage.objects.filter(topic="cases.followers_notify"):
        outbox_deliver(message_id=message.pk)


# --- staff followers ---------------------------------------------------------------------------


def test_staff_follow_and_unfollow_are_audited_and_followers_get_notices(world, new_case):
    assert case_follow(case=new_case, user=world.agent2) is True
    assert case_follow(case=new_case, user=world.agent2) is False  # once

    case_take(case=new_case, actor=world.agent)
    case_public_update(case=new_case, body="Crew booked", actor=world.agent)

    titles = list(
        Notification.objects.filter(recipient=world.agent2, kind="case.followed").values_list(
            "title", flat=True
        )
    )
    assert any("which you follow" in title and "status changed" in title for title in titles)
    assert any("an update was sent to the citizen" in title for title in titles)
    assert not Notification.objects.filter(recipient=world.agent, kind="case.followed").exists()

    assert case_unfollow(case=new_case, user=world.agent2) is True
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.followed", "case.unfollowed"} <= actions


def test_another_agencys_staff_cannot_follow(world, new_case):
    with pytest.raises(Exception, match="staff"):
        case_follow(case=new_case, user=world.other_agent)


def test_a_mention_in_an_internal_note_makes_the_colleague_a_follower(world, new_case):
    case_note_add(case=new_case, body="@blair can you look at this?", actor=world.agent)

    follower = CaseFollower.objects.get(case=new_case, user=world.agent2)
    assert follower.source == "mention"


def test_follow_button_on_the_case_page(client, world, new_case):
    client.force_login(world.agent2)
    url = reverse("cases:detail", args=[new_case.reference])
    assert ">Follow<" in client.get(url).content.decode()

    response = client.post(reverse("cases:follow", args=[new_case.reference]))

    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert ">Unfollow<" in page
    assert "Blair" in page  # listed among the followers
    client.post(reverse("cases:unfollow", args=[new_case.reference]))
    assert not CaseFollower.objects.filter(case=new_case).exists()


# --- citizen followers ---------------------------------------------------------------------------


def test_a_citizen_follows_once_per_email(world, new_case):
    first = case_follower_add_citizen(
        case=new_case, email="Neighbour@Example.org", name="Nia Neighbour", language="es",
        consent=False, source="web",
    )  # fmt: skip
    again = case_follower_add_citizen(
        case=new_case, email="neighbour@example.org", name="Nia", consent=True, source="web"
    )

    assert again.pk == first.pk
    assert CaseFollower.objects.filter(case=new_case).count() == 1
    again.refresh_from_db()
    assert again.consent_surveys is True  # a later "yes" counts
    assert again.language == "es"
    assert again.citizen is not None  # an unknown contact gets a record, as on the public form
    assert len(again.token) >= 40


def test_each_citizen_follower_is_emailed_once_per_event_in_their_language(world, new_case):
    case_follower_add_citizen(case=new_case, email="ana@example.org", name="Ana", language="es",
                              source="web")  # fmt: skip
    case_follower_add_citizen(case=new_case, email="bo@example.org", name="Bo", language="en",
                              source="web")  # fmt: skip
    # The requester following their own request is not emailed twice.
    case_follower_add_citizen(case=new_case, email="resident@example.org", source="phone")

    case_public_update(case=new_case, body="We fill it on Tuesday.", actor=world.agent)
    run_follower_outbox()
    run_follower_outbox()  # handled again (a requeue): nobody is emailed twice
    message = OutboxMessage.objects.get(topic="cases.followers_notify")
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")
    outbox_deliver(message_id=message.pk)

    emails = follower_emails()
    assert sorted(e["to"][0] for e in emails) == ["ana@example.org", "bo@example.org"]
    spanish = next(e for e in emails if e["to"] == ["ana@example.org"])
    english = next(e for e in emails if e["to"] == ["bo@example.org"])
    assert "que usted sigue" in spanish["subject"]
    assert "which you follow" in english["subject"]
    assert "We fill it on Tuesday." in english["body"]
    # Nothing about the requester or the other follower.
    assert "resident@example.org" not in english["body"]
    assert "ana@example.org" not in english["body"] and "Ana" not in english["body"]
    assert "/following/" in english["body"]

    case_take(case=new_case, actor=world.agent)  # new → open: not an email
    case_transition(case=new_case, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True, note="Filled")  # fmt: skip
    run_follower_outbox()
    run_follower_outbox()
    emails = follower_emails()
    assert len(emails) == 4
    assert sum("Resolved" in e["subject"] for e in emails) == 1


def test_the_unsubscribe_link_asks_then_stops_following(client, world, new_case):
    follower = case_follower_add_citizen(
        case=new_case, email="ana@example.org", name="Ana", language="es", source="web"
    )
    url = reverse("case_unfollow", args=[follower.token]).replace("/en/", "/es/")

    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "Dejar de seguir" in page.content.decode()
    follower.refresh_from_db()
    assert follower.unsubscribed_at is None  # a GET changes nothing

    done = client.post(url)
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    follower.refresh_from_db()
    assert follower.unsubscribed_at is not None
    assert "resident@example.org" not in done.content.decode()
    assert AuditEvent.objects.filter(action="case.follower_unsubscribed").exists()

    case_public_update(case=new_case, body="News", actor=world.agent)
    run_follower_outbox()
    assert follower_emails() == []
    assert client.get(reverse("case_unfollow", args=["not-a-token"])).status_code == 404


# --- nearby reports and possible duplicates --------------------------------------------------


def test_nearby_open_cases_finds_open_reports_of_the_service_within_the_distance(world):
    here = pothole(world)
    near = pothole(world, lat=north(150))
    far = pothole(world, lat=north(260))
    east = pothole(world, lon=LON + Decimal("0.001500"))  # about 128 m east at this latitude
    other_service = case_create(category=world.graffiti, description="Tags", channel="web",
                                latitude=LAT, longitude=LON)  # fmt: skip
    closed = pothole(world, lat=north(20))
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_at=timezone.now(),
                                             resolved_at=timezone.now(),
                                             resolution_code="resolved")  # fmt: skip

    found = list(selectors.nearby_open_cases(world.pothole, LAT, LON, 200, exclude=here))

    assert [c.pk for c in found] == [east.pk, near.pk]  # nearest first
    assert 120 < found[0].distance_m < 135
    assert 145 < found[1].distance_m < 155
    ids = {c.pk for c in found}
    assert not ids & {far.pk, other_service.pk, closed.pk, here.pk}


def test_the_nearby_query_is_an_index_scan(world):
    """EXPLAIN of the selector's query uses case_open_nearby_idx. The test table is tiny, so
    sequential scans are switched off for this transaction (SET LOCAL enable_seqscan = off):
    the planner then shows whether the index *can* answer the query, which is the question."""
    for n in range(5):
        pothole(world, lat=north(50 * n))
    query = selectors.nearby_open_cases(world.pothole, LAT, LON, 200)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()

    assert "case_open_nearby_idx" in plan, plan


def test_possible_duplicates_nearby_and_recent_or_the_same_citizens(world, settings):
    from citizens.services import citizen_create

    settings.POSSIBLE_DUPLICATE_METERS = 200
    settings.POSSIBLE_DUPLICATE_DAYS = 30
    kept = pothole(world, email="first@example.org")
    phoned = pothole(world, lat=north(40), channel="phone")
    old = pothole(world, lat=north(10))
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
    person = citizen_create(actor=world.agent, first_name="Ana", last_name="Ruiz",
                            email="ana@example.org")  # fmt: skip
    mine = pothole(world, citizen=person, lat=None, lon=None)
    theirs_elsewhere = pothole(world, citizen=person, lat=north(5000))

    found = selectors.possible_duplicates(phoned)
    assert [d.case.pk for d in found] == [kept.pk]
    assert 35 < found[0].distance_m < 45

    by_citizen = selectors.possible_duplicates(mine)
    assert [d.case.pk for d in by_citizen] == [theirs_elsewhere.pk]
    assert by_citizen[0].same_citizen is True


def test_the_case_page_lists_possible_duplicates(client, world):
    kept = pothole(world, email="first@example.org")
    phoned = pothole(world, lat=north(40), channel="phone")
    client.force_login(world.agent)

    page = client.get(reverse("cases:detail", args=[phoned.reference])).content.decode()

    assert "Possible duplicates" in page
    assert kept.reference in page
    assert "40 m" in page
    assert "first@example.org" not in page.split("Possible duplicates")[1].split("</table>")[0]


# --- merging ---------------------------------------------------------------------------------


@pytest.fixture
def pair(world):
    kept = pothole(world, email="first@example.org")
    case_take(case=kept, actor=world.agent)
    duplicate = pothole(world, lat=north(40), channel="phone", email="second@example.org",
                        reporter_name="Sam Second", language="es")  # fmt: skip
    return kept, duplicate


def test_merge_closes_the_duplicate_and_moves_its_requester_and_followers(world, pair):
    kept, duplicate = pair
    case_follower_add_citizen(case=duplicate, email="third@example.org", name="Tia",
                              source="web")  # fmt: skip
    case_follow(case=duplicate, user=world.agent2)
    events_before = duplicate.events.count()

    case_merge(duplicate=duplicate, into=kept, actor=world.agent)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.resolution_code) == ("closed", "duplicate")
    assert duplicate.merged_into == kept
    # Its timeline is kept whole, and the kept case's timeline links to it.
    assert duplicate.events.count() > events_before
    merged_from = kept.events.get(kind=CaseEvent.Kind.MERGE)
    assert merged_from.data == {"direction": "from", "reference": duplicate.reference}
    followers = {f.email or f.user.username: f for f in CaseFollower.objects.filter(case=kept)}
    assert set(followers) == {"second@example.org", "third@example.org", "blair"}
    requester = followers["second@example.org"]
    assert (requester.language, requester.name, requester.source) == ("es", "Sam Second", "merge")
    assert requester.merged_from == duplicate
    assert AuditEvent.objects.filter(action="case.merged_into").exists()
    assert AuditEvent.objects.filter(action="case.merged_from").exists()
    # The requester of the duplicate was told, in Spanish, on their own request.
    told = [m.payload for m in OutboxMessage.objects.filter(topic="core.email")
            if m.payload["to"] == ["second@example.org"]]  # fmt: skip
    assert any(kept.reference in m["body"] for m in told)

    # The merged requester now gets the kept case's news.
    case_public_update(case=kept, body="Crew on site", actor=world.agent)
    run_follower_outbox()
    assert {e["to"][0] for e in follower_emails()} == {"second@example.org", "third@example.org"}


def test_both_case_pages_say_what_was_merged(client, world, pair):
    kept, duplicate = pair
    case_merge(duplicate=duplicate, into=kept, actor=world.agent)
    client.force_login(world.agent)

    kept_page = client.get(reverse("cases:detail", args=[kept.reference])).content.decode()
    dup_page = client.get(reverse("cases:detail", args=[duplicate.reference])).content.decode()

    assert f"Merged from {duplicate.reference}" in kept_page
    assert reverse("cases:detail", args=[duplicate.reference]) in kept_page
    assert "Sam Second" in kept_page  # the new follower
    assert f"Merged into {kept.reference}" in dup_page
    assert "Undo the merge" in dup_page


def test_undo_the_merge_the_same_day_reopens_it_and_removes_the_followers_it_added(world, pair):
    kept, duplicate = pair
    case_follower_add_citizen(case=kept, email="third@example.org", name="Tia", source="web")
    case_follower_add_citizen(case=duplicate, email="third@example.org", name="Tia", source="web")
    case_merge(duplicate=duplicate, into=kept, actor=world.agent)

    case_unmerge(duplicate=duplicate, actor=world.agent)

    duplicate.refresh_from_db()
    assert duplicate.status == "new"  # as it was
    assert duplicate.merged_into is None and duplicate.resolution_code == ""
    assert list(CaseFollower.objects.filter(case=kept).values_list("email", flat=True)) == [
        "third@example.org"  # followed before the merge: stays
    ]
    assert AuditEvent.objects.filter(action="case.unmerged").exists()
    assert AuditEvent.objects.filter(action="case.unmerged_from").exists()


def test_a_merge_cannot_be_undone_the_next_day(world, pair):
    kept, duplicate = pair
    case_merge(duplicate=duplicate, into=kept, actor=world.agent)

    with pytest.raises(Exception, match="day it was made"):
        case_unmerge(duplicate=duplicate, actor=world.agent, at=timezone.now() + timedelta(days=1))


def test_merge_refusals(world, pair, new_case):
    kept, duplicate = pair
    with pytest.raises(Exception, match="itself"):
        case_merge(duplicate=kept, into=kept, actor=world.agent)
    case_merge(duplicate=duplicate, into=kept, actor=world.agent)
    with pytest.raises(Exception, match="already merged"):
        case_merge(duplicate=duplicate, into=new_case, actor=world.agent)
    with pytest.raises(Exception, match="merged into another case"):
        case_merge(duplicate=new_case, into=duplicate, actor=world.agent)


def test_merge_through_the_pages_with_a_confirmation(client, world, pair):
    kept, duplicate = pair
    client.force_login(world.agent)
    url = reverse("cases:merge", args=[duplicate.reference])

    choose = client.get(url)
    assert choose.status_code == 200
    assert kept.reference in choose.content.decode()  # offered among the possible duplicates

    confirm = client.get(url, {"into": kept.reference.lower()})
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "What will happen" in text and "no survey is sent" in text
    assert Case.objects.get(pk=duplicate.pk).merged_into is None  # nothing yet

    done = client.post(url, {"into": kept.reference, "confirm": "yes"})
    assert done.status_code == 302
    assert done["Location"] == reverse("cases:detail", args=[kept.reference])
    assert Case.objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_another_agencys_case_is_not_a_merge_target(client, world, pair):
    kept, duplicate = pair
    foreign = case_create(category=world.other_category, description="Tax", channel="phone",
                          actor=world.other_agent)  # fmt: skip
    client.force_login(world.agent)
    url = reverse("cases:merge", args=[duplicate.reference])

    assert client.get(url, {"into": foreign.reference}).status_code == 404
    assert client.post(url, {"into": foreign.reference, "confirm": "yes"}).status_code == 404
    assert Case.objects.get(pk=duplicate.pk).merged_into is None
    # Nor can another agency's staff merge ours.
    client.force_login(world.other_agent)
    assert client.get(url, {"into": kept.reference}).status_code == 404


# --- surveys -----------------------------------------------------------------------------------


@pytest.fixture
def survey(world, settings):
    from tests.feedback.conftest import make_survey

    settings.SURVEY_SEND_DELAY_MINUTES = 0
    settings.SURVEY_RECONTACT_DAYS = 30
    return make_survey(world.agency)


def test_no_survey_for_the_merged_case_and_one_for_consenting_followers_of_the_kept(world, survey):
    from citizens.services import citizen_create
    from feedback.models import SurveyInvitation

    asker = citizen_create(actor=world.agent, first_name="Ana", last_name="Ruiz",
                           email="ana@example.org", consent_surveys=True)  # fmt: skip
    second = citizen_create(actor=world.agent, first_name="Sam", last_name="Second",
                            email="second@example.org", consent_surveys=True,
                            preferred_language="es")  # fmt: skip
    kept = pothole(world, citizen=asker)
    duplicate = pothole(world, lat=north(40), channel="phone", citizen=second)
    case_follower_add_citizen(case=kept, email="no@example.org", name="No Thanks", consent=False,
                              source="web")  # fmt: skip

    case_merge(duplicate=duplicate, into=kept, actor=world.agent)
    assert not SurveyInvitation.objects.filter(case=duplicate).exists()

    case_take(case=kept, actor=world.agent)
    case_transition(case=kept, to_status="resolved", actor=world.agent, resolution_code="resolved",
                    citizen_contacted=True)  # fmt: skip
    case_transition(case=kept, to_status="closed", actor=world.agent)

    invitations = {i.email: i for i in SurveyInvitation.objects.filter(case=kept)}
    assert set(invitations) == {"ana@example.org", "second@example.org"}
    assert invitations["second@example.org"].follower is not None
    assert invitations["second@example.org"].language == "es"
    assert invitations["ana@example.org"].follower is None
    assert not SurveyInvitation.objects.filter(case=duplicate).exists()


# --- related cases -----------------------------------------------------------------------------


def test_related_links_show_on_both_pages_and_are_audited(client, world, pair):
    kept, duplicate = pair
    assert case_link_related(case=duplicate, other=kept, actor=world.agent) is True
    assert case_link_related(case=kept, other=duplicate, actor=world.agent) is False

    client.force_login(world.agent)
    for one, other in ((kept, duplicate), (duplicate, kept)):
        page = client.get(reverse("cases:detail", args=[one.reference])).content.decode()
        assert reverse("cases:detail", args=[other.reference]) in page
        assert f"Marked as related to {other.reference}" in page

    response = client.post(reverse("cases:unrelate", args=[kept.reference, duplicate.reference]))
    assert response.status_code == 302
    assert selectors.case_related(kept) == []
    assert AuditEvent.objects.filter(action="case.related_linked").count() == 2
    assert AuditEvent.objects.filter(action="case.related_unlinked").count() == 2
    assert case_unlink_related(case=kept, other=duplicate, actor=world.agent) is False


def test_relate_through_the_form_refuses_another_agencys_case(client, world, pair):
    kept, _duplicate = pair
    foreign = case_create(category=world.other_category, description="Tax", channel="phone",
                          actor=world.other_agent)  # fmt: skip
    client.force_login(world.agent)

    client.post(reverse("cases:relate", args=[kept.reference]), {"other": foreign.reference})

    assert selectors.case_related(kept) == []


def test_a_subject_access_export_lists_the_cases_the_citizen_follows(world, new_case):
    from cases.subject_access import case_subject_access

    follower = case_follower_add_citizen(
        case=new_case, email="nia@example.org", name="Nia Neighbour", source="web", consent=True
    )

    sections = {s.title: s.records for s in case_subject_access(follower.citizen, world.supervisor)}

    (followed,) = sections["Cases followed"]
    assert (followed["reference"], followed["email"]) == (new_case.reference, "nia@example.org")
    other = {s.title for s in case_subject_access(follower.citizen, world.other_agent)}
    assert "Cases followed" not in other  # another agency's case: not theirs to export


# --- the public form: already reported nearby, "this is my problem too" ----------------------


def test_the_public_form_lists_open_reports_nearby_without_anything_personal(client, world):
    near = pothole(world, lat=north(60), email="rosa@example.org")
    near.address = "12 Elm St"
    near.save(update_fields=["address"])
    pothole(world, lat=north(900))  # too far
    closed = pothole(world, lat=north(30))
    Case.objects.filter(pk=closed.pk).update(
        status="closed", closed_at=timezone.now(), resolved_at=timezone.now()
    )
    url = reverse("request_nearby", args=[world.agency.slug, world.pothole.code])

    page = client.get(url, {"latitude": str(LAT), "longitude": str(LON)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Already reported nearby" in html and "60 m" in html
    assert html.count("This is my problem too<") == 1  # the far and the closed one are not
    for private in ("rosa@example.org", "A deep pothole", "12 Elm", near.reference):
        assert private not in html
    assert client.get(url, {"latitude": "north", "longitude": "1"}).content.strip() == b""


def test_following_from_the_public_form_keeps_what_was_typed_and_adds_one_follower(client, world):
    from cases import links

    case = pothole(world, email="rosa@example.org")
    url = reverse("request_follow", args=[links.status_token(case.reference)])
    assert "no-store" in client.get(url)["Cache-Control"]

    bad = client.post(url, {"name": "Sam", "email": "sam-at-example"})
    assert bad.status_code == 400
    assert 'value="Sam"' in bad.content.decode() and not CaseFollower.objects.exists()

    for _ in range(2):  # twice: still one follower
        done = client.post(url, {"name": "Sam", "email": "Sam@Example.org",
                                 "consent_surveys": "on"})  # fmt: skip
        assert done.status_code == 200 and "You are following this report" in done.content.decode()
    follower = CaseFollower.objects.get(case=case)
    assert (follower.email, follower.consent_surveys) == ("sam@example.org", True)

    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.now(), resolved_at=timezone.now()
    )
    closed = client.post(url, {"email": "late@example.org"})
    assert "can no longer be followed" in closed.content.decode()
    assert CaseFollower.objects.filter(case=case).count() == 1
