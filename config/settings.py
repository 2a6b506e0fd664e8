"""Django settings for Siaga.

Everything a deployment may change is read from SIAGA_* environment variables (see
docs/settings.md). The defaults run the embedded demo safely on a laptop: SQLite in ./var,
DEBUG off, only loopback hosts allowed.
"""

import secrets
from pathlib import Path

import dj_database_url

from config.env import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("SIAGA_DATA_DIR", str(BASE_DIR / "var"))).resolve()
NODE_MODULES = Path(env("SIAGA_NODE_MODULES", str(BASE_DIR / "node_modules"))).resolve()

PRODUCTION = env("SIAGA_ENV", "demo") == "production"
DEBUG = env("SIAGA_DEBUG", False, cast=bool)


def _secret_key() -> str:
    """SIAGA_SECRET_KEY in production; for the demo a random key kept in the data folder."""
    key = env("SIAGA_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SIAGA_SECRET_KEY must be set when SIAGA_ENV=production")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env("SIAGA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], cast=list)
CSRF_TRUSTED_ORIGINS = env("SIAGA_CSRF_TRUSTED_ORIGINS", [], cast=list)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks_db",
    "siaga.core",
    "siaga.accounts",
    "siaga.wilayah",
    "siaga.logistics",
    "siaga.notifications",
    "siaga.incidents",
    "siaga.checklists",
    "siaga.voters",
    "siaga.media",
    "siaga.risk",
    "siaga.security",
    "siaga.postelection",
    "siaga.coordination",
    "siaga.reports",
    "siaga.dashboard",
    "siaga.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "siaga.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "siaga.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "siaga.core.context_processors.siaga",
                "siaga.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("SIAGA_DATABASE_URL", f"sqlite:///{DATA_DIR / 'siaga.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the map be read while an import writes; IMMEDIATE avoids lock upgrades mid-write.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, login throttling --------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "siaga.accounts.backends.PeopleOnlyBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:situation-room"
LOGOUT_REDIRECT_URL = "login"
# Lock out a (username, IP) pair, never a whole IP: many monitors share one carrier IP.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env("SIAGA_LOGIN_FAILURE_LIMIT", 5, cast=int)
AXES_COOLOFF_TIME = env("SIAGA_LOGIN_COOLOFF_MINUTES", 15, cast=int) / 60
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env("SIAGA_PROXY_COUNT", 0, cast=int)
# Trust X-Forwarded-For only behind a known number of proxies, or a client could pick its own IP.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False
SESSION_COOKIE_AGE = env("SIAGA_SESSION_AGE_MINUTES", 480, cast=int) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation: Bahasa Indonesia first, English as the alternative ---------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "siaga" / "locale"]
TIME_ZONE = env("SIAGA_TIME_ZONE", "Asia/Makassar")  # Kutai Timur keeps WITA
USE_I18N = True
USE_TZ = True

# --- Static files: our own plus the front-end packages installed by npm ---------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("SIAGA_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it; files come from finders
VENDOR_ASSETS = {
    "leaflet": NODE_MODULES / "leaflet" / "dist",
    "markercluster": NODE_MODULES / "leaflet.markercluster" / "dist",
    "htmx": NODE_MODULES / "htmx.org" / "dist",
    "chartjs": NODE_MODULES / "chart.js" / "dist",
}
STATICFILES_DIRS = [
    (f"vendor/{name}", path) for name, path in VENDOR_ASSETS.items() if path.is_dir()
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = (
    True  # serve straight from app folders and node_modules, no collectstatic needed
)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env("SIAGA_SSL_REDIRECT", True, cast=bool)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env("SIAGA_HSTS_SECONDS", 31536000, cast=int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Siaga ----------------------------------------------------------------------------------
SIAGA_REGENCY_CODE = env("SIAGA_REGENCY_CODE", "64.08")
SIAGA_WILAYAH_DATA_DIR = Path(
    env("SIAGA_WILAYAH_DATA_DIR", str(NODE_MODULES / "idn-area-data" / "data"))
)
SIAGA_MAP_TILE_URL = env("SIAGA_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SIAGA_MAP_TILE_ATTRIBUTION = env(
    "SIAGA_MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
SIAGA_API_PAGE_SIZE = env("SIAGA_API_PAGE_SIZE", 100, cast=int)

# --- Caches (rate limits of the public channels): a folder on one machine, Redis for many ---
_CACHE_URL = env("SIAGA_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}

# --- Background jobs (imports, linkage): Django's tasks in the database, one worker process --
# `siaga serve` starts the worker beside gunicorn; `siaga manage db_worker` runs one alone.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SIAGA_TASK_WORKER = env("SIAGA_TASK_WORKER", True, cast=bool)

# --- Voter roll: uploaded DPT files and the double-registration search ---------------------
SIAGA_DPT_UPLOAD_MAX_MB = env("SIAGA_DPT_UPLOAD_MAX_MB", 1024, cast=int)
SIAGA_VOTER_CHECKS_PER_MINUTE = env("SIAGA_VOTER_CHECKS_PER_MINUTE", 30, cast=int)

# --- Uploads: photos and videos attached to reports and checklists --------------------------
SIAGA_UPLOAD_MAX_MB = env("SIAGA_UPLOAD_MAX_MB", 10, cast=int)
DATA_UPLOAD_MAX_MEMORY_SIZE = (SIAGA_UPLOAD_MAX_MB + 1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Incidents: SLA per severity, public form limits, messaging channels --------------------
INCIDENT_SLA_HOURS = {
    "kritis": env("SIAGA_SLA_CRITICAL_HOURS", 1, cast=int),
    "tinggi": env("SIAGA_SLA_HIGH_HOURS", 4, cast=int),
    "sedang": env("SIAGA_SLA_MEDIUM_HOURS", 24, cast=int),
    "rendah": env("SIAGA_SLA_LOW_HOURS", 72, cast=int),
}
SIAGA_PUBLIC_REPORTS_PER_HOUR = env("SIAGA_PUBLIC_REPORTS_PER_HOUR", 5, cast=int)
SIAGA_TELEGRAM_BOT_TOKEN = env("SIAGA_TELEGRAM_BOT_TOKEN", "")
SIAGA_TELEGRAM_WEBHOOK_SECRET = env("SIAGA_TELEGRAM_WEBHOOK_SECRET", "")
# Where Telegram notifications are sent: Telegram's Bot API, or a local Bot API server.
SIAGA_TELEGRAM_API_BASE = env("SIAGA_TELEGRAM_API_BASE", "https://api.telegram.org")
SIAGA_SMS_WEBHOOK_SECRET = env("SIAGA_SMS_WEBHOOK_SECRET", "")
SIAGA_WHATSAPP_APP_SECRET = env("SIAGA_WHATSAPP_APP_SECRET", "")
SIAGA_WHATSAPP_VERIFY_TOKEN = env("SIAGA_WHATSAPP_VERIFY_TOKEN", "")
# Replies to WhatsApp reporters: queued only when both the token and the phone number id are set.
SIAGA_WHATSAPP_API_BASE = env("SIAGA_WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0")
SIAGA_WHATSAPP_PHONE_NUMBER_ID = env("SIAGA_WHATSAPP_PHONE_NUMBER_ID", "")
SIAGA_WHATSAPP_ACCESS_TOKEN = env("SIAGA_WHATSAPP_ACCESS_TOKEN", "")

# --- Notifications: the in-app inbox always; email and Telegram when configured -------------
SIAGA_NOTIFY_CHANNELS = env("SIAGA_NOTIFY_CHANNELS", ["inbox"], cast=list)
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env("SIAGA_EMAIL_HOST", "localhost"),
            "port": env("SIAGA_EMAIL_PORT", 25, cast=int),
            "username": env("SIAGA_EMAIL_USER", ""),
            "password": env("SIAGA_EMAIL_PASSWORD", ""),
            "use_tls": env("SIAGA_EMAIL_TLS", False, cast=bool),
            "timeout": 20,
        },
    }
}
DEFAULT_FROM_EMAIL = env("SIAGA_EMAIL_FROM", "siaga@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("SIAGA_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Social-media monitoring (siaga.media)
# The text model: trained from the shipped seed corpus on first use, retrained with analysts'
# decisions by `siaga media retrain`.
SIAGA_MEDIA_MODEL_DIR = Path(env("SIAGA_MEDIA_MODEL_DIR", str(DATA_DIR / "media-model")))
# A post is linked to a debunk when their similarity reaches this (0-1).
SIAGA_MEDIA_MATCH_THRESHOLD = env("SIAGA_MEDIA_MATCH_THRESHOLD", 0.45, cast=float)
# Narratives stay open to new posts for this many days after their last post.
SIAGA_MEDIA_NARRATIVE_DAYS = env("SIAGA_MEDIA_NARRATIVE_DAYS", 7, cast=int)
# Spike alerts: the last N hours compared with the 24 hours before them, one-sided Poisson test.
SIAGA_MEDIA_SPIKE_HOURS = env("SIAGA_MEDIA_SPIKE_HOURS", 3, cast=int)
SIAGA_MEDIA_SPIKE_MIN_POSTS = env("SIAGA_MEDIA_SPIKE_MIN_POSTS", 5, cast=int)
SIAGA_MEDIA_SPIKE_ALPHA = env("SIAGA_MEDIA_SPIKE_ALPHA", 0.01, cast=float)
# Largest file of posts or debunks an analyst may upload.
SIAGA_MEDIA_UPLOAD_MAX_MB = env("SIAGA_MEDIA_UPLOAD_MAX_MB", 200, cast=int)
# Largest crawler webhook body (posts are sent in batches of at most 1,000).
SIAGA_MEDIA_WEBHOOK_MAX_MB = env("SIAGA_MEDIA_WEBHOOK_MAX_MB", 5, cast=int)
# Platform connectors: name -> dotted path of a class implementing
# siaga.media.connectors.base.Connector. RSS is built in; a deployment adds its own as
# SIAGA_MEDIA_CONNECTORS="x=myorg.crawlers.XConnector,tiktok=myorg.crawlers.TikTok".
SIAGA_MEDIA_CONNECTORS = {
    "rss": "siaga.media.connectors.rss.RssConnector",
    **dict(
        item.split("=", 1) for item in env("SIAGA_MEDIA_CONNECTORS", [], cast=list) if "=" in item
    ),
}

# Vulnerability index and early warning (siaga.risk)
# Score thresholds (0-100) of the categories rawan and sangat rawan.
SIAGA_RISK_RAWAN = env("SIAGA_RISK_RAWAN", 25.0, cast=float)
SIAGA_RISK_SANGAT_RAWAN = env("SIAGA_RISK_SANGAT_RAWAN", 50.0, cast=float)
# Opening the situation room queues a recomputation when the last one is older than this.
SIAGA_RISK_MAX_AGE_MINUTES = env("SIAGA_RISK_MAX_AGE_MINUTES", 15, cast=int)
# Live signals (verified incidents, posts) count for this many days.
SIAGA_RISK_WINDOW_DAYS = env("SIAGA_RISK_WINDOW_DAYS", 14, cast=int)
# Trend alerts: the last 24 hours of an area against the N days before, at this significance.
SIAGA_RISK_TREND_DAYS = env("SIAGA_RISK_TREND_DAYS", 7, cast=int)
SIAGA_RISK_TREND_ALPHA = env("SIAGA_RISK_TREND_ALPHA", 0.01, cast=float)
SIAGA_RISK_TREND_MIN_COUNT = env("SIAGA_RISK_TREND_MIN_COUNT", 3, cast=int)
# Cluster alerts: at least N related incidents within R km and H hours of each other.
SIAGA_RISK_CLUSTER_MIN = env("SIAGA_RISK_CLUSTER_MIN", 3, cast=int)
SIAGA_RISK_CLUSTER_KM = env("SIAGA_RISK_CLUSTER_KM", 3.0, cast=float)
SIAGA_RISK_CLUSTER_HOURS = env("SIAGA_RISK_CLUSTER_HOURS", 6.0, cast=float)
# Where the live values come from: dotted paths of siaga.risk.providers.Provider classes. A
# provider whose module is not installed provides nothing.
SIAGA_RISK_PROVIDERS = env(
    "SIAGA_RISK_PROVIDERS",
    [
        "siaga.risk.providers.VotersProvider",
        "siaga.risk.providers.IncidentsProvider",
        "siaga.risk.providers.LogisticsProvider",
        "siaga.risk.providers.MediaProvider",
        "siaga.risk.providers.ChecklistsProvider",
        "siaga.risk.providers.WilayahProvider",
    ],
    cast=list,
)

# Coordination (siaga.coordination): a task's assignee is reminded this many hours before it is
# due (`siaga coordination sweep`); once overdue it is escalated to the agency head.
SIAGA_TASK_REMIND_HOURS = env("SIAGA_TASK_REMIND_HOURS", 24, cast=int)

# Daily situation report (siaga.reports): generated and distributed at this local hour by
# `siaga reports daily`; the letterhead lines ("line 1|line 2") and an image for its logo.
SIAGA_REPORT_HOUR = env("SIAGA_REPORT_HOUR", 7, cast=int)
SIAGA_REPORT_LETTERHEAD = env("SIAGA_REPORT_LETTERHEAD", "")
SIAGA_REPORT_LOGO = env("SIAGA_REPORT_LOGO", "")
