"""The public form for problems on the street: location rules, photos without their EXIF,
the phone number, and rate limits that count abuse (accepted posts, honeypot hits), not a
person's mistakes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases.models import Attachment, Case
from citizens.services import citizen_create
from tests.cases.public.test_request import _field_error, _ip, _post, _url, _valid, streetlight
from tests.open311.conftest import api, errors, o311, url
from tests.open311.test_post_requests import form as open311_form

__all__ = ["api", "o311", "streetlight"]

GPS_IFD = 0x8825
MAKE = 0x010F


def _jpeg_with_gps(name: str = "pothole.jpg") -> SimpleUploadedFile:
    """A JPEG as a phone writes it: EXIF with the camera's make and the GPS position."""
    image = Image.new("RGB", (64, 48), (120, 90, 60))
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    exif[GPS_IFD] = {1: "N", 2: (41.0, 52.0, 41.2), 3: "W", 4: (87.0, 37.0, 47.3)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture is real
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- photos ---------------------------------------------------------------------------------


def test_a_photos_gps_and_camera_details_are_gone_from_the_stored_file(client, streetlight):
    response = _post(client, _url(streetlight), _valid(photos=[_jpeg_with_gps()]))

    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    [photo] = Attachment.objects.filter(case=case)
    assert photo.content_type == "image/jpeg" and photo.uploaded_by is None
    with photo.file.open("rb") as handle:
        stored = handle.read()
    assert b"Exif" not in stored and b"PhoneCam" not in stored
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {}
    assert image.size == (64, 48)
    # The confirmation counts it.
    done = client.get(response["Location"]).content.decode()
    assert "<dt>Photos</dt><dd>1 photo</dd>" in done


def test_up_to_three_photos_are_kept_and_the_staff_case_page_offers_them(
    client, world, streetlight
):
    photos = [_jpeg_with_gps(f"p{n}.jpg") for n in range(3)]

    response = _post(client, _url(streetlight), _valid(photos=photos))

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.attachments.count() == 3
    assert "<dd>3 photos</dd>" in client.get(response["Location"]).content.decode()
    client.force_login(world.agent)
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Photos from the requester" in html
    assert html.count('crm-request-photos"') == 1
    for attachment in case.attachments.all():
        assert reverse("cases:attachment", args=[case.reference, attachment.token]) in html


def test_a_fourth_photo_or_a_file_that_is_not_an_image_is_refused_and_nothing_kept(
    client, streetlight
):
    four = [_jpeg_with_gps(f"p{n}.jpg") for n in range(4)]
    too_many = _post(client, _url(streetlight), _valid(photos=four))
    pdf = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    not_image = _post(client, _url(streetlight), _valid(photos=[pdf]))
    fake = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"x" * 200)
    unreadable = _post(client, _url(streetlight), _valid(photos=[fake]))

    assert too_many.status_code == 200
    assert _field_error(too_many.content.decode(), "id_photos") == "Choose at most 3 photos."
    assert "photo.jpg: This file is not a photo." in not_image.content.decode()
    assert "photo.jpg: We could not read this image." in unreadable.content.decode()
    # What was typed is still there, and the person is told to choose the photos again.
    html = not_image.content.decode()
    assert 'value="12 Elm Street"' in html
    assert "Please choose your photos again" in html
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


# --- location -------------------------------------------------------------------------------


def test_a_service_that_needs_a_location_refuses_a_request_without_one(client, streetlight):
    streetlight.location_required = True
    streetlight.save()

    nowhere = _post(client, _url(streetlight), _valid(address="", latitude="", longitude=""))
    page = client.get(_url(streetlight)).content.decode()

    assert nowhere.status_code == 200
    assert "This service needs to know where the problem is" in _field_error(
        nowhere.content.decode(), "id_address"
    )
    assert "Required: we need to know where the problem is." in page
    assert Case.objects.count() == 0
    # An address alone, or coordinates alone, is enough.
    assert _post(client, _url(streetlight), _valid(latitude="", longitude="")).status_code == 302
    assert _post(client, _url(streetlight), _valid(address="")).status_code == 302
    assert Case.objects.count() == 2


def test_a_service_without_the_rule_accepts_a_request_without_a_place(client, streetlight):
    response = _post(client, _url(streetlight), _valid(address="", latitude="", longitude=""))

    assert response.status_code == 302
    assert Case.objects.get().address == ""


def test_coordinates_outside_the_agencys_service_area_are_refused(client, world, streetlight):
    agency = world.agency
    agency.area_min_latitude, agency.area_max_latitude = Decimal("41.6"), Decimal("42.1")
    agency.area_min_longitude, agency.area_max_longitude = Decimal("-87.95"), Decimal("-87.5")
    agency.full_clean()
    agency.save()

    outside = _post(client, _url(streetlight), _valid(latitude="40.7128", longitude="-74.006"))
    inside = _post(client, _url(streetlight), _valid(latitude="41.878113"))

    assert outside.status_code == 200
    assert (
        _field_error(outside.content.decode(), "id_latitude")
        == "This location is outside Public Works&#x27;s service area."
    )
    assert inside.status_code == 302
    assert Case.objects.count() == 1


def test_a_half_given_service_area_is_refused_in_the_admin_model_check(world):
    from django.core.exceptions import ValidationError

    world.agency.area_min_latitude = Decimal("41")
    with pytest.raises(ValidationError, match="all four edges"):
        world.agency.full_clean()


def test_open311_is_refused_outside_the_service_area_and_keeps_every_media_url(o311, api):
    agency = o311.agency
    agency.area_min_latitude, agency.area_max_latitude = Decimal("41"), Decimal("42")
    agency.area_min_longitude, agency.area_max_longitude = Decimal("-88"), Decimal("-87")
    agency.save()

    outside = api.post(url("requests.json"), open311_form(o311, lat="40.7", long="-74.0"))
    photos = ["https://img.example.org/1.jpg", "https://img.example.org/2.jpg",
              "https://img.example.org/3.jpg"]  # fmt: skip
    inside = api.post(url("requests.json"), open311_form(o311, media_url=photos))

    assert outside.status_code == 400
    assert errors(outside, "json") == [
        {"code": 400, "description": "lat: This location is outside Public Works's service area."}
    ]
    assert inside.status_code == 200, inside.content
    case = Case.objects.get()
    assert case.media_urls == photos
    assert case.media_url == photos[0]


def test_open311_refuses_a_bad_url_among_several(o311, api):
    data = open311_form(o311, media_url=["https://img.example.org/1.jpg", "javascript:alert(1)"])

    response = api.post(url("requests.json"), data)

    assert response.status_code == 400
    assert "media_url must be an http or https URL." in response.content.decode()
    assert Case.objects.count() == 0


def test_the_staff_case_page_lists_every_media_link(client, world):
    from cases.services import case_create

    urls = ["https://img.example.org/a.jpg", "https://img.example.org/b.jpg"]
    case = case_create(
        category=world.pothole, description="Hole", channel="open311",
        attributes={"size": "small"}, media_url=urls[0], media_urls=urls,
    )  # fmt: skip
    client.force_login(world.agent)

    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()

    for link in urls:
        assert f'href="{link}"' in html


# --- phone ----------------------------------------------------------------------------------


def test_a_phone_number_is_checked_and_a_match_is_only_suggested(client, world, streetlight):
    known = citizen_create(
        actor=world.agent, first_name="Rosa", last_name="Díaz", phone="(312) 555-0142"
    )

    wrong = _post(client, _url(streetlight), _valid(contact_phone="call me maybe"))
    right = _post(
        client, _url(streetlight), _valid(contact_email="", email_updates="",
                                          contact_phone="312 555 0142"),
    )  # fmt: skip

    assert wrong.status_code == 200
    assert "Enter a phone number we can call" in _field_error(
        wrong.content.decode(), "id_contact_phone"
    )
    assert right.status_code == 302
    case = Case.objects.get()
    assert case.citizen is None
    assert case.suggested_citizen == known


# --- rate limits ----------------------------------------------------------------------------


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_PUBLIC_FORMS = 2
    settings.RATELIMIT_PUBLIC_FORMS_PER_EMAIL = 5
    return settings


def test_failed_attempts_do_not_count_towards_the_limit(client, limits, streetlight):
    ip = _ip()
    mistakes = [_post(client, _url(streetlight), _valid(attr_pole=""), ip) for _ in range(5)]
    accepted = [_post(client, _url(streetlight), _valid(), ip) for _ in range(2)]
    limited = _post(client, _url(streetlight), _valid(), ip)

    assert [r.status_code for r in mistakes] == [200] * 5
    assert [r.status_code for r in accepted] == [302, 302]
    assert limited.status_code == 429
    assert Case.objects.count() == 2


def test_a_limited_person_gets_the_form_back_with_everything_typed(client, limits, streetlight):
    ip = _ip()
    for _ in range(2):
        _post(client, _url(streetlight), _valid(), ip)
    typed = _valid(description="Dark since Tuesday, near the bus stop.",
                   address="14 Oak Avenue", contact_phone="(312) 555-0199")  # fmt: skip

    limited = _post(client, _url(streetlight), typed, ip)

    assert limited.status_code == 429
    html = limited.content.decode()
    assert "Please wait a moment" in html
    assert "We received many requests from your connection" in html
    assert "Everything you typed is still below." in html
    assert "Dark since Tuesday, near the bus stop.</textarea>" in html
    assert 'value="14 Oak Avenue"' in html
    assert 'value="(312) 555-0199"' in html
    assert 'value="PL-1234"' in html
    assert 'value="41.878113"' in html
    assert 'value="Rosa@Example.org"' in html
    assert "usa-error-message" not in html  # not judged: nothing was read
    assert Case.objects.count() == 2


def test_the_honeypot_counts_towards_the_limit(client, limits, streetlight):
    ip = _ip()
    for _ in range(2):
        assert _post(client, _url(streetlight), _valid(website="spam"), ip).status_code == 302

    assert _post(client, _url(streetlight), _valid(), ip).status_code == 429
    assert Case.objects.count() == 0


def test_one_email_address_is_limited_whatever_the_connection(client, limits, streetlight):
    limits.RATELIMIT_PUBLIC_FORMS = 30
    limits.RATELIMIT_PUBLIC_FORMS_PER_EMAIL = 2
    email = "same.person@example.org"
    for _ in range(2):
        assert _post(client, _url(streetlight), _valid(contact_email=email)).status_code == 302

    limited = _post(client, _url(streetlight), _valid(contact_email=email.upper()))
    other = _post(client, _url(streetlight), _valid(contact_email="someone.else@example.org"))

    assert limited.status_code == 429
    assert "We received many requests with this email address" in limited.content.decode()
    assert other.status_code == 302
    assert Case.objects.count() == 3


def test_the_limited_page_is_spanish_for_a_spanish_speaker(client, limits, streetlight):
    limits.RATELIMIT_PUBLIC_FORMS = 0

    limited = _post(client, _url(streetlight, "es"), _valid())

    assert limited.status_code == 429
    html = limited.content.decode()
    assert "Todo lo que escribió sigue abajo." in html
