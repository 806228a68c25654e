"""Settings, read from the environment (see the README's table of variables).

DJANGO_ENV=development (default) has safe local defaults and falls back to the embedded
PostgreSQL/Redis of `citizencrm.devstack`; DJANGO_ENV=production refuses to start without
its secrets and turns on every transport-security setting `check --deploy` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"
TESTING = env.bool("CITIZENCRM_TESTING", default=False)


def _required(name: str, alternative: str = "") -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name}{alternative} must be set when DJANGO_ENV=production")
    return value


# Secrets that were ever published (this repository's examples, Django's project template) or
# that merely describe themselves: a deployment using one is open to anyone who read them.
PLACEHOLDER_WORDS = ("replace", "changeme", "change-me", "example", "placeholder", "insecure",
                     "dev-only", "build-only", "laptop-only")  # fmt: skip
PLACEHOLDER_PASSWORDS = {"password", "postgres", "citizencrm", "secret", "admin", "root"}


def _refuse_placeholder(name: str, value: str) -> None:
    lowered = value.lower()
    if lowered in PLACEHOLDER_PASSWORDS or any(word in lowered for word in PLACEHOLDER_WORDS):
        raise ImproperlyConfigured(
            f"{name} is a placeholder or a publicly known value; set a random one "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )


def _database_configured() -> bool:
    return bool(os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_HOST"))


if PRODUCTION:
    SECRET_KEY = _required("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters")
    _refuse_placeholder("DJANGO_SECRET_KEY", SECRET_KEY)
    ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = env.bool("DJANGO_DEBUG", default=False)
    if not _database_configured():
        _required("DATABASE_URL", " (or DATABASE_HOST, with DATABASE_NAME/USER/PASSWORD)")
    _required("REDIS_URL")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production"
    )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    DEBUG = env.bool("DJANGO_DEBUG", default=not TESTING)

SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
SITE_NAME = env.str("CITIZENCRM_SITE_NAME", default="CitizenCRM")
DEMO_MODE = env.bool("CITIZENCRM_DEMO_MODE", default=not PRODUCTION)

# --- services ------------------------------------------------------------------------------
if not _database_configured() or not os.environ.get("REDIS_URL"):
    from citizencrm import devstack

    _embedded = devstack.current_urls()
else:
    _embedded = {}

# PostgreSQL: DATABASE_URL, or else DATABASE_HOST/PORT/NAME/USER/PASSWORD taken verbatim (read
# with os.environ, not django-environ, which would expand a leading "$"), so a password with
# @ : / # % $ or spaces needs no URL-encoding; docker-compose.yml uses these.
if os.environ.get("DATABASE_URL") or not os.environ.get("DATABASE_HOST"):
    DATABASES = {
        "default": env.db_url_config(os.environ.get("DATABASE_URL") or _embedded["DATABASE_URL"])
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ["DATABASE_HOST"],
            "PORT": os.environ.get("DATABASE_PORT", "5432"),
            "NAME": os.environ.get("DATABASE_NAME", "citizencrm"),
            "USER": os.environ.get("DATABASE_USER", "citizencrm"),
            "PASSWORD": os.environ.get("DATABASE_PASSWORD", ""),
        }
    }
if PRODUCTION and DATABASES["default"].get("PASSWORD"):
    _refuse_placeholder("The database password", DATABASES["default"]["PASSWORD"])
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)

REDIS_URL = os.environ.get("REDIS_URL") or _embedded["REDIS_URL"]
# Each pytest-xdist worker gets its own Redis database number after the configured one
# (/0: gw0 → 1, gw1 → 2; /4: gw0 → 5, …), so two suites on one Redis can run side by side.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if TESTING and _xdist_worker.startswith("gw"):
    _redis_base, _redis_db = REDIS_URL.rsplit("/", 1)
    _redis_db = int(_redis_db) if _redis_db.isdigit() else 0
    REDIS_URL = f"{_redis_base}/{_redis_db + int(_xdist_worker[2:]) + 1}"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "citizencrm",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# --- applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_prometheus",
    "core",
    "agencies",
    "citizens",
    "cases",
    "open311",
    "inbound",
    "feedback",
    "reports",
    "visits",
    "citizen_import",
    "segments",
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",  # first: /healthz by address, over plain HTTP
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.request_context.RequestContextMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "core.middleware.NoStoreForPersonalDataMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "agencies.middleware.StaffTwoFactorMiddleware",
    "agencies.middleware.StaffLanguageMiddleware",
    "agencies.middleware.StaffTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.metrics.QueryCountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "citizencrm.urls"
WSGI_APPLICATION = "citizencrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    }
]

# --- auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out sign-ins before the password check
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one username from one
# address, that pair is locked for AXES_COOLOFF_TIME. Keyed on the client address as
# core.request_context computes it (REMOTE_ADDR unless TRUSTED_PROXY_COUNT says otherwise).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.request_context.client_ip"
AXES_LOCKOUT_TEMPLATE = "agencies/locked_out.html"
AXES_VERBOSE = False

# Two-factor (django-otp TOTP): staff in these roles (and superusers) must enrol and verify a
# code at each sign-in; anyone who enrolled voluntarily is asked for a code too.
STAFF_2FA_REQUIRED_ROLES = env.list("STAFF_2FA_REQUIRED_ROLES", default=["supervisor", "admin"])
OTP_TOTP_ISSUER = SITE_NAME

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- email ----------------------------------------------------------------------------------
if os.environ.get("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
elif PRODUCTION:
    raise ImproperlyConfigured(
        "EMAIL_URL (or EMAIL_HOST/EMAIL_PORT) must be set when DJANGO_ENV=production"
    )
else:
    # Development prints one line per email (recipients, subject, links) to the console of
    # `make run`; EMAIL_URL=consolemail:// prints them in full.
    EMAIL_BACKEND = "core.console_mail.SummaryConsoleBackend"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CitizenCRM <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery and the outbox ------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    # Publishing fails fast when the broker is down (one quick retry); the outbox relay retries.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_timeout": 5,
    "visibility_timeout": 3600,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

OUTBOX_RELAY_SECONDS = env.float("OUTBOX_RELAY_SECONDS", default=5.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30.0)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=200)
# Rows of a citizen CSV import committed together (with the job's cursor).
CITIZEN_IMPORT_CHUNK = env.int("CITIZEN_IMPORT_CHUNK", default=500)
# How often beat gathers the notices waiting for email into digests (core.services
# notifications_queue_digests; the SLA sweep also does at the end of each run).
NOTIFICATION_DIGEST_SECONDS = env.float("NOTIFICATION_DIGEST_SECONDS", default=60.0)

RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
# Public forms (request, feedback, walk-in check-in; core.guards): accepted posts and honeypot
# hits count, failed validation does not. Per address generous enough for a library PC or a
# mobile carrier's shared address; per email address given, one person filing again and again.
RATELIMIT_PUBLIC_FORMS = env.int("RATELIMIT_PUBLIC_FORMS", default=30)
RATELIMIT_PUBLIC_FORMS_PER_EMAIL = env.int("RATELIMIT_PUBLIC_FORMS_PER_EMAIL", default=5)
RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS = env.int(
    "RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS", default=3600
)
RATELIMIT_WINDOW_SECONDS = env.int("RATELIMIT_WINDOW_SECONDS", default=600)
# Open311 POSTs (service requests from apps) per address per RATELIMIT_WINDOW_SECONDS.
RATELIMIT_OPEN311_POSTS = env.int("RATELIMIT_OPEN311_POSTS", default=60)
# Open311 POSTs with a valid api_key count per client key, not per address: one FixMyStreet
# server posts for a whole city. Per RATELIMIT_WINDOW_SECONDS.
RATELIMIT_OPEN311_POSTS_PER_CLIENT = env.int("RATELIMIT_OPEN311_POSTS_PER_CLIENT", default=1200)
# Status look-ups by reference + email: failed ones per address and per reference per window
# (a reference harvested from open data must not let anyone try email after email).
RATELIMIT_STATUS_FAILURES_PER_ADDRESS = env.int("RATELIMIT_STATUS_FAILURES_PER_ADDRESS", default=10)
RATELIMIT_STATUS_FAILURES_PER_REFERENCE = env.int(
    "RATELIMIT_STATUS_FAILURES_PER_REFERENCE", default=5
)

# Phone numbers typed without a country code are read in this region (ISO 3166 code).
CITIZENCRM_PHONE_REGION = env.str("CITIZENCRM_PHONE_REGION", default="US")

CASE_AUTO_CLOSE_DAYS = env.int("CASE_AUTO_CLOSE_DAYS", default=7)
# "Possible duplicates" on the staff case page: reports of the same service this close (metres)
# and this recent (days), or of the same citizen and service (cases.selectors).
POSSIBLE_DUPLICATE_METERS = env.int("POSSIBLE_DUPLICATE_METERS", default=200)
POSSIBLE_DUPLICATE_DAYS = env.int("POSSIBLE_DUPLICATE_DAYS", default=30)
CASE_ATTACHMENT_MAX_BYTES = env.int("CASE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The public form's map to place the pin: a tile URL template ("https://tile.example.org/
# {z}/{x}/{y}.png") and the attribution its licence asks for. Empty: no map (the address
# field and "Use my location" work without it). The tile host joins the CSP's img-src.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")


def _map_tile_origin(url: str) -> list[str]:
    """The tiles' origin for the CSP ("https://tile.example.org"); none for a same-site path."""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")  # "{s}.tile.example.org": any of its subdomains
    return [f"{parts.scheme}://{host}"] if parts.scheme and host else []


# SLA sweep (cases.sla.services.sla_sweep): how often beat runs it, and how many due cases it
# claims per transaction / per run (the next run continues where a capped run stopped).
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=60.0)
# Personal data of closed cases, feedback and inactive citizens is anonymised after this
# (manage.py apply_retention; statistics are kept). Seven years by default.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=2555)
SLA_SWEEP_BATCH = env.int("SLA_SWEEP_BATCH", default=500)
SLA_SWEEP_MAX_BATCHES = env.int("SLA_SWEEP_MAX_BATCHES", default=40)

# Beat runs once per deployment: RedBeat keeps the schedule in Redis and holds a lock there,
# renewed at every tick; a second beat waits for the lock (it dispatches nothing meanwhile) and
# takes over within BEAT_LOCK_SECONDS after the first one died without releasing it.
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=30)
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = min(5.0, BEAT_LOCK_SECONDS / 3)  # ticks renew the lock well in time
# RedBeat reads its own settings without Celery's CELERY_ namespace.
REDBEAT_REDIS_URL = REDIS_URL
REDBEAT_LOCK_TIMEOUT = BEAT_LOCK_SECONDS
# Redis errors are retried for a minute before beat gives up (and its supervisor restarts it).
REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "retry_period": 60}

# --- Feedback and surveys (feedback app) ----------------------------------------------------
# A survey goes out SURVEY_SEND_DELAY_MINUTES after the case closes, one reminder after
# SURVEY_REMINDER_DAYS if unanswered, and the link stops working after SURVEY_EXPIRY_DAYS
# (both counted from the first email). At most one invitation per citizen per
# SURVEY_RECONTACT_DAYS. Beat runs the dispatch sweep every SURVEY_SWEEP_SECONDS; each run
# claims batches of SURVEY_BATCH_SIZE for SURVEY_LEASE_SECONDS and works for at most
# SURVEY_SWEEP_BUDGET_SECONDS. SMTP errors retry after SURVEY_RETRY_BASE_SECONDS, doubling,
# and the invitation fails after SURVEY_MAX_ATTEMPTS.
SURVEY_SEND_DELAY_MINUTES = env.float("SURVEY_SEND_DELAY_MINUTES", default=60.0)
SURVEY_REMINDER_DAYS = env.float("SURVEY_REMINDER_DAYS", default=5.0)
SURVEY_EXPIRY_DAYS = env.float("SURVEY_EXPIRY_DAYS", default=14.0)
SURVEY_RECONTACT_DAYS = env.float("SURVEY_RECONTACT_DAYS", default=30.0)
SURVEY_SWEEP_SECONDS = env.float("SURVEY_SWEEP_SECONDS", default=60.0)
SURVEY_SWEEP_BUDGET_SECONDS = env.float("SURVEY_SWEEP_BUDGET_SECONDS", default=40.0)
SURVEY_BATCH_SIZE = env.int("SURVEY_BATCH_SIZE", default=50)
SURVEY_LEASE_SECONDS = env.float("SURVEY_LEASE_SECONDS", default=300.0)
SURVEY_MAX_ATTEMPTS = env.int("SURVEY_MAX_ATTEMPTS", default=6)
SURVEY_RETRY_BASE_SECONDS = env.float("SURVEY_RETRY_BASE_SECONDS", default=60.0)
# --- end of "Feedback and surveys" ----------------------------------------------------------

# --- Reports (pre-aggregated figures, dashboards, transparency) ------------------------------
# Beat refreshes the figures of changed cases every REPORTS_REFRESH_SECONDS, at most
# REPORTS_REFRESH_BATCH timeline events per run; events younger than REPORTS_REFRESH_LAG_SECONDS
# are read again by the next run (a transaction committing late is not missed).
# Transparency cells with fewer than TRANSPARENCY_MIN_CASES cases are not published.
REPORTS_REFRESH_SECONDS = env.float("REPORTS_REFRESH_SECONDS", default=60.0)
REPORTS_REFRESH_BATCH = env.int("REPORTS_REFRESH_BATCH", default=20000)
REPORTS_REFRESH_LAG_SECONDS = env.float("REPORTS_REFRESH_LAG_SECONDS", default=120.0)
TRANSPARENCY_MIN_CASES = env.int("TRANSPARENCY_MIN_CASES", default=10)

# --- Inbound email (README "Receiving email") ------------------------------------------------
# The gateway (`manage.py mail_gateway`): SMTP on this address and port.
MAIL_GATEWAY_HOST = env("MAIL_GATEWAY_HOST", default="127.0.0.1")
MAIL_GATEWAY_PORT = env.int("MAIL_GATEWAY_PORT", default=2525)
# Larger messages are refused (552 by the gateway; left in the mailbox by the IMAP poller).
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=25 * 1024 * 1024)
# Messages the gateway accepts per minute, all senders together (then 451: try later).
MAIL_GATEWAY_MAX_PER_MINUTE = env.int("MAIL_GATEWAY_MAX_PER_MINUTE", default=600)
# A sender's messages beyond this many per hour are kept but ignored (no case, no receipt).
INBOUND_SENDER_MAX_PER_HOUR = env.int("INBOUND_SENDER_MAX_PER_HOUR", default=20)
INBOUND_MAX_ATTACHMENTS = env.int("INBOUND_MAX_ATTACHMENTS", default=10)
# A mailbox read by beat over IMAPS (for agencies without a mail server to point at the
# gateway); off while INBOUND_IMAP_HOST is empty.
INBOUND_IMAP_HOST = env("INBOUND_IMAP_HOST", default="")
INBOUND_IMAP_PORT = env.int("INBOUND_IMAP_PORT", default=993)
INBOUND_IMAP_USER = env("INBOUND_IMAP_USER", default="")
INBOUND_IMAP_PASSWORD = env("INBOUND_IMAP_PASSWORD", default="")
INBOUND_IMAP_FOLDER = env("INBOUND_IMAP_FOLDER", default="INBOX")
INBOUND_IMAP_SSL = env.bool("INBOUND_IMAP_SSL", default=True)
# The mailbox's address(es), when its mail does not name them in To/Cc (comma-separated).
INBOUND_IMAP_ADDRESSES = env.list("INBOUND_IMAP_ADDRESSES", default=[])
INBOUND_IMAP_POLL_SECONDS = env.float("INBOUND_IMAP_POLL_SECONDS", default=60.0)

# --- Beat: every periodic job, in one place (run exactly one beat) ---------------------------
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "core.tasks.outbox_relay", "schedule": OUTBOX_RELAY_SECONDS},
    "notification-digests": {
        "task": "core.tasks.notifications_queue_digests",
        "schedule": NOTIFICATION_DIGEST_SECONDS,
        "options": {"expires": NOTIFICATION_DIGEST_SECONDS},
    },
    "cases-auto-close": {"task": "cases.tasks.cases_close_resolved", "schedule": 15 * 60},
    # A run that waited longer than one interval is dropped: the next one does its work.
    "sla-sweep": {
        "task": "cases.tasks.sla_sweep",
        "schedule": SLA_SWEEP_SECONDS,
        "options": {"expires": SLA_SWEEP_SECONDS},
    },
    "surveys-dispatch": {
        "task": "feedback.tasks.surveys_dispatch",
        "schedule": SURVEY_SWEEP_SECONDS,
        "options": {"expires": SURVEY_SWEEP_SECONDS},
    },
    "reports-figures-refresh": {
        "task": "reports.tasks.figures_refresh",
        "schedule": REPORTS_REFRESH_SECONDS,
        "options": {"expires": REPORTS_REFRESH_SECONDS},
    },
}
if INBOUND_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["inbound-imap-poll"] = {
        "task": "inbound.tasks.imap_poll",
        "schedule": INBOUND_IMAP_POLL_SECONDS,
        "options": {"expires": INBOUND_IMAP_POLL_SECONDS},
    }

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "core.api.CreatedCursorPagination",
    # JSON bodies only (files: multipart on the upload endpoint): one encoding, one meaning.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api_throttles.UserThrottle",
        "core.api_throttles.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="1200/min"),
        "anon": env("API_THROTTLE_ANON", default="60/min"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CitizenCRM API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "cases.models.Priority",
        "CaseStatusEnum": "cases.models.Case.Status",
        "FeedbackKindEnum": "feedback.models.FeedbackSubmission.Kind",
        "FeedbackStatusEnum": "feedback.models.FeedbackSubmission.Status",
    },
}

# --- security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *_map_tile_origin(MAP_TILE_URL)],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    if env.int("TRUSTED_PROXY_COUNT", default=0) > 0:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# One line per event: JSON in production (LOG_FORMAT=json; a log shipper parses it), plain
# text elsewhere. Every line carries the request id (core.request_context), also in the Celery
# work a request caused through the outbox.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in ("plain", "json") else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Error tracking, off unless a Sentry-compatible DSN is given: exceptions only, no request
# bodies, cookies or user details (send_default_pii off), sampled performance tracing off.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        send_default_pii=False,
        traces_sample_rate=0.0,
    )

# Prometheus metrics at /metrics, never public: only with the bearer token METRICS_TOKEN, or
# from an address in METRICS_ALLOWED_NETWORKS (CIDRs, e.g. the scraper's network); 404 otherwise.
# Several processes per host (gunicorn workers, Celery): set PROMETHEUS_MULTIPROC_DIR (README).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])

# Outside production, whitenoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
