"""Settings for Registri Inovasi Daerah.

Every value that differs between a laptop and production comes from an environment
variable, parsed strictly: a typo in a boolean is an error, not a silent default.
"""

import hashlib
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str, log_format

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "agencies",
    "scoring",
    "registry",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.NoStoreWhenSignedInMiddleware",
    "agencies.middleware.RegionRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "registry.context_processors.unread_notifications",
            ],
        },
    },
]

# The embedded default is SQLite in the project folder; production sets DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Two checkouts (or CI beside a developer) testing against one PostgreSQL server must not drop
    # each other's test database: the default name carries a digest of this checkout's path.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str(
            "DJANGO_TEST_DATABASE_NAME",
            f"test_registri_{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]}",
        )
    }
    # PostgreSQL compiles a query it estimates as large (JIT) before running it: 0.2 s spent compiling queries that
    # then run in milliseconds, here where no page reads more than a few hundred thousand rows. Off unless asked.
    if not env_bool("DJANGO_DB_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on the
    # busy timeout instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.User"
# axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "agencies.backends.RegionModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitation and reset links stay valid for three days: civil servants often read mail late.
PASSWORD_RESET_TIMEOUT = env_int("DJANGO_PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# Brute-force protection (django-axes, failures stored in the database; agencies/throttling.py). An account
# (the e-mail address, case-insensitive) is locked after REGISTRI_LOGIN_FAILURE_LIMIT failures within the
# cool-off; a client address after REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT failures over any accounts, higher so
# that one person's typos do not lock a whole office behind one NAT while a password spray still stops.
REGISTRI_LOGIN_FAILURE_LIMIT = env_int("REGISTRI_LOGIN_FAILURE_LIMIT", 5)
REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
REGISTRI_LOGIN_COOLOFF_MINUTES = env_int("REGISTRI_LOGIN_COOLOFF_MINUTES", 15)
# Behind nginx the client is the right-most X-Forwarded-For entry (nginx appends what it saw); without the
# proxy that header is the client's own word and is ignored.
REGISTRI_CLIENT_IP_FROM_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
AXES_HANDLER = "agencies.throttling.LoginThrottleHandler"
AXES_FAILURE_LIMIT = REGISTRI_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=REGISTRI_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "agencies.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "agencies.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "agencies.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Lockouts and unlocks are logged by agencies/throttling.py; axes' own line per request is noise.
AXES_VERBOSE = False
# A locked-out attempt does not move the end of the lock, so the time the page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Password reset e-mails: at most this many per address, and per client address, within the window.
REGISTRI_PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("REGISTRI_PASSWORD_RESET_LIMIT_PER_EMAIL", 3)
REGISTRI_PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("REGISTRI_PASSWORD_RESET_LIMIT_PER_ADDRESS", 20)
REGISTRI_PASSWORD_RESET_WINDOW_MINUTES = env_int("REGISTRI_PASSWORD_RESET_WINDOW_MINUTES", 60)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Makassar")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence is private: it lives outside any served folder and is only handed out by
# views that check permission.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# With a bucket named, uploads go to S3-compatible object storage (AWS, MinIO, Ceph, ...). Objects stay
# private (no ACL is sent, so the bucket's private default holds; AWS buckets with ACLs disabled refuse
# any other) and reach people only through the permission-checked views: streamed through Django, or,
# with REGISTRI_EVIDENCE_DOWNLOAD=signed-url, as a redirect to a URL signed for a few minutes.
REGISTRI_S3_BUCKET = env_str("REGISTRI_S3_BUCKET").strip()
REGISTRI_S3_SIGNED_URL_SECONDS = env_int("REGISTRI_S3_SIGNED_URL_SECONDS", 300)
if not 1 <= REGISTRI_S3_SIGNED_URL_SECONDS <= 604800:  # SigV4 signatures last at most 7 days
    raise ImproperlyConfigured(
        f"REGISTRI_S3_SIGNED_URL_SECONDS={REGISTRI_S3_SIGNED_URL_SECONDS} must be between 1 and 604800."
    )
_s3_addressing = env_str("REGISTRI_S3_ADDRESSING_STYLE").strip().lower()
if _s3_addressing not in {"", "path", "virtual"}:
    raise ImproperlyConfigured(f"REGISTRI_S3_ADDRESSING_STYLE={_s3_addressing!r} must be path or virtual.")
REGISTRI_EVIDENCE_DOWNLOAD = env_str("REGISTRI_EVIDENCE_DOWNLOAD").strip().lower() or "stream"
if REGISTRI_EVIDENCE_DOWNLOAD not in {"stream", "signed-url"}:
    raise ImproperlyConfigured(
        f"REGISTRI_EVIDENCE_DOWNLOAD={REGISTRI_EVIDENCE_DOWNLOAD!r} must be stream or signed-url."
    )
if REGISTRI_EVIDENCE_DOWNLOAD == "signed-url" and not REGISTRI_S3_BUCKET:
    raise ImproperlyConfigured("REGISTRI_EVIDENCE_DOWNLOAD=signed-url needs REGISTRI_S3_BUCKET.")
if REGISTRI_S3_BUCKET:
    if env_str("DJANGO_FILE_STORAGE"):
        raise ImproperlyConfigured("Set either REGISTRI_S3_BUCKET or DJANGO_FILE_STORAGE, not both.")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": REGISTRI_S3_BUCKET,
            "endpoint_url": env_str("REGISTRI_S3_ENDPOINT_URL").strip() or None,
            "region_name": env_str("REGISTRI_S3_REGION").strip() or None,
            # Empty keys leave boto3 to its own chain (AWS_* variables, an instance role).
            "access_key": env_str("REGISTRI_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("REGISTRI_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("REGISTRI_S3_PREFIX").strip().strip("/"),
            "addressing_style": _s3_addressing or None,
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": REGISTRI_S3_SIGNED_URL_SECONDS,
            "file_overwrite": False,
            # Files read whole (carry-over copies) spill to a temporary file above this, not to memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
else:
    _default_storage = {
        "BACKEND": env_str("DJANGO_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env_str(
            "DJANGO_STATIC_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Registri Inovasi Daerah <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production hardening: on unless DEBUG, each switchable for a deployment behind a proxy.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every page (django-csp): scripts and styles only from our own static files, no
# inline script, no inline <style> (htmx's indicator style is switched off in base.html and lives in
# registri.css), no plugins, no framing by other sites. data: images are Bootstrap's own icons (the select
# arrow, the close button, the menu toggler), which its stylesheet embeds. Downloads of stored files set their
# own, stricter policy (registry/downloads.py), which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 8 * 3600)

# A cache shared by every process when REGISTRI_REDIS_URL names a Redis server (redis://host:6379/0): sessions
# are then read from it (written through to the database, so a restart of Redis signs nobody out) and the unread
# notification count of the navigation bar is kept there for REGISTRI_UNREAD_CACHE_SECONDS, cleared whenever a
# notification is created or read. Without Redis each process has its own memory cache, which cannot be told
# of another process's changes: sessions stay in the database and the count is not cached (a one-row query).
REGISTRI_REDIS_URL = env_str("REGISTRI_REDIS_URL").strip()
if REGISTRI_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REGISTRI_REDIS_URL,
            "KEY_PREFIX": "registri",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registri"}}
REGISTRI_UNREAD_CACHE_SECONDS = env_int("REGISTRI_UNREAD_CACHE_SECONDS", 300) if REGISTRI_REDIS_URL else 0

# Logs go to stdout (journald, a container runtime or the terminal keeps them); in production as JSON
# lines, one object a record, which log collectors parse without a pattern. gunicorn.conf.py reads the
# same variable for its access log.
LOG_FORMAT = log_format()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
            "level": "ERROR",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own loggers write through the root handler once (its default adds a second console in debug).
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True}},
}

# Who is e-mailed the traceback of every server error: "Name <address>, Name <address>".
ADMINS = [(name, address) for name, address in getaddresses([env_str("DJANGO_ADMINS")]) if address]
EMAIL_SUBJECT_PREFIX = env_str("DJANGO_EMAIL_SUBJECT_PREFIX", "[Registri Inovasi Daerah] ")

# Optional error tracking (Sentry or a compatible service such as GlitchTip). No personal data is sent.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,
    )

# Agency import: an upload larger than this is refused before it is parsed.
AGENCY_IMPORT_MAX_BYTES = env_int("REGISTRI_AGENCY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)

# Evidence uploads: the largest file accepted per kind (the 2024 method allows videos up to 100 MB).
REGISTRI_EVIDENCE_MAX_BYTES = {
    "pdf": env_int("REGISTRI_MAX_PDF_MB", 20) * 1024 * 1024,
    "image": env_int("REGISTRI_MAX_IMAGE_MB", 10) * 1024 * 1024,
    "video": env_int("REGISTRI_MAX_VIDEO_MB", 100) * 1024 * 1024,
}
# Uploads above this size are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request with files stops being read once it passes this (registry/uploads.py): the largest evidence limit
# plus room for the form's other fields; each file also stops at its own kind's limit.
REGISTRI_UPLOAD_MAX_BYTES = max(REGISTRI_EVIDENCE_MAX_BYTES.values()) + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "registry.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Form fields other than files (the longest is the design text, 300 words and more).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work (notification e-mail, hand-off packages) goes through the Django Tasks API: the
# django-tasks backport with its database backend, run by `manage.py db_worker`. The same task code
# moves to Django 6's built-in tasks or a Redis-backed worker by changing this setting.
TASKS = {
    "default": {
        "BACKEND": env_str("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The registry's public address, for links in e-mails sent by background tasks (no request there).
REGISTRI_BASE_URL = env_str("REGISTRI_BASE_URL", "http://127.0.0.1:8000")
# Submission reminders (registry/reminders.py): the worker reminds the agencies that have not submitted every day
# at REGISTRI_REMINDER_HOUR o'clock (TIME_ZONE) once a cycle's submissions close within REGISTRI_REMINDER_DAYS days.
REGISTRI_REMINDER_DAYS = env_int("REGISTRI_REMINDER_DAYS", 7)
REGISTRI_REMINDER_HOUR = env_int("REGISTRI_REMINDER_HOUR", 8)
if REGISTRI_REMINDER_DAYS < 0:
    raise ImproperlyConfigured(f"REGISTRI_REMINDER_DAYS={REGISTRI_REMINDER_DAYS} cannot be negative.")
if not 0 <= REGISTRI_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured(f"REGISTRI_REMINDER_HOUR={REGISTRI_REMINDER_HOUR} must be between 0 and 23.")
