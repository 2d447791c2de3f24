"""Django settings, read from the environment with defaults that run on one machine."""

from __future__ import annotations

import os
from pathlib import Path

from whiteboard.env import env_bool, env_database, env_int, env_list, env_rate, env_redis_url, env_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

# The run command starts a Redis on this port when REDIS_URL points at loopback and nothing answers.
REDIS_URL = env_redis_url("redis://127.0.0.1:6390/0")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "architectures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whiteboard.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "whiteboard.urls"
WSGI_APPLICATION = "whiteboard.wsgi.application"
ASGI_APPLICATION = "whiteboard.asgi.application"

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

DATABASES = {"default": env_database(VAR_DIR / "db.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so the Celery worker that integration tests start sees the same data.
    # Named per process so two test runs in one checkout never share (or delete) each other's.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "landing"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies: a board document may be 1 MB; the body limit leaves room for the envelope
# and lets an oversized field be reported at its own path rather than as "body too large".
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 5_000_000, minimum=1_000_000, maximum=100_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# Writes (saves, runs, creates, imports) per client and minute, e.g. "600/min"; empty turns the limit off.
WRITE_RATE_LIMIT = env_rate("WRITE_RATE_LIMIT", "600/min")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["architectures.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
    # Sessions identify logged-in board owners (and enforce CSRF on their writes); link tokens
    # are checked per board in architectures/access.py, so a token-only request needs no CSRF.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "architectures.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["architectures.api.throttles.WriteRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ML system-design whiteboard API",
    "DESCRIPTION": "Boards (the board document), versions, the component catalog and health.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Board requests carry a link's token (README "Sharing and access"); the docs' Authorize button sends it.
    "APPEND_COMPONENTS": {"securitySchemes": {
        "boardToken": {"type": "apiKey", "in": "header", "name": "X-Board-Token"}}},
    "SECURITY": [{"boardToken": []}],
}

def channel_layers_for(url: str) -> dict:
    """The Redis pub/sub channel layer, retrying a command once its connection died (Redis restarted).

    Pub/sub rather than channels-redis's list-based layer: an event for a board is one PUBLISH,
    which each server process receives once and hands to its own connections of that board, where
    the list-based layer pushed one message per connection and every process popped each of its
    own in a Redis round trip (about 400 relays a second at the default load of benchmarks/load.py).
    Nothing waits in Redis for a consumer that is not connected, which the board events never
    needed: a page that was away resyncs from the database when it reconnects.
    """
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    host = {"address": url, "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 4),
            "retry_on_error": [RedisConnectionError, OSError]}
    return {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [host]}}}


CHANNEL_LAYERS = channel_layers_for(REDIS_URL)

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 3}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

HEALTH_TIMEOUT_S = 1.5

# Threads per server process that run HTTP requests' synchronous code (views, the ORM), and those
# that run the WebSockets' database work (whiteboard/pool.py); together, the most database
# connections a process holds.
WEB_THREADS = env_int("WEB_THREADS", 8, minimum=1, maximum=256)
WEB_SOCKET_THREADS = env_int("WEB_SOCKET_THREADS", 4, minimum=1, maximum=256)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# HTTPS=1 when the site is served over HTTPS (usually by a proxy that sets X-Forwarded-Proto):
# plain HTTP is redirected and browsers are told to keep to HTTPS (HSTS) for a year.
if env_bool("HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000, minimum=0, maximum=63_072_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)  # allows, does not make, a preload-list submission
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

# Simulation runs (see README "Runs"): time limits, stale-run detection and per-client limits.
RUN_SOFT_TIME_LIMIT_S = env_int("RUN_SOFT_TIME_LIMIT_S", 120, minimum=1, maximum=3600)
RUN_HARD_TIME_LIMIT_S = RUN_SOFT_TIME_LIMIT_S + 15
RUN_STALE_AFTER_S = env_int("RUN_STALE_AFTER_S", 30, minimum=5, maximum=3600)
RUN_QUEUE_TIMEOUT_S = env_int("RUN_QUEUE_TIMEOUT_S", 600, minimum=10, maximum=86_400)
MAX_ACTIVE_RUNS_PER_CLIENT = env_int("MAX_ACTIVE_RUNS_PER_CLIENT", 4, minimum=1, maximum=1000)
# A message whose worker died unacknowledged is delivered again after this long.
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = RUN_HARD_TIME_LIMIT_S + 60
# The stale-run reaper runs on this beat (./scripts/run embeds it in its worker with --beat) and
# at every worker's start (whiteboard/celery.py), which covers the beat's worker itself dying.
CELERY_BEAT_SCHEDULE = {
    "fail-stale-runs": {"task": "architectures.runs_fail_stale", "schedule": 10.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# A PNG render (Graphviz in a child process) that takes longer than this is killed; the API answers 503.
EXPORT_TIMEOUT_S = env_int("EXPORT_TIMEOUT_S", 20, minimum=1, maximum=600)
