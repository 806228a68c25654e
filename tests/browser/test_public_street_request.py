"""A citizen on a phone (390 px) reports a pothole with "Use my location" and a photo, in
English and Spanish; the map where the deployment has tiles; axe-core on every page."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, tab_to
from tests.browser.test_public_request import csp_errors, services

pytestmark = pytest.mark.browser
__all__ = ["csp_errors", "services"]

PHONE = {"width": 390, "height": 844}
HERE = {"latitude": 41.878113, "longitude": -87.629799}
# Any image of the site serves as a tile: the test needs no tile server.
LOCAL_TILE = "/static/vendor/leaflet/images/layers.png"

WORDS = {
    "en": {
        "use": "Use my location",
        "found": "Your location is filled in below.",
        "denied": "access to it was not allowed",
        "photo": "1 photo",
        "place": "Latitude 41.878113, longitude -87.629799",
        "received": "Request received",
    },
    "es": {
        "use": "Usar mi ubicación",
        "found": "Su ubicación está rellenada abajo.",
        "denied": "no se permitió el acceso",
        "photo": "1 foto",
        "place": "Latitud 41.878113, longitud -87.629799",
        "received": "Solicitud recibida",
    },
}


def _photo() -> dict:
    image = Image.new("RGB", (320, 240), (90, 90, 90))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (41.0, 52.0, 41.2), 3: "W", 4: (87.0, 37.0, 47.3)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return {"name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A phone-sized browser that may share its position (asked for only on the click)."""
    contexts = []

    def open_page(language: str, *, geolocation: bool = True):
        options = {"locale": "es-ES" if language == "es" else "en-US", "viewport": PHONE}
        if geolocation:
            options.update(geolocation=HERE, permissions=["geolocation"])
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        return page

    yield open_page
    for context in contexts:
        context.close()


def _csp_watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    return errors


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_citizen_on_a_phone_reports_a_pothole_with_their_location_and_a_photo(
    phone, services, language
):
    from cases.models import Case

    words = WORDS[language]
    pothole = services["pothole"]
    pothole.location_required = True
    pothole.save()
    page = phone(language)
    csp = _csp_watch(page)

    page.goto(f"{page.base_url}/{language}/requests/new/pw/pothole/")
    expect(page.get_by_role("button", name=words["use"])).to_be_visible()
    expect(page.locator("[data-map]")).to_have_count(0)  # no MAP_TILE_URL: no map
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"public-street-form-{language}-390")
    assert_no_axe_violations(page)

    tab_to(page, "#id_description")
    page.keyboard.type("Deep pothole by the bus stop." if language == "en" else "Bache hondo.")
    tab_to(page, "[data-geolocate-button]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-geolocate-status]")).to_contain_text(words["found"])
    expect(page.locator("#id_latitude")).to_have_value("41.878113")
    expect(page.locator("#id_longitude")).to_have_value("-87.629799")
    page.locator("#id_photos").set_input_files([_photo()])
    tab_to(page, "#id_contact_email")
    page.keyboard.type("rosa@example.org")
    tab_to(page, "#id_consent_surveys")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent_surveys")).to_be_checked()
    screenshot(page, f"public-street-form-filled-{language}-390")
    tab_to(page, ".crm-request-form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(words["received"])
    summary = page.locator(".crm-request-summary")
    expect(summary).to_contain_text(words["photo"])
    expect(summary).to_contain_text(words["place"])
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"public-street-done-{language}-390")
    assert_no_axe_violations(page)
    assert csp == []

    reference = page.locator("#reference").inner_text()
    case = Case.objects.get(reference=reference)
    assert (str(case.latitude), str(case.longitude)) == ("41.878113", "-87.629799")
    assert case.consent_surveys is True and case.attachments.count() == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_where_tiles_are_configured_a_map_places_the_pin(phone, services, settings, language):
    settings.MAP_TILE_URL = LOCAL_TILE
    settings.MAP_TILE_ATTRIBUTION = "Test tiles"
    page = phone(language)
    csp = _csp_watch(page)

    page.goto(f"{page.base_url}/{language}/requests/new/pw/pothole/")
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Test tiles")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    # "Use my location" puts the pin there; a tap on the map moves it and the fields follow.
    page.get_by_role("button", name=WORDS[language]["use"]).click()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    latitude_before = page.locator("#id_latitude").input_value()
    page.locator("[data-map]").click(position={"x": 60, "y": 60})
    expect(page.locator("#id_latitude")).not_to_have_value(latitude_before)
    assert re.fullmatch(r"-?\d+\.\d{6}", page.locator("#id_longitude").input_value())
    screenshot(page, f"public-street-form-map-{language}-390")
    assert_no_axe_violations(page)
    assert csp == []


def test_a_refused_position_says_so_and_the_address_still_works(phone, services):
    page = phone("en", geolocation=False)

    page.goto(f"{page.base_url}/en/requests/new/pw/pothole/")
    page.get_by_role("button", name="Use my location").click()

    expect(page.locator("[data-geolocate-status]")).to_contain_text(WORDS["en"]["denied"])
    page.locator("#id_description").fill("Pothole")
    page.locator("#id_address").fill("12 Elm Street")
    page.locator(".crm-request-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")


def test_staff_see_the_requesters_photos_and_every_app_link_on_the_case_page(
    page, services, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services import case_create
    from cases.uploads import photo_clean
    from tests.browser.conftest import sign_in
    from tests.cases.conftest import make_staff

    settings.MEDIA_ROOT = tmp_path
    photo = _photo()
    upload = SimpleUploadedFile(photo["name"], photo["buffer"], content_type="image/jpeg")
    links = ["https://img.example.org/a.jpg", "https://img.example.org/b.jpg"]
    case = case_create(
        category=services["pothole"], description="Deep pothole", channel="web",
        address="12 Elm Street", latitude="41.878113", longitude="-87.629799",
        photos=[photo_clean(upload)], media_url=links[0], media_urls=links,
    )  # fmt: skip
    team = services["pothole"].owning_team
    make_staff("alex", services["pothole"].agency, "agent", [team])
    page.set_viewport_size({"width": 1366, "height": 900})

    sign_in(page, "alex")
    page.goto(f"{page.base_url}/staff/cases/{case.reference}/")

    request = page.locator("section[aria-labelledby=request-heading]")
    expect(request).to_contain_text("Latitude 41.878113, longitude -87.629799")
    expect(request.get_by_role("heading", name="Photos from the requester")).to_be_visible()
    expect(request.get_by_role("link", name=re.compile(r"Download pothole\.jpg"))).to_be_visible()
    for link in links:
        expect(request.get_by_role("link", name=link)).to_have_attribute("href", link)
    screenshot(page, "staff-case-request-photos-1366")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_limited_person_keeps_what_they_typed(phone, services, settings, language):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_PUBLIC_FORMS = 0  # this address has used its hour
    page = phone(language, geolocation=False)

    page.goto(f"{page.base_url}/{language}/requests/new/pw/pothole/")
    page.locator("#id_description").fill("Deep pothole by the bus stop.")
    page.locator("#id_address").fill("12 Elm Street")
    page.locator("#id_contact_phone").fill("(312) 555-0142")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator(".crm-request-form button[type=submit]").click()

    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_description")).to_have_value("Deep pothole by the bus stop.")
    expect(page.locator("#id_address")).to_have_value("12 Elm Street")
    expect(page.locator("#id_contact_phone")).to_have_value("(312) 555-0142")
    screenshot(page, f"public-street-limited-{language}-390")
    assert_no_axe_violations(page)
