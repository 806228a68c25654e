"""Pages that belong to no single app: public landing, audit trail, health endpoint."""

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache
from kombu.exceptions import OperationalError as BrokerError
from redis import Redis
from redis.exceptions import RedisError

from citizencrm.celery import app as celery_app
from core import audit_presenters, selectors, services
from core.forms import AuditFilterForm
from core.permissions import staff_required


@staff_required("supervisor")
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail: supervisors and admins see their agency's and shared records' events,
    in words, newest first, a page at a time (keyset: no count of the whole trail)."""
    tz = audit_presenters.viewer_timezone(request.user)
    kinds = sorted(
        ((kind.key, str(kind.label)) for kind in audit_presenters.action_kinds()),
        key=lambda pair: pair[1].casefold(),
    )
    people = audit_presenters.staff_choices(selectors.audit_actor_choices(request.user))
    form = AuditFilterForm(request.GET or None, people=people, kinds=kinds)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_filtered(
        request.user, tz=tz, **{k: v for k, v in filters.items() if v}
    )
    page = selectors.audit_keyset_page(events, cursor=request.GET.get("cursor"))
    rows = audit_presenters.present_events(page.events, viewer=request.user, tz=tz)
    query = request.GET.copy()
    query.pop("cursor", None)
    subject = everything_url = None
    if filters.get("object_type") and filters.get("object_id"):
        subject = audit_presenters.describe_object(
            filters["object_type"], filters["object_id"], viewer=request.user
        )
        rest = query.copy()
        for name in ("object_type", "object_id"):
            rest.pop(name, None)
        everything_url = f"?{rest.urlencode()}" if rest else request.path
    more = query.copy()
    if page.next_cursor:
        more["cursor"] = page.next_cursor
    return render(
        request, "core/audit_list.html",
        {"form": form, "rows": rows, "tz": tz, "subject": subject, "everything_url": everything_url,
         "next_url": f"?{more.urlencode()}" if page.next_cursor else None,
         "first_url": f"?{query.urlencode()}" if request.GET.get("cursor") else None},
    )  # fmt: skip


RELATED_PAGE = 100


@staff_required("supervisor")
def audit_event(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the trail in full, with every object behind a bulk row (a page at a time)."""
    event = selectors.audit_event_get(request.user, pk)
    tz = audit_presenters.viewer_timezone(request.user)
    row = audit_presenters.present_events([event], viewer=request.user, tz=tz, related_shown=0)[0]
    try:
        start = max(0, int(request.GET.get("start", 0)))
    except ValueError:
        start = 0
    related = audit_presenters.related_page(
        event, viewer=request.user, offset=start, limit=RELATED_PAGE
    )
    end = start + len(related)
    return render(
        request, "core/audit_event.html",
        {"row": row, "tz": tz, "related": related, "start": start + 1, "end": end,
         "previous_url": f"?start={max(0, start - RELATED_PAGE)}" if start else None,
         "next_url": f"?start={end}" if end < row.related_count else None},
    )  # fmt: skip


@staff_required()
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's notifications; POST marks one (`id`) or all (`all`) read."""
    if request.method == "POST":
        ids = None
        if not request.POST.get("all"):
            ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
        if ids != []:
            services.notifications_mark_read(user=request.user, notification_ids=ids)
        return redirect(
            f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path
        )
    items = selectors.notifications_for(request.user)
    unread = items.filter(read_at__isnull=True).count()
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page, "unread": unread})


HOME_NOTIFICATIONS_SHOWN = 5


def notifications_home_panel(user) -> str:
    """The staff home's unread notifications, newest first (registered by agencies.apps)."""
    unread = selectors.notifications_for(user).filter(read_at__isnull=True)
    latest = list(unread[:HOME_NOTIFICATIONS_SHOWN])
    count = len(latest) if len(latest) < HOME_NOTIFICATIONS_SHOWN else unread.count()
    return render_to_string("core/_home_notifications.html", {"latest": latest, "count": count})


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")


# Pages whose features arrive with their own issues; they say so plainly instead of 404ing.
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "redis": _check_redis(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _check_redis() -> str:
    try:
        Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except RedisError as exc:
        return f"error: {type(exc).__name__}"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=1)
        return "ok"
    except (BrokerError, OSError, CeleryTimeout) as exc:
        return f"error: {type(exc).__name__}"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL nothing answers: the API's error body under /api/, else the page."""
    if request.path_info.startswith("/api/"):
        body = {"code": "not_found", "message": "No such resource.", "fields": {}}
        return JsonResponse({"error": body}, status=404)
    return defaults.page_not_found(request, exception)
