"""Typed readers for environment variables: every setting of ficarchive comes through these.

Each helper fails loudly, naming the variable and what is wrong, instead of guessing. The table
of options in the README is checked against ``OPTIONS`` by a test, so it cannot drift.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class ConfigError(Exception):
    """A setting in the environment has a value ficarchive cannot use."""


# Every environment variable ficarchive reads, with its default and meaning. The README's
# configuration table lists exactly these (tests/test_docs.py checks it).
OPTIONS: dict[str, str] = {
    "FICARCHIVE_DATA": "Folder for the SQLite database, the secret key and generated files.",
    "DATABASE_URL": "`postgresql://user:pass@host:5432/name` to use PostgreSQL instead of SQLite.",
    "SECRET_KEY": "Django's signing key; generated once into the data folder when unset.",
    "SECRET_KEY_FILE": "Read the secret key from this file instead (for container secrets).",
    "DEBUG": "`true` shows Django's debug pages. Never in production.",
    "ALLOWED_HOSTS": "Comma-separated host names the archive answers to.",
    "CSRF_TRUSTED_ORIGINS": "Comma-separated origins (`https://fics.example.org`) behind a proxy.",
    "SITE_NAME": "The archive's name in the header and page titles.",
    "SITE_URL": (
        "The archive's public address, for links in downloads and emails; "
        "unset: `http://` HOST and PORT."
    ),
    "REGISTRATION": "`open`, `invite` (sign-up needs an invitation code) or `closed`.",
    "LOGIN_ATTEMPTS": "Wrong passwords for one account from one address before tries wait.",
    "LOGIN_ADDRESS_ATTEMPTS": "Wrong passwords from one address, any accounts, before tries wait.",
    "LOGIN_ACCOUNT_ATTEMPTS": "Wrong passwords for one account, from anywhere, before tries wait.",
    "API_RATE_TOKEN": "API calls a minute per token, then 429; 0 for no limit.",
    "API_RATE_ADDRESS": "API calls a minute per address without a token, then 429; 0 for no limit.",
    "LOGIN_MAX_DELAY_SECONDS": "The longest wait between log-in tries once they wait, in seconds.",
    "SIGNUPS_PER_DAY": "Accounts one address may create in a day.",
    "HOST": "Address `ficarchive serve` listens on.",
    "PORT": "Port `ficarchive serve` listens on.",
    "WEB_WORKERS": "Number of server processes for `ficarchive serve`.",
    "WEB_THREADS": "Threads per server process for `ficarchive serve`.",
    "EBOOK_CONVERT": "calibre's `ebook-convert` for MOBI, AZW3 and PDF downloads; empty: off.",
    "DOWNLOADS_DIR": (
        "Folder for download files (may be a mount every machine shares); "
        "unset: `downloads` in the data folder."
    ),
    "EXPORT_INLINE_WORDS": "Works longer than this have their downloads made by a background job.",
    "CACHE_MEMORY_MB": "Memory each server process keeps cached pages and blurbs in, in MB.",
    "CACHE_URL": (
        "`redis://127.0.0.1:6379/0`: one Redis cache shared by every server; "
        "unset: each process's own memory."
    ),
    "IMPORT_MAX_FILE_MB": "The largest story file read, in MB (import, upload, `parse`).",
    "IMPORT_MAX_WORDS": "The longest work imported, in words; longer files are refused.",
    "CHAPTER_MAX_CHARACTERS": "The longest chapter text the posting forms take, in characters.",
    "IMPORT_PARSE_SECONDS": "Time one story file may take to read before it is refused.",
    "IMPORT_PARSE_MEMORY_MB": "Memory (address space) of the process that reads one story file.",
    "IMPORT_MAX_UPLOAD_MB": (
        "The most one import upload on the web (or one API call) may send, all files together."
    ),
    "JOB_WORKERS": "Background job workers `ficarchive serve` starts beside the web server.",
    "JOB_LEASE_SECONDS": "How soon a job whose worker died runs again; renewed while it runs.",
    "BEHIND_HTTPS_PROXY": "`true` trusts the proxy's X-Forwarded-Proto and -For headers.",
    "SECURE_COOKIES": "`true` marks session and CSRF cookies Secure (serve over HTTPS).",
    "EMBED_HOSTS": "Comma-separated hosts (`host` or `host/path/`) chapter text may embed from.",
    "EMAIL_URL": "`smtp://user:pass@host:587` to send email; unset: emails are printed (console).",
    "DEFAULT_FROM_EMAIL": "The sender of the archive's emails.",
}


def _get(name: str) -> str | None:
    if name not in OPTIONS:
        raise ConfigError(f"{name} is not a documented ficarchive option")
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def env_str(name: str, default: str) -> str:
    value = _get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _get(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r}: expected true or false")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = _get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ConfigError(f"{name}={value!r}: must be at least {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def env_path(name: str, default: Path) -> Path:
    value = _get(name)
    return (Path(value) if value is not None else default).expanduser().resolve()


def env_secret(name: str, default_file: Path) -> str:
    """A secret from NAME, or the file named by NAME_FILE, or one generated into default_file."""
    value = _get(name)
    if value is not None:
        return value
    file_name = _get(f"{name}_FILE")
    if file_name is not None:
        path = Path(file_name)
        try:
            return path.read_text().strip()
        except OSError as error:
            raise ConfigError(f"{name}_FILE={file_name!r}: cannot read it ({error})") from None
    if default_file.exists():
        return default_file.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    default_file.parent.mkdir(parents=True, exist_ok=True)
    secret = get_random_secret_key()
    # Create the file readable by its owner only; another process may have raced us here.
    try:
        fd = os.open(default_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return default_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def site_url(host: str | None = None, port: int | None = None) -> str:
    """SITE_URL without its trailing slash; when unset, where `ficarchive serve` listens (HOST
    and PORT, or the host and port given), as `serve` prints it: a wildcard host (all
    addresses) read as `localhost`. A link on another host than the one a reader browses would
    lose their log-in on the way (cookies are per host), so 127.0.0.1 stays 127.0.0.1."""
    value = _get("SITE_URL")
    if value is not None:
        return value.rstrip("/")
    host = env_str("HOST", "127.0.0.1") if host is None else host
    port = env_int("PORT", 8000, minimum=1) if port is None else port
    if host in {"", "0.0.0.0", "::", "[::]"}:
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


# PostgreSQL settings every connection starts with (see database_from_url).
PG_SETTINGS = {"jit": "off", "random_page_cost": "1.1"}


def database_from_url(url: str | None, sqlite_path: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] for DATABASE_URL, or the embedded SQLite file."""
    if url is None:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            # Keep each thread's connection: opening one costs more than most page queries.
            "CONN_MAX_AGE": None,
            # WAL lets readers go on while one writer writes; the busy timeout makes a writer
            # wait for the lock instead of failing at once; IMMEDIATE takes the write lock at
            # BEGIN so two transactions never deadlock upgrading from read to write.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": None},
        }
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL={url!r}: only postgresql://… is supported (or leave it unset for SQLite)"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ConfigError(f"DATABASE_URL={url!r}: the database name is missing")
    options: dict[str, str] = dict(parse_qsl(parts.query))
    # Planner settings for an archive whose pages are short statements over a cached database
    # (measured by bench/search.py at 100,000 works): JIT compiling pays off only for long
    # analytic queries, and the planner's overestimate of a phrase's matches made it compile
    # short searches; with the default random_page_cost of 4 (disks that seek) it read every
    # tag to join a page's few hundred. A setting the URL's `options` names
    # (`?options=-c jit=on`) is left as the URL says.
    for setting, value in PG_SETTINGS.items():
        if setting not in options.get("options", ""):
            options["options"] = (options.get("options", "") + f" -c {setting}={value}").strip()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


def cache_from_url(url: str | None, memory_bytes: int) -> dict[str, Any]:
    """Django's CACHES['default'] for CACHE_URL: Redis, shared by every server process and
    machine; unset, each process's own memory, bounded in bytes (`ficarchive.server.cache`)."""
    if url is None:
        return {
            "BACKEND": "ficarchive.server.cache.BoundedMemoryCache",
            "OPTIONS": {
                "MAX_ENTRIES": 5000,
                "MAX_BYTES": memory_bytes,
                "MAX_ENTRY_BYTES": memory_bytes // 8,
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(
            f"CACHE_URL={url!r}: expected redis://host:6379/0 (or rediss://, unix://), "
            "or leave it unset for each process's own memory"
        )
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigError(f"CACHE_URL={url!r}: the Redis host is missing")
    return {
        "BACKEND": "ficarchive.server.cache.SharedCache",
        "LOCATION": url,
        # A cache that stops answering fails its page in seconds, not a worker's whole timeout.
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
    }


def email_from_url(url: str) -> tuple[str, str, int, str, str, bool]:
    """Django's email settings from `smtp://user:pass@host:port` (`smtps://` for TLS); an empty
    URL prints emails to the console."""
    if not url:
        return ("django.core.mail.backends.console.EmailBackend", "localhost", 25, "", "", False)
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"EMAIL_URL must look like smtp://user:pass@host:587, not {url!r}")
    return (
        "django.core.mail.backends.smtp.EmailBackend",
        parts.hostname,
        parts.port or 587,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        parts.scheme == "smtps" or (parts.port or 587) == 587,
    )
