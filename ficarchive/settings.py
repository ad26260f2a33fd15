"""Django settings for ficarchive. Every value comes from ficarchive.config's typed helpers."""

from __future__ import annotations

from pathlib import Path

from ficarchive.config import (
    cache_from_url,
    database_from_url,
    email_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
    site_url,
)
from ficarchive.storage import check_data_folder, private_database
from ficarchive.texts.sanitize import DEFAULT_EMBED_HOSTS, frame_sources

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("FICARCHIVE_DATA", Path.cwd() / "data")
# Before anything is written there: one line saying the folder cannot be written, not a traceback.
check_data_folder(DATA_DIR)

SECRET_KEY = env_secret("SECRET_KEY", DATA_DIR / "secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "ficarchive")
# Downloaded files and emails are made outside a request, so their links need the public address:
# SITE_URL, or where `ficarchive serve` listens (HOST and PORT; `serve --port` sets it too).
SITE_URL = site_url()
REGISTRATION = env_choice("REGISTRATION", "open", ("open", "invite", "closed"))
# Email (subscription updates and digests): printed to the console unless an SMTP URL is given.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ficarchive@localhost")
EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS = (
    email_from_url(env_str("EMAIL_URL", ""))
)
# Log-in and sign-up limits (ficarchive.accounts.throttle): wrong passwords allowed per account
# from one address, from one address for any accounts, and for one account from everywhere,
# before each further try waits (2, 4, 8 … seconds, up to the longest delay); accounts one
# address may create in a day.
LOGIN_ATTEMPTS = env_int("LOGIN_ATTEMPTS", 5, minimum=1)
LOGIN_ADDRESS_ATTEMPTS = env_int("LOGIN_ADDRESS_ATTEMPTS", 50, minimum=1)
LOGIN_ACCOUNT_ATTEMPTS = env_int("LOGIN_ACCOUNT_ATTEMPTS", 100, minimum=1)
# API calls a minute (ficarchive.api.auth): per token, and per address for calls without one;
# 0 turns the limit off.
API_RATE_TOKEN = env_int("API_RATE_TOKEN", 600)
API_RATE_ADDRESS = env_int("API_RATE_ADDRESS", 120)
LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 900, minimum=1)
SIGNUPS_PER_DAY = env_int("SIGNUPS_PER_DAY", 3, minimum=1)
# Downloads: calibre's converter (found on PATH; empty turns MOBI, AZW3 and PDF off) and the size
# above which a work's files are made by a background job instead of during the request.
EBOOK_CONVERT = env_str("EBOOK_CONVERT", "ebook-convert")
EXPORT_INLINE_WORDS = env_int("EXPORT_INLINE_WORDS", 100_000, minimum=0)
# Where the files are kept: a folder of their own, which may be a mount that every app server and
# worker shares; None: `downloads` in the data folder (ficarchive.exports.services.downloads_dir).
DOWNLOADS_DIR: Path | None = (
    env_path("DOWNLOADS_DIR", DATA_DIR / "downloads") if env_str("DOWNLOADS_DIR", "") else None
)
# Story files coming in (ficarchive.texts.limits): the largest file, the longest work, and the
# memory and time the child process that reads one file may take.
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 30, minimum=1)
IMPORT_MAX_WORDS = env_int("IMPORT_MAX_WORDS", 1_000_000, minimum=1000)
IMPORT_PARSE_SECONDS = env_int("IMPORT_PARSE_SECONDS", 30, minimum=1)
IMPORT_PARSE_MEMORY_MB = env_int("IMPORT_PARSE_MEMORY_MB", 512, minimum=128)
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 200, minimum=1)
# The longest chapter text the posting and chapter forms take, in characters (AO3's limit). A
# longer paste comes back in the form, kept, with the limit; imports have IMPORT_MAX_WORDS.
CHAPTER_MAX_CHARACTERS = env_int("CHAPTER_MAX_CHARACTERS", 500_000, minimum=1000)
# Django reads a form of up to this many bytes. URL encoding may make one character nine bytes,
# so this is room for the limit above and far more: a paste over the limit is read, refused by
# the form and given back, instead of a bare "Bad request" that loses the text.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(32 * 1024 * 1024, CHAPTER_MAX_CHARACTERS * 9 + 1024 * 1024)
# Django refuses a form with more files than this (its default, 100, is smaller than a folder).
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
# Media embeds in chapter text (ficarchive.texts.sanitize): the hosts an <iframe> may load from,
# each `host` (`www.host` too) or `host/path/` (addresses under that path only). AO3's list.
EMBED_HOSTS = env_list("EMBED_HOSTS", list(DEFAULT_EMBED_HOSTS))
# Background jobs: a running job's lease, renewed by its worker every third of it while the job
# runs; a job whose worker died is queued again once it passes (ficarchive/jobs/services.py).
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 30, minimum=1)

INSTALLED_APPS = [
    "ficarchive.accounts",
    "ficarchive.tags",
    "ficarchive.works",
    "ficarchive.texts",
    "ficarchive.exports",
    "ficarchive.jobs",
    "ficarchive.overlap",
    "ficarchive.search",
    "ficarchive.community",
    "ficarchive.server",
    "ficarchive.api",
    "ficarchive.accounts.adminsite.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ficarchive.server.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Malformed addresses answered 400 before any view; 503 when the disk refuses a write.
    "ficarchive.server.guards.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A page under /users/{old name} not found: redirected to the renamed user's new name.
    "ficarchive.server.middleware.RenamedUserRedirectMiddleware",
    # Last: logged-out readers' work pages, kept a minute (after the session, user and CSRF).
    "ficarchive.server.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "ficarchive.urls"
WSGI_APPLICATION = "ficarchive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ficarchive.context_processors.site",
            ],
            # `intcomma` in every template without a `{% load %}`: counts readers see are
            # grouped as AO3 shows them (154,920). `{% url %}` reversing each address once.
            "builtins": [
                "django.contrib.humanize.templatetags.humanize",
                "ficarchive.template_urls",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", "") or None, DATA_DIR / "ficarchive.db")
}
# The SQLite file (and so its -wal and -shm) readable by the archive's own user only.
private_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered blurbs and anonymous readers' work pages: in each server process's memory, bounded in
# bytes (ficarchive.server.cache; a page over an eighth of it is not kept), or in one Redis that
# every process and machine shares (CACHE_URL).
CACHE_MEMORY_BYTES = env_int("CACHE_MEMORY_MB", 128, minimum=1) * 1024 * 1024
CACHE_URL = env_str("CACHE_URL", "") or None
CACHES = {"default": cache_from_url(CACHE_URL, CACHE_MEMORY_BYTES)}

AUTH_USER_MODEL = "accounts.User"
# Django's model backend with the signed-in user read in one plain statement (accounts/backends.py);
# Django's own second, so sessions it began still sign their readers in.
AUTHENTICATION_BACKENDS = [
    "ficarchive.accounts.backends.ModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# A password reset link works for a day, and once (accounts.resets).
PASSWORD_RESET_TIMEOUT = 24 * 3600
# "Remember me" at log-in keeps the session two weeks; without it, it ends with the browser.
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Django's database sessions, read with one plain statement (accounts/sessions.py).
SESSION_ENGINE = "ficarchive.accounts.sessions"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# Behind a proxy that ends HTTPS: trust its X-Forwarded-Proto, so absolute links (feeds,
# catalogs) say https://, and the reader's address it adds to X-Forwarded-For (accounts.guests).
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (ficarchive.server.middleware): only the archive's own scripts and
# styles run, never inline ones; works may show images from anywhere, as on AO3, play audio and
# video from https addresses, and frame the embed hosts' players.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; "
    f"media-src 'self' https:; frame-src {frame_sources(EMBED_HOSTS)}; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# Served over HTTPS (Secure cookies, or a proxy that ends HTTPS): browsers are told to use only
# HTTPS for a year (Strict-Transport-Security, sent by ficarchive.server.middleware).
SECURE_HSTS_SECONDS = (
    365 * 24 * 3600 if SESSION_COOKIE_SECURE or env_bool("BEHIND_HTTPS_PROXY", False) else 0
)

# One language and no LocaleMiddleware: every reader gets English number formats, so `intcomma`
# groups with commas whatever the browser's Accept-Language says (tests/test_numbers.py).
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# WhiteNoise indexes this folder at start-up and warns when it is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Tests and DEBUG serve static files straight from the package, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Django logs a request too large to read with a traceback; one line says it all.
    "filters": {"without_traceback": {"()": "ficarchive.server.logs.WithoutTraceback"}},
    "loggers": {
        f"django.security.{name}": {"filters": ["without_traceback"]}
        for name in ("RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent")
    },
}
