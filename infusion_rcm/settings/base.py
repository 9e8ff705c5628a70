"""Infusion RCM settings: everything lives here, read from the environment and validated.

With no environment at all this runs the embedded configuration: SQLite in var/, tasks
in-process, DEBUG off. Production sets DJANGO_ENV=production, DATABASE_URL, REDIS_URL,
SECRET_KEY and ALLOWED_HOSTS (see .env.example).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as _CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

from infusion_rcm.settings.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "local", choices=("local", "test", "production"))
IS_PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("DEMO_MODE", not IS_PRODUCTION)

_INSECURE_KEY = "insecure-local-only-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env_str("SECRET_KEY", None if IS_PRODUCTION else _INSECURE_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
if IS_PRODUCTION and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters in production")
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when DJANGO_ENV=production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the app is served on")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # API tokens: knox keeps only a SHA-512 digest, each token expires (idle and absolute, below)
    # and a user revokes their own on /accounts/tokens/ (docs/operations.md "API tokens").
    "knox",
    # Lock-out on every sign-in path (our page and /admin/login/ both call authenticate()).
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "infusion_rcm.accounts",
    "infusion_rcm.audit",
    "infusion_rcm.platform",
    "infusion_rcm.x12",
    "intake",
    "coding",
    "claims",
    "payments",
    "denials",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE gets a clear 413 (JSON under /api/), not a bare 400.
    "infusion_rcm.common.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "infusion_rcm.accounts.middleware.IdleTimeoutMiddleware",
    "infusion_rcm.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Patient pages, the API and PDFs are never kept by a browser or a shared cache.
    "infusion_rcm.common.middleware.NoStoreMiddleware",
    # Work that cannot be queued (broker down) answers 503 with a sentence, not a 500.
    "infusion_rcm.common.middleware.QueueUnavailableMiddleware",
    # django-axes last (its documentation): it turns a lock-out found by its backend into the response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "infusion_rcm.urls"
WSGI_APPLICATION = "infusion_rcm.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "infusion_rcm.accounts.context.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://...) or the embedded SQLite file.
_db_url = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if _db_url:
    DATABASES = {
        "default": dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    }
elif IS_PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}}  # type: ignore[typeddict-item]  # Django takes a Path
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A persistent connection the server dropped (restart, failover, pg_terminate_backend) is found
# broken at the next request and replaced, not turned into a 500 (tests/faults).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "infusion_rcm.accounts.passwords.CharacterClassValidator"},
]
# Lock-out: this many failed sign-ins in a row for one user name lock it for LOCKOUT_MINUTES.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15, minimum=1)
# HIPAA automatic log-off (45 CFR 164.312(a)(2)(iii)): sign out after this many idle minutes.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
# django-axes counts failures per user name, whether or not such a user exists, so the lock-out
# (its message, its status and its cost: a locked name is refused before any password hashing)
# is the same for a real account and an invented one. Failures and lock-outs reach the audit log
# (infusion_rcm/accounts/signals.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address as a lock-out key too. Not here: a clinic's staff share one
# address behind its router, so five typos by anyone would lock the whole office out; the
# per-name count cannot be side-stepped by changing the address, the browser or the cookies.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "infusion_rcm.accounts.lockout.attempted_username"
AXES_CLIENT_IP_CALLABLE = "infusion_rcm.accounts.lockout.attempt_ip"
AXES_LOCKOUT_CALLABLE = "infusion_rcm.accounts.lockout.locked_response"
AXES_ENABLE_ADMIN = False  # infusion_rcm/accounts/admin.py registers the attempts for USER_MANAGE
AXES_DISABLE_ACCESS_LOG = True  # the audit log records each sign-in
AXES_VERBOSE = False
# Clients behind this many proxies that each append to X-Forwarded-For: the audit address is the
# entry the nearest trusted proxy wrote (0 = REMOTE_ADDR; a client can forge every other entry).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
# API tokens (django-rest-knox): a token unused for IDLE_TIMEOUT_MINUTES expires like a session;
# each use extends it, never past API_TOKEN_MAX_HOURS after it was created. A password change
# revokes them all (accounts.models.User.save).
API_TOKEN_MAX_HOURS = env_int("API_TOKEN_MAX_HOURS", 12, minimum=1, maximum=24 * 90)
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its stock token table even when the model is swapped for ours;
# without them nothing of knox's is created (a swapped model has no table).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": "accounts.ApiToken",
    "TOKEN_TTL": timedelta(minutes=IDLE_TIMEOUT_MINUTES),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=API_TOKEN_MAX_HOURS),
    "MIN_REFRESH_INTERVAL": 60,
    "TOKEN_LIMIT_PER_USER": 10,
    "TOKEN_PREFIX": "rcm_",
}
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security headers: always on; HTTPS enforcement when USE_HTTPS (default on in production).
USE_HTTPS = env_bool("USE_HTTPS", IS_PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less form field; keep default
if USE_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Celery and Redis. No REDIS_URL: tasks run in-process (embedded mode).
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
if IS_PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set when DJANGO_ENV=production")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ("default", "scrub", "batch", "eligibility", "era")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Intake, once a day (seconds; a plain interval keeps settings free of Celery imports): prior
    # auths ending within 14 days or with < 20 % of their units left, and open orders whose drug
    # codes have no auth in force (intake.services.auth_alerts_raise; idempotent per day, so a
    # restart of beat that runs it twice adds nothing).
    "intake-auth-alerts": {
        "task": "intake.tasks.auth_alerts_task",
        "schedule": 24 * 60 * 60,
    },
    # Eligibility ahead of visits, once a day: for each booked visit within its payer's look-ahead
    # (Payer.eligibility_lookahead_days, a week by default) whose coverage was never checked or whose
    # check will be stale by the visit, a 270 is written (coding.tasks.eligibility_ahead_task ->
    # intake.services.eligibility_ahead). A coverage with an inquiry already out gets no second one,
    # so a second run the same day writes nothing; what still needs a biller is on
    # /coding/schedule/eligibility/.
    "coding-eligibility-ahead": {
        "task": "coding.tasks.eligibility_ahead_task",
        "schedule": 24 * 60 * 60,
    },
    # Denials, once a day: open denials' priority for today (amount x deadline closeness x
    # recovery chance, DEN-P1; the deadline comes a day closer). Idempotent per day.
    "denials-reprioritize": {"task": "denials.tasks.denials_reprioritize_task", "schedule": 24 * 60 * 60},
    # Timely filing, once a day: one alert per claim per threshold (30, 14, 7 days before its
    # filing deadline, TF-5); a second run the same day writes nothing. /denials/timely-filing/.
    "denials-timely-filing-alerts": {
        "task": "denials.tasks.timely_filing_alerts_task",
        "schedule": 24 * 60 * 60,
    },
    # Denial risk, every 10 minutes: ready claims scrubbed since their last score get one, and
    # those above the admins' threshold are held for review (DEN-RS1). /denials/risk/.
    "denials-risk-score": {"task": "denials.tasks.denial_risk_score_task", "schedule": 10 * 60},
    # Managers' dashboards (reports.tasks): the facts catch up with new claim events and postings
    # every 10 minutes (pages catch up on read too), the day's A/R snapshot is taken once a day
    # (trends are history, not re-aged), and every fact is rebuilt once a day.
    "reports-catch-up": {"task": "reports.tasks.reports_catch_up_task", "schedule": 10 * 60},
    "reports-ar-snapshot": {"task": "reports.tasks.ar_snapshot_task", "schedule": 24 * 60 * 60},
    "reports-rebuild": {"task": "reports.tasks.facts_rebuild_task", "schedule": 24 * 60 * 60},
    # Crossovers, once a day: a claim the primary forwarded to the next payer itself (835 CLP02
    # 19/20/21, NM1*TT) whose next payer sent no ERA within CROSSOVER_ERA_WAIT_DAYS gets a
    # follow-up on the intake queue (payments.services.next_payer.crossover_followups_raise; once
    # per claim, so a second run adds nothing). docs/billing-rules/secondary-claims.md COB-5.
    "payments-crossover-followups": {
        "task": "payments.tasks.crossover_followups_task",
        "schedule": 24 * 60 * 60,
    },
}
CELERY_TIMEZONE = TIME_ZONE
# Days a crossover claim waits for the next payer's own remittance before that follow-up.
CROSSOVER_ERA_WAIT_DAYS = env_int("CROSSOVER_ERA_WAIT_DAYS", 30, minimum=1, maximum=365)

REST_FRAMEWORK = {
    # Token first: DRF answers an unauthenticated call with the first class's WWW-Authenticate,
    # so a missing or expired token gets 401 (Session alone has no header and gives 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Limit/offset with a ceiling (API_MAX_PAGE_SIZE): ?limit=10**9 gets that many rows at most.
    "DEFAULT_PAGINATION_CLASS": "infusion_rcm.common.api_limits.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    # JSON nested deeper than API_MAX_JSON_DEPTH is refused with a 400, before any serializer.
    "DEFAULT_PARSER_CLASSES": [
        "infusion_rcm.common.api_limits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "infusion_rcm.common.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
# Bodies: forms and JSON up to Django's 2.5 MB; a multipart upload (an ERA, a 271, a fee schedule)
# up to FILE_UPLOAD_MAX_MB; larger is refused with a 413 before it is read
# (infusion_rcm.common.middleware.RequestSizeLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_BYTES = env_int("FILE_UPLOAD_MAX_MB", 55, minimum=1, maximum=1024) * 1024 * 1024
API_MAX_PAGE_SIZE = 200
API_MAX_JSON_DEPTH = 32

# Content-Security-Policy (django-csp): only our own scripts, styles, images and fonts; the few
# inline <script>/<style> blocks carry the per-request nonce ({{ request.csp_nonce }}); no inline
# event handlers or style attributes (tests/security/test_csp.py scans the templates).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _CSP_NONCE],
        "style-src": ["'self'", _CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Infusion RCM API",
    "DESCRIPTION": "Revenue cycle management for infusion providers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # OpenAPI 3.1: the paper-EOB body is a pydantic model, whose JSON Schema writes optional
    # fields as `anyOf: [..., {type: null}]`, valid in 3.1 and not in 3.0.
    "OAS_VERSION": "3.1.0",
    # A choice set used by several serializers needs one name (else drf-spectacular warns).
    "ENUM_NAME_OVERRIDES": {
        "AuthStatusEnum": "intake.api.serializers.AUTH_STATUS_CHOICES",
        "AuthUnitKindEnum": "intake.api.serializers.UNIT_KIND_CHOICES",
    },
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
# Logs carry no patient data: messages only (no request bodies, no locals), and the PHI
# filter drops any record that marks itself as carrying PHI.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_phi": {"()": "infusion_rcm.audit.logging.NoPHIFilter"},
        "no_query": {"()": "infusion_rcm.audit.logging.NoQueryStringFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_phi"]},
        "web_log": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_phi", "no_query"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The web log (runserver) without query strings: patient searches carry names and birth dates.
        "django.server": {"handlers": ["web_log"], "level": "INFO", "propagate": False},
        # pyx12 logs each validation error with the offending value (possibly PHI); the batch
        # service keeps those errors as data on the batch instead.
        "pyx12": {"handlers": ["console"], "level": "CRITICAL", "propagate": False},
        # django-axes logs each attempt at INFO; the audit log records them (without the noise).
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
ADMINS: list[tuple[str, str]] = []

# pyx12 check of each outgoing 837 batch before release (slow; switch off per deployment).
VALIDATE_BATCHES_WITH_PYX12 = env_bool("VALIDATE_BATCHES_WITH_PYX12", True)
# X12 interchange identity of this office (ISA06/GS02) and its clearinghouse (ISA08/GS03).
X12_SENDER_ID = env_str("X12_SENDER_ID", "INFUSIONRCM")
X12_RECEIVER_ID = env_str("X12_RECEIVER_ID", "CLEARINGHOUSE")
X12_USAGE = env_str("X12_USAGE", "T" if not IS_PRODUCTION else "P", choices=("T", "P"))
# Loop 1000A submitter contact (PER) and 1000B receiver name; blank name = the billing provider's.
X12_SUBMITTER_NAME = env_str("X12_SUBMITTER_NAME", "")
X12_SUBMITTER_CONTACT = env_str("X12_SUBMITTER_CONTACT", "Billing Office")
X12_SUBMITTER_PHONE = env_str("X12_SUBMITTER_PHONE", "2175550100")
X12_RECEIVER_NAME = env_str("X12_RECEIVER_NAME", "Clearinghouse")
if not X12_SUBMITTER_PHONE.isdigit() or len(X12_SUBMITTER_PHONE) != 10:
    raise ImproperlyConfigured("X12_SUBMITTER_PHONE must be 10 digits, e.g. 2175550100")

# Outside production, WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
