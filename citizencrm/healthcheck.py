"""Container healthchecks, as docker-compose.yml and the Dockerfile run them.

    python -m citizencrm.healthcheck web    this container's server answers /healthz with 200
    python -m citizencrm.healthcheck beat   a beat holds the lock and sent the outbox relay lately

Exit status 0 when healthy, 1 otherwise, with one line saying what was seen. (The worker's is
Celery's own `celery inspect ping`.)
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime


def web() -> tuple[bool, str]:
    """GET http://127.0.0.1:$PORT/healthz (gunicorn's PORT, 8000 in the image), no proxy."""
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=4) as response:
            return response.status == 200, f"{url} {response.status} {response.read(300)!r}"
    except urllib.error.HTTPError as exc:
        return False, f"{url} {exc.code} {exc.read(300)!r}"
    except OSError as exc:
        return False, f"{url} unreachable: {exc}"


def beat() -> tuple[bool, str]:
    """Some beat holds RedBeat's lock and sent the outbox relay (due every
    OUTBOX_RELAY_SECONDS) within the last minute (or three intervals, if longer)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencrm.settings")
    django.setup()
    from django.conf import settings
    from redbeat.schedulers import RedBeatSchedulerEntry, ensure_conf, get_redis

    from citizencrm.celery import app

    conf = ensure_conf(app)
    if not get_redis(app).exists(conf.lock_key):
        return False, f"no beat holds the lock {conf.lock_key}"
    key = RedBeatSchedulerEntry.generate_key(app, "outbox-relay")
    try:
        last_run = RedBeatSchedulerEntry.from_key(key, app=app).last_run_at
    except KeyError:
        return False, f"no schedule entry {key}"
    age = (datetime.now(UTC) - last_run).total_seconds()
    limit = max(60.0, 3 * settings.OUTBOX_RELAY_SECONDS)
    return age <= limit, f"outbox relay last sent {age:.0f} s ago (healthy within {limit:.0f} s)"


CHECKS = {"web": web, "beat": beat}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(__doc__, file=sys.stderr)
        return 2
    healthy, detail = CHECKS[argv[1]]()
    print(f"{argv[1]}: {'healthy' if healthy else 'UNHEALTHY'}: {detail}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
