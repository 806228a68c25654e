"""Settings of the benchmark runs: the real ones (citizencrm.settings), with the bench URLconf
(the floor endpoint beside the app) and what a benchmark must not measure switched off.

Only for `make bench` / bench/run.py, always against a *bench* database (DATABASE_URL).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/citizencrm_bench")

from citizencrm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False  # development's default is DEBUG=True, which records every query
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Staff pages are measured in-process with a logged-in test client: no second factor.
STAFF_2FA_REQUIRED_ROLES: list[str] = []
# The API's per-user throttle (1200/min) would cap the throughput run at 20 requests/s; the
# throttle itself still runs (a Redis counter per request), for the floor and the API alike.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "10000000/min", "anon": "10000000/min"},
}
