"""Django settings for Confide. Everything that differs between installations comes from the
environment (see confide/conf.py and the README's Configuration table); the defaults are the safe ones."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from confide import conf

# Every file Confide creates is its owner's alone (0600; directories 0700), whichever way Django
# was started. The `confide` command and wsgi.py also refuse to start on files open to others.
conf.private_umask()

try:
    VAR_DIR = conf.var_dir()
    DEBUG = conf.env_bool("CONFIDE_DEBUG", False)
    # Demo mode may waive the second factor, behind a banner on every page. Never with real data.
    DEMO_MODE = conf.env_bool("CONFIDE_DEMO", False)
    SECRET_KEY = conf.secret_key(VAR_DIR)
    ALLOWED_HOSTS = conf.env_list("CONFIDE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    _database_url = conf.env_str("CONFIDE_DATABASE_URL", "")
    DATABASES = {
        "default": conf.database_from_url(_database_url)
        if _database_url
        else conf.sqlite_database(VAR_DIR / "confide.sqlite3")
    }
    # Client data keys live in a key store of their own, never in the main database (confide/keys).
    KEYSTORE_PATH = Path(conf.env_str("CONFIDE_KEYSTORE_PATH", "") or VAR_DIR / "keystore.sqlite3")
    MASTER_KEY = conf.master_key_text(VAR_DIR)
    BEHIND_HTTPS = conf.env_bool("CONFIDE_HTTPS", False)
    # The HTTPS proxy's address, whose X-Forwarded-Proto header `confide serve` believes.
    TRUSTED_PROXY = conf.env_str("CONFIDE_TRUSTED_PROXY", "127.0.0.1")
    # DVIP 6.06: nothing left on screen. The session locks after this many idle minutes.
    IDLE_LOCK_MINUTES = conf.env_int("CONFIDE_IDLE_LOCK_MINUTES", 10, minimum=1, maximum=240)
    # How long a file opened by breaking the glass stays open before the reason must be given again.
    BREAK_GLASS_MINUTES = conf.env_int("CONFIDE_BREAK_GLASS_MINUTES", 60, minimum=5, maximum=720)
    # The largest document a worker may upload; it is encrypted whole, in memory.
    UPLOAD_MAX_MB = conf.env_int("CONFIDE_UPLOAD_MAX_MB", 10, minimum=1, maximum=100)
    # How long a secure link to a disclosure stays open for the recipient (each item downloads once).
    SHARE_LINK_HOURS = conf.env_int("CONFIDE_SHARE_LINK_HOURS", 72, minimum=1, maximum=336)
    # The optional reminder email (`confide remind`): through this SMTP server, never with client data.
    EMAIL_HOST = conf.env_str("CONFIDE_EMAIL_HOST", "localhost")
    EMAIL_PORT = conf.env_int("CONFIDE_EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = conf.env_str("CONFIDE_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = conf.env_secret("CONFIDE_EMAIL_PASSWORD") or ""
    EMAIL_USE_TLS = conf.env_bool("CONFIDE_EMAIL_TLS", False)
    DEFAULT_FROM_EMAIL = conf.env_str("CONFIDE_EMAIL_FROM", "confide@localhost")
    # `confide serve` processes. One process runs one thread of Python at a time, so a machine with
    # more cores serves more people at once with more processes (bench/RESULTS.md, web).
    SERVE_PROCESSES = conf.env_int("CONFIDE_SERVE_PROCESSES", min(os.cpu_count() or 1, 4), minimum=1, maximum=64)
    LOGIN_FAILURE_LIMIT = conf.env_int("CONFIDE_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
    LOGIN_LOCKOUT_MINUTES = conf.env_int("CONFIDE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=1440)
    # PostgreSQL with two roles: migrations run as the tables' owner, serving as a role that is not
    # (README, "PostgreSQL: two roles"), so serving cannot drop the audit log's triggers.
    _migrate_url = conf.env_str("CONFIDE_MIGRATE_DATABASE_URL", "")
    if _migrate_url:
        DATABASES["owner"] = conf.owner_database(_migrate_url, DATABASES["default"])
    # The audit log's signed checkpoints, kept outside the database (confide/audit/checkpoint.py).
    AUDIT_SIGNING_KEY = conf.audit_signing_key()
    AUDIT_SIGNING_KEY_PATH = VAR_DIR / "audit_signing_key"
    AUDIT_CHECKPOINT_LOG = Path(conf.env_str("CONFIDE_AUDIT_CHECKPOINT_LOG", "") or VAR_DIR / "audit_checkpoints.jsonl")
    AUDIT_CHECKPOINT_MINUTES = conf.env_int("CONFIDE_AUDIT_CHECKPOINT_MINUTES", 10, minimum=1, maximum=1440)
except conf.ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from None

if VAR_DIR and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    conf.make_var_dir(VAR_DIR)
# Each serving thread keeps its database connection between requests, on SQLite as on PostgreSQL:
# opening one (and setting it up) cost more than a page's queries (bench/RESULTS.md, web).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "confide.accounts",
    "confide.audit",
    "confide.records",
    "confide.partners",
    "confide.sharing",
    "confide.notices",
    "confide.subject_access",
    "confide.retention",
    "confide.staffing",
    "confide.breaches",
    "confide.complaints",
    "confide.reports",
    "confide.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "confide.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "confide.web.csrf.ConfideCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless it is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "confide.accounts.middleware.IdleLockMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "confide.web.middleware.DatabaseFaultMiddleware",  # last: a view's database fault is a 503 page
]

ROOT_URLCONF = "confide.urls"
WSGI_APPLICATION = "confide.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "confide.web.context.confide",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NCSC: length over complexity, no forced rotation; a list of common passwords is refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions: server-side, not readable by scripts, same-site only, ended with the browser.
# Uploads are held in memory only, then sealed: a document never touches the disk in clear (a
# temporary file would). Anything larger than the limit is refused before it is read.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_MB * 1024 * 1024 + 64 * 1024

# Django's database sessions and ModelBackend, each with its read on every request made cheaper
# (confide/accounts/sessions.py and backend.py; bench/RESULTS.md, web). The session table holds a
# hash of each session key, never the key: a copy of the database signs nobody in.
SESSION_ENGINE = "confide.accounts.sessions"
AUTHENTICATION_BACKENDS = ["confide.accounts.backend.Backend"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "confide.web.views.csrf_failure"
SESSION_COOKIE_SECURE = BEHIND_HTTPS
CSRF_COOKIE_SECURE = BEHIND_HTTPS
if BEHIND_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
# Sent only on HTTPS responses, so it is harmless on a plain-HTTP demo.
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Log events, never content: request lines lose their query string (a search may hold a name),
# and nothing logs request bodies or template context.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query": {"()": "confide.web.logfilters.StripQueryString"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": sys.stderr, "filters": ["no_query"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CONFIDE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "waitress": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
