"""The authorization matrix: every URL, for anonymous/agent/supervisor/admin, own and other agency.

Generated from the URL conf: every pattern must have an entry in MATRIX (or be covered by the
Django admin rule below), so a new URL without a decision about who may open it fails here.
Statuses are what a user notices: 200 page, 302 sent to sign in / elsewhere, 403 role too
low, 404 another agency's object (never 403, never data), 405 wrong method.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_world import MatrixWorld

ROLES = ("anonymous", "agent", "supervisor", "admin")
RANK = {"agent": 1, "supervisor": 2, "admin": 3}
Kwargs = Callable[[MatrixWorld, str], dict[str, Any]]


@dataclass
class Expect:
    """Expected status per role, for the caller's own agency's object and another's."""

    own: dict[str, int | set[int]]
    other: dict[str, int | set[int]] | None = None  # None: the URL has no agency object
    kwargs: Kwargs | None = None
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    json: bool = False  # send `data` as a JSON body (the REST API takes nothing else)


def public(status: int | set[int] = 200, kwargs: Kwargs | None = None, method: str = "get"):
    return Expect(own=dict.fromkeys(ROLES, status), kwargs=kwargs, method=method)


def staff(
    minimum: str = "agent", ok: int | set[int] = 200, method: str = "get", anonymous: int = 302
) -> Expect:
    own = {"anonymous": anonymous}
    own.update({r: ok if RANK[r] >= RANK[minimum] else 403 for r in RANK})
    return Expect(own=own, method=method)


def staff_object(
    kwargs: Kwargs,
    minimum: str = "agent",
    ok: int | set[int] = 200,
    method: str = "get",
    shared: bool = False,
    anonymous: int = 302,
    other_ok: int | set[int] | None = None,
) -> Expect:
    """An object page: own agency's is ok; another agency's is 404 unless the record is shared."""
    own = {"anonymous": anonymous}
    own.update({r: ok if RANK[r] >= RANK[minimum] else 403 for r in RANK})
    other_status = other_ok if other_ok is not None else (ok if shared else 404)
    other = {"anonymous": anonymous}
    other.update({r: other_status if RANK[r] >= RANK[minimum] else 403 for r in RANK})
    return Expect(own=own, other=other, kwargs=kwargs, method=method)


def _citizen(world: MatrixWorld, side: str) -> dict:
    return {"pk": world.citizen.pk}


def _citizen_pair(world: MatrixWorld, side: str) -> dict:
    return {"pk": world.citizen.pk, "other_pk": world.citizen_twin.pk}


def _status_token(world: MatrixWorld, side: str) -> dict:
    from cases.links import status_token

    return {"token": status_token(world.case(side).reference)}


def _public_category(world: MatrixWorld, side: str) -> dict:
    category = world.side(side).category
    return {"agency_slug": category.agency.slug, "code": category.code}


def _case(world: MatrixWorld, side: str) -> dict:
    return {"reference": world.case(side).reference}


def _case_attachment(world: MatrixWorld, side: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services import case_attach

    case = world.case(side)
    upload = SimpleUploadedFile("note.txt", b"A plain text attachment")
    attachment = case_attach(case=case, upload=upload, actor=None)
    return {"reference": case.reference, "token": attachment.token}


def _follower_token(world: MatrixWorld, side: str) -> dict:
    from cases.follower_services import case_follower_add_citizen

    follower = case_follower_add_citizen(
        case=world.case(side), email=f"follower-{side}@example.org", name="Fay Follower",
        source="web",
    )  # fmt: skip
    return {"token": follower.token}


def _case_pair(world: MatrixWorld, side: str) -> dict:
    reference = world.case(side).reference
    return {"reference": reference, "other": reference}


def _unsubscribe_token(world: MatrixWorld, side: str) -> dict:
    from cases.links import unsubscribe_token

    return {"token": unsubscribe_token(world.case(side).reference)}


def _citizen_confirm_token(world: MatrixWorld, side: str) -> dict:
    from cases.links import citizen_confirm_token

    case = world.case(side)
    return {"token": citizen_confirm_token([case.reference, world.citizen.pk, "a@example.org"])}


def _survey_consent_token(world: MatrixWorld, side: str) -> dict:
    from cases.links import survey_consent_token

    return {"token": survey_consent_token(world.case(side).reference)}


def _saved_view(world: MatrixWorld, side: str) -> dict:
    """A colleague's queue view, shared with the team the matrix's staff are in (own side)."""
    from reports.services import saved_view_create

    s = world.side(side)
    key = f"saved_view_{side}"
    if key not in world.extra:
        world.extra[key] = saved_view_create(
            owner=s.member.user,
            agency=s.agency,
            kind="queue",
            name="Urgent",
            query="sort=sla",
            team=None,
        )
        world.extra[key].team = s.team  # shared (the member is in no team of the matrix)
        world.extra[key].save(update_fields=["team"])
    return {"pk": world.extra[key].pk}


def _not_owner(method: str = "get") -> Expect:
    """Another person's saved view: opened by their team, changed by nobody but its owner."""
    no = {"anonymous": 302, "agent": 404, "supervisor": 404, "admin": 404}
    return Expect(own=no, other=dict(no), kwargs=_saved_view, method=method)


CASE_FORM_ACTIONS = ("note", "update", "contact", "status", "assign", "transfer", "refer",
                     "priority", "category", "attach")  # fmt: skip


def _feedback(world: MatrixWorld, side: str) -> dict:
    return {"pk": world.feedback_object("feedbacksubmission", side).pk}


def _survey_token(world: MatrixWorld, side: str) -> dict:
    from feedback.links import survey_token

    return {"token": survey_token(world.feedback_object("surveyinvitation", side).pk)}


def _survey_unsubscribe_token(world: MatrixWorld, side: str) -> dict:
    from feedback.links import unsubscribe_token

    return {"token": unsubscribe_token(world.feedback_object("surveyinvitation", side).pk)}


def _audit_event(world: MatrixWorld, side: str) -> dict:
    """A row of `side`'s agency's audit trail (its team, created with the world)."""
    from core.models import AuditEvent

    agency = world.side(side).agency
    return {"pk": AuditEvent.objects.filter(agency_id=agency.pk).values_list("pk", flat=True)[0]}


def _office(world: MatrixWorld, side: str) -> dict:
    return {"office": world.office(side).slug}


def _ticket(world: MatrixWorld, side: str) -> dict:
    return {"office": world.office(side).slug, "token": world.visit(side).token}


def _desk(world: MatrixWorld, side: str) -> dict:
    return {"pk": world.office(side).desks.first().pk}


def _visit(world: MatrixWorld, side: str) -> dict:
    return {"pk": world.visit(side).pk}


def _import(world: MatrixWorld, side: str) -> dict:
    return {"pk": world.citizen_import(side).pk}


def _segment(world: MatrixWorld, side: str) -> dict:
    key = ("segment", side)
    if key not in world.extra:
        from segments.models import Segment

        world.extra[key] = Segment.objects.create(agency=world.side(side).agency, name="All")
    return {"pk": world.extra[key].pk}


def _outreach_token(world: MatrixWorld, side: str) -> dict:
    from segments.links import unsubscribe_token

    return {"token": unsubscribe_token(world.citizen.pk)}


def _json(expect: Expect) -> Expect:
    """The same expectation, with an (empty) JSON body."""
    expect.json = True
    return expect


def _category_code(world: MatrixWorld, side: str) -> dict:
    return {"code": world.side(side).category.code}


def _someone_elses_token(world: MatrixWorld, side: str) -> dict:
    """A token of a staff member who is none of the matrix's signed-in users."""
    from core.services import api_token_create

    token, _raw = api_token_create(user=world.side(side).member.user, name="cti", actor=None)
    return {"pk": token.pk}


# Open311 (GeoReport v2): public by the spec. The matrix world has two agencies, so every call
# names the jurisdiction ("pw", the own side's agency); the other agency's objects are 404 there.
OPEN311_JURISDICTION = {"jurisdiction_id": "pw"}


def open311(kwargs: Kwargs, status: int = 200, other: int | None = None) -> Expect:
    return Expect(
        own=dict.fromkeys(ROLES, status),
        other=dict.fromkeys(ROLES, other) if other is not None else None,
        kwargs=kwargs,
        data=OPEN311_JURISDICTION,
    )


def _open311_service(world: MatrixWorld, side: str) -> dict:
    return {"fmt": "xml", "service_code": world.side(side).category.code}


def _open311_request(world: MatrixWorld, side: str) -> dict:
    return {"fmt": "json", "service_request_id": world.case(side).reference}


def _open311_token(world: MatrixWorld, side: str) -> dict:
    from open311.tokens import request_token

    return {"fmt": "xml", "token": request_token(world.case(side).reference)}


def _open311_client(world: MatrixWorld, side: str):
    """An Open311 client of `side`'s agency, for the admin rule (made once per side)."""
    from open311.models import Open311Client
    from open311.services import open311_client_create

    agency = world.side(side).agency
    client = Open311Client.objects.filter(agency=agency).first()
    return client or open311_client_create(name=f"{agency.slug} app", agency=agency,
                                           actor=None)[0]  # fmt: skip


MATRIX: dict[str, Expect] = {
    # --- public -------------------------------------------------------------------------------
    "healthz": public(200),
    "metrics": public(404),  # only with METRICS_TOKEN or from METRICS_ALLOWED_NETWORKS
    "landing": public(200),
    "request_new": public(200),
    "request_new_category": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_public_category
    ),
    "request_new_done": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_status_token
    ),
    "request_status": public(200),
    # Open reports near a place on the public form (service, status, day, distance only).
    "request_nearby": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_public_category
    ),
    # "This is my problem too": the signed status token is the authority (GET shows a form).
    "request_follow": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_status_token
    ),
    "request_status_link": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_status_token
    ),
    "request_unsubscribe": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_unsubscribe_token
    ),
    # A citizen follower's "stop following": the secret token is the authority (GET asks).
    "case_unfollow": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_follower_token
    ),
    # The receipt's links about the requester: the signed token is the authority (a page with
    # one button; a GET changes nothing).
    "request_citizen_confirm": Expect(
        own=dict.fromkeys(ROLES, 200),
        other=dict.fromkeys(ROLES, 200),
        kwargs=_citizen_confirm_token,
    ),
    "request_survey_consent": Expect(
        own=dict.fromkeys(ROLES, 200),
        other=dict.fromkeys(ROLES, 200),
        kwargs=_survey_consent_token,
    ),
    "feedback": public(200),
    "transparency": public(200),
    "transparency_csv": public(200),
    "transparency_json": public(200),
    "feedback_thanks": public(200),
    "survey": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_survey_token
    ),
    "survey_thanks": Expect(  # not answered yet: back to the survey
        own=dict.fromkeys(ROLES, 302), other=dict.fromkeys(ROLES, 302), kwargs=_survey_token
    ),
    "survey_unsubscribe": Expect(  # GET asks first (a POST unsubscribes)
        own=dict.fromkeys(ROLES, 200),
        other=dict.fromkeys(ROLES, 200),
        kwargs=_survey_unsubscribe_token,
    ),
    # Walk-in: every office's check-in, ticket (by its secret token) and display are public.
    "checkin": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_office
    ),
    "checkin_display": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_office
    ),
    "checkin_ticket": Expect(
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_ticket
    ),
    "outreach_unsubscribe": Expect(  # GET asks first (a POST unsubscribes)
        own=dict.fromkeys(ROLES, 200), other=dict.fromkeys(ROLES, 200), kwargs=_outreach_token
    ),
    "api-schema": public(200),
    "api-docs": public(200),
    "api-redoc": public(200),
    "open311:discovery": open311(lambda world, side: {"fmt": "xml"}),
    "open311:services": open311(lambda world, side: {"fmt": "json"}),
    "open311:service_definition": open311(_open311_service, other=404),
    "open311:requests": open311(lambda world, side: {"fmt": "xml"}),  # GET; POST needs a key
    "open311:request": open311(_open311_request, other=404),
    "open311:token": open311(_open311_token, other=404),
    # GET (public, published services only); POST needs a key (tests/open311/test_updates.py).
    "open311:service_request_updates": open311(lambda world, side: {"fmt": "xml"}),
    "open311:not_found": open311(lambda world, side: {"path": "nothing.json"}, status=404),
    # --- staff ----------------------------------------------------------------------------------
    "staff:login": Expect(own={"anonymous": 200, "agent": 302, "supervisor": 302, "admin": 302}),
    "staff:logout": public(405),  # sign-out is a POST (a link must not sign anyone out)
    "staff:home": staff(),
    "staff:verify": staff(ok=302),  # nothing to verify without a device: sent on
    "staff:enrol": staff(ok=200),
    "audit_list": staff("supervisor"),
    "audit_event": staff_object(_audit_event, minimum="supervisor"),
    "notifications": staff(),  # the signed-in user's own list; nobody else's to ask for
    "staff:people_suggest": staff(),  # @mention suggestions: the caller's agency only
    "citizens:search": staff(),
    "citizens:create": staff(),
    "citizens:detail": staff_object(_citizen, shared=True),
    "citizens:edit": staff_object(_citizen, shared=True),
    "citizens:consent": staff_object(_citizen, shared=True, method="post", ok={302, 400}),
    "citizens:duplicates": staff_object(_citizen, shared=True),
    "citizens:merge": staff_object(_citizen_pair, minimum="supervisor", shared=True),
    # Everything the caller's agency holds on the (shared) person: supervisors, audited.
    "citizens:subject_access": staff_object(_citizen, minimum="supervisor", shared=True),
    "citizens:subject_access_json": staff_object(_citizen, minimum="supervisor", shared=True),
    # --- staff feedback pages (an empty POST to a form is a form error: 400) --------------------
    "feedback:list": staff(),
    "feedback:detail": staff_object(_feedback),
    "feedback:handle": staff_object(_feedback, method="post", ok=302),
    "feedback:link_citizen": staff_object(_feedback, method="post", ok=400),
    "feedback:open_case": staff_object(_feedback, method="post", ok=400),
    "feedback:reject_suggested_citizen": staff_object(_feedback, method="post", ok=302),
    "feedback:create_citizen": staff_object(_feedback, method="post", ok=400),
    "feedback:results": staff("supervisor"),
    "feedback:results_csv": staff("supervisor"),
    # Dashboards: agents see their teams', supervisors their agency's (scoped in the queries).
    "reports:dashboard": staff("agent"),
    "reports:dashboard_csv": staff("agent"),
    "reports:cases_csv": staff("supervisor"),
    # Saved queue and dashboard views: anyone's own; a colleague's shared with one's team opens
    # (read-only: changing it is a 404 for all but its owner); another agency's is a 404.
    "saved_views:list": staff(),
    "saved_views:create": staff(method="post", ok=400),
    "saved_views:open": staff_object(_saved_view, ok=302),
    "saved_views:edit": _not_owner(),
    "saved_views:delete": _not_owner("post"),
    # --- staff case pages (an empty POST is a form error: 400; nothing is written) ------------
    "cases:queue": staff(),
    "cases:search": staff(),
    "cases:bulk": staff(method="post", ok=302),  # back to the queue with "select a case"
    "cases:intake": staff(),
    "cases:intake_citizen_search": staff(),
    "cases:intake_citizen": staff(),
    "cases:intake_questions": staff(),
    "cases:sla_board": staff("supervisor"),
    # An empty POST: back to the board with "select at least one case" (nothing is written).
    "cases:sla_board_bulk": staff("supervisor", method="post", ok=302),
    "cases:detail": staff_object(_case),
    **{
        f"cases:{action}": staff_object(_case, method="post", ok=400)
        for action in CASE_FORM_ACTIONS
    },
    "cases:take": staff_object(_case, method="post", ok=302),
    "cases:unassign": staff_object(_case, method="post", ok=302),
    "cases:link_suggested_citizen": staff_object(_case, method="post", ok=302),
    # The matrix's cases are linked already: the requester page sends back to the case.
    "cases:requester": staff_object(_case, ok=302),
    "cases:link_citizen": staff_object(_case, method="post", ok=302),
    "cases:reject_suggested_citizen": staff_object(_case, method="post", ok=302),
    "cases:attachment": staff_object(_case_attachment),
    # Followers, merge and related cases: the caller's own agency's cases only (others: 404).
    "cases:follow": staff_object(_case, method="post", ok=302),
    "cases:unfollow": staff_object(_case, method="post", ok=302),
    "cases:merge": staff_object(_case),  # GET: choose the case to keep
    "cases:unmerge": staff_object(_case, method="post", ok=302),  # not merged: a message
    "cases:relate": staff_object(_case, method="post", ok=302),  # no reference: a message
    "cases:unrelate": staff_object(_case_pair, method="post", ok=302),
    # --- walk-in desks (an empty POST: back to the desk with a message, or 400) ----------------
    "visits:desks": staff(),
    "visits:desk": staff_object(_desk),
    "visits:call_next": staff_object(_desk, method="post", ok=302),
    "visits:visit_status": staff_object(_visit, method="post", ok=400),
    "visits:transfer": staff_object(_visit, method="post", ok=302),
    "visits:open_case": staff_object(_visit),
    # --- citizen CSV import (admins; a POST starts the import, then back to its page) --------
    "citizen_import:upload": staff("admin"),
    "citizen_import:detail": staff_object(_import, minimum="admin"),
    "citizen_import:start": staff_object(_import, minimum="admin", method="post", ok=302),
    "citizen_import:problems_csv": staff_object(_import, minimum="admin"),
    # --- segments for outreach (supervisors; an empty POST: back to the segment, or 400) -------
    "segments:list": staff("supervisor"),
    "segments:create": staff("supervisor"),
    "segments:count": staff("supervisor"),
    "segments:detail": staff_object(_segment, minimum="supervisor"),
    "segments:edit": staff_object(_segment, minimum="supervisor"),
    "segments:survey": staff_object(_segment, minimum="supervisor", method="post", ok=302),
    "segments:outreach": staff_object(_segment, minimum="supervisor", method="post", ok=302),
    # --- API tokens: one's own only; anyone else's token is a 404 --------------------------------
    "staff:api_tokens": staff(),
    "staff:api_token_revoke": Expect(
        own={"anonymous": 302, "agent": 404, "supervisor": 404, "admin": 404},
        kwargs=_someone_elses_token,
        method="post",
    ),
    # --- REST API: cases (anonymous: 401 with a Bearer challenge; an empty POST is a 400) -------
    "api:category-list": staff(anonymous=401),
    "api:category-detail": staff_object(_category_code, anonymous=401),
    "api:case-list": staff(anonymous=401),
    "api:case-detail": staff_object(_case, anonymous=401),
    "api:case-events": staff_object(_case, anonymous=401),
    "api:case-attachments": staff_object(_case, anonymous=401),
    "api:case-attachment-download": staff_object(_case_attachment, anonymous=401),
    **{
        f"api:case-{action}": _json(staff_object(_case, method="post", ok=400, anonymous=401))
        for action in ("transition", "assign", "notes", "updates")
    },
    "api:sla-breach-list": staff("supervisor", anonymous=401),
    # --- REST API: citizens, feedback, audit (anonymous: 401 with a Bearer challenge) ---------
    "api:citizen-list": staff(anonymous=401),
    "api:citizen-detail": staff_object(_citizen, shared=True, anonymous=401),
    # An empty POST names no record to merge: 400, nothing merged.
    "api:citizen-merge": _json(
        staff_object(
            _citizen, minimum="supervisor", shared=True, method="post", ok=400, anonymous=401
        )
    ),
    "api:feedback-list": staff(anonymous=401),
    "api:feedback-detail": staff_object(_feedback, anonymous=401),
    "api:survey-result-list": staff("supervisor", anonymous=401),
    "api:audit-event-list": staff("admin", anonymous=401),
}


# --- the Django admin: one rule for every registered model ------------------------------------

ADMIN_SITE_URLS: dict[str, Expect] = {
    "admin:index": Expect(own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 200}),
    "admin:login": Expect(own={"anonymous": 200, "agent": 200, "supervisor": 200, "admin": 302}),
    "admin:logout": Expect(own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 405}),
    "admin:password_change": Expect(
        own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 200}
    ),
    "admin:password_change_done": Expect(
        own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 200}
    ),
    "admin:jsi18n": Expect(own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 200}),
    "admin:app_list": Expect(own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 200}),
    "admin:view_on_site": Expect(
        own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": 404}
    ),
    "admin:autocomplete": Expect(
        own={"anonymous": 302, "agent": 302, "supervisor": 302, "admin": {403, 200}}
    ),
}


def admin_expectations(name: str) -> Expect | None:
    """Expected statuses for admin:<app>_<model>_<view>, from the model's registration."""
    model, view = _admin_model_view(name)
    if model is None:
        return None
    app_label, model_name = model._meta.app_label, model._meta.model_name
    from agencies.services import AGENCY_ADMIN_PERMISSIONS

    permitted = AGENCY_ADMIN_PERMISSIONS.get(f"{app_label}.{model_name}", ())
    not_staff = {"anonymous": 302, "agent": 302, "supervisor": 302}

    def status(may: bool, exists: bool = True) -> int:
        if not may:
            return 403
        return 200 if exists else 404

    if view not in ("changelist", "add", "change", "delete", "history"):
        # A model admin's own extra page (e.g. a device's QR code, a user's password form).
        return Expect(
            own={**not_staff, "admin": 200 if "change" in permitted else 403},
            kwargs=_admin_object_kwargs(model, name),
        )
    if view in ("changelist", "add"):
        perm = "view" if view == "changelist" else "add"
        return Expect(own={**not_staff, "admin": status(perm in permitted)})
    perm = {"change": "view", "history": "view", "delete": "delete"}[view]
    may = perm in permitted or (perm == "view" and "change" in permitted)
    if model_name == "agency" and view != "delete":
        may = "view" in permitted
    kwargs = _admin_object_kwargs(model, name)
    return Expect(
        own={**not_staff, "admin": status(may)},
        # Without the permission either answer hides the object: 403 (no access) or 404.
        other={**not_staff, "admin": status(may, exists=False) if may else {403, 404}},
        kwargs=kwargs,
    )


def _admin_model_view(name: str):
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model, name.removeprefix(prefix)
    return None, None


def _admin_object_kwargs(model, name: str) -> Kwargs:
    route = dict(_walk(get_resolver().url_patterns))[name]
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)

    def kwargs(world: MatrixWorld, side: str) -> dict:
        if model._meta.label == "open311.Open311Client":
            return dict.fromkeys(params, _open311_client(world, side).pk)
        return dict.fromkeys(params, world.admin_object(model, side).pk)

    return kwargs


# --- enumerate the URL conf -----------------------------------------------------------------


def _walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


UNNAMED_ALLOWED = {
    # Django admin internals without names: the redirect from …/<id>/ to …/<id>/change/ and the
    # final catch-all that answers 404 (or sends anonymous users to sign in).
    r"admin/.*/<path:object_id>/$",
    r"admin/(?P<url>.*)$",
}


def all_url_names() -> list[str]:
    names = []
    for name, route in _walk(get_resolver().url_patterns):
        if name is None:
            if not any(re.fullmatch(allowed, route) for allowed in UNNAMED_ALLOWED):
                names.append(f"<unnamed {route}>")
            continue
        names.append(name)
    return sorted(set(names))


def expectation_for(name: str) -> Expect | None:
    return MATRIX.get(name) or ADMIN_SITE_URLS.get(name) or admin_expectations(name)


def test_every_url_has_an_entry_in_the_matrix():
    missing = [name for name in all_url_names() if expectation_for(name) is None]
    assert missing == [], f"add these URLs to the authorization matrix: {missing}"


def test_the_matrix_names_only_urls_that_exist():
    names = set(all_url_names())
    assert sorted(set(MATRIX) - names) == []


CHECKED = [name for name in all_url_names() if expectation_for(name) is not None]


@pytest.mark.django_db
@pytest.mark.parametrize("name", CHECKED)
def test_url_answers_each_role_as_the_matrix_says(name, client):
    expect = expectation_for(name)
    world = MatrixWorld.build()
    sides = ["own"] + (["other"] if expect.other is not None else [])
    failures = []
    for side in sides:
        kwargs = expect.kwargs(world, side) if expect.kwargs else {}
        url = _reverse(name, kwargs)
        table = expect.own if side == "own" else expect.other
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            if expect.json and expect.method != "get":
                response = getattr(client, expect.method)(
                    url, json.dumps(expect.data), content_type="application/json"
                )
            else:
                response = getattr(client, expect.method)(url, expect.data)
            wanted = table[role]
            allowed = wanted if isinstance(wanted, set) else {wanted}
            if response.status_code not in allowed:
                failures.append(f"{side}/{role}: {response.status_code} (expected {wanted}) {url}")
    assert failures == []


def _reverse(name: str, kwargs: dict) -> str:
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "agencies"})
    if name == "admin:view_on_site":
        return reverse(name, kwargs=kwargs or {"content_type_id": 1, "object_id": 1})
    return reverse(name, kwargs=kwargs or None)
