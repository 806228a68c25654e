"""In-app notifications: the staff page, marking read, and digest emails through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agencies.models import Agency, StaffMember
from core.models import AuditEvent, Notification, OutboxMessage
from core.services import (
    DIGEST_TOPIC,
    notification_create,
    notifications_mark_read,
    notifications_queue_digests,
    outbox_deliver,
)

pytestmark = pytest.mark.django_db


def _staff(username: str, role: str = "agent", email: str = "", language: str = "en"):
    agency = Agency.objects.get_or_create(slug="pw", defaults={"name": "Public Works"})[0]
    user = get_user_model().objects.create_user(
        username=username, password="pw-0123456789", email=email
    )
    StaffMember.objects.create(user=user, agency=agency, role=role, preferred_language=language)
    return user


def test_the_page_lists_only_the_signed_in_users_notifications(client):
    sam, alex = _staff("sam", "supervisor"), _staff("alex")
    notification_create(
        recipient=sam,
        kind="sla.breach",
        title="Resolution overdue: CRM-1",
        url="/staff/cases/CRM-1/",
    )
    notification_create(recipient=alex, kind="sla.warning", title="Resolution due soon: CRM-2")
    client.force_login(sam)
    page = client.get(reverse("notifications")).content.decode()
    assert "Resolution overdue: CRM-1" in page and 'href="/staff/cases/CRM-1/"' in page
    assert "CRM-2" not in page
    assert "1 unread notification" in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_mark_one_and_all_read_by_post_own_only(client):
    sam, alex = _staff("sam", "supervisor"), _staff("alex")
    first = notification_create(recipient=sam, kind="sla.breach", title="one")
    second = notification_create(recipient=sam, kind="sla.breach", title="two")
    theirs = notification_create(recipient=alex, kind="sla.breach", title="theirs")
    client.force_login(sam)
    url = reverse("notifications")
    response = client.post(url, {"id": [first.pk, theirs.pk]})
    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db(), theirs.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert theirs.read_at is None  # someone else's: ignored
    client.post(url, {"all": "1"})
    second.refresh_from_db()
    assert second.read_at is not None
    assert AuditEvent.objects.filter(action="notification.read").count() == 2
    assert client.post(url, {"all": "1"}).status_code == 302  # nothing left: no audit row
    assert AuditEvent.objects.filter(action="notification.read").count() == 2


def test_mark_read_service_returns_how_many():
    sam = _staff("sam")
    for title in ("a", "b"):
        notification_create(recipient=sam, kind="x", title=title)
    assert notifications_mark_read(user=sam) == 2
    assert notifications_mark_read(user=sam) == 0


def test_digests_group_per_recipient_and_send_time_and_join_a_waiting_one(mailoutbox):
    sam = _staff("sam", "supervisor", email="sam@example.org", language="es")
    now = datetime(2026, 3, 7, 3, tzinfo=UTC)
    morning = now + timedelta(hours=12)
    for title in ("uno", "dos"):
        notification_create(recipient=sam, kind="sla.breach", title=title, email_after=morning)
    notification_create(recipient=sam, kind="sla.breach", title="ahora", email_after=now)
    notification_create(recipient=sam, kind="sla.warning", title="in-app only")
    assert notifications_queue_digests(now=now) == 3
    assert notifications_queue_digests(now=now) == 0  # rerun: nothing twice
    notification_create(recipient=sam, kind="sla.breach", title="tres", email_after=morning)
    assert notifications_queue_digests(now=now + timedelta(hours=1)) == 1
    digests = {m.available_at: m for m in OutboxMessage.objects.filter(topic=DIGEST_TOPIC)}
    assert set(digests) == {now, morning}
    assert len(digests[morning].payload["notification_ids"]) == 3  # joined the waiting one
    mailoutbox.clear()
    assert outbox_deliver(message_id=digests[morning].pk, now=morning)
    (message,) = mailoutbox
    assert message.to == ["sam@example.org"]
    assert "uno" in message.body and "dos" in message.body and "tres" in message.body
    assert "ahora" not in message.body and "in-app only" not in message.body
    assert "3" in message.subject
    assert (
        Notification.objects.filter(email_queued_at__isnull=True, email_after__isnull=False).count()
        == 0
    )


def test_notify_staff_writes_each_notice_in_its_recipients_language_and_emails_as_asked(
    mailoutbox,
):
    from django.utils.translation import get_language

    from core.services import StaffNotice, notify_staff

    sam = _staff("sam", "supervisor", email="sam@example.org", language="es")
    alex = _staff("alex", email="alex@example.org")
    quiet = _staff("quiet")  # no email address: in-app only, whatever was asked
    calls = []

    def text() -> tuple[str, str]:
        calls.append(get_language())
        return f"title-{get_language()}", f"body-{get_language()}"

    now = datetime(2026, 3, 7, 9, tzinfo=UTC)
    notices = [
        StaffNotice(recipient=user, kind="test", text=text, url="/staff/x/", email_now=True)
        for user in (sam, alex, quiet)
    ]
    notices.append(StaffNotice(recipient=alex, kind="later", text=("t", "b"), email_after=now))
    written = notify_staff(notices=notices, at=now)

    assert [(n.recipient, n.title, n.body) for n in written] == [
        (sam, "title-es", "body-es"), (alex, "title-en", "body-en"),
        (quiet, "title-en", "body-en"), (alex, "t", "b"),
    ]  # fmt: skip
    assert sorted(calls) == ["en", "es"]  # once per language
    emails = OutboxMessage.objects.filter(topic="core.email").order_by("pk")
    assert [(m.payload["to"], m.payload["subject"]) for m in emails] == [
        (["sam@example.org"], "title-es"), (["alex@example.org"], "title-en"),
    ]  # fmt: skip
    assert emails[0].payload["body"].startswith("body-es\n\n")
    assert emails[0].payload["body"].rstrip().endswith("/staff/x/")
    # Emailed at once: never again in a digest; the other waits for the digest.
    assert notifications_queue_digests(now=now) == 1
    assert OutboxMessage.objects.get(topic=DIGEST_TOPIC).payload["notification_ids"] == [
        written[3].pk
    ]


def test_beat_gathers_digests_of_any_notice_not_only_the_sla_sweeps():
    from django.conf import settings

    from citizencrm.celery import app as celery_app
    from core.tasks import notifications_queue_digests_task

    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == "core.tasks.notifications_queue_digests"
    assert entry["schedule"] == settings.NOTIFICATION_DIGEST_SECONDS == 60
    assert "core.tasks.notifications_queue_digests" in celery_app.tasks
    sam = _staff("sam", "supervisor", email="sam@example.org")
    notification_create(recipient=sam, kind="x", title="waiting", email_after=datetime.now(UTC))
    assert notifications_queue_digests_task() == 1
    assert OutboxMessage.objects.filter(topic=DIGEST_TOPIC).count() == 1


def test_a_digest_shows_each_notices_time_in_the_recipients_zone(mailoutbox):
    ana = _staff("ana", email="ana@example.org")
    StaffMember.objects.filter(user=ana).update(timezone="America/Denver")
    at = datetime(2026, 12, 3, 15, 5, tzinfo=UTC)
    notification_create(recipient=ana, kind="case.assigned", title="Assigned to you: CRM-1",
                        at=at, email_after=at)  # fmt: skip
    notifications_queue_digests(now=at)
    digest = OutboxMessage.objects.get(topic=DIGEST_TOPIC)

    assert outbox_deliver(message_id=digest.pk, now=at)

    (message,) = mailoutbox
    assert "Assigned to you: CRM-1 (Dec. 3, 2026, 8:05 a.m. MST)" in message.body
