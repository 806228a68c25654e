"""Input shape of the staff case pages (intake, case actions, bulk actions). Writing is the
services' job: these forms only check that the input makes sense and offer scoped choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from cases import presenters, selectors
from cases.models import CannedReply, Case, Priority, ServiceCategory
from cases.notifications import case_email_language
from cases.presenters import CONTACT_METHOD_LABELS
from cases.questions import QuestionsMixin
from cases.services import CONTACT_METHODS, TRANSITIONS
from citizens import normalise
from citizens.models import Citizen
from core.forms import UswdsForm, UswdsFormMixin
from core.forms import style as style  # the USWDS layer, for cases.sla.filters

INTAKE_CHANNELS = [
    (Case.Channel.PHONE, Case.Channel.PHONE.label),
    (Case.Channel.WALK_IN, Case.Channel.WALK_IN.label),
    (Case.Channel.EMAIL, Case.Channel.EMAIL.label),
]


class InlineSelect(forms.Select):
    """A <select> whose options are rendered in Python, not by one template include each.

    Same HTML as Django's select.html/select_option.html. The queue's filter and bulk forms
    list every staff member of the agency twice: with ~100 people the per-option includes
    were about a quarter of the page's server time (bench/README.md).
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "", '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )  # fmt: skip
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, html)
                if group_name
                else html
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"], flatatt(widget["attrs"]), mark_safe("".join(parts)),  # noqa: S308
        )  # fmt: skip


def staff_of_agency(agency_id: int | None) -> QuerySet:
    """Active staff members of an agency: who a case may be assigned to."""
    users = get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
    if agency_id is not None:
        users = users.filter(staff_profile__agency_id=agency_id)
    return users.order_by("first_name", "last_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


def grouped_category_choices(categories: Iterable[ServiceCategory], *, by_agency: bool = False):
    """[(group heading, [(pk, name), ...]), ...] for a select with <optgroup>s, in order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in categories:
        heading = category.agency.name if by_agency else (category.display_group or _("Other"))
        groups.setdefault(str(heading), []).append((str(category.pk), category.display_name))
    return list(groups.items())


# --- intake ---------------------------------------------------------------------------------


class IntakeForm(QuestionsMixin, UswdsFormMixin, forms.Form):
    """A case taken by phone, at the counter or from an email, in one of the agency's services.

    The citizen is an existing record (`citizen`), a new one (NewCitizenForm, next to this
    form), or nobody (an anonymous report). The questions of the chosen service are added as
    fields named `attr_<code>`; attributes_clean() checks them as case_create() will.
    """

    citizen = forms.ModelChoiceField(
        queryset=Citizen.objects.filter(merged_into__isnull=True),
        required=False,
        widget=forms.HiddenInput,
    )
    category = forms.ChoiceField(
        label=_("Service"), help_text=_("The questions for the service appear below it.")
    )
    description = forms.CharField(
        label=_("What is the request?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In the citizen's words, with what they expect."),
    )
    address = forms.CharField(
        label=_("Address or place"),
        max_length=300,
        required=False,
        help_text=_("Where the problem is, if it is somewhere."),
    )
    channel = forms.ChoiceField(
        label=_("How did the request reach us?"),
        choices=INTAKE_CHANNELS,
        initial=Case.Channel.PHONE,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("The service's default")), *Priority.choices],
    )
    consent_surveys = forms.BooleanField(
        label=_("The citizen agrees to a short survey by email after the request is closed"),
        help_text=_("Ask: “May we email you a short survey about how we handled your request, "
                    "after it is closed?” Tick only if they say yes."),
        required=False,
    )  # fmt: skip

    def __init__(self, *args, categories: Iterable[ServiceCategory], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [
            ("", _("Choose a service")),
            *grouped_category_choices(self.categories.values()),
        ]
        # Not `self.category`: templates would find the bound field of that name first.
        self.chosen_category = self._chosen_category()
        definitions = self.chosen_category.attributes.all() if self.chosen_category else []
        self.fields.update(self.add_questions(definitions))
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        # With JavaScript, the service's questions reload as soon as the service changes.
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("cases:intake_questions"),
                "hx-trigger": "change",
                "hx-target": "#questions",
                "hx-swap": "outerHTML",
            }
        )

    def _chosen_category(self) -> ServiceCategory | None:
        key = self.data.get("category") if self.is_bound else None
        if key is None:
            key = self.initial.get("category")
        return self.categories.get(str(key or ""))

    def clean_category(self) -> ServiceCategory:
        category = self.categories.get(self.cleaned_data["category"])
        if category is None:
            raise ValidationError(_("Choose one of the listed services."))
        return category

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        category = data.get("category")
        if isinstance(category, ServiceCategory):
            self.questions_clean(timezone=category.agency.timezone)
        return data


class NewCitizenForm(UswdsForm):
    """The essentials of a new citizen record, typed during the call (prefix "new")."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        help_text=_("Needed for updates by email and the status page."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    create_anyway = forms.BooleanField(
        label=_("I have checked the possible duplicates: this is a different person"),
        required=False,
    )

    CONTACT_FIELDS = ("first_name", "last_name", "email", "phone")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Staff type someone else's details: their own browser's autofill would be wrong.
            field.widget.attrs["autocomplete"] = "off"

    def has_input(self) -> bool:
        """Did the agent start typing a new citizen? (Otherwise the report is anonymous.)"""
        return self.is_bound and any(
            (self.data.get(self.add_prefix(name)) or "").strip() for name in self.CONTACT_FIELDS
        )

    def clean_phone(self) -> str:
        try:
            return normalise.normalise_phone(self.cleaned_data.get("phone", ""))
        except normalise.InvalidPhoneNumber:
            raise ValidationError(
                _("Enter a valid phone number, for example +1 312 555 0142.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("first_name") or data.get("last_name")):
            self.add_error("last_name", _("Enter a first name or a last name."))
        return data

    def seen_ids(self) -> set[int]:
        raw = self.cleaned_data.get("duplicates_seen") or ""
        return {int(part) for part in raw.split(",") if part.strip().isdigit()}

    def citizen_data(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(name) or ""
            for name in (*self.CONTACT_FIELDS, "preferred_language")
        }


# --- case page actions ----------------------------------------------------------------------


class CaseActionForm(UswdsForm):
    """A form of the case page's action bar; `key` names it in the page and its URL."""

    key = ""
    title = ""
    submit = ""
    multipart = False
    action_url = ""

    def __init__(self, *args, case: Case, user: Any = None, **kwargs):
        kwargs.setdefault("prefix", self.key)
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        self.setup()

    def setup(self) -> None:
        pass


class NoteForm(CaseActionForm):
    key = "note"
    title = _("Add an internal note")
    submit = _("Save note")
    body = forms.CharField(
        label=_("Internal note"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only staff see it; the citizen never does. Type @ and a colleague's name to tell "
            "them: they get a notification."
        ),
    )

    def setup(self) -> None:
        # static/js/cases.js offers colleagues' names while an @mention is typed.
        self.fields["body"].widget.attrs.update({
            "data-mention-url": reverse("staff:people_suggest"),
            "data-mention-label": _("Colleagues to mention"),
            "data-mention-count": _("Colleagues found: %s. Use the arrow keys, then Enter."),
        })  # fmt: skip


class CannedReplyMixin:
    """Offers the agency's saved replies above the message: "Insert" puts the chosen one, in
    the citizen's language and filled from the case, into the box to edit before sending
    (cases.views._action; no JavaScript needed). `used_reply` remembers it for the count."""

    canned = True
    canned_notice = ""

    def setup(self) -> None:
        super().setup()
        replies = selectors.canned_replies_for(self.case)
        if not replies.exists():
            del self.fields["reply"], self.fields["used_reply"]
            self.canned = False
            return
        self.fields["reply"].queryset = replies

    def insert_reply(self, data: Any) -> CaseActionForm:
        """An unbound copy of this form with the chosen reply in the message box (what the
        agent had typed elsewhere kept), opened, with a warning when the citizen's language
        has no version of it."""
        initial = {name: data.get(self.add_prefix(name)) for name in self.fields}
        reply = self.fields["reply"].queryset.filter(pk=data.get(self.add_prefix("reply"))).first()
        copy = type(self)(case=self.case, user=self.user, initial=initial)
        copy.opened = True
        if reply is None:
            copy.canned_notice = _("Choose a saved reply first.")
            return copy
        language = case_email_language(self.case)
        filled = presenters.canned_reply_text(reply, self.case, language=language, agent=self.user)
        copy.initial.update({"body": filled.text, "reply": reply.pk, "used_reply": reply.pk})
        if filled.missing:
            copy.canned_notice = _(
                "This reply has no version in the citizen's language (%(language)s): it was "
                "inserted in %(used)s. Translate it before sending."
            ) % {"language": language_name(language), "used": language_name(filled.language)}
        return copy


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _reply_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Saved reply"), queryset=CannedReply.objects.none(), required=False,
        empty_label=_("Choose a saved reply"),
        help_text=_("Insert it, then edit it before sending."),
    )  # fmt: skip


class PublicUpdateForm(CannedReplyMixin, CaseActionForm):
    key = "update"
    title = _("Send an update to the citizen")
    submit = _("Send update")
    reply = _reply_field()
    used_reply = forms.IntegerField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Message to the citizen"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on the citizen's status page and sent by email; never published on the open "
            "data feed."
        ),
    )


class ContactForm(CannedReplyMixin, CaseActionForm):
    key = "contact"
    title = _("Log a contact")
    submit = _("Log contact")
    reply = _reply_field()
    used_reply = forms.IntegerField(required=False, widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("How"))
    direction = forms.TypedChoiceField(
        label=_("Who got in touch"),
        choices=[("out", _("We contacted the citizen")), ("in", _("The citizen contacted us"))],
        coerce=lambda value: value == "out",
        initial="out",
    )
    body = forms.CharField(
        label=_("What was said"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def setup(self) -> None:
        super().setup()
        self.fields["method"].choices = [
            (key, CONTACT_METHOD_LABELS.get(key, key))
            for key in ("phone", "email", "in_person", "letter")
            if key in CONTACT_METHODS
        ]


class StatusForm(CaseActionForm):
    """Any status is accepted here (the list offers the allowed ones): the service decides,
    so a page left open while a colleague moved the case gets the workflow's own message."""

    key = "status"
    title = _("Change the status")
    submit = _("Change status")
    to_status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    resolution_code = forms.ChoiceField(
        label=_("Resolution"),
        required=False,
        help_text=_("Needed when resolving."),
        choices=[("", _("Choose how it was resolved")), *Case.Resolution.choices],
    )
    citizen_contacted = forms.TypedChoiceField(
        label=_("Was the citizen contacted?"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Needed when resolving."),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )
    note = forms.CharField(
        label=_("Message to the citizen (optional)"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown on the citizen's status page, and emailed to them when the case waits on "
            "them, is resolved or reopened. Never published."
        ),
    )
    feed_note = forms.CharField(
        label=_("Note for the public feed (optional)"),
        max_length=2_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Published for anyone to read on the open data feed, e.g. “Pothole filled”. "
            "Do not address the citizen or write anything personal."
        ),
    )

    def setup(self) -> None:
        if not self.case.category.open_data:  # nothing of this service is published
            del self.fields["feed_note"]
        allowed = TRANSITIONS.get(self.case.status, set())
        self.fields["to_status"].widget.choices = [
            ("", _("Choose a status")),
            *[(value, label) for value, label in Case.Status.choices if value in allowed],
        ]

    @property
    def allowed(self) -> bool:
        return bool(TRANSITIONS.get(self.case.status))


class AssignForm(CaseActionForm):
    key = "assign"
    title = _("Assign")
    submit = _("Assign")
    assignee = StaffChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose a person"),
    )

    def setup(self) -> None:
        self.fields["assignee"].queryset = staff_of_agency(self.case.agency_id)


class TransferForm(CaseActionForm):
    key = "transfer"
    title = _("Transfer to another team")
    submit = _("Transfer")
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=_("Choose a team"))
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def setup(self) -> None:
        from agencies.models import Team

        self.fields["team"].queryset = Team.objects.filter(
            agency_id=self.case.agency_id, active=True
        ).exclude(pk=self.case.team_id)


class ReferForm(CaseActionForm):
    key = "refer"
    title = _("Refer to another agency")
    submit = _("Refer")
    category = forms.ChoiceField(label=_("Service of the other agency"))
    reason = forms.CharField(
        label=_("Why it goes to them"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def setup(self) -> None:
        categories = (
            ServiceCategory.objects.filter(active=True)
            .exclude(agency_id=self.case.agency_id)
            .select_related("agency")
            .order_by("agency__name", "order", "code")
        )
        self.categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [
            ("", _("Choose a service")),
            *grouped_category_choices(self.categories.values(), by_agency=True),
        ]

    def clean_category(self) -> ServiceCategory:
        return self.categories[self.cleaned_data["category"]]


class PriorityForm(CaseActionForm):
    key = "priority"
    title = _("Change the priority")
    submit = _("Change priority")
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)

    def setup(self) -> None:
        self.fields["priority"].initial = self.case.priority


class CategoryForm(CaseActionForm):
    key = "category"
    title = _("Change the service")
    submit = _("Change service")
    category = forms.ChoiceField(label=_("Service"))

    def setup(self) -> None:
        categories = (
            ServiceCategory.objects.filter(agency_id=self.case.agency_id, active=True)
            .exclude(pk=self.case.category_id)
            .order_by("order", "code")
        )
        self.categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [
            ("", _("Choose a service")),
            *grouped_category_choices(self.categories.values()),
        ]

    def clean_category(self) -> ServiceCategory:
        return self.categories[self.cleaned_data["category"]]


class AttachForm(CaseActionForm):
    key = "attach"
    title = _("Attach a file")
    submit = _("Attach file")
    multipart = True
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, an image (PNG, JPEG, GIF, WebP) or plain text."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,image/gif,image/webp,text/plain"}
        ),
    )
    is_public = forms.BooleanField(label=_("The citizen may see this file"), required=False)


ACTION_FORMS: dict[str, type[CaseActionForm]] = {
    form.key: form
    for form in (
        NoteForm,
        PublicUpdateForm,
        ContactForm,
        StatusForm,
        AssignForm,
        TransferForm,
        ReferForm,
        PriorityForm,
        CategoryForm,
        AttachForm,
    )
}


# --- queue bulk actions ---------------------------------------------------------------------


class BulkForm(UswdsForm):
    """The queue's bulk bar: which cases (ids), and either an assignee or a priority."""

    action = forms.ChoiceField(choices=[("assign", "assign"), ("priority", "priority")])
    assignee = StaffChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Choose a person"),
        widget=InlineSelect,
    )
    priority = forms.ChoiceField(
        label=_("Set priority to"),
        required=False,
        choices=[("", _("Choose a priority")), *Priority.choices],
        widget=InlineSelect,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agency_id: int | None, **kwargs):
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_of_agency(agency_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose who gets the selected cases."))
        if data.get("action") == "priority" and not data.get("priority"):
            self.add_error("priority", _("Choose a priority for the selected cases."))
        return data
