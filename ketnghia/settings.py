"""Settings for Kết nghĩa, read from the environment (see .env.example and the README)."""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
import redis
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A development key exists only with DEBUG on: production must set its own.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The province this installation serves, shown in headers and titles.
PROVINCE_NAME = env.str("PROVINCE_NAME", default="Gia Lai")
# Who publishes the site, and how to reach them, in every page's footer. Without PUBLISHER the
# footer names the province's People's Committee; the contacts are shown when set.
PUBLISHER = env.str("PUBLISHER", default="")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="")
CONTACT_PHONE = env.str("CONTACT_PHONE", default="")
CONTACT_ADDRESS = env.str("CONTACT_ADDRESS", default="")
# Error reports stored in an hour, from one address and from everyone, before the form refuses
# more (ketnghia.public.error_reports).
ERROR_REPORTS_PER_HOUR = env.int("ERROR_REPORTS_PER_HOUR", default=5)
ERROR_REPORTS_PER_HOUR_ALL = env.int("ERROR_REPORTS_PER_HOUR_ALL", default=200)

INSTALLED_APPS = [
    "ketnghia.apps.KetnghiaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer's own templates, behind templates/django/forms
    "csp",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "sorl.thumbnail",
    "ketnghia.apps.AxesConfig",
    "simple_history",
    "import_export",
    "health_check",
    "huey.contrib.djhuey",
    "ketnghia.apps.KetnghiaConfig",
    "localities",
    "agreements",
    "activities",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "ketnghia.middleware.CrossOriginResourcePolicyMiddleware",
    "ketnghia.middleware.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session, CSRF and auth middleware: it sees the cookies and Vary they add.
    "ketnghia.middleware.CacheHeadersMiddleware",
    # Before the session: a public page's reads, its session's included, may go to a replica.
    "ketnghia.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware, so that its 400 is in the address's language.
    "ketnghia.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets every save in a request record its user in the history, whatever code saves it.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ketnghia.middleware.AdminInlineStylesMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketnghia.urls"
WSGI_APPLICATION = "ketnghia.wsgi.application"

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
                "ketnghia.context_processors.site",
            ],
            # The admin's lists write their rows through localities.admin_rows: Django's
            # admin_list library with its {% result_list %} replaced, under its own name.
            "libraries": {"admin_list": "ketnghia.templatetags.admin_rows"},
        },
    },
]
# Forms are rendered with the site's templates: templates/django/forms/widgets/select.html makes
# every select valid HTML (the admin's autocomplete fields are not, as Django writes them).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# templates.W003 says that two modules answer to {% load admin_list %}: the one above is
# meant to, in place of Django's.
SILENCED_SYSTEM_CHECKS = [
    "templates.W003",
    # An index's INCLUDE columns on SQLite, which has none: the index is made without them.
    "models.W040",
]

# SQLite file by default (the embedded default); PostgreSQL in production:
# DATABASE_URL=postgres://user:password@host:5432/ketnghia
# A streaming replica of it, if any, for the public pages' and dashboards' reads
# (ketnghia.replicas): DATABASE_REPLICA_URL=postgres://user:password@replica:5432/ketnghia
DATABASE_POOL = env.bool("DATABASE_POOL", default=True)


def _database(url):
    database = env.db_url_config(url)
    database["ATOMIC_REQUESTS"] = False
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable database answers /healthz with 503 within seconds, not a worker timeout.
        options.setdefault("connect_timeout", 5)
        # The dashboards count distinct agreements and localities over tens of thousands of
        # rows: sorted in memory, not in temporary files (PostgreSQL's default is 4MB), per
        # connection. JIT compiling pays off for long analytical queries, not for a page's 20
        # short ones: it added 20-40 ms to each dashboard query at national scale.
        options.setdefault(
            "options", f"-c work_mem={env.str('DATABASE_WORK_MEM', default='32MB')} -c jit=off"
        )
        if DATABASE_POOL:
            # Django's pool (psycopg_pool) instead of persistent connections: each worker keeps
            # its connections open, hands out only checked ones, and renews them every hour.
            database["CONN_MAX_AGE"] = 0
            options["pool"] = {
                "min_size": 1,
                "max_size": env.int("DATABASE_POOL_SIZE", default=8),
                "timeout": 5,
            }
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        options.update(
            {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
        )
    return database


DATABASES = {
    "default": _database(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **_database(env.str("DATABASE_REPLICA_URL")),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["ketnghia.replicas.ReplicaRouter"]
# After a request that may have written, its user's reads stay on the primary this long: long
# enough for the replica to replay the write, so that nobody misses their own change.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (Redis) when several workers run: CACHE_URL=redis://127.0.0.1:6379/1
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://ketnghia")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # While Redis does not answer, every page is computed and every save goes through
    # (ketnghia.cache); /readyz says so.
    CACHES["default"]["BACKEND"] = "ketnghia.cache.ResilientRedisCache"
# Public pages served whole from that cache until the data changes (ketnghia.pagecache); the
# seconds an unread page stays there, 0 for none. On by default with a shared cache only: with
# each process's own (locmem), a write made through one worker would not reach the pages kept
# by the others.
PAGE_CACHE_SECONDS = env.int(
    "PAGE_CACHE_SECONDS",
    default=0 if CACHES["default"]["BACKEND"].endswith("LocMemCache") else 600,
)

# What the admin's large lists compute that the data decides (a count, the years they span) is
# kept until the data changes, as the pages are (localities.admin_lists).
ADMIN_LIST_KEEPER = "ketnghia.pagecache.kept"

# Seconds an account's permissions stay in the cache (ketnghia.permissions), 0 for none: as for
# the pages, only with a shared cache, so that a change made through one process reaches all.
_shared_cache = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
PERMISSION_CACHE_SECONDS = env.int("PERMISSION_CACHE_SECONDS", default=3600 if _shared_cache else 0)
# Seconds the inbox's badge of an account stays in the cache (ketnghia.inbox.unread_count), 0
# for none: only with a shared cache, as the permissions.
INBOX_BADGE_CACHE_SECONDS = env.int(
    "INBOX_BADGE_CACHE_SECONDS", default=300 if _shared_cache else 0
)

# Background jobs (huey; `manage.py run_huey`, the ketnghia-jobs service): on Redis when
# HUEY_URL names one. Without it (development, tests) a job runs at once in the process that
# asks for it, and a job asked for later is not run (ketnghia.opendata_files says what then).
HUEY_URL = env.str("HUEY_URL", default="")
HUEY = {
    "huey_class": "huey.RedisHuey",
    # Two sites on one Redis (a test beside a running site) keep their queues apart by name.
    "name": env.str("HUEY_NAME", default="ketnghia"),
    "immediate": not HUEY_URL,
    "results": False,
    # A Redis that hangs fails a schedule or a check within seconds, not after a worker's time.
    "connection": {
        "connection_pool": redis.ConnectionPool.from_url(
            HUEY_URL, socket_timeout=5, socket_connect_timeout=2
        )
    }
    if HUEY_URL
    else {},
    # One consumer: the locks it finds at start were left by a stopped one.
    "consumer": {"workers": 1, "worker_type": "thread", "flush_locks": True},
}

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the account's permissions kept in the cache between requests.
    "ketnghia.permissions.CachedPermissionsBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The project's own catalogue first, then what Django's own Vietnamese catalogue lacks.
LOCALE_PATHS = [BASE_DIR / "ketnghia" / "locale", BASE_DIR / "ketnghia" / "locale-django"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's own "vi" format leaves digit grouping off; ours groups by "." (30.000.000).
FORMAT_MODULE_PATH = ["ketnghia.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# The open-data files (ketnghia.opendata_files, in MEDIA_ROOT/opendata/), made by a job after
# the data change, at most once in OPEN_DATA_SECONDS; sent by nginx when OPEN_DATA_ACCEL_REDIRECT
# is on (deploy/).
OPEN_DATA_SECONDS = env.int("OPEN_DATA_SECONDS", default=300)
# Written reports (ketnghia.written): at most this many photos in the appendix; a report over
# more years than REPORT_INLINE_YEARS, of the province, or with more photos than
# REPORT_INLINE_PHOTOS is made by the job queue, the others in the request.
REPORT_PHOTOS = env.int("REPORT_PHOTOS", default=12)
REPORT_INLINE_YEARS = env.int("REPORT_INLINE_YEARS", default=5)
REPORT_INLINE_PHOTOS = env.int("REPORT_INLINE_PHOTOS", default=4)
OPEN_DATA_ACCEL_REDIRECT = env.bool("OPEN_DATA_ACCEL_REDIRECT", default=False)
# This site's address, for the links written into files made outside a request (open data).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The yearly cycle (activities.reports.cycle): the day of each year by which an agreement's plan
# for the year should be approved, as DD/MM; past it, the staff in scope are reminded.
PLAN_APPROVAL_DUE = tuple(
    reversed([int(part) for part in env.str("PLAN_APPROVAL_DUE", default="31/03").split("/")])
)
# Hashed, compressed static files (run collectstatic) unless DEBUG; tests turn it off.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)


# Media (photos, legal documents, thumbnails, the open-data files) on the local disk, under
# MEDIA_ROOT, or in S3-compatible object storage (MinIO, Ceph, a cloud's) when MEDIA_S3_BUCKET is
# set: several app servers then share them. docs/deploy.md, "Several servers".
def media_storages(env):
    """STORAGES "default" and "opendata", as the environment `env` sets them."""
    bucket = env.str("MEDIA_S3_BUCKET", default="")
    if not bucket:
        local = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        return {"default": local, "opendata": local}
    custom_domain = env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None
    options = {
        "bucket_name": bucket,
        "location": env.str("MEDIA_S3_PREFIX", default="").strip("/"),
        "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("MEDIA_S3_REGION", default="") or None,
        "access_key": env.str("MEDIA_S3_ACCESS_KEY", default="") or None,
        "secret_key": env.str("MEDIA_S3_SECRET_KEY", default="") or None,
        # Addresses of the files: signed (Signature Version 4), valid for a day (far beyond a
        # page's life in the page cache and in browsers); unsigned for a public bucket behind an
        # address of its own, which django-storages never signs.
        "custom_domain": custom_domain,
        "querystring_auth": not custom_domain and env.bool("MEDIA_S3_SIGNED_URLS", default=True),
        "querystring_expire": env.int("MEDIA_S3_SIGNED_SECONDS", default=24 * 3600),
        "signature_version": "s3v4",
        "default_acl": None,
        # An upload never replaces another's file (the names are the site's own anyway)...
        "file_overwrite": False,
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        # ...but an open-data file is replaced by its new version, in one piece.
        "opendata": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "file_overwrite": True},
        },
    }


def media_origins(storages):
    """The addresses the pages load media from, besides the site's own: the object storage's,
    for the Content-Security-Policy."""
    options = storages["default"].get("OPTIONS", {})
    if "bucket_name" not in options:
        return []
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    if options["endpoint_url"]:
        return [options["endpoint_url"].rstrip("/")]
    bucket, region = options["bucket_name"], options["region_name"]
    found = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        found.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return found


STORAGES = {
    **media_storages(env),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Photos (agreements/uploads.py): refused above these before decoding, then re-encoded.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
# Legal documents (agreements/documents.py): checked by what they hold, at most this large.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# At most this many bytes in one request: of its fields (Django), and in all (413 before it is
# read, ketnghia.middleware.RequestSizeMiddleware) for staff and for anyone else.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=12 * 1024 * 1024)
ANONYMOUS_REQUEST_MAX_BYTES = env.int("ANONYMOUS_REQUEST_MAX_BYTES", default=64 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail: EMAIL_URL=smtp+tls://user:password@smtp.example.org:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ket-nghia@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env.list("ADMINS", default=[])]

# HTTPS: on in production; off for local development and the test server.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the shared cache, written to the database as well: a signed-in page costs
# no query for its session while Redis answers, and loses none when it does not.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page of the site uses these browser features: none is allowed, to this site or to anything
# it might embed (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Every script and style comes from this site; the admin's inline style attributes are allowed on
# admin pages only (ketnghia.middleware.AdminInlineStylesMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *media_origins(STORAGES)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The open-data API: read-only JSON, paginated, described by OpenAPI (drf-spectacular).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Keyset pages in each list's own order: a deep page costs what the first does.
    "DEFAULT_PAGINATION_CLASS": "ketnghia.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kết nghĩa – open data API",
    "DESCRIPTION": (
        "Published twinning agreements, localities and activities; approved annual plans, review "
        "meetings, approved figures and outcome indicators (read-only)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Fields of the same name with different choices get distinct schema names.
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "agreements.filters.STATUS_CHOICES",
        "ActivityStatusEnum": "activities.models.ActivityStatus",
        "QualifierEnum": "activities.models.Qualifier",
        "LocalityKindEnum": "localities.models.LocalityKind",
        "LegalDocumentKindEnum": "agreements.models.LegalDocumentKind",
        "EventKindEnum": "agreements.models.EventKind",
        "MeasureEnum": "activities.models.Measure",
        "IndicatorMeasureEnum": "activities.models.IndicatorMeasure",
    },
}

# Thumbnails are made once; sorl keeps the name of each in its key-value store: the database,
# behind the default cache (Redis in production), as sorl advises. A page's thumbnails cost no
# query while the cache holds them, one query per photo otherwise (a cold cache, Redis down).
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
THUMBNAIL_CACHE = "default"
THUMBNAIL_PRESERVE_FORMAT = True
THUMBNAIL_QUALITY = 82

# Login throttling (django-axes). After AXES_FAILURE_LIMIT failed logins for one username from
# one address, that pair is refused for AXES_COOLOFF_MINUTES (the same user from elsewhere, and
# other users from that address, still log in); a success clears the pair's failures. Every
# attempt is kept in the database, shown in the admin: failures (AccessFailureLog, and the
# running count in AccessAttempt) and successes (AccessLog).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# No banner at every start-up; attempts are still logged (masked) and recorded in the database.
AXES_VERBOSE = False
# The proxies in front of gunicorn (nginx on this machine; add a load balancer's addresses), as
# addresses or networks. X-Forwarded-For is read only from them: a client that reaches gunicorn
# any other way is known by its own address, whatever header it sends.
TRUSTED_PROXIES = [
    ipaddress.ip_network(network.strip(), strict=False)
    for network in env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
]


def _is_trusted_proxy(address):
    return any(address in network for network in TRUSTED_PROXIES)


def _client_ip_behind_proxy(request):
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy; then the nearest
    X-Forwarded-For entry, from the right, that is not a trusted proxy (entries further left were
    sent by the client and may be forged). An entry that is no address stops the walk at the
    last proxy seen."""
    remote = request.META.get("REMOTE_ADDR")
    try:
        seen = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        if not _is_trusted_proxy(seen):
            break
        try:
            seen = ipaddress.ip_address(entry.strip())
        except ValueError:
            break
    return str(seen)


# Without a proxy, django-axes takes REMOTE_ADDR, which the client cannot choose.
AXES_CLIENT_IP_CALLABLE = _client_ip_behind_proxy if BEHIND_PROXY else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint tells each step of each PDF at INFO: only its warnings are kept.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Excel import and export (activities/resources.py): an import is one transaction, so a file
# with a bad row writes nothing; only a superuser or a holder of the model's permissions
# imports and exports.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
