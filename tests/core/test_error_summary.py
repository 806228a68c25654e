"""The error summary above a form: every form that shows it gets a heading, so bad input on
any of them answers with the form and its errors, never a server error."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from core.forms import UswdsForm


class Plain(UswdsForm):  # names no heading of its own
    name = forms.CharField(label="Name")


def test_a_form_without_its_own_heading_gets_the_generic_one():
    form = Plain(data={})
    html = render_to_string("core/_error_summary.html", {"form": form})
    assert "There is a problem with this form" in html
    assert 'href="#id_name"' in html and "This field is required." in html
