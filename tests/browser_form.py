"""A page's form as a browser submits it: every input, select and textarea, parsed from HTML.

The Django test client posts whatever dict a test writes; a browser posts what the page holds,
hidden initial values (`initial-…`) and inline management forms included. Tests that must
behave like a browser parse the page with `parse_form` and post `BrowserForm.data()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

NOT_POSTED = {"submit", "button", "image", "reset", "file"}


@dataclass
class Control:
    """One form control: `values` are what the browser would post under `name`."""

    name: str
    tag: str  # input, select, textarea
    type: str  # the input's type; "select-one", "select-multiple"; "textarea"
    values: list[str]
    options: list[str] = field(default_factory=list)  # a select's option values
    option_texts: list[str] = field(default_factory=list)  # … and what they read
    checked_value: str = "on"  # what a checkbox or radio posts when checked


@dataclass
class BrowserForm:
    action: str
    controls: list[Control]
    submit_names: list[str]

    def data(self, **changes: str | list[str] | None) -> dict[str, list[str]]:
        """The posted data, with `changes` applied (None: not posted, e.g. an unticked box)."""
        posted: dict[str, list[str]] = {}
        for control in self.controls:
            if control.values:
                posted.setdefault(control.name, []).extend(control.values)
        for name, value in changes.items():
            if value is None:
                posted.pop(name, None)
            else:
                posted[name] = value if isinstance(value, list) else [value]
        return posted

    def control(self, name: str) -> Control | None:
        return next((c for c in self.controls if c.name == name), None)

    def names(self) -> list[str]:
        return [c.name for c in self.controls]


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.forms: list[BrowserForm] = []
        self._form: BrowserForm | None = None
        self._select: Control | None = None
        self._select_default: str | None = None
        self._option: dict | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            if self.form_id is None or a.get("id") == self.form_id:
                self._form = BrowserForm(action=a.get("action", ""), controls=[], submit_names=[])
            return
        if self._form is None:
            return
        if tag == "input":
            self._input(a)
        elif tag == "select" and "name" in a and "disabled" not in a:
            kind = "select-multiple" if "multiple" in a else "select-one"
            self._select = Control(a["name"], "select", kind, [])
            self._select_default = None
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif tag == "textarea" and "name" in a and "disabled" not in a:
            self._textarea = Control(a["name"], "textarea", "textarea", [""])

    def _input(self, a: dict[str, str]) -> None:
        kind = a.get("type", "text").lower()
        name = a.get("name")
        if not name or "disabled" in a:
            return
        if kind in NOT_POSTED:
            if kind == "submit":
                self._form.submit_names.append(name)
            return
        if kind in ("checkbox", "radio"):
            value = a.get("value", "on")
            control = Control(name, "input", kind, [value] if "checked" in a else [], [value])
            control.checked_value = value
        else:
            control = Control(name, "input", kind, [a.get("value", "")])
        self._form.controls.append(control)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea.values[0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._select.options.append(value)
            self._select.option_texts.append(option["text"].strip())
            if option["selected"]:
                self._select.values.append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            select = self._select
            if select.type == "select-one" and not select.values and select.options:
                select.values.append(select.options[0])  # a browser posts the first option
            if select.type == "select-one":
                select.values = select.values[-1:]
            self._form.controls.append(select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops one newline right after <textarea>.
            text = self._textarea.values[0]
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._textarea.values = [text]
            self._form.controls.append(self._textarea)
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def parse_form(html: str, form_id: str | None = None) -> BrowserForm:
    """The form with id `form_id` (or the page's first form) as a browser would submit it."""
    parser = _FormParser(form_id)
    parser.feed(html)
    parser.close()
    if not parser.forms:
        raise AssertionError(f"no form {form_id or ''} on the page")
    return parser.forms[0]
