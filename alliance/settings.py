"""Settings for the alliance portal, read from the environment.

With nothing configured the portal runs on a SQLite file with Celery tasks executed
in-process, which is what `make run` uses.  Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY, ALLOWED_HOSTS and HTTPS=on (see docker-compose.yml).  Bad values raise
ImproperlyConfigured at start-up rather than misbehaving later.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _bool(name, default):
    """environ's bool() silently treats typos as False; refuse them instead."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use on/off, true/false, 1/0)")


def _int(name, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


DEBUG = _bool("DEBUG", False)
# HTTPS=on turns on every transport-security setting; production must set it.
HTTPS = _bool("HTTPS", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if HTTPS:
        raise ImproperlyConfigured("SECRET_KEY must be set when HTTPS=on (production)")
    SECRET_KEY = "django-insecure-development-key-only-for-local-runs-and-tests"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "alliance.apps.AllianceAdminConfig",  # django.contrib.admin with the office's index (alliance/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "drf_spectacular_sidecar",
    "alliance.axes_app.AxesConfig",  # django-axes, named in Chinese in the admin
    "csp",
    "alliance",
    "specialists",
    "awards",
    "greenmine",
    "liaisons",
    "nominations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Reads multipart bodies before the CSRF check does, so an oversize file is refused cleanly.
    "alliance.uploads.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into the page or JSON of alliance.lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"

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
                "alliance.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection costs ~6 ms of every request. Health checks
# replace a connection the server closed (restart, idle timeout) instead of failing the request.
# Local runs and tests open one per request (HTTPS=off), as before.
DATABASES["default"]["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60 if HTTPS else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out user before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Internationalisation: Chinese first, English available through the language switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
# The evaluating body named on reports (the green-mine evaluation report's 评价单位 and seal box).
ALLIANCE_ORGANISATION_NAME = env.str("ALLIANCE_ORGANISATION_NAME", default="中关村绿色矿山产业联盟")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The hashed manifest needs `collectstatic` first, which the Docker image does; local runs and
# tests serve the source files directly.
STATIC_MANIFEST = _bool("STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploads (evidence, photos, imports) larger than this are refused with a message.
MAX_UPLOAD_BYTES = _int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# A whole multipart request (several files on the scoring page) larger than this is refused from
# its Content-Length, before any of it is read.
MAX_REQUEST_BYTES = _int("MAX_REQUEST_BYTES", 5 * MAX_UPLOAD_BYTES)
if MAX_UPLOAD_BYTES < 1 or MAX_REQUEST_BYTES < MAX_UPLOAD_BYTES:
    raise ImproperlyConfigured("MAX_UPLOAD_BYTES must be positive and MAX_REQUEST_BYTES at least as large")
# The size check streams: alliance.uploads stops reading a file once it passes MAX_UPLOAD_BYTES.
FILE_UPLOAD_HANDLERS = [
    "alliance.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files spool to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields besides the files

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@alliance.example")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# Transport security: all on with HTTPS=on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes inside the compose network speak plain HTTP
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from our own static files; an
# inline <script> needs nonce="{{ request.csp_nonce }}".  Style attributes are not allowed either:
# templates use classes, and scripts set sizes through element.style (CSSOM is not restricted).
# The API docs are served locally (drf-spectacular-sidecar): the intranet has no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Brute-force protection (django-axes) on the portal login, the admin login and the API token:
# after AXES_FAILURE_LIMIT wrong passwords a username is locked for AXES_COOLOFF_MINUTES from
# that address (other users and addresses are unaffected).  The lockout page is in
# alliance/lockouts.py; staff lift a lockout in the admin.
AXES_ENABLED = _bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = _int("AXES_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1")
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "alliance.lockouts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "alliance.lockouts.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # alliance/admin_lockouts.py registers the models, in Chinese, with an unlock action
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For; 0 (the default)
# ignores the header, which a client could otherwise forge to dodge the lockout.
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must not be negative")

# Celery: with no broker configured, tasks run in-process (eagerly).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", not (REDIS_URL or env.str("CELERY_BROKER_URL", "")))
CELERY_TASK_EAGER_PROPAGATES = True
# Acknowledge late only where a task is idempotent: each such task says so itself (acks_late=True
# with reject_on_worker_lost=True: exports, imports, certificate rendering, the sweep, the lifecycle
# run), so a worker killed mid-task gives the message back instead of losing it.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Recycle a worker's child process (bench/certificates.py, bench/README.md): a safety net.  With a
# font configuration per document a child rendering certificates grew to ~790 MB; alliance/pdf.py
# now reuses one and a child stays at ~230 MB, but native libraries (fontconfig, Pango, HarfBuzz)
# never give back what they keep.  Celery compares
# the child's *peak* RSS (ru_maxrss, KiB) with the limit after each task: a child rendering
# certificates peaks at ~230 MB and an export at ~130 MB, so 400 MB replaces only a child that
# went astray, before it can reach the ~790 MB measured before.  After 200 tasks a child is replaced
# anyway, against leaks too slow for the limit; a new child costs ~1 s (importing WeasyPrint and
# loading the fonts on its first render), i.e. ~5 ms a task at 200.  `celery worker` itself also
# reads these two variables (its options' environment names), and refuses 0.
CELERY_WORKER_MAX_TASKS_PER_CHILD = _int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = _int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400 * 1024)
if CELERY_WORKER_MAX_TASKS_PER_CHILD < 1 or CELERY_WORKER_MAX_MEMORY_PER_CHILD < 1:
    raise ImproperlyConfigured(
        "CELERY_WORKER_MAX_TASKS_PER_CHILD and CELERY_WORKER_MAX_MEMORY_PER_CHILD must be at least 1"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged message goes back to the queue after this long.  It must outlast the
    # longest task, or a task still running is delivered a second time: a 2M-row export or a
    # 50k-row import takes well under an hour; two hours leaves room for a busy machine.
    "visibility_timeout": _int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60),
    # Sending fails fast when Redis is down (one quick retry, a one-second connect timeout), so a
    # request answers "queue unavailable" at once; alliance.dispatch keeps the job for a retry.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "socket_connect_timeout": 1,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # alliance.dispatch: jobs the worker never received (broker down, or a restart lost them).
    "alliance-sweep-jobs": {"task": "alliance.sweep_jobs", "schedule": crontab(minute="*/5")},
    "specialists-certificates-unqueued": {
        "task": "alliance.specialists.render_missing_certificates",
        "schedule": crontab(minute="*/5"),
    },
    # Once a day, also certificates issued earlier and still not rendered (a message lost in Redis).
    "specialists-certificates-unrendered": {
        "task": "alliance.specialists.render_missing_certificates",
        "schedule": crontab(hour=3, minute=15),
        "kwargs": {"unrendered": True},
    },
    # Liaison notices (seed 002 第三条 二) the broker did not take, or a mail server refused.
    "liaisons-notices-pending": {
        "task": "alliance.liaisons.send_pending_notices",
        "schedule": crontab(minute="*/10"),
    },
    # Seed 004: units with drafts and experts with unscored nominations, before each deadline (sent once).
    "nominations-deadline-reminders": {
        "task": "alliance.nominations.send_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    # 第八条: the lifecycle rules are evaluated every night for that day.
    "specialists-lifecycle-nightly": {
        "task": "alliance.specialists.run_lifecycle",
        "schedule": crontab(hour=1, minute=30),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "alliance.api.AutoSchema",
    # JSON nested past alliance.parsers.MAX_JSON_DEPTH is refused with a 400.
    "DEFAULT_PARSER_CLASSES": [
        "alliance.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "alliance.api.exception_handler",
    # ISO 8601 always ("0999-01-01", never "999-01-01"); the services keep dates after 2000 anyway.
    "DATE_FORMAT": "iso-8601",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
}
SPECTACULAR_SETTINGS = {
    # The docs page's heading, for the alliance's own and its partners' (Chinese) developers; the
    # operations keep the API contract's English names (../shared/SPEC.md).
    "TITLE": "联盟业务管理平台接口（Alliance portal API）",
    "DESCRIPTION": (
        "特别专员积分、科学技术奖、绿色矿山评价、会员单位联络员与先导技术榜单推荐的接口。"
        "令牌：POST /api/auth/token/ 取得后以 `Authorization: Token <令牌>` 发送；错误以 4xx 返回，"
        "JSON 正文指明出错的字段和原因。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from the public validator: the intranet cannot reach it.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
