"""Settings for pytest: the real ones, plus what makes tests fast and isolated."""

import os

os.environ["CITIZENCRM_TESTING"] = "1"

from citizencrm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # SMTP tests override this
DEMO_MODE = True

# Lockout, rate limits and two-factor are off unless a test that exercises them turns them on.
AXES_ENABLED = False
RATELIMIT_ENABLED = False
STAFF_2FA_REQUIRED_ROLES: list[str] = []
# API throttling counts in Redis across tests; its own test sets low rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min"},
}
