import pytest

from tests.conftest import point_broker_at

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_redis_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "broker": "ok"},
    }


def test_healthz_is_503_when_redis_is_unreachable(client, settings, own_redis, broker_url):
    settings.REDIS_URL = own_redis.url
    point_broker_at(own_redis.url)
    own_redis.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert body["checks"]["broker"].startswith("error")
