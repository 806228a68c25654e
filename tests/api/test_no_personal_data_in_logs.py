"""Personal data never reaches the logs: a day's typical requests, good and bad, at DEBUG."""

from __future__ import annotations

import logging

import pytest

from tests.cases.public import test_request as public_request
from tests.cases.public.test_request import _post, _url, _valid

pytestmark = pytest.mark.django_db
streetlight = public_request.streetlight  # the public request tests' service, as a fixture

EMAIL, PHONE, NAME = "rosa.parks@example.org", "+13125550142", "Rosa Parks"


def test_requests_with_personal_data_leave_none_of_it_in_the_logs(
    client,
    world,
    streetlight,
    api_as,
    caplog,
):
    caplog.set_level(logging.DEBUG)  # everything, including django.db.backends and requests
    _post(client, _url(streetlight), _valid(contact_email=EMAIL, contact_name=NAME))
    _post(client, _url(streetlight), _valid(contact_email="not-an-email", contact_name=NAME))
    client.force_login(world.agent)
    client.get("/staff/citizens/", {"q": EMAIL})
    client.get("/staff/citizens/", {"q": PHONE})
    client.get("/staff/citizens/999999/")  # a 404
    api = api_as(world.agent)
    api.post("/api/v1/citizens/", {"first_name": "Rosa", "last_name": "Parks", "phone": PHONE,
                                   "email": EMAIL}, format="json")  # fmt: skip
    api.post("/api/v1/citizens/", {"first_name": "Rosa", "email": "rosa@"}, format="json")

    # (django.db.backends logs SQL only with DEBUG on, which production never has.)
    records = [record for record in caplog.records if record.name != "django.db.backends"]
    logged = "\n".join(record.getMessage() for record in records)
    assert records, "nothing was logged: the test would prove nothing"
    for value in (EMAIL, PHONE, NAME, "not-an-email"):
        assert value not in logged
