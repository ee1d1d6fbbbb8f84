"""Settings for Engagement Archive, read from the environment.

Every variable is documented in the README. Local defaults are safe: SQLite in
the project folder, DEBUG off. With DEBUG off the site refuses to start until it
is given a real SECRET_KEY and ALLOWED_HOSTS.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or too weak, and DEBUG is off. Set SECRET_KEY to a random "
            "string of at least 50 characters, e.g. the output of\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
            "or set DEBUG=true for local development (see README: Configuration)."
        )
    SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty and DEBUG is off. Set ALLOWED_HOSTS to the comma-separated "
        "host names the site answers to, e.g. ALLOWED_HOSTS=archive.example.org."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "axes",
    "reversion",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs' scripts and styles, served from here
    "corsheaders",
    "engagements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cross-origin reads of /api/ (CORS_*), on every answer there, 429s and 304s included.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache: a client's rate of API requests counts cached answers too.
    "engagements.api.throttling.ApiRateLimitMiddleware",
    # Which database a request reads from (the primary, or a replica: DATABASE_REPLICA_URLS);
    # outside the time budget (a replica's 503 is answered again from the primary) and the
    # page cache (the version is read where the page is computed).
    "engagements.public.replicas.ReplicaMiddleware",
    # Every request gets a database time budget (STATEMENT_TIMEOUT_MS), then a 503.
    "engagements.public.faults.TimeBudgetMiddleware",
    # Outside the middleware below, so that a cached page replays the headers they set.
    "engagements.public.pagecache.PageCacheMiddleware",
    # Inside the page cache, so a cached page replays its keys for the HTTP cache in front.
    "engagements.public.surrogate.SurrogateKeyMiddleware",
    # Inside the page cache, so a page is compressed once and its gzip copy is cached.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A 404 at an address a readout, official or topic used to have becomes a 301.
    "engagements.public.redirects.FormerAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "engagements.public.context_processors.archive",
            ],
        },
    },
]

# DATABASE_URL picks the engine: sqlite:///path (default, a file in the project)
# or postgres://user:password@host:port/name.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Read replicas of a PostgreSQL primary, comma-separated: public pages read from one that
# answers and is at most REPLICA_MAX_LAG_SECONDS behind (engagements/public/replicas.py).
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), 1):
    DATABASES[f"replica-{_number}"] = {
        **dj_database_url.parse(
            _url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
        ),
        "OPTIONS": {"connect_timeout": 2},  # a replica that is down is skipped, not waited for
        "TEST": {"MIRROR": "default"},
    }
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["engagements.public.replicas.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
# How long a visitor's reads stay on the primary after their own write (read-your-writes).
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "15"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the admin or an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that tests can run a command in a second process against it;
    # one per test run, so that two runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"engagement-archive-test-{os.getpid()}.sqlite3")
    }

# How long one SQL statement may run while serving a request, in milliseconds (0: no
# limit); past it the visitor gets a "took too long" page (engagements/faults.py).
# Management commands other than runserver (imports, exports, migrations) have no limit:
# manage.py names the command it runs in ARCHIVE_COMMAND.
if os.environ.get("ARCHIVE_COMMAND", "runserver") == "runserver":
    STATEMENT_TIMEOUT_MS = int(os.environ.get("STATEMENT_TIMEOUT_MS", "20000"))
else:
    STATEMENT_TIMEOUT_MS = 0
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: it pays off for long analytical queries, not for a page's; it
    # added 25 ms to a search's one large query and saved nothing.
    options = ["-c jit=off"]
    if STATEMENT_TIMEOUT_MS:
        options.append(f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(options)


AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# Who answers for the archive: OAI-PMH's Identify gives it to harvesters (public/oai.py).
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "archive@localhost")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production serves hashed, compressed files made by collectstatic. With the finders on
# (DEBUG, or WHITENOISE_USE_FINDERS=true), files come straight from static/ unhashed.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or WHITENOISE_USE_FINDERS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers. The public pages need no inline script or style at all.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Served over HTTPS (the default in production): redirect, HSTS, secure cookies.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS and env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload commits the whole domain to HTTPS for good: the operator opts in.
    "security.W021",
    # An index's INCLUDE columns serve PostgreSQL's index-only reads; on SQLite the index
    # is built on its key columns alone, which is what it needs (engagements.Meeting).
    "models.W040",
]
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

TAGGIT_CASE_INSENSITIVE = True

# The admin's path can be moved away from the obvious one.
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"

# Admin logins are throttled by django-axes: after AXES_FAILURE_LIMIT failed attempts for
# one username from one address, that pair is locked out for AXES_COOLOFF_MINUTES (staff
# can lift it sooner with `manage.py axes_reset`). The address is the visitor's: REMOTE_ADDR,
# or behind TRUSTED_PROXY_COUNT proxies the entry they added to X-Forwarded-For
# (engagements/public/proxies.py), so that nobody can lock a staff account for everyone.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "engagements.public.proxies.client_address"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"

# Caching (engagements/caching.py): public pages and counts are computed once per version
# of the archive. Local memory in each process by default; Redis, shared by all processes
# and kept across restarts, when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0).
PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)
CACHE_TTL = int(os.environ.get("CACHE_TTL", "86400"))  # seconds; a write makes entries obsolete
CDN_MAX_AGE = int(os.environ.get("CDN_MAX_AGE", "0"))  # s-maxage: how stale a CDN may serve
# stale-while-revalidate: how long past s-maxage a cache in front may serve while it refetches.
CDN_STALE_SECONDS = int(os.environ.get("CDN_STALE_SECONDS", "0"))
# An HTTP cache in front (Varnish, a CDN) purged by surrogate key when the archive changes
# (upkeep/purge.py): its addresses, and the class that purges them.
HTTP_CACHE_PURGE_URLS = env_list("HTTP_CACHE_PURGE_URLS")
HTTP_CACHE_PURGER = os.environ.get("HTTP_CACHE_PURGER", "engagements.upkeep.purge.VarnishBan")
RELEASE = os.environ.get("RELEASE", "")  # e.g. the deployed commit; the code's hash is used too
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": CACHE_TTL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "engagement-archive"),
            # Fail fast when Redis is down: the site then computes pages itself.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": CACHE_TTL,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "500"))},
        }
    }

# Site-wide presentation settings.
ARCHIVE_PAGE_SIZE = 25
# Lists page through their first 400 pages (10,000 readouts): deeper OFFSETs get slow.
ARCHIVE_MAX_PAGES = int(os.environ.get("ARCHIVE_MAX_PAGES", "400"))
# A search counts its facets and ranks over at most its newest this many matches (as
# many as a list pages through): a word in nearly every readout then costs what a
# narrower search does, whatever the archive's size. 0: no limit.
SEARCH_SAMPLE = int(os.environ.get("SEARCH_SAMPLE", "10000"))

# Downloads. The whole archive is a file (engagements/dumps.py), rebuilt after each change
# to what the public sees; a filtered download holds at most EXPORT_ROW_LIMIT readouts.
DUMP_DIR = Path(os.environ.get("DUMP_DIR", BASE_DIR / "build" / "dumps"))
# Rebuild in a thread of the serving process that wrote; management commands (an import)
# rebuild before they finish. false: always at once, when the writer's transaction commits.
DUMPS_IN_BACKGROUND = env_bool(
    "DUMPS_IN_BACKGROUND", os.environ.get("ARCHIVE_COMMAND", "runserver") == "runserver"
)
EXPORT_ROW_LIMIT = int(os.environ.get("EXPORT_ROW_LIMIT", "10000"))
# The site's address, for the links a file built without a request holds (the full CSV).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    f"{'https' if SECURE_HTTPS else 'http'}://{ALLOWED_HOSTS[0].lstrip('.')}"
    if ALLOWED_HOSTS and ALLOWED_HOSTS[0] != "*"
    else "http://127.0.0.1:8000"
)


# -- the JSON API (engagements/api) ---------------------------------------------------------
# Read-only and public: no authentication (so no session, no Vary: Cookie, and every answer
# can be cached by its address), JSON only, errors in one shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "engagements.api.errors.handle",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Engagement Archive API",
    "DESCRIPTION": (
        "Read-only JSON over the archive's published readouts and records. The readouts' "
        "list reads the list pages' parameters; lists are paged by cursor (follow `next`); "
        "every answer has an ETag (send If-None-Match for a 304); requests are limited per "
        "client (429 with Retry-After). See the README's API section."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Requests one client may make to /api/ ("300/minute"; "" for no limit). Kept in the cache:
# shared by every worker and server with REDIS_URL, per process without it.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/minute")
CORS_ALLOW_ALL_ORIGINS = True  # for /api/ only (below): anyone's page may read the API
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After")
