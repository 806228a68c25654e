"""Django admin scoped to the signed-in staff member's agency (DESIGN.md "Scoping").

Deployment superusers see and edit everything. Anyone else (an agency administrator: staff
role "admin", `is_staff`, in the "Agency administrators" group) sees only their own agency's
objects through `core.scoping.scope_queryset`, so another agency's object is absent: its change,
history and delete URLs answer 404 (as everywhere else) and never show its data, and the
changelist, list filters and delete actions never list it. Choices of foreign keys and
many-to-many fields to scoped models are restricted the same way, so another agency's team or
calendar cannot be assigned, and so are the choices of list filters on relations ("by owning
team" lists the own agency's teams). The model's own agency field is hidden from
non-superusers and set to their agency on save.

Changes made here write AuditEvents ("admin.created", "admin.changed", "admin.deleted") with
before/after of the changed fields; admins that save through a service override `save_model`
(the service audits) and skip these.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from core.scoping import SHARED, scope_queryset, user_agency_id
from core.services import audit_record


def agency_id_of(obj: Model) -> int | None:
    """Follow the model's `agency_scope` path on an instance: the owning agency's id."""
    path = getattr(type(obj), "agency_scope", None)
    if path in (None, SHARED):
        return None
    *hops, last = path.split("__")
    current: Any = obj
    for hop in hops:
        current = getattr(current, hop, None)
        if current is None:
            return None
    if last == "pk":
        return current.pk
    return getattr(current, current._meta.get_field(last).attname)


def _plain(value: Any) -> Any:
    """A form value as the audit log keeps it: ids for objects, sorted ids for many; other
    lists (a question's options) as they are, in their order."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | set | frozenset) or (
        isinstance(value, list | tuple) and all(isinstance(item, Model) for item in value)
    ):
        return sorted(_plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _form_changes(form: Any) -> dict[str, tuple[Any, Any]]:
    return {
        name: (None if form.instance._state.adding else _plain(form.initial.get(name)),
               _plain(form.cleaned_data.get(name)))
        for name in form.changed_data
    }  # fmt: skip


# --- list filters ---------------------------------------------------------------------------


def scoped_related_choices(related: type[Model], request: HttpRequest) -> QuerySet | None:
    """The objects of `related` the user may see named, or None if that model is not scoped
    (staff users count as their agency's)."""
    if related is get_user_model():
        if request.user.is_superuser:
            return related._default_manager.all()
        return related._default_manager.filter(
            staff_profile__agency_id=user_agency_id(request.user)
        )
    if getattr(related, "agency_scope", None) is None:
        return None
    return scope_queryset(related._default_manager.all(), request.user)


class ScopedChoicesMixin:
    """For a RelatedFieldListFilter (or subclass): only the choices the user may see."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        choices = super().field_choices(field, request, model_admin)
        allowed = scoped_related_choices(field.related_model, request)
        if allowed is None:
            return choices
        visible = {str(pk) for pk in allowed.values_list("pk", flat=True)}
        return [(pk, label) for pk, label in choices if str(pk) in visible]


_SCOPED_FILTERS: dict[type, type] = {}


def scoped_list_filter(model: type[Model], entry: Any) -> Any:
    """A list_filter entry whose choices name only the user's agency's objects: a relation's
    filter ("owning_team", or ("teams", RelatedOnlyFieldListFilter)) gets ScopedChoicesMixin;
    other entries (booleans, choices, custom SimpleListFilters) stay as they are."""
    if isinstance(entry, str):
        path, filter_class = entry, admin.RelatedFieldListFilter
    elif isinstance(entry, tuple):
        path, filter_class = entry
    else:
        return entry  # a SimpleListFilter: its own lookups
    if not issubclass(filter_class, admin.RelatedFieldListFilter):
        return entry
    if not get_fields_from_path(model, path)[-1].is_relation:
        return entry
    if filter_class not in _SCOPED_FILTERS:
        _SCOPED_FILTERS[filter_class] = type(
            f"Scoped{filter_class.__name__}", (ScopedChoicesMixin, filter_class), {}
        )
    return (path, _SCOPED_FILTERS[filter_class])


class AgencyScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin for a model that declares `agency_scope` (see the module docstring)."""

    # Superusers may move an object to another agency on its change page only if this is True.
    agency_editable_on_change = False

    # --- which objects ----------------------------------------------------------------------

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str):
        # Django redirects to the index with a message; DESIGN.md wants a plain 404 everywhere.
        raise Http404(f"No {opts.verbose_name} with this id.")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_queryset(super().get_queryset(request), request.user, for_write=True)

    def agency_field_name(self) -> str | None:
        """The model's own foreign key to its agency, if its scope is a direct one."""
        path = getattr(self.model, "agency_scope", None)
        if not path or path in (SHARED, "pk") or "__" in path:
            return None
        field = self.model._meta.get_field(path)
        return path if field.is_relation else None

    def _scoped(self, request: HttpRequest) -> bool:
        return not request.user.is_superuser

    # --- choices ----------------------------------------------------------------------------

    def _scoped_choices(self, db_field: Any, request: HttpRequest) -> QuerySet | None:
        related = db_field.remote_field.model
        if getattr(related, "agency_scope", None) is None:
            return None
        base = self.get_field_queryset(None, db_field, request)
        if base is None:
            base = related._default_manager.all()
        return scope_queryset(base, request.user, for_write=True)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if "queryset" not in kwargs:
            choices = self._scoped_choices(db_field, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if "queryset" not in kwargs:
            choices = self._scoped_choices(db_field, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- the agency field -------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        agency_field = self.agency_field_name()
        if agency_field is None or not self._scoped(request):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != agency_field]})
            for name, options in fieldsets
        ]

    def get_exclude(self, request: HttpRequest, obj: Model | None = None):
        exclude = list(super().get_exclude(request, obj) or [])
        agency_field = self.agency_field_name()
        if agency_field is not None and self._scoped(request):
            exclude.append(agency_field)
        return exclude

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        agency_field = self.agency_field_name()
        if (
            agency_field is not None
            and obj is not None
            and not self._scoped(request)
            and not self.agency_editable_on_change
            and agency_field not in readonly
        ):
            readonly.append(agency_field)
        return readonly

    def get_list_display(self, request: HttpRequest):
        shown = list(super().get_list_display(request))
        if self._scoped(request):
            shown = [name for name in shown if name != self.agency_field_name()]
        return shown

    def get_list_filter(self, request: HttpRequest):
        filters = list(super().get_list_filter(request))
        if self._scoped(request):
            agency_field = self.agency_field_name()
            filters = [
                scoped_list_filter(self.model, f)
                for f in filters
                if f != agency_field and not (isinstance(f, tuple) and f[0] == agency_field)
            ]
        return filters

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any):
        form = super().get_form(request, obj, **kwargs)
        agency_field = self.agency_field_name()
        if agency_field is None or not self._scoped(request):
            return form
        attname = self.model._meta.get_field(agency_field).attname
        agency_id = user_agency_id(request.user)

        class AgencyScopedForm(form):
            """Sets the hidden agency before validation, so model clean() and the
            agency-wide unique constraints see it (an error, never a database crash)."""

            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                if getattr(self.instance, attname) is None:
                    setattr(self.instance, attname, agency_id)

            def _get_validation_exclusions(self):
                exclusions = super()._get_validation_exclusions()
                exclusions.discard(agency_field)
                return exclusions

        AgencyScopedForm.__name__ = form.__name__
        return AgencyScopedForm

    # --- saving (audited) -------------------------------------------------------------------

    def _set_agency(self, request: HttpRequest, obj: Model) -> None:
        agency_field = self.agency_field_name()
        if agency_field is not None and self._scoped(request):
            attname = self.model._meta.get_field(agency_field).attname
            if obj._state.adding or getattr(obj, attname) is None:
                setattr(obj, attname, user_agency_id(request.user))

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        self._set_agency(request, obj)
        changes = _form_changes(form)
        super().save_model(request, obj, form, change)
        if changes or not change:
            audit_record(
                action="admin.changed" if change else "admin.created", obj=obj,
                actor=request.user, changes=changes, agency_id=agency_id_of(obj),
            )  # fmt: skip

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        forms_by_instance = {id(f.instance): f for f in formset.forms}
        saved = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self._audit_deleted(request, obj)
            obj.delete()
        for obj in saved:
            inline_form = forms_by_instance.get(id(obj))
            adding = obj._state.adding
            obj.save()
            audit_record(
                action="admin.created" if adding else "admin.changed", obj=obj,
                actor=request.user, agency_id=agency_id_of(obj),
                changes=_form_changes(inline_form) if inline_form is not None else {},
            )  # fmt: skip
        formset.save_m2m()

    def _audit_deleted(self, request: HttpRequest, obj: Model) -> None:
        audit_record(
            action="admin.deleted", obj=obj, actor=request.user, agency_id=agency_id_of(obj),
            changes={"deleted": (str(obj), None)},
        )  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self._audit_deleted(request, obj)
        super().delete_queryset(request, queryset)


class AgencyScopedInline:
    """For inlines of an AgencyScopedAdmin: restricts their own choices the same way."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and getattr(related, "agency_scope", None) is not None:
            kwargs["queryset"] = scope_queryset(
                related._default_manager.all(), request.user, for_write=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
