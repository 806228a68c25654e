"""Every admin screen saves as a browser submits it (issue 16: saving a category answered 500).

For every model registered in the Django admin, as a deployment superuser and as an agency
administrator, with the demo organisation and catalogue:

- the add page opens and, submitted as rendered (nothing typed), answers no 500;
- the add page filled with the values of an existing object (its fields that must be unique
  made unique) saves: a redirect, one more object;
- an existing object's change page, submitted unchanged, redirects and changes nothing;
- the same page with one field changed redirects and stores the change.

Forms are parsed from the page and posted back whole, hidden `initial-…` inputs and inline
management forms included, with the CSRF token and cookie: what a browser sends. Screens a user
may not use answer 403 instead (no add permission, read-only views, models out of reach). A new
admin screen is covered without anyone adding it here, unless its model has no demo object, in
which case `FACTORIES` must make one (the test says so).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.translated import TranslatedField
from tests.agencies.conftest import signed_in_client
from tests.browser_form import BrowserForm, parse_form

pytestmark = pytest.mark.django_db

TEXT_INPUTS = {"text", "email", "number", "textarea", "search", "tel", "url"}


# --- the world: the demo organisation, catalogue, policies and surveys; one of everything ----


def _demo_world() -> None:
    from agencies.demo import demo_data_load
    from cases.demo import canned_replies_load, cases_load, catalogue_load, sla_policies_load
    from feedback.demo import load as feedback_load
    from visits.demo import load as visits_load

    demo_data_load()
    categories = catalogue_load()
    sla_policies_load()
    canned_replies_load()
    cases_load(categories, count=6)
    feedback_load()
    visits_load()


def _open311_client():
    from agencies.models import Agency
    from open311.services import open311_client_create

    return open311_client_create(
        name="Street app", agency=Agency.objects.get(slug="public-works"), actor=None
    )[0]


def _axes(model_name: str) -> Callable[[], Any]:
    def make():
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        common = {"username": "mallory", "ip_address": "203.0.113.9", "user_agent": "curl",
                  "attempt_time": timezone.now()}  # fmt: skip
        if model_name == "accessattempt":
            return AccessAttempt.objects.create(failures_since_start=3, **common)
        if model_name == "accesslog":
            return AccessLog.objects.create(**common)
        return AccessFailureLog.objects.create(locked_out=False, **common)

    return make


def _survey_invitation():
    from cases.models import Case
    from citizens.services import citizen_create
    from feedback.models import Survey, SurveyInvitation

    case = Case.objects.filter(agency__slug="public-works").first()
    citizen = citizen_create(actor=None, first_name="Ana", last_name="Ruiz",
                             email="resident@example.org")  # fmt: skip
    now = timezone.now()
    return SurveyInvitation.objects.create(
        survey=Survey.objects.get(agency=case.agency, is_default=True), case=case, citizen=citizen,
        agency=case.agency, category=case.category, email="resident@example.org",
        send_after=now, expires_at=now + timezone.timedelta(days=14),
    )  # fmt: skip


def _inbound_address():
    from inbound.demo import load

    load()
    from inbound.models import InboundAddress

    return InboundAddress.objects.filter(agency__slug="public-works").first()


def _inbound_message():
    from inbound.models import InboundAddress
    from inbound.services import inbound_receive

    address = (
        InboundAddress.objects.filter(agency__slug="public-works").first() or _inbound_address()
    )
    raw = (f"From: Ana <ana@example.org>\r\nTo: {address.address}\r\nSubject: Pothole\r\n"
           "Message-ID: <sweep@example.org>\r\n\r\nA hole.\r\n").encode()  # fmt: skip
    return inbound_receive(raw=raw, source="smtp", envelope_to=[address.address])[0]


# Models the demo has no object of (label: how to make one of the public-works agency).
FACTORIES: dict[str, Callable[[], Any]] = {
    "inbound.InboundAddress": _inbound_address,
    "inbound.InboundMessage": _inbound_message,
    "open311.Open311Client": _open311_client,
    "axes.AccessAttempt": _axes("accessattempt"),
    "axes.AccessLog": _axes("accesslog"),
    "axes.AccessFailureLog": _axes("accessfailurelog"),
    "feedback.SurveyInvitation": _survey_invitation,
    "otp_totp.TOTPDevice": lambda: _totp_device(),
}


def _totp_device():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(
        user=get_user_model().objects.get(username="supervisor"), name="phone", confirmed=True
    )


def _one_of_each() -> None:
    for model in admin.site._registry:
        if not model._default_manager.exists():
            factory = FACTORIES.get(model._meta.label)
            assert factory, (
                f"{model._meta.label} is in the admin but the demo data has none: add a factory "
                "to FACTORIES in tests/test_admin_save_sweep.py"
            )
            factory()


# --- who ---------------------------------------------------------------------------------


def _superuser():
    return get_user_model().objects.create_superuser(
        username="root", password="pw-0123456789", email="root@example.org"
    )


def _agency_admin():
    from agencies.models import Agency
    from agencies.services import staff_member_create

    user = get_user_model().objects.create_user(username="ada2", password="pw-0123456789")
    staff_member_create(user=user, agency=Agency.objects.get(slug="public-works"), role="admin",
                        actor=None)  # fmt: skip
    user.refresh_from_db()
    return user


# --- values ------------------------------------------------------------------------------


def _unique_fields(model: type[models.Model]) -> set[str]:
    """Fields an added copy must change: unique alone or in a constraint (not the agency)."""
    names = {f.name for f in model._meta.fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
            names |= set(constraint.fields)
    for together in model._meta.unique_together:
        names |= set(together)
    return {n for n in names if not model._meta.get_field(n).is_relation}


def _model_field(model: type[models.Model], input_name: str):
    """The model field an input of the main form edits, or None: `name_es` edits the language
    "es" of `name`, `after_minutes_hours` the hours of the minutes in `after_minutes`."""
    candidates = [(input_name, None)]
    if "_" in input_name:
        candidates.append(tuple(input_name.rsplit("_", 1)))
    for candidate, key in candidates:
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if (key is None) != isinstance(field, TranslatedField):
            return field, key
        if key in DURATION_PARTS and isinstance(field, models.IntegerField):
            return field, key
    return None, None


DURATION_PARTS = {"hours": lambda minutes: minutes // 60, "minutes": lambda minutes: minutes % 60}


def _edited(control, field) -> str | None:
    """A changed value for a text control that the field accepts, or None."""
    value = control.values[0] if control.values else ""
    if control.type == "number" or isinstance(field, models.IntegerField):
        if field.choices:
            return None
        try:
            number = int(value or 0)
        except ValueError:
            return None
        validators = [v.limit_value for v in field.validators if hasattr(v, "limit_value")]
        bigger = number + 1
        return str(bigger) if all(bigger <= v for v in validators if v >= number) else None
    if isinstance(field, models.EmailField):
        return f"edited.{value}" if value else "edited@example.org"
    if isinstance(field, models.URLField | models.DateField | models.TimeField):
        return None
    if isinstance(field, models.CharField | models.TextField | TranslatedField):
        if getattr(field, "choices", None):
            return None
        edited = f"{value}-edited" if value else "edited"
        limit = getattr(field, "text_max_length", None) or getattr(field, "max_length", None)
        return edited[-limit:] if limit else edited
    return None


def _stored(obj: models.Model, field, key: str | None) -> Any:
    obj = type(obj)._default_manager.get(pk=obj.pk)
    value = getattr(obj, field.attname)
    if key in DURATION_PARTS:
        return "" if value is None else DURATION_PARTS[key](value)
    if key is not None:
        return (value or {}).get(key, "")
    return value


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored values, as compared for "nothing changed" (times to the second:
    forms show no microseconds; auto_now stamps move on every save)."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    values = {}
    for f in obj._meta.concrete_fields:
        if getattr(f, "auto_now", False):
            continue
        value = getattr(obj, f.attname)
        if isinstance(value, datetime):
            value = value.replace(microsecond=0)
        values[f.attname] = value
    return values


# --- the sweep ---------------------------------------------------------------------------


class Sweep:
    def __init__(self, user) -> None:
        self.user = user
        self.client: Client = signed_in_client(user)
        self.client.handler.enforce_csrf_checks = True  # the token comes from the page
        self.client.raise_request_exception = False  # a 500 is reported with the others
        self.request = RequestFactory().get("/admin/")
        self.request.user = user
        self.problems: list[str] = []
        self.checked: list[str] = []

    def problem(self, model, what: str) -> None:
        self.problems.append(f"{model._meta.label}: {what}")

    def get(self, url: str):
        return self.client.get(url)

    def token(self) -> dict[str, str]:
        """The CSRF token of the page last opened, so a 403 is the permission's, not CSRF's."""
        return {"csrfmiddlewaretoken": self.client.cookies["csrftoken"].value}

    def post(self, url: str, form: BrowserForm, **changes):
        submit = "_save" if "_save" in form.submit_names else None
        data = form.data(**changes)
        if submit:
            data[submit] = ["Save"]
        return self.client.post(url, data)

    def run(self, model, model_admin) -> None:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = self.get(reverse("admin:{}_{}_changelist".format(*info)))
        if not model_admin.has_view_or_change_permission(self.request):
            self.expect(model, changelist, 403, "changelist")
            self.expect(model, self.get(reverse("admin:{}_{}_add".format(*info))), 403, "add")
            self.checked.append(f"{model._meta.label}: 403")
            return
        self.expect(model, changelist, 200, "changelist")
        self.add(model, model_admin, info)
        self.change(model, model_admin, info)

    def expect(self, model, response, status: int, what: str) -> bool:
        if response.status_code != status:
            body = response.content.decode()[:300] if response.status_code >= 400 else ""
            if getattr(response, "exc_info", None):
                body = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"
            self.problem(model, f"{what} answered {response.status_code}, not {status} {body}")
            return False
        return True

    def _object(self, model_admin):
        visible = model_admin.get_queryset(self.request).order_by("pk")[:20]
        changeable = [o for o in visible if model_admin.has_change_permission(self.request, o)]
        return (changeable or list(visible) or [None])[0]

    # --- add -----------------------------------------------------------------------------

    def add(self, model, model_admin, info) -> None:
        url = reverse("admin:{}_{}_add".format(*info))
        if not model_admin.has_add_permission(self.request):
            self.expect(model, self.get(url), 403, "add page")
            self.expect(model, self.client.post(url, self.token()), 403, "add post")
            self.checked.append(f"{model._meta.label} add: 403")
            return
        page = self.get(url)
        if not self.expect(model, page, 200, "add page"):
            return
        form = parse_form(page.content.decode(), f"{info[1]}_form")
        empty = self.post(url, form)
        if empty.status_code not in (200, 302):
            self.expect(model, empty, 200, "add page submitted as rendered")
        source = self._object(model_admin)
        if source is None:
            self.problem(model, "no object to copy into the add form")
            return
        before = model._default_manager.count()
        data = self.copy_of(model, model_admin, source, form)
        response = self.client.post(url, data)
        if not self.expect(model, response, 302, "add page filled in"):
            self.problems[-1] += _errors(response)
            return
        if model._default_manager.count() != before + 1:
            self.problem(model, "add page filled in: no new object stored")
        self.checked.append(f"{model._meta.label} add")

    def copy_of(self, model, model_admin, source, add_form: BrowserForm) -> dict:
        """The add form filled with `source`'s values, as a person copying it would."""
        info = (model._meta.app_label, model._meta.model_name)
        change = self.get(reverse("admin:{}_{}_change".format(*info), args=[source.pk]))
        copied = parse_form(change.content.decode(), f"{info[1]}_form").data()
        data = add_form.data()
        on_add_page = set(add_form.names())
        inline_prefixes = self._inline_prefixes(model_admin, source)
        for name, values in copied.items():
            prefix = name.split("-", 1)[0]
            if prefix in inline_prefixes:
                data[name] = values
            elif name in on_add_page and not name.startswith("initial-"):
                data[name] = values if name != "csrfmiddlewaretoken" else data[name]
        for control in _main_form_controls(add_form):
            # Shown read-only on the change page (e.g. the agency), so copied from the object.
            field, key = _model_field(model, control.name)
            if (
                control.name not in copied
                and field is not None
                and key is None
                and not field.many_to_many
                and getattr(source, field.attname) is not None
            ):
                data[control.name] = [str(getattr(source, field.attname))]
        unique = _unique_fields(model)
        for name in list(data):
            field, _key = _model_field(model, name)
            if field is not None and field.name in unique and data[name] and data[name][0]:
                data[name] = [f"{data[name][0][:40]}-copy"]
        for prefix, fk_name in inline_prefixes.items():
            data[f"{prefix}-INITIAL_FORMS"] = ["0"]
            for name in list(data):
                if name.startswith(f"{prefix}-") and (
                    name.endswith(("-id", f"-{fk_name}", "-DELETE"))
                ):
                    data[name] = [""] if not name.endswith("-DELETE") else []
        data.update(ADD_OVERRIDES.get(model._meta.label, lambda s: {})(source))
        data["_save"] = ["Save"]
        return {k: v for k, v in data.items() if v != []}

    def _inline_prefixes(self, model_admin, obj) -> dict[str, str]:
        prefixes = {}
        for formset, _inline in model_admin.get_formsets_with_inlines(self.request, obj):
            prefixes[formset.get_default_prefix()] = formset.fk.name
        return prefixes

    # --- change --------------------------------------------------------------------------

    def change(self, model, model_admin, info) -> None:
        obj = self._object(model_admin)
        if obj is None:
            self.problem(model, "no object to open")
            return
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        page = self.get(url)
        if not self.expect(model, page, 200, "change page"):
            return
        if not model_admin.has_change_permission(self.request, obj):
            html = page.content.decode()
            if 'name="_save"' in html:
                self.problem(model, "a read-only change page offers a Save button")
            self.expect(model, self.client.post(url, {"_save": "Save", **self.token()}), 403,
                        "read-only post")  # fmt: skip
            self.checked.append(f"{model._meta.label} change: read-only")
            return
        form = parse_form(page.content.decode(), f"{info[1]}_form")
        before = _snapshot(obj)
        response = self.post(url, form)
        if not self.expect(model, response, 302, "change page submitted unchanged"):
            self.problems[-1] += _errors(response)
            return
        after = _snapshot(obj)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            self.problem(model, f"submitted unchanged, yet stored changes {changed}")
        self.change_one_field(model, model_admin, obj, url)

    def change_one_field(self, model, model_admin, obj, url: str) -> None:
        form = parse_form(self.get(url).content.decode(), f"{model._meta.model_name}_form")
        if not any(_model_field(model, c.name)[0] for c in _main_form_controls(form)):
            self.checked.append(f"{model._meta.label} change: every field read-only")
            return
        for control in _main_form_controls(form):
            field, key = _model_field(model, control.name)
            if field is None or control.type not in TEXT_INPUTS:
                continue
            value = _edited(control, field)
            if value is None:
                continue
            response = self.post(url, form, **{control.name: value})
            if not self.expect(model, response, 302, f"change of {control.name}"):
                self.problems[-1] += _errors(response)
                return
            stored = _stored(obj, field, key)
            if str(stored) != value:
                self.problem(model, f"changed {control.name} to {value!r}, stored {stored!r}")
            self.checked.append(f"{model._meta.label} change ({control.name})")
            self.change_inline_rows(model_admin, obj, url)
            return
        for control in _main_form_controls(form):
            field, _key = _model_field(model, control.name)
            if field is None or control.type != "select-one" or field.is_relation:
                continue
            others = [o for o in control.options if o and o not in control.values]
            if not others:
                continue
            response = self.post(url, form, **{control.name: others[0]})
            if self.expect(model, response, 302, f"change of {control.name}"):
                stored = _stored(obj, field, None)
                if str(stored) != others[0]:
                    self.problem(model, f"changed {control.name} to {others[0]}, got {stored}")
                self.checked.append(f"{model._meta.label} change ({control.name})")
            return
        self.problem(model, "no field to change on the change page")

    def change_inline_rows(self, model_admin, obj, url: str) -> None:
        """In each inline with rows, one text of the first row changed: stored."""
        for formset, _inline in model_admin.get_formsets_with_inlines(self.request, obj):
            prefix = formset.get_default_prefix()
            form = parse_form(self.get(url).content.decode(), f"{obj._meta.model_name}_form")
            row_id = form.control(f"{prefix}-0-id")
            if row_id is None or not row_id.values or not row_id.values[0]:
                continue
            row = formset.model._default_manager.get(pk=row_id.values[0])
            for control in form.controls:
                if not control.name.startswith(f"{prefix}-0-"):
                    continue
                field, key = _model_field(formset.model, control.name.removeprefix(f"{prefix}-0-"))
                value = _edited(control, field) if field and control.type in TEXT_INPUTS else None
                if value is None:
                    continue
                response = self.post(url, form, **{control.name: value})
                if not self.expect(obj, response, 302, f"change of {control.name}"):
                    self.problems[-1] += _errors(response)
                elif str(_stored(row, field, key)) != value:
                    self.problem(obj, f"changed {control.name} to {value!r}, not stored")
                else:
                    self.checked.append(f"{obj._meta.label} change ({control.name})")
                break


def _main_form_controls(form: BrowserForm):
    for control in form.controls:
        if "-" in control.name or control.type == "hidden" or control.name.startswith("_"):
            continue
        yield control


def _errors(response) -> str:
    """The form errors of a page that did not save, by field."""
    context = response.context if response.status_code == 200 else None
    if not context:
        return ""
    errors = []
    if "adminform" in context:
        errors.append(str(dict(context["adminform"].form.errors)))
    for formset in context.get("inline_admin_formsets", []):
        errors += [str(e) for e in formset.formset.errors if e]
        errors += list(formset.formset.non_form_errors())
    return " " + " ".join(errors)[:1500]


def _free_user(_source) -> dict:
    user = get_user_model().objects.create_user(username="newcomer", password="pw-0123456789")
    return {"user": [str(user.pk)]}


def _free_policy_scope(source) -> dict:
    """A (category, priority) pair the source's agency has no policy for."""
    from cases.models import ServiceCategory, SlaPolicy

    taken = set(SlaPolicy.objects.filter(agency=source.agency).values_list("category", "priority"))
    for category in ServiceCategory.objects.filter(agency=source.agency):
        for priority in ("low", "normal", "high", "urgent"):
            if (category.pk, priority) not in taken:
                return {"category": [str(category.pk)], "priority": [priority]}
    raise AssertionError("no free policy scope")


# What a person adding a copy must also change, beyond the unique fields, per model.
ADD_OVERRIDES: dict[str, Callable[[Any], dict]] = {
    "agencies.StaffMember": _free_user,  # one profile per user
    "agencies.Holiday": lambda s: {"date": [date(2031, 1, 2).isoformat()]},  # one per day
    "cases.SlaPolicy": _free_policy_scope,  # one per agency, category and priority
    "feedback.Survey": lambda s: {"is_default": []},  # one active default per agency
    "auth.User": lambda s: {"password1": ["pw-0123456789-new"], "password2": ["pw-0123456789-new"]},
    "otp_totp.TOTPDevice": lambda s: {"key": ["3132333435363738393031323334353637383931"]},
}


@pytest.mark.parametrize("who", ["superuser", "agency admin"])
def test_every_admin_form_saves_as_a_browser_submits_it(who):
    _demo_world()
    user = _superuser() if who == "superuser" else _agency_admin()
    _one_of_each()
    sweep = Sweep(user)

    for model, model_admin in list(admin.site._registry.items()):
        sweep.run(model, model_admin)

    print(f"\n{who}: {len(sweep.checked)} admin forms checked:\n  " + "\n  ".join(sweep.checked))
    assert not sweep.problems, "\n".join(sweep.problems)
    assert len(sweep.checked) >= len(admin.site._registry)
