"""Settings for the back-pain check, configured entirely by environment variables.

Every variable is documented in README.md. Bad values fail loudly at start-up
rather than being silently replaced by a default.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backpain.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_redis_url,
    env_str,
    env_time_zone,
    env_url_prefix,
)
from backpain.release import release_digest

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set the SECRET_KEY environment variable (or DEBUG=1 for local development only)."
        )
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "review.apps.ReviewAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "assessments",
    "programs",
    "clinics",
    "review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (Django's GZipMiddleware, faster); static files come compressed from whitenoise.
    "backpain.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backpain.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backpain.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "backpain.wsgi.application"

# An embedded SQLite file by default; PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}

# An unreachable or hanging database must fail a request in seconds (a 503 page, see
# backpain.views.server_error), not hold every web worker until the proxy gives up.
# DB_STATEMENT_TIMEOUT is for web requests: manage.py commands (migrate, the task worker, the
# purges) run under DB_COMMAND_STATEMENT_TIMEOUT instead (none by default; manage.py sets it).
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", default=5)
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", default=10)
if DB_CONNECT_TIMEOUT < 1 or DB_STATEMENT_TIMEOUT < 0:
    raise ImproperlyConfigured("DB_CONNECT_TIMEOUT must be at least 1 and DB_STATEMENT_TIMEOUT 0 (none) or more.")

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["connect_timeout"] = DB_CONNECT_TIMEOUT
    if DB_STATEMENT_TIMEOUT:
        options["options"] = f"{options.get('options', '')} -c statement_timeout={DB_STATEMENT_TIMEOUT}s".strip()

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes writing sessions at once: write-ahead logging, take the write
    # lock at the start of a transaction, and wait for it rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Behind pgbouncer in transaction mode a connection is shared between transactions, so a cursor
# cannot outlive one: exports then read each batch whole instead of through a server-side cursor
# (batches stay small: review.jobs reads by ids, a streamed export has at most EXPORT_STREAM_MAX).
if env_bool("DB_POOLER_TRANSACTION_MODE", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The admin's address: a path of your own choosing makes it harder to find (README).
# The first parts of the runners' own addresses are reserved.
ADMIN_URL = env_url_prefix("ADMIN_URL", "admin/", reserved=("r", "c", "check", "static"))

# Sign-in throttling (django-axes): after ADMIN_LOGIN_ATTEMPTS failed sign-ins for one user
# name from one address, that pair is locked out for ADMIN_LOCKOUT_MINUTES; after
# ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS failures of any user names from one address, the address is
# (a clinic behind one NAT shares it: higher, so one person's typos lock out nobody else).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_ATTEMPTS", default=5)
AXES_FAILURE_LIMIT_PER_ADDRESS = env_int("ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS", default=30)
if not 1 <= AXES_FAILURE_LIMIT <= AXES_FAILURE_LIMIT_PER_ADDRESS:
    raise ImproperlyConfigured(
        "ADMIN_LOGIN_ATTEMPTS must be at least 1 and ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS at least as high."
    )
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOCKOUT_MINUTES", default=15))
# In this order: backpain.throttle reads the first with the one limit, the second with the other.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "backpain.throttle.UserAndAddressLimitsHandler"
# Which address is the client's (backpain.middleware.client_address): REMOTE_ADDR unless the
# proxies in front are named, by number or by address (README, "Behind proxies").
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
if TRUSTED_PROXY_COUNT < 0 or (TRUSTED_PROXY_COUNT and TRUSTED_PROXIES):
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be 0 or more, and not set together with TRUSTED_PROXIES: use one of them."
    )
AXES_CLIENT_IP_CALLABLE = "backpain.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The runners' local time zone decides what "today" is for the plan and the check-ins.
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# The cache holds renderings of results (which never change), of programme pages and of blank
# questionnaire steps, and the exercise library, each under a key that changes with what it
# depends on (day, check-ins, library version). With REDIS_URL it is Django's own Redis cache,
# shared by every process on every machine (a page rendered by one is served by all, and a
# deleted result's rendering is deleted for all); its keys start with a digest of the release,
# so that a new release never serves an old one's pages. Redis unreachable: every read a miss
# (backpain.cache). Without REDIS_URL, each process keeps its own in memory (one machine).
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "backpain.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "backpain-" + release_digest(BASE_DIR),
            # A cache that does not answer within a second is treated as empty, never waited for.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# The outcomes page's covering index (assessments.Assessment.Meta) has INCLUDE columns for
# PostgreSQL; SQLite builds it without them, which is all it needs, so its warning is noise.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Sessions live in the database so several app processes can serve one runner.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24  # an unfinished questionnaire is kept for a day
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "backpain.storage.StaticFilesStorage"},
}


# Background tasks (django-tasks with its database backend, django-tasks-db): a task is a row in
# the project's own database, so SQLite on one machine and PostgreSQL in production need no other
# service. `manage.py db_worker` runs them (`make run` starts one beside the development server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Exports of more than EXPORT_STREAM_MAX assessments are written to a file by the worker, kept in
# EXPORT_DIR (never under the static files or any public URL) and downloadable by the clinician who
# asked for EXPORT_HOURS; smaller ones stream straight from the request (see review.jobs).
EXPORT_STREAM_MAX = env_int("EXPORT_STREAM_MAX", default=5000)
EXPORT_DIR = Path(env_str("EXPORT_DIR", default=str(BASE_DIR / "var" / "exports")))
EXPORT_HOURS = env_int("EXPORT_HOURS", default=24)
if EXPORT_STREAM_MAX < 0 or EXPORT_HOURS < 1:
    raise ImproperlyConfigured("EXPORT_STREAM_MAX must be 0 or more and EXPORT_HOURS at least 1.")

# Data has a lifetime (`manage.py purge`, daily): an assessment that no clinic keeps (the runner
# started from the home page) is deleted with its check-ins RETENTION_DAYS after the runner's last
# check-in, or their answers without one; 0 keeps them until the runner deletes them. A clinic
# sets its own retention (Clinic.retention_days; by default it keeps its runners' records).
RETENTION_DAYS = env_int("RETENTION_DAYS", default=365)
if RETENTION_DAYS < 0:
    raise ImproperlyConfigured("RETENTION_DAYS must be 0 (keep) or a number of days.")

# Security: strict by default; behind a TLS-terminating proxy in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
# Preloading is hard to undo: only when asked for.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Each line printed once. Django's own "django" logger has no handler here: its default one
# prints with DEBUG on, and the record then went on to the root's (every warning twice).
# Configuring "django" resets its children, so the dev server's request lines
# ("django.server") get their own handler again, as Django's defaults have it.
# (Django's default "mail_admins" handler goes too; there are no ADMINS to mail.)
# Every handler shortens private tokens (/r/<token>/) in what it writes (backpain.logs): a
# handler added here needs the "private_links" filter too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private_links": {"()": "backpain.logs.RedactTokens"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["private_links"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["private_links"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
