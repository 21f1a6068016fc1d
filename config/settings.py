"""One settings module for every deployment; each value comes from the environment.

Defaults are safe for production (DEBUG off, no development keys); `make run` and
`make setup` switch on the embedded development defaults through the environment
(see the Makefile). Secrets can also be read from `<NAME>_FILE`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def secret(name: str, default: str = "") -> str:
    """A secret from `NAME`, else from the file named by `NAME_FILE`, else `default`."""
    value = env.str(name, default="")
    if value:
        return value
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return default


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = secret(
    "DJANGO_SECRET_KEY", default="django-insecure-development-only" if DEBUG else ""
)
if not SECRET_KEY:
    # Refuse to start at all rather than serve a 500 to every request.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Thiếu DJANGO_SECRET_KEY (hoặc DJANGO_SECRET_KEY_FILE): đặt một khóa ngẫu nhiên dài trước "
        "khi chạy ở chế độ sản xuất. / DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required "
        "outside development (DJANGO_DEBUG=1)."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "registry.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_cotton.apps.SimpleAppConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "guardian",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "registry",
    "outreach",
    "api",
]

MIDDLEWARE = [
    "registry.middleware.MetricsMiddleware",
    # Probes answer for the node's own addresses, whatever DJANGO_ALLOWED_HOSTS says.
    "config.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from gunicorn (after collectstatic); a proxy may serve them instead.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registry.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "registry.middleware.StaleKeyringMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' own rule).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.navigation.workspace",
            ],
            # Components (django-cotton, templates/cotton/) compiled once and cached with the rest.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django_cotton.cotton_loader.Loader",
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "builtins": [
                "django_cotton.templatetags.cotton",
                "django.templatetags.i18n",
                "django.templatetags.static",
                "registry.templatetags.workspace",
            ],
        },
    },
]
# Every form renders with GOV.UK Frontend's markup (templates/forms/).
FORM_RENDERER = "registry.forms.common.GovukRenderer"

# SQLite in var/ is the embedded default for `make run`; tests and production use PostgreSQL.
_DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": env.db_url_config(_DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# One connection per worker thread, kept between requests (issue 20: a new connection per request
# cost a TCP and authentication round trip on every page), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two roles on PostgreSQL (registry/dbroles.py, docs/security.md): the owner migrates
# (DATABASE_OWNER_URL, else DATABASE_URL); the default connection — web, workers, every command
# but migrate — logs in as the runtime role, which cannot alter or rewrite the audit tables.
# DATABASE_RUNTIME_USER="" runs everything as one role (not recommended).
DATABASE_OWNER = env.db_url_config(env.str("DATABASE_OWNER_URL", default=_DATABASE_URL))
DATABASE_RUNTIME_USER = env.str("DATABASE_RUNTIME_USER", default="cdht_app")
DATABASE_RUNTIME_PASSWORD_FILE = env.str(
    "DATABASE_RUNTIME_PASSWORD_FILE", default=str(VAR_DIR / "keys" / "database-runtime-password")
)
DATABASE_RUNTIME_PASSWORD = env.str("DATABASE_RUNTIME_PASSWORD", default="") or (
    Path(DATABASE_RUNTIME_PASSWORD_FILE).read_text(encoding="utf-8").strip()
    if Path(DATABASE_RUNTIME_PASSWORD_FILE).is_file()
    else ""
)
if (
    "postgresql" in DATABASES["default"]["ENGINE"]
    and DATABASE_RUNTIME_USER
    and DATABASES["default"].get("USER") != DATABASE_RUNTIME_USER
):
    DATABASES["default"].update(USER=DATABASE_RUNTIME_USER, PASSWORD=DATABASE_RUNTIME_PASSWORD)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.User"

# --- Sign-in (DESIGN.md section 4) ------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out username+IP pairs
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "account-login"
LOGIN_REDIRECT_URL = "home"
# Lock the username+IP pair, not the username alone: nobody can lock a real officer out from
# elsewhere by guessing at their name.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked.html"
# How many proxies in front of gunicorn append to X-Forwarded-For (the TLS proxy: 1). The client
# address comes from there for axes, the public site's limits and the logs (registry/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "registry.client_ip.client_ip"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Con đường hướng thiện"
# Sessions end after 15 idle minutes and 8 hours after sign-in at most
# (registry.middleware.SessionLimitsMiddleware). The session is not written on every request
# (issue 20: that was a database UPDATE per page): the middleware notes the last activity at most
# once per SESSION_TOUCH_SECONDS, so the idle limit is exact to within that minute, and the stored
# row's expiry (SESSION_COOKIE_AGE from its last save) always outlives the idle limit.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
# The header's and home page's figures are kept this long per user (registry/counts.py), and
# counted afresh after the user's own changes; 0 counts them on every page.
COUNTS_SECONDS = env.int("COUNTS_SECONDS", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + SESSION_TOUCH_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP to the node
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- API (DRF) ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiTokenAuthentication",
        "api.auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NewestFirstCursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.SafeJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.PolicyFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "api.auth.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="600/min"),
        "token": env.str("API_RATE_TOKEN", default="300/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# API tokens live at most this many days (manage.py api_token issue --days).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=90)
SPECTACULAR_SETTINGS = {
    "TITLE": "Con đường hướng thiện — API sổ theo dõi tái hòa nhập",
    "DESCRIPTION": "Registry API of the Sơn La reintegration registry. Every read is scoped "
    "by role "
    "and audited; objects outside your scope answer 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MilestoneKindEnum": "registry.models.cases.CaseMilestone.Kind",
        "NoteKindEnum": "registry.models.cases.CaseNote.Kind",
        "AgencyKindEnum": "registry.models.places.Agency.Kind",
        "CloseReasonEnum": "registry.models.cases.Case.CloseReason",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# In development static files come straight from the apps; `DJANGO_STATIC_FROM_ROOT=1` serves the
# collected, compressed copies as production does (the browser tests measure page weight so).
WHITENOISE_USE_FINDERS = DEBUG and not env.bool("DJANGO_STATIC_FROM_ROOT", default=False)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
# collectstatic writes gzip and brotli copies beside each file; gunicorn (whitenoise) serves them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = env.int("STATIC_MAX_AGE_SECONDS", default=3600)

# --- Field encryption (DESIGN.md section 5) -------------------------------------------------
# Keys never derive from SECRET_KEY. FIELD_ENCRYPTION_KEYS is "id:base64key,id:base64key" with the
# primary key first and older decrypt-only keys after it; BLIND_INDEX_KEY is one base64 key.
# Both can instead come from a JSON keyring file (see registry/crypto.py for its shape).
FIELD_ENCRYPTION_KEYS = secret("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = secret("BLIND_INDEX_KEY")
KEYRING_FILE = env.str("KEYRING_FILE", default=str(VAR_DIR / "keys" / "keyring.json"))
# Only for development: create KEYRING_FILE with fresh random keys when no key is configured.
ENCRYPTION_DEV_KEYS = env.bool("ENCRYPTION_DEV_KEYS", default=DEBUG)
# Every process checks its keyring against the key ids the database uses at most this often
# (registry/services/keys.py): a process whose keyring lacks one, or whose primary is not the
# newest, answers /readyz 503 and refuses to seal new values. rotate_encryption_keys waits this
# long after announcing a new primary, so that every running process has seen it.
KEYRING_CHECK_SECONDS = env.float("KEYRING_CHECK_SECONDS", default=5.0)

# --- Audit (registry/audit.py, docs/security.md) ----------------------------------------------
# HMAC key of the access log's hash chain (base64, 32 bytes), outside the database; unset = one
# derived from the blind-index key. Give the verifier (verify_audit_chain) the same key.
AUDIT_CHAIN_KEY = secret("AUDIT_CHAIN_KEY")
# Refusals on personal-data routes: one "denied" row per user × route × status per window.
AUDIT_DENIED_WINDOW_SECONDS = env.int("AUDIT_DENIED_WINDOW_SECONDS", default=600)
# Existence is a read (docs/existence.md): how many people outside their scope a user may learn
# are registered (a notice, an ID change, an import's dry run) per day.
EXISTENCE_READS_PER_DAY = env.int("EXISTENCE_READS_PER_DAY", default=10)
# How many days back the daily verify_audit_chain run (beat) checks.
AUDIT_CHAIN_VERIFY_DAYS = env.int("AUDIT_CHAIN_VERIFY_DAYS", default=2)

# A prison notice comes about two months before release (Law 41/2019 art. 46(1)); a release date
# further in the future than this is refused as a typing mistake.
RELEASE_NOTICE_WINDOW_DAYS = env.int("RELEASE_NOTICE_WINDOW_DAYS", default=92)

# Retention (registry/services/retention.py): days after a case closed by expungement is archived
# before its person's identifying fields are erased. Not fixed by a confirmed text (LAW.md §5).
RETENTION_MINIMISE_AFTER_DAYS = env.int("RETENTION_MINIMISE_AFTER_DAYS", default=365)

# Import of release notices (registry/imports.py): limits that refuse a file before reading it.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50_000_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=400_000_000)
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000

# How often the commune police should see each group of the quarterly classification (HCD-09), in
# days; our policy, not law — tune per province. Group D is in custody or treatment: no visits due.
CONTACT_CADENCE_DAYS = env.json("CONTACT_CADENCE_DAYS", default={"A": 90, "B": 30, "C": 14})
EXPUNGEMENT_LOOKAHEAD_DAYS = env.int("EXPUNGEMENT_LOOKAHEAD_DAYS", default=60)

# --- Background work (Celery) -----------------------------------------------------------------
# Without a broker (the embedded default) tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues kept apart so that a flood of one kind never starves another; one beat for all.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "outreach.dispatch": {"queue": "sending"},
    "outreach.sweep": {"queue": "retries"},
    "outreach.poll_gateway": {"queue": "retries"},
    "outreach.write_outbox": {"queue": "default"},
    "outreach.schedule_events": {"queue": "default"},
    "outreach.heartbeat": {"queue": "default"},
    "registry.escalate_overdue_referrals": {"queue": "default"},
    "registry.apply_retention": {"queue": "default"},
    "registry.verify_audit_chain": {"queue": "default"},
    "registry.import_check": {"queue": "default"},
    "registry.import_commit": {"queue": "default"},
    "registry.supervision_daily": {"queue": "default"},
}
OUTREACH_DISPATCH_EVERY_SECONDS = env.float("OUTREACH_DISPATCH_EVERY_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE = {
    "dispatch": {
        "task": "outreach.dispatch",
        "schedule": OUTREACH_DISPATCH_EVERY_SECONDS,
        "options": {"expires": OUTREACH_DISPATCH_EVERY_SECONDS * 2},
    },
    "sweep": {
        "task": "outreach.sweep",
        "schedule": env.float("OUTREACH_SWEEP_EVERY_SECONDS", default=5.0),
        "options": {"expires": 60},
    },
    "schedule-events": {"task": "outreach.schedule_events", "schedule": 3600.0},
    "poll-gateway": {
        "task": "outreach.poll_gateway",
        "schedule": env.float("OUTREACH_GATEWAY_POLL_EVERY_SECONDS", default=300.0),
        "options": {"expires": 300},
    },
    "heartbeat": {"task": "outreach.heartbeat", "schedule": 30.0, "options": {"expires": 30}},
    "escalate-overdue-referrals": {
        "task": "registry.escalate_overdue_referrals",
        "schedule": 3600.0,
    },
    "apply-retention": {"task": "registry.apply_retention", "schedule": 24 * 3600.0},
    "verify-audit-chain": {"task": "registry.verify_audit_chain", "schedule": 24 * 3600.0},
    # Hourly: idempotent (one task per case and deadline, one escalation per transfer).
    "supervision-daily": {"task": "registry.supervision_daily", "schedule": 3600.0},
}
# Rate-limit buckets and quotas shared by every worker; empty = in-process (embedded default).
REDIS_URL = env.str(
    "REDIS_URL", default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else ""
)

# --- Outreach (DESIGN.md section 3, domain/MESSAGING.md) -------------------------------------
# The public address providers call back (Twilio signs this URL; never the Host header).
OUTREACH_PUBLIC_BASE_URL = env.str("OUTREACH_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
OUTREACH_SEND_WINDOW = env.str("OUTREACH_SEND_WINDOW", default="07:00-22:00")
OUTREACH_DAILY_CAP_PER_PERSON = env.int("OUTREACH_DAILY_CAP_PER_PERSON", default=3)
OUTREACH_SMS_MAX_SEGMENTS = env.int("OUTREACH_SMS_MAX_SEGMENTS", default=3)
PUBLIC_HOTLINE = env.str("PUBLIC_HOTLINE", default="")
# What ((hotline)) becomes in a message; a campaign whose text uses it cannot be submitted while
# it is empty.
OUTREACH_HOTLINE = env.str("OUTREACH_HOTLINE", default=PUBLIC_HOTLINE)
OUTREACH_OPT_OUT_TEXT = env.str(
    "OUTREACH_OPT_OUT_TEXT",
    default="Từ chối nhận tin: báo Công an xã hoặc vào trang Con đường hướng thiện.",
)
# Per sender: messages per second and a daily quota (ZNS starts at 5,000/day); operators' data.
OUTREACH_SENDERS = env.json(
    "OUTREACH_SENDERS",
    default={
        "sms": {"rate": 10, "daily_quota": None},
        "zalo_zns": {"rate": 10, "daily_quota": 5000},
        "zalo_oa": {"rate": 10, "daily_quota": None},
    },
)
OUTREACH_LIMIT_PREFIX = env.str("OUTREACH_LIMIT_PREFIX", default="outreach")
OUTREACH_BATCH_SIZE = env.int("OUTREACH_BATCH_SIZE", default=100)
# A short lease that live workers renew (every OUTREACH_LEASE_RENEW_SECONDS while they send): the
# rows a dead worker claimed are swept back within about a lease, never sent while another holds
# them. The margin must exceed OUTREACH_HTTP_TIMEOUT (a send started must end inside the lease).
OUTREACH_LEASE_SECONDS = env.int("OUTREACH_LEASE_SECONDS", default=15)
OUTREACH_LEASE_MARGIN_SECONDS = env.float("OUTREACH_LEASE_MARGIN_SECONDS", default=11.0)
OUTREACH_LEASE_RENEW_SECONDS = env.float("OUTREACH_LEASE_RENEW_SECONDS", default=3.0)
OUTREACH_UNKNOWN_GRACE_SECONDS = env.int("OUTREACH_UNKNOWN_GRACE_SECONDS", default=300)
OUTREACH_RETRY_BASE_SECONDS = env.float("OUTREACH_RETRY_BASE_SECONDS", default=30.0)
OUTREACH_RETRY_MAX_SECONDS = env.float("OUTREACH_RETRY_MAX_SECONDS", default=300.0)
OUTREACH_RETRY_WINDOW_SECONDS = env.float("OUTREACH_RETRY_WINDOW_SECONDS", default=4 * 3600.0)
OUTREACH_MAX_ATTEMPTS = env.int("OUTREACH_MAX_ATTEMPTS", default=48)
OUTREACH_DISPATCH_BUDGET_SECONDS = env.float("OUTREACH_DISPATCH_BUDGET_SECONDS", default=50.0)
OUTREACH_DISPATCH_FANOUT = env.int("OUTREACH_DISPATCH_FANOUT", default=2)
OUTREACH_HTTP_TIMEOUT = env.float("OUTREACH_HTTP_TIMEOUT", default=10.0)
# People created by seed_demo have random real-looking numbers: real channels never reach them.
OUTREACH_SEND_TO_DEMO = env.bool("OUTREACH_SEND_TO_DEMO", default=False)
OUTREACH_SMS_ACCEPTS_REPLIES = env.bool("OUTREACH_SMS_ACCEPTS_REPLIES", default=False)

# The strict cap is counted under a PostgreSQL advisory lock per person (this key's namespace).
OUTREACH_CAP_LOCK_NAMESPACE = env.int("OUTREACH_CAP_LOCK_NAMESPACE", default=19019)
# Carrier prefixes (JSON, carrier → ["032", …]); empty = the table in outreach/carriers.py.
OUTREACH_CARRIER_PREFIXES = env.json("OUTREACH_CARRIER_PREFIXES", default={})

# The Vietnamese brandname gateway (MESSAGING.md section 10): set OUTREACH_SMS_GATEWAY to a
# profile name ("esms", "speedsms") to send SMS to Vietnamese mobiles through it; Twilio (when
# configured) carries the rest and takes over when the gateway cannot reach a number.
OUTREACH_SMS_GATEWAY = env.str("OUTREACH_SMS_GATEWAY", default="")
OUTREACH_GATEWAY_PROFILES = env.json("OUTREACH_GATEWAY_PROFILES", default={})
OUTREACH_GATEWAY_BASE_URL = env.str("OUTREACH_GATEWAY_BASE_URL", default="")
OUTREACH_GATEWAY_API_KEY = secret("OUTREACH_GATEWAY_API_KEY")
OUTREACH_GATEWAY_SECRET_KEY = secret("OUTREACH_GATEWAY_SECRET_KEY")
OUTREACH_GATEWAY_BRANDNAME = env.str("OUTREACH_GATEWAY_BRANDNAME", default="")
OUTREACH_GATEWAY_SMS_TYPE = env.str("OUTREACH_GATEWAY_SMS_TYPE", default="care")  # or "ads"
OUTREACH_GATEWAY_UNICODE = env.bool("OUTREACH_GATEWAY_UNICODE", default=False)
OUTREACH_GATEWAY_SANDBOX = env.bool("OUTREACH_GATEWAY_SANDBOX", default=False)
# A gateway message with no final status this long after it was accepted is polled.
OUTREACH_GATEWAY_POLL_AFTER_SECONDS = env.int("OUTREACH_GATEWAY_POLL_AFTER_SECONDS", default=1800)
OUTREACH_GATEWAY_POLL_BATCH = env.int("OUTREACH_GATEWAY_POLL_BATCH", default=500)
# Gateway reports are kept 7 days (eSMS GetSendStatus); older messages stay "sent".
OUTREACH_GATEWAY_POLL_MAX_AGE_SECONDS = env.int(
    "OUTREACH_GATEWAY_POLL_MAX_AGE_SECONDS", default=7 * 24 * 3600
)
# On the embedded default (DEBUG and the console channel) staff can read the console channel's
# last messages at /outreach/console/; never in production (DEBUG off answers 404).
OUTREACH_CONSOLE_PAGE = env.bool("OUTREACH_CONSOLE_PAGE", default=DEBUG)

# Zalo OA linking: a person sends a one-time code to the Official Account (or scans a QR code).
ZALO_OA_ID = env.str("ZALO_OA_ID", default="")
ZALO_LINK_CODE_HOURS = env.int("ZALO_LINK_CODE_HOURS", default=72)
ZALO_LINK_ATTEMPTS_PER_HOUR = env.int("ZALO_LINK_ATTEMPTS_PER_HOUR", default=5)

# Twilio: set TWILIO_ACCOUNT_SID to send real SMS (else the console channel).
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = secret("TWILIO_AUTH_TOKEN")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
TWILIO_VALIDITY_PERIOD = env.int("TWILIO_VALIDITY_PERIOD", default=14400)

# Zalo: set ZALO_APP_ID to send through Zalo (else the console channel).
ZALO_APP_ID = env.str("ZALO_APP_ID", default="")
ZALO_APP_SECRET = secret("ZALO_APP_SECRET")
ZALO_OA_SECRET = secret("ZALO_OA_SECRET")
ZALO_OAUTH_BASE_URL = env.str("ZALO_OAUTH_BASE_URL", default="https://oauth.zaloapp.com")
ZALO_OPENAPI_BASE_URL = env.str("ZALO_OPENAPI_BASE_URL", default="https://openapi.zalo.me")
ZALO_BUSINESS_BASE_URL = env.str(
    "ZALO_BUSINESS_BASE_URL", default="https://business.openapi.zalo.me"
)
ZALO_ZNS_MODE = env.str("ZALO_ZNS_MODE", default="")  # "development" reaches OA admins only
ZALO_TOKEN_REFRESH_MARGIN_SECONDS = env.int("ZALO_TOKEN_REFRESH_MARGIN_SECONDS", default=300)

# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>"; unset = no endpoint.
METRICS_TOKEN = secret("METRICS_TOKEN")
# Request latencies reach the shared Redis hash at most this often per process
# (registry/metrics.py).
METRICS_FLUSH_SECONDS = env.float("METRICS_FLUSH_SECONDS", default=5.0)

# --- Public website (issue 7) ------------------------------------------------------------------
PUBLIC_QUESTION_RATE_PER_HOUR = env.int("PUBLIC_QUESTION_RATE_PER_HOUR", default=5)
PUBLIC_CODE_RATE_PER_HOUR = env.int("PUBLIC_CODE_RATE_PER_HOUR", default=3)
PUBLIC_FANPAGE_URL = env.str("PUBLIC_FANPAGE_URL", default="https://www.facebook.com/")
PUBLIC_YOUTUBE_URL = env.str("PUBLIC_YOUTUBE_URL", default="https://www.youtube.com/")
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)
ZALO_OTP_TEMPLATE_ID = env.str("ZALO_OTP_TEMPLATE_ID", default="")
# Rate-limit counters of the public site are shared by every web process through Redis.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cdht",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# JSON lines in production (LOG_FORMAT=json), readable lines in development; personal data is
# redacted from every line either way (config/logging.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactingFilter"}},
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {
            "()": "config.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The Twilio SDK logs whole requests (numbers, bodies) at INFO: never let it.
    "loggers": {
        "axes": {"level": "WARNING"},
        "twilio": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # the PDF reports subset their fonts
    },
}
