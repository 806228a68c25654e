"""The audit trail in words: the one place that turns audit rows into what a supervisor reads.

Each row becomes an `AuditRow`: who did it (a name), what happened (a sentence in the active
language: "Status changed to Resolved", "SLA deadlines recomputed for 40 cases after the
calendar changed"), on what (the object by its reference or name, linked to its staff page when
the reader may open it), and what changed, as "label: before → after" lines in full (field
labels, choice labels, names instead of ids and codes, times in the reader's agency time zone).
A row standing for many objects (a bulk recomputation) carries their count and the first of
them, linked.

`core` cannot import the apps above it, so each app says its own words in an
`AuditVocabulary` registered in its AppConfig.ready() (`<app>/audit_presenters.py`): action
sentences, field labels, how to read a value (a choice, the name behind an id or a code, a
time, minutes), how to name and link its objects, the system actors it writes as, and the kinds
of action the audit page's filter offers. What no vocabulary knows still reads as words: a
field's label and choices come from the object's model, and an unknown action is humanised
("Team: secret change"), never a bare code.

`present_events(events, viewer=…, tz=…)` does a page at a time with one query per kind of
object the page names (never one per row).
"""

from __future__ import annotations

import ast
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.models import AuditEvent
from core.registry import Registry
from core.scoping import SHARED, scope_queryset, staff_profile

# How many of the objects behind a bulk row the trail lists; the row's own page lists them all.
RELATED_SHOWN = 10

# --- what an app registers ------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A stored value that names a row of `model` by `field` (its pk, a code, a username).

    `per_agency`: the model's agency field when `field` is unique only within an agency (a
    service category's code); the value is then looked up in the audit row's agency.
    """

    model: str
    field: str = "pk"
    per_agency: str = ""


# Kinds of value besides choices (a TextChoices class or a {value: label} dict), `Ref`s and
# callables (value -> text).
DATETIME = "datetime"  # an instant: in the reader's time zone
DATE = "date"
MINUTES = "minutes"  # a duration in minutes: "2 h 10 min"
BOOLEAN = "boolean"
TEXT = "text"
HIDDEN = "hidden"  # the sentence says it all (the id of a timeline entry): no line of its own


@dataclass(frozen=True)
class ObjectKind:
    """How the trail names and links one model's objects."""

    noun: Any  # "case", lazily translated: says what a deleted or unknown object was
    label: Callable[[Any], str] | None = None  # default: str(obj)
    # Its staff page (obj, viewer) -> URL or None; shown only when the reader may see the
    # object (the model's agency scope). None: the admin change page, for those with the admin.
    url: Callable[[Any, Any], str | None] | None = None
    select_related: tuple[str, ...] = ()
    counted: Callable[[int], str] | None = None  # "40 cases" (default: "40 records")


@dataclass(frozen=True)
class ActionKind:
    """A kind of action the audit page's filter offers: its codes ("case.sla_*": a prefix)."""

    key: str
    label: Any
    actions: tuple[str, ...]


@dataclass(frozen=True)
class AuditVocabulary:
    """An app's words for the audit trail (see the module docstring).

    `actions`: code -> sentence, a lazy text formatted with the rendered new values of the
    changes (`%(status)s`), their old ones (`%(status_before)s`), `%(count)s` (objects behind
    a bulk row) and `%(noun)s` (what the object is); or a callable taking a `Said`.
    `fields` and `values` are keyed by field, "object_type:field" or "action:field" (the most
    specific wins). `actors`: labels of system actors -> words.
    """

    actions: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    objects: Mapping[str, ObjectKind] = field(default_factory=dict)
    actors: Mapping[str, Any] = field(default_factory=dict)
    kinds: Sequence[ActionKind] = ()


AuditVocabularyProvider = Callable[[], AuditVocabulary]
audit_vocabularies: Registry[AuditVocabularyProvider] = Registry("audit vocabularies")
register_audit_vocabulary = audit_vocabularies.register


@dataclass(frozen=True)
class Said:
    """What a sentence may say about its row (for callable sentences)."""

    event: AuditEvent
    after: Mapping[str, str]  # rendered new values, by field
    before: Mapping[str, str]  # rendered old values, by field
    count: int  # objects behind a bulk row
    noun: str

    def raw(self, name: str, which: int = 1) -> Any:
        pair = self.event.changes.get(name)
        return pair[which] if isinstance(pair, list | tuple) and len(pair) == 2 else None


# --- what the page shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    label: str
    url: str | None = None


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: Named | None  # None: there was nothing before (a creation)
    after: Named


@dataclass
class AuditRow:
    event: AuditEvent
    when: datetime  # in the reader's time zone
    who: Named
    what: str
    subject: Named
    noun: str
    history_url: str  # the audit trail of this object
    changes: list[ChangeLine]
    related_count: int = 0
    related_summary: str = ""  # "40 cases"
    related: list[Named] = field(default_factory=list)

    @property
    def related_more(self) -> int:
        return self.related_count - len(self.related)


# --- the vocabulary, merged -----------------------------------------------------------------


def _core_vocabulary() -> AuditVocabulary:
    """core's own actions and objects, and the words every app shares."""

    def admin_sentence(verb: Any) -> Callable[[Said], str]:
        return lambda said: verb % {"noun": capfirst(said.noun)}

    def user_label(user: Any) -> str:
        return user.get_full_name() or user.get_username()

    return AuditVocabulary(
        actions={
            "admin.created": admin_sentence(gettext_lazy("%(noun)s created in the admin")),
            "admin.changed": admin_sentence(gettext_lazy("%(noun)s changed in the admin")),
            "admin.deleted": admin_sentence(gettext_lazy("%(noun)s deleted in the admin")),
            "outbox.requeue": gettext_lazy("Undelivered message queued again for delivery"),
            "notification.read": _notifications_read,
            "api_token.created": gettext_lazy("API token “%(name)s” created"),
            "api_token.revoked": gettext_lazy("API token revoked"),
        },
        fields={
            "status": gettext_lazy("Status"),
            "name": gettext_lazy("Name"),
            "active": gettext_lazy("Active"),
            "deleted": gettext_lazy("Deleted"),
            "personal_data": gettext_lazy("Personal data"),
            "core.apitoken:user": gettext_lazy("For"),
            "core.apitoken:revoked": gettext_lazy("Revoked"),
            "core.apitoken:reason": gettext_lazy("Why"),
            "notifications": gettext_lazy("Notifications"),
        },
        values={
            "core.apitoken:user": Ref(settings.AUTH_USER_MODEL.lower(), "username"),
            "core.apitoken:reason": {
                "role": gettext_lazy("the owner's role changed"),
                "deactivated": gettext_lazy("the owner was deactivated"),
            },
            "personal_data": {"kept": gettext_lazy("kept"), "removed": gettext_lazy("removed")},
            "notification.read:notifications": HIDDEN,
            "admin.deleted:deleted": HIDDEN,
        },
        objects={
            settings.AUTH_USER_MODEL.lower(): ObjectKind(
                noun=gettext_lazy("staff member"), label=user_label
            ),
            "core.apitoken": ObjectKind(noun=gettext_lazy("API token")),
            "core.outboxmessage": ObjectKind(noun=gettext_lazy("outgoing message")),
        },
        actors={
            "system": gettext_lazy("The system"),
            "retention policy": gettext_lazy("Retention policy (automatic)"),
        },
        kinds=[
            ActionKind("admin", gettext_lazy("Changes in the admin"), ("admin.*",)),
            ActionKind(
                "security",
                gettext_lazy("Sign-ins, two-step verification and API tokens"),
                ("staff.*", "api_token.*"),
            ),
            ActionKind(
                "retention", gettext_lazy("Personal data removed (retention)"), ("*.anonymised",)
            ),
        ],
    )


def _notifications_read(said: Said) -> str:
    raw = said.raw("notifications") or ""
    count = len([part for part in str(raw).split(",") if part.strip()])
    return ngettext(
        "%(count)s notification marked as read", "%(count)s notifications marked as read", count
    ) % {"count": count}


@dataclass
class _Merged:
    actions: dict[str, Any]
    fields: dict[str, Any]
    values: dict[str, Any]
    objects: dict[str, ObjectKind]
    actors: dict[str, Any]
    kinds: list[ActionKind]


def vocabulary() -> _Merged:
    """Every app's vocabulary in one (core's first; a later app may add, not override)."""
    merged = _Merged({}, {}, {}, {}, {}, [])
    for part in [_core_vocabulary(), *(provider() for provider in audit_vocabularies)]:
        for name in ("actions", "fields", "values", "objects", "actors"):
            target = getattr(merged, name)
            for key, value in getattr(part, name).items():
                target.setdefault(key, value)
        merged.kinds.extend(part.kinds)
    return merged


def action_kinds() -> list[ActionKind]:
    """The kinds of action the audit page's filter offers, in the apps' order."""
    return vocabulary().kinds


def action_kind_filter(key: str) -> Q | None:
    """The condition on `AuditEvent.action` of one kind (None: no such kind)."""
    for kind in action_kinds():
        if kind.key == key:
            condition = Q(pk__in=[])
            for code in kind.actions:
                if code.startswith("*"):
                    condition |= Q(action__endswith=code[1:])
                elif code.endswith("*"):
                    condition |= Q(action__startswith=code[:-1])
                else:
                    condition |= Q(action=code)
            return condition
    return None


def known_actions() -> set[str]:
    return set(vocabulary().actions)


# --- words for one value --------------------------------------------------------------------


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _specific(table: Mapping[str, Any], event: AuditEvent, name: str) -> Any:
    for key in (f"{event.action}:{name}", f"{event.object_type}:{name}", name):
        if key in table:
            return table[key]
    return None


def _humanise(code: str) -> str:
    return capfirst(re.sub(r"[_\-]+", " ", code).strip())


def _kind_of(vocab: _Merged, event: AuditEvent, name: str) -> Any:
    kind = _specific(vocab.values, event, name)
    if kind is not None:
        return kind
    model_field = _model_field(_model(event.object_type), name)
    if model_field is not None:
        if model_field.is_relation and model_field.related_model is not None:
            return Ref(model_field.related_model._meta.label_lower)
        if model_field.choices:
            return {value: label for value, label in model_field.flatchoices}
        if isinstance(model_field, models.DateTimeField):
            return DATETIME
        if isinstance(model_field, models.DateField):
            return DATE
        if isinstance(model_field, models.BooleanField):
            return BOOLEAN
        if type(model_field).__name__ == "TranslatedField":
            return _translated
    if name.endswith("_at"):
        return DATETIME
    return TEXT


def _label_of(vocab: _Merged, event: AuditEvent, name: str) -> str:
    label = _specific(vocab.fields, event, name)
    if label is not None:
        return str(label)
    model_field = _model_field(_model(event.object_type), name)
    if model_field is not None:
        return capfirst(str(model_field.verbose_name))
    return _humanise(name)


def _literal(value: Any) -> Any:
    """A value the audit writer stored as its repr (a dict, a list), back as Python data."""
    if isinstance(value, str) and value[:1] in "[{(":
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
    return value


def _translated(value: Any) -> str:
    from core.translated import translate

    value = _literal(value)
    return translate(value) if isinstance(value, dict) else str(value)


def _minutes(value: Any) -> str:
    try:
        total = round(float(value))
    except (TypeError, ValueError):
        return str(value)
    hours, minutes = divmod(total, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


def _instant(value: Any, tz: tzinfo) -> str:
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zoneinfo.ZoneInfo("UTC"))
    return formats.date_format(moment.astimezone(tz), "DATETIME_FORMAT")


def format_day(value: Any) -> str:
    day = value if isinstance(value, date) else parse_date(str(value)[:10])
    return formats.date_format(day, "DATE_FORMAT") if day else str(value)


EMPTY = "—"


class _Lookups:
    """Names behind ids and codes, fetched for a whole page at once: one query per model."""

    def __init__(self, vocab: _Merged, viewer: Any) -> None:
        self.vocab = vocab
        self.viewer = viewer
        self.wanted: dict[Ref, set[Any]] = defaultdict(set)
        self.found: dict[Ref, dict[Any, Named]] = {}

    def want(self, ref: Ref, value: Any, agency_id: Any = None) -> None:
        for item in value if isinstance(value, list | tuple) else [value]:
            if item not in (None, ""):
                self.wanted[ref].add((agency_id, str(item)) if ref.per_agency else str(item))

    def get(self, ref: Ref, value: Any, agency_id: Any = None) -> Named | None:
        key = (agency_id, str(value)) if ref.per_agency else str(value)
        return self.found.get(ref, {}).get(key)

    def fetch(self) -> None:
        for ref, values in self.wanted.items():
            self.found[ref] = self._fetch(ref, values)

    def _fetch(self, ref: Ref, values: set[Any]) -> dict[Any, Named]:
        model = _model(ref.model)
        if model is None:
            return {}
        kind = self.vocab.objects.get(ref.model)
        key_field = model._meta.pk if ref.field == "pk" else _model_field(model, ref.field)
        if key_field is None:
            return {}
        keys = {value[1] if ref.per_agency else value for value in values}
        clean = []
        for key in keys:
            try:
                clean.append(key_field.to_python(key))
            except (ValidationError, TypeError, ValueError):
                continue
        if not clean:
            return {}
        rows = model._default_manager.filter(**{f"{key_field.attname}__in": clean})
        if ref.per_agency:
            rows = rows.filter(**{f"{ref.per_agency}_id__in": {value[0] for value in values}})
        if kind and kind.select_related:
            rows = rows.select_related(*kind.select_related)
        rows = list(rows)
        visible = self._visible(model, [row.pk for row in rows])
        found = {}
        for row in rows:
            value = str(getattr(row, key_field.attname))
            key = (getattr(row, f"{ref.per_agency}_id"), value) if ref.per_agency else value
            label = kind.label(row) if kind and kind.label else str(row)
            url = self._url(model, row, kind) if row.pk in visible else None
            found[key] = Named(label or EMPTY, url)
        return found

    def _visible(self, model: type[models.Model], pks: list[Any]) -> set[Any]:
        """The rows the reader may open (their model's agency scope), in one query."""
        scope = getattr(model, "agency_scope", None)
        if not pks or scope is None or not getattr(self.viewer, "is_authenticated", False):
            return set()
        if scope == SHARED or getattr(self.viewer, "is_superuser", False):
            return set(pks)
        rows = scope_queryset(model._default_manager.filter(pk__in=pks), self.viewer)
        return set(rows.values_list("pk", flat=True))

    def _url(self, model: type[models.Model], row: Any, kind: ObjectKind | None) -> str | None:
        if kind is not None and kind.url is not None:
            return kind.url(row, self.viewer)
        return admin_change_url(row, self.viewer)


def admin_change_url(obj: Any, viewer: Any) -> str | None:
    """The admin page of `obj` for a reader who has the admin (else None)."""
    if not getattr(viewer, "is_staff", False) or not admin.site.is_registered(type(obj)):
        return None
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def _render(kind: Any, value: Any, lookups: _Lookups, event: AuditEvent, tz: tzinfo) -> Named:
    if value is None or value == "" or value == []:
        return Named(EMPTY)
    if isinstance(kind, Ref):
        value = _literal(value)
        if isinstance(value, list | tuple):
            names = [_render(kind, item, lookups, event, tz) for item in value]
            return Named(", ".join(name.label for name in names) or EMPTY)
        found = lookups.get(kind, value, event.agency_id)
        if found is not None:
            return found
        if kind.field == "pk" and not str(value).isdigit():
            return Named(str(value))  # a name the writer kept instead of an id
        return Named(_("%(value)s (no longer exists)") % {"value": value})
    if isinstance(value, bool) or kind == BOOLEAN:
        return Named(_("Yes") if value and value != "False" else _("No"))
    if isinstance(kind, type) and issubclass(kind, models.Choices):
        return Named(str(kind(value).label) if value in kind.values else str(value))
    if isinstance(kind, Mapping):
        return Named(str(kind.get(value, value)))
    if kind == DATETIME:
        return Named(_instant(value, tz))
    if kind == DATE:
        return Named(format_day(value))
    if kind == MINUTES:
        return Named(_minutes(value))
    if callable(kind):
        return Named(str(kind(value)))
    return Named(str(value))


# --- rows -----------------------------------------------------------------------------------


class _Words(dict):
    """The values a sentence may name; a name it does not know reads as a dash."""

    def __missing__(self, key: str) -> str:
        return EMPTY


def _sentence(vocab: _Merged, event: AuditEvent, said: Said) -> str:
    sentence = vocab.actions.get(event.action)
    if sentence is None:
        return _unknown_action(event, said)
    if not isinstance(sentence, str | Promise):
        return str(sentence(said))
    words = _Words({f"{name}_before": text for name, text in said.before.items()})
    words.update(said.after)
    words.update(count=said.count, noun=said.noun)
    return str(sentence) % words


def _unknown_action(event: AuditEvent, said: Said) -> str:
    """An action no vocabulary knows, in words: "Team: secret change"."""
    subject, _sep, verb = event.action.partition(".")
    if not verb:
        return _humanise(subject)
    return _("%(subject)s: %(what)s") % {
        "subject": _humanise(subject), "what": _humanise(verb).lower()
    }  # fmt: skip


def _noun(vocab: _Merged, object_type: str) -> str:
    kind = vocab.objects.get(object_type)
    if kind is not None:
        return str(kind.noun)
    model = _model(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    return _humanise(object_type.rpartition(".")[2]).lower()


def counted(vocab: _Merged, object_type: str, count: int) -> str:
    """ "40 cases": a number of objects of one type, as a person writes it."""
    kind = vocab.objects.get(object_type)
    if kind is not None and kind.counted is not None:
        return kind.counted(count)
    return ngettext("%(count)s record", "%(count)s records", count) % {"count": count}


_CITIZEN_ID = re.compile(r"^citizen #(\d+)$")


def _actor_ref(event: AuditEvent) -> tuple[Ref, str] | None:
    match = _CITIZEN_ID.match(event.actor_label or "")
    return (Ref("citizens.citizen"), match.group(1)) if match else None


def _who(vocab: _Merged, event: AuditEvent, lookups: _Lookups) -> Named:
    user = event.actor_user
    if user is not None:
        return Named(user.get_full_name() or user.get_username())
    label = event.actor_label or ""
    if event.actor_type == AuditEvent.ActorType.STAFF:  # the account was deleted since
        return Named(label or _("A former staff member"))
    cited = _actor_ref(event)
    if cited is not None:
        found = lookups.get(*cited)
        return (
            Named(_("Citizen %(name)s") % {"name": found.label}, found.url)
            if found
            else (Named(_("A citizen")))
        )
    if label.startswith("citizen:"):
        return Named(_("Citizen (%(contact)s)") % {"contact": label.partition(":")[2]})
    if label in vocab.actors:
        return Named(str(vocab.actors[label]))
    if label.startswith("citizen"):
        return Named(capfirst(label))
    if label.startswith("system:"):
        return Named(_("Automatic (%(what)s)") % {"what": _humanise(label[7:]).lower()})
    return Named(
        _("Automatic (%(what)s)") % {"what": _humanise(label).lower()}
        if label
        else (_("The system"))
    )


def viewer_timezone(viewer: Any) -> tzinfo:
    """Times a person reads are in their agency's time zone (the server's without one)."""
    profile = staff_profile(viewer)
    name = getattr(getattr(profile, "agency", None), "timezone", None) or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def history_url(object_type: str, object_id: str) -> str:
    from django.utils.http import urlencode

    query = urlencode({"object_type": object_type, "object_id": object_id})
    return f"{reverse('audit_list')}?{query}"


def present_events(
    events: Iterable[AuditEvent], *, viewer: Any, tz: tzinfo | None = None,
    related_shown: int = RELATED_SHOWN,
) -> list[AuditRow]:  # fmt: skip
    """The rows of the audit page (or one row's page), in words; see the module docstring."""
    events = list(events)
    tz = tz or viewer_timezone(viewer)
    vocab = vocabulary()
    lookups = _Lookups(vocab, viewer)
    plans = []
    for event in events:
        subject_ref = Ref(event.object_type)
        lookups.want(subject_ref, event.object_id)
        kinds = {}
        for name, pair in (event.changes or {}).items():
            kind = _kind_of(vocab, event, name)
            kinds[name] = kind
            if isinstance(kind, Ref) and isinstance(pair, list | tuple):
                for value in pair:
                    lookups.want(kind, _literal(value), event.agency_id)
        related = list(event.related_ids or [])[:related_shown]
        if event.related_type:
            lookups.want(Ref(event.related_type), related)
        cited = _actor_ref(event)
        if cited is not None:
            lookups.want(*cited)
        plans.append((event, subject_ref, kinds, related))
    lookups.fetch()
    return [_row(vocab, lookups, tz, *plan) for plan in plans]


def _row(
    vocab: _Merged, lookups: _Lookups, tz: tzinfo, event: AuditEvent, subject_ref: Ref,
    kinds: dict[str, Any], related: list[str],
) -> AuditRow:  # fmt: skip
    noun = _noun(vocab, event.object_type)
    subject = lookups.get(subject_ref, event.object_id)
    if subject is None:  # deleted since (an admin deletion says what it was)
        deleted = (event.changes or {}).get("deleted")
        label = deleted[0] if isinstance(deleted, list) and deleted and deleted[0] else None
        subject = Named(label or f"{capfirst(noun)} #{event.object_id}")
    lines, before, after = [], {}, {}
    for name, pair in (event.changes or {}).items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            pair = [None, pair]
        kind = kinds[name]
        old = _render(kind, pair[0], lookups, event, tz)
        new = _render(kind, pair[1], lookups, event, tz)
        before[name], after[name] = old.label, new.label
        if kind == HIDDEN:
            continue
        nothing_before = pair[0] is None or pair[0] == "" or pair[0] == []
        lines.append(ChangeLine(_label_of(vocab, event, name), None if nothing_before else old,
                                new))  # fmt: skip
    count = len(event.related_ids or [])
    said = Said(event=event, after=after, before=before, count=count, noun=noun)
    related_ref = Ref(event.related_type) if event.related_type else None
    return AuditRow(
        event=event,
        when=event.occurred_at.astimezone(tz),
        who=_who(vocab, event, lookups),
        what=_sentence(vocab, event, said),
        subject=subject,
        noun=noun,
        history_url=history_url(event.object_type, event.object_id),
        changes=lines,
        related_count=count,
        related_summary=counted(vocab, event.related_type, count) if related_ref else "",
        related=[
            lookups.get(related_ref, pk) or Named(f"#{pk}") for pk in related
        ] if related_ref else [],
    )  # fmt: skip


def related_page(event: AuditEvent, *, viewer: Any, offset: int, limit: int) -> list[Named]:
    """The objects behind a bulk row, `limit` from `offset` (its own page lists them all)."""
    ids = list(event.related_ids or [])[offset : offset + limit]
    if not ids or not event.related_type:
        return []
    lookups = _Lookups(vocabulary(), viewer)
    ref = Ref(event.related_type)
    lookups.want(ref, ids)
    lookups.fetch()
    return [lookups.get(ref, pk) or Named(f"#{pk}") for pk in ids]


def describe_object(object_type: str, object_id: str, *, viewer: Any) -> Named:
    """One object by its name (for "the history of …")."""
    lookups = _Lookups(vocabulary(), viewer)
    ref = Ref(object_type)
    lookups.want(ref, object_id)
    lookups.fetch()
    noun = _noun(vocabulary(), object_type)
    return lookups.get(ref, object_id) or Named(f"{capfirst(noun)} #{object_id}")


def staff_choices(users: Iterable[Any]) -> list[tuple[str, str]]:
    """(user id, name) for the "who" filter, by name."""
    named = [(str(user.pk), user.get_full_name() or user.get_username()) for user in users]
    return sorted(named, key=lambda pair: pair[1].casefold())


def user_model_label() -> str:
    return get_user_model()._meta.label_lower
