"""The public request form: choose a service, answer its questions, get a reference."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from cases.links import reference_from_status_token
from cases.models import AttributeDefinition, Case, ServiceCategory
from core.models import OutboxMessage
from tests.cases.conftest import make_category

STEP1 = "/en/requests/new/"
OPTIONS = [{"key": f"o{n}", "name": {"en": f"Option {n}", "es": f"Opción {n}"}} for n in range(8)]


@pytest.fixture
def streetlight(world) -> ServiceCategory:
    """A category asking one question of every datatype (only `pole` is required)."""
    category = make_category(
        world.agency, world.roads, "streetlight", "Streetlight out",
        description={"en": "A street lamp that is dark or flickering.",
                     "es": "Una farola apagada o que parpadea."},
        keywords="lamp, lighting",
    )  # fmt: skip
    category.name = {"en": "Streetlight out", "es": "Farola apagada"}
    category.save()
    questions = [
        ("pole", "string", True, {"en": "Pole number", "es": "Número del poste"}, []),
        ("details", "text", False, {"en": "What do you see?", "es": "¿Qué ve?"}, []),
        ("count", "number", False, {"en": "How many lamps?", "es": "¿Cuántas farolas?"}, []),
        ("since", "datetime", False, {"en": "Since when?", "es": "¿Desde cuándo?"}, []),
        ("state", "singlevaluelist", False, {"en": "State", "es": "Estado"}, OPTIONS[:2]),
        ("colour", "singlevaluelist", False, {"en": "Colour", "es": "Color"}, OPTIONS),
        ("hazards", "multivaluelist", False, {"en": "Hazards", "es": "Peligros"}, OPTIONS[:3]),
    ]
    for order, (code, datatype, required, label, values) in enumerate(questions):
        AttributeDefinition.objects.create(
            category=category, code=code, datatype=datatype, required=required, label=label,
            values=values, order=order,
        )  # fmt: skip
    return category


def _url(category: ServiceCategory, language: str = "en") -> str:
    return f"/{language}/requests/new/{category.agency.slug}/{category.code}/"


def _valid(**overrides) -> dict:
    data = {
        "attr_pole": "PL-1234",
        "attr_details": "Flickers at night",
        "attr_count": "2",
        "attr_since": "2026-05-01T21:30",
        "attr_state": "o1",
        "attr_colour": "o7",
        "attr_hazards": ["o0", "o2"],
        "description": "The lamp outside number 12 is dark.",
        "address": "12 Elm Street",
        "latitude": "41.878113",
        "longitude": "-87.629799",
        "contact_name": "Rosa Díaz",
        "contact_email": "Rosa@Example.org",
        "email_updates": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _ip() -> str:
    """A fresh client address per test: rate-limit counters in Redis never collide."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def _post(client, url: str, data: dict, ip: str | None = None):
    return client.post(url, data, REMOTE_ADDR=ip or _ip())


def _field_error(html: str, field_id: str) -> str:
    match = re.search(
        rf'<span class="usa-error-message" id="{field_id}-error">([^<]*)</span>', html
    )
    return match.group(1) if match else ""


def _emails() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(topic="core.email"))


# --- step 1: choose a service ---------------------------------------------------------------


def test_services_are_grouped_by_translated_group_with_the_agency_when_several(client, world):
    response = client.get(STEP1)

    assert response.status_code == 200
    groups = response.context["catalogue"].groups
    assert [(g.title, g.agency_name) for g in groups] == [
        ("Streets", "Public Works"),
        ("Streets", "Revenue"),
    ]
    assert [e.name for e in groups[0].categories] == ["Graffiti", "Pothole"]
    html = response.content.decode()
    assert 'class="crm-service-group__agency">Revenue<' in html
    assert reverse("request_new_category", args=["pw", "pothole"]) in html
    assert 'class="usa-step-indicator' in html


def test_with_a_single_agency_the_agency_name_is_not_repeated(client, world):
    world.other_category.public = False
    world.other_category.save()

    html = client.get(STEP1).content.decode()

    assert "crm-service-group__agency" not in html
    assert "Tax question" not in html


def test_groups_follow_the_translated_group_text(client, world, streetlight):
    streetlight.group = {"en": "Lighting", "es": "Alumbrado"}
    streetlight.save()

    groups = client.get(STEP1).context["catalogue"].groups

    assert [g.title for g in groups] == ["Streets", "Lighting", "Streets"]
    assert [e.name for e in groups[1].categories] == ["Streetlight out"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pot", {"Pothole"}),
        ("LAMP", {"Streetlight out"}),  # a keyword
        ("flickering", {"Streetlight out"}),  # the description
        ("farola", {"Streetlight out"}),  # the Spanish name, on the English page too
        ("dark lamp", {"Streetlight out"}),  # every word must match
        ("nothing-like-this", set()),
    ],
)
def test_the_search_filters_on_name_keywords_and_description(
    client, world, streetlight, query, expected
):
    response = client.get(STEP1, {"q": query})

    shown = {e.name for g in response.context["catalogue"].groups for e in g.categories}
    assert shown == expected
    if not expected:
        assert "No service matches your search" in response.content.decode()


def test_the_search_ignores_accents(client, world, streetlight):
    streetlight.keywords = "señal, iluminación"
    streetlight.save()

    response = client.get(STEP1, {"q": "senal iluminacion"})

    assert [e.name for g in response.context["catalogue"].groups for e in g.categories] == [
        "Streetlight out"
    ]


def test_the_spanish_page_shows_spanish_names_groups_and_descriptions(client, world, streetlight):
    response = client.get("/es/requests/new/")

    html = response.content.decode()
    assert '<html lang="es">' in html
    assert ">Calles<" in html
    assert ">Farola apagada</a>" in html
    assert "Una farola apagada o que parpadea." in html
    assert ">Streetlight out</a>" not in html
    assert "/es/requests/new/pw/streetlight/" in html


def test_inactive_and_non_public_services_are_neither_listed_nor_reachable(
    client, world, streetlight
):
    world.graffiti.active = False
    world.graffiti.save()
    streetlight.public = False
    streetlight.save()

    html = client.get(STEP1).content.decode()

    assert "Graffiti" not in html and "Streetlight" not in html
    assert client.get(_url(world.graffiti)).status_code == 404
    assert client.get(_url(streetlight)).status_code == 404
    assert client.get("/en/requests/new/pw/no-such-service/").status_code == 404
    assert client.get("/en/requests/new/rev/pothole/").status_code == 404  # wrong agency


def test_pages_need_no_inline_script_or_style(client, world, streetlight):
    for url in (STEP1, _url(streetlight)):
        html = client.get(url).content.decode()
        assert "<script>" not in html and 'style="' not in html
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None


# --- step 2: the form -----------------------------------------------------------------------


def test_each_question_is_rendered_by_its_datatype_and_required_ones_are_marked(
    client, streetlight
):
    html = client.get(_url(streetlight)).content.decode()

    assert re.search(r'<input type="text" name="attr_pole"[^>]*required', html)
    assert '<textarea name="attr_details"' in html
    assert '<input type="number" name="attr_count"' in html
    assert '<input type="datetime-local" name="attr_since"' in html
    assert html.count('type="radio" name="attr_state"') == 2  # few options: radios
    assert '<select name="attr_colour"' in html  # many options: a select
    assert html.count('type="checkbox" name="attr_hazards"') == 3
    pole_label = re.search(r'<label class="usa-label" for="id_attr_pole">(.*?)</label>', html)
    assert "Pole number" in pole_label.group(1) and 'title="required"' in pole_label.group(1)
    count_label = re.search(r'<label class="usa-label" for="id_attr_count">(.*?)</label>', html)
    assert 'title="required"' not in count_label.group(1)
    assert '<legend class="usa-legend">Hazards</legend>' in html
    for name in ("description", "address", "latitude", "longitude", "contact_name",
                 "contact_email", "email_updates"):  # fmt: skip
        assert f'for="id_{name}"' in html


def test_the_honeypot_is_hidden_from_people_without_inline_style(client, streetlight):
    html = client.get(_url(streetlight)).content.decode()

    wrapper = re.search(r'<div class="crm-hp" aria-hidden="true">(.*?)</div>', html, re.S)
    assert wrapper, "the honeypot wrapper is hidden by a class and aria-hidden"
    assert '<label for="id_website">Leave this field empty</label>' in wrapper.group(1)
    assert 'tabindex="-1"' in wrapper.group(1)


def test_the_spanish_form_shows_spanish_questions_and_options(client, streetlight):
    html = client.get(_url(streetlight, "es")).content.decode()

    assert "<h1>Farola apagada</h1>" in html
    assert "Número del poste" in html
    assert "Opción 1" in html
    assert "Pole number" not in html


def test_a_valid_request_creates_one_web_case_and_queues_the_confirmation(
    client, world, streetlight
):
    response = _post(client, _url(streetlight), _valid())

    assert response.status_code == 302
    case = Case.objects.get()
    done_prefix = reverse("request_new_done", args=["TOKEN"]).split("TOKEN")[0]
    assert response["Location"].startswith(done_prefix)
    token = response["Location"].removeprefix(done_prefix).rstrip("/")
    assert reference_from_status_token(token) == case.reference
    assert case.channel == "web"
    assert (case.agency, case.team, case.category) == (world.agency, world.roads, streetlight)
    assert case.status == "new"
    assert case.attributes == {
        "pole": "PL-1234",
        "details": "Flickers at night",
        "count": 2,
        "since": "2026-05-01T21:30:00-05:00",  # the agency's time zone
        "state": "o1",
        "colour": "o7",
        "hazards": ["o0", "o2"],
    }
    assert case.description == "The lamp outside number 12 is dark."
    assert case.address == "12 Elm Street"
    assert (str(case.latitude), str(case.longitude)) == ("41.878113", "-87.629799")
    assert case.reporter_email == "rosa@example.org"
    assert case.reporter_name == "Rosa Díaz"
    assert case.language == "en"
    # Nobody had the address: a new record for the requester (issue 17), the case linked.
    assert (case.citizen.first_name, case.citizen.last_name) == ("Rosa", "Díaz")
    assert case.citizen.email == "rosa@example.org" and case.suggested_citizen is None
    assert case.updates_opted_out is False
    [email] = _emails()
    assert email.payload["to"] == ["rosa@example.org"]
    assert case.reference in email.payload["subject"]


def test_the_spanish_page_files_the_case_in_spanish(client, streetlight):
    response = _post(client, _url(streetlight, "es"), _valid())

    assert response.status_code == 302
    assert response["Location"].startswith("/es/requests/new/done/")
    assert Case.objects.get().language == "es"


def test_only_the_required_answers_are_needed_and_contact_is_optional(client, streetlight):
    data = {"attr_pole": "PL-9", "description": "Dark lamp"}

    response = _post(client, _url(streetlight), data)

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.attributes == {"pole": "PL-9"}
    assert (case.reporter_email, case.address, case.latitude) == ("", "", None)
    assert _emails() == []  # nobody to tell


def test_an_email_without_updates_gets_the_confirmation_but_no_updates(client, streetlight):
    _post(client, _url(streetlight), _valid(email_updates=None))

    case = Case.objects.get()
    assert case.reporter_email == "rosa@example.org"  # kept for the status lookup
    assert case.updates_opted_out is True
    assert len(_emails()) == 1  # the confirmation with the reference


def test_a_comma_is_accepted_as_the_decimal_mark(client, streetlight):
    _post(client, _url(streetlight), _valid(latitude="41,5", longitude="-87,25"))

    case = Case.objects.get()
    assert (str(case.latitude), str(case.longitude)) == ("41.500000", "-87.250000")


INVALID_ANSWERS = [
    ("pole", "x" * 501, "Keep this under 500 characters."),
    ("details", "x" * 5001, "Keep this under 5000 characters."),
    ("count", "several", "Enter a number."),
    ("since", "last tuesday", "Enter a date and time, for example 2026-05-01 14:30."),
    ("state", "o5", "Choose one of the listed options."),
    ("colour", "purple", "Choose one of the listed options."),
    ("hazards", ["o0", "o9"], "Choose only from the listed options."),
]


@pytest.mark.parametrize(("code", "value", "message"), INVALID_ANSWERS)
def test_an_invalid_answer_shows_its_error_at_the_question_and_stores_nothing(
    client, streetlight, code, value, message
):
    response = _post(client, _url(streetlight), _valid(**{f"attr_{code}": value}))

    assert response.status_code == 200
    html = response.content.decode()
    assert _field_error(html, f"id_attr_{code}") == message
    assert 'role="alert"' in html
    assert f'href="#id_attr_{code}' in html  # the summary links to the question
    assert Case.objects.count() == 0
    assert _emails() == []


def test_a_missing_required_answer_is_refused(client, streetlight):
    response = _post(client, _url(streetlight), _valid(attr_pole="  "))

    html = response.content.decode()
    assert _field_error(html, "id_attr_pole") == "This field is required."
    assert 'aria-describedby="id_attr_pole-error"' in html
    assert Case.objects.count() == 0


def test_a_missing_description_is_refused(client, streetlight):
    response = _post(client, _url(streetlight), _valid(description=""))

    assert _field_error(response.content.decode(), "id_description") == (
        "Describe the problem or what you need."
    )
    assert Case.objects.count() == 0


def test_errors_are_summarised_at_the_top_and_the_answers_are_kept(client, streetlight):
    response = _post(
        client, _url(streetlight), _valid(attr_pole="", attr_count="lots", latitude="95")
    )

    html = response.content.decode()
    summary = re.search(r'<div class="usa-alert usa-alert--error[^"]*" role="alert".*?</ul>', html,
                        re.S).group(0)  # fmt: skip
    assert "There are 3 problems with your request" in summary
    assert [m for m in re.findall(r'href="#([^"]+)"', summary)] == [
        "id_attr_pole", "id_attr_count", "id_latitude",
    ]  # fmt: skip
    assert "<title>Error:" in html
    assert 'value="Flickers at night"' not in html  # a textarea keeps its text as content
    assert ">\nFlickers at night</textarea>" in html
    assert 'value="lots"' in html
    assert re.search(r'name="attr_state" value="o1"[^>]*checked', html)
    assert re.search(r'<option value="o7" selected>', html)
    assert re.search(r'name="attr_hazards" value="o2"[^>]*checked', html)
    assert 'value="12 Elm Street"' in html
    assert 'value="Rosa@Example.org"' in html
    assert re.search(r'name="email_updates"[^>]*checked', html)


def test_email_updates_without_an_email_address_are_refused(client, streetlight):
    response = _post(client, _url(streetlight), _valid(contact_email=""))

    assert _field_error(response.content.decode(), "id_contact_email") == (
        "Enter your email address to get updates by email."
    )
    assert Case.objects.count() == 0


def test_an_invalid_email_address_is_refused(client, streetlight):
    response = _post(client, _url(streetlight), _valid(contact_email="rosa@"))

    assert _field_error(response.content.decode(), "id_contact_email") == (
        "Enter a valid email address."
    )
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "message"),
    [
        ("90.5", "0", "latitude", "Enter a latitude between -90 and 90, for example 41.878113."),
        ("-91", "0", "latitude", "Enter a latitude between -90 and 90, for example 41.878113."),
        ("0", "180.01", "longitude",
         "Enter a longitude between -180 and 180, for example -87.629799."),
        ("0", "-181", "longitude",
         "Enter a longitude between -180 and 180, for example -87.629799."),
        ("north", "0", "latitude", "Enter a latitude between -90 and 90, for example 41.878113."),
        ("NaN", "0", "latitude", "Enter a latitude between -90 and 90, for example 41.878113."),
        ("41.8", "", "longitude", "Give both latitude and longitude, or neither."),
    ],
)  # fmt: skip
def test_coordinates_out_of_range_are_refused(client, streetlight, latitude, longitude, field,
                                              message):  # fmt: skip
    response = _post(client, _url(streetlight), _valid(latitude=latitude, longitude=longitude))

    assert _field_error(response.content.decode(), f"id_{field}") == message
    assert Case.objects.count() == 0


def test_the_extreme_coordinates_are_accepted(client, streetlight):
    response = _post(client, _url(streetlight), _valid(latitude="-90", longitude="180"))

    assert response.status_code == 302
    assert Case.objects.count() == 1


# --- abuse: honeypot and rate limit -----------------------------------------------------------


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(client, streetlight):
    response = _post(client, _url(streetlight), _valid(website="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/requests/new/done/")
    assert Case.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert re.search(r'<p class="crm-reference" id="reference">CRM-\d{4}-\w{6}</p>',
                     done.content.decode())  # fmt: skip


def test_a_filled_honeypot_wins_even_over_invalid_answers(client, streetlight):
    response = _post(client, _url(streetlight), {"website": "x", "attr_count": "many"})

    assert response.status_code == 302
    assert Case.objects.count() == 0


def test_after_the_rate_limit_posts_get_429_and_store_nothing(client, settings, streetlight):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_PUBLIC_FORMS = 2
    ip = _ip()

    statuses = [_post(client, _url(streetlight), _valid(), ip).status_code for _ in range(2)]
    refused = _post(client, _url(streetlight), _valid(), ip)
    invalid_refused = _post(client, _url(streetlight), _valid(attr_pole=""), ip)

    assert statuses == [302, 302]
    assert refused.status_code == 429
    assert invalid_refused.status_code == 429
    # Until the hour's window ends, in seconds.
    assert 0 < int(refused["Retry-After"]) <= settings.RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS
    html = refused.content.decode()
    assert "Please wait a moment" in html and "we did not save this one" in html
    assert Case.objects.count() == 2
    assert len(_emails()) == 2
    # Another address is not affected; reading the form is never limited.
    assert _post(client, _url(streetlight), _valid(), _ip()).status_code == 302
    assert client.get(_url(streetlight), REMOTE_ADDR=ip).status_code == 200
    assert Case.objects.count() == 3


def test_the_rate_limit_page_is_translated(client, settings, streetlight):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_PUBLIC_FORMS = 0

    response = _post(client, _url(streetlight, "es"), _valid())

    assert response.status_code == 429
    assert '<html lang="es">' in response.content.decode()
    assert Case.objects.count() == 0


# --- the confirmation page ------------------------------------------------------------------


def test_the_confirmation_page_shows_the_reference_and_the_status_link(client, streetlight):
    response = _post(client, _url(streetlight), _valid())
    case = Case.objects.get()

    done = client.get(response["Location"])

    html = done.content.decode()
    assert done.status_code == 200
    assert f'<p class="crm-reference" id="reference">{case.reference}</p>' in html
    assert "We have sent a confirmation email" in html
    # A signed link to this case's status page (its timestamp may differ from one made here).
    prefix = reverse("request_status_link", args=["TOKEN"]).split("TOKEN")[0]
    tokens = re.findall(re.escape(prefix) + r"([^/\"<]+)/", html)
    assert {reference_from_status_token(token) for token in tokens} == {case.reference}
    assert f'href="http://testserver{prefix}{tokens[0]}/"' in html  # printable, to keep
    assert reverse("request_status") in html
    # What was reported, in words: the service, the answers, the place.
    for fact in ("Streetlight out", "Pole number", "PL-1234", "Option 7", "12 Elm Street",
                 "Latitude 41.878113, longitude -87.629799", "Photos"):  # fmt: skip
        assert fact in html, fact
    # Not the description or the contact details.
    for secret in ("The lamp outside", "rosa@example.org", "Rosa"):
        assert secret not in html


def test_without_an_email_the_confirmation_says_to_keep_the_reference(client, streetlight):
    response = _post(client, _url(streetlight), _valid(contact_email="", email_updates=None))

    html = client.get(response["Location"]).content.decode()

    assert "We have sent a confirmation email" not in html
    assert "Write this reference number down" in html
    assert "You gave no email address, so this link is the only way" in html
    assert "The link works for 2 years." in html


def test_the_confirmation_page_follows_the_language(client, streetlight):
    response = _post(client, _url(streetlight, "es"), _valid())

    done = client.get(response["Location"])

    assert '<html lang="es">' in done.content.decode()
    assert "/es/requests/status/" in done.content.decode()


@pytest.mark.parametrize("token", ["forged", "CRM-2026-7K3QX9", "eyJhIjoxfQ:1abc:xyz"])
def test_a_forged_confirmation_token_is_404(client, world, token):
    assert client.get(f"/en/requests/new/done/{token}/").status_code == 404


def test_a_tampered_confirmation_token_is_404(client, streetlight):
    response = _post(client, _url(streetlight), _valid())
    location = response["Location"]
    token = location.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    assert client.get(f"/en/requests/new/done/{tampered}/").status_code == 404
    assert client.get(f"/en/requests/new/done/{token[:-1]}/").status_code == 404


def test_a_refusal_by_the_service_is_shown_at_the_matching_field(client, streetlight, monkeypatch):
    """What case_create refuses (e.g. a question changed meanwhile) lands on the right field."""
    from django.core.exceptions import ValidationError

    from cases import services

    def refuse(**kwargs):
        raise ValidationError({"pole": ["No such pole."], "latitude": ["Out of our area."]})

    monkeypatch.setattr(services, "case_create", refuse)

    response = _post(client, _url(streetlight), _valid())

    html = response.content.decode()
    assert _field_error(html, "id_attr_pole") == "No such pole."
    assert _field_error(html, "id_latitude") == "Out of our area."
    pole_input = re.search(r'<input type="text" name="attr_pole"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in pole_input and "usa-input--error" in pole_input
    assert Case.objects.count() == 0


def test_the_citizen_chooses_whether_the_address_is_published(client, streetlight):
    """Issue 13: only a service on the open data feed asks, and the box starts unticked."""
    assert 'name="address_public"' not in client.get(_url(streetlight)).content.decode()
    streetlight.open_data = True
    streetlight.save()
    form = client.get(_url(streetlight)).content.decode()
    assert (
        'name="address_public"' in form
        and "checked" not in form.split('name="address_public"')[1].split(">")[0]
    )

    _post(client, _url(streetlight), _valid())
    _post(client, _url(streetlight), _valid(address_public="on", address="Oak corner"))

    assert list(Case.objects.order_by("id").values_list("address", "address_public")) == [
        ("12 Elm Street", False),
        ("Oak corner", True),
    ]
