"""A real archive for the tests that need processes of their own (a server, an import killed with
SIGKILL): a data folder of its own and, when the suite runs on PostgreSQL, a database of its own,
migrated, with `ficarchive` commands run against it as a user would run them.

The test database of pytest-django cannot serve here: on SQLite it lives in the test process's
memory, where no other process can reach it.
"""

from __future__ import annotations

import http.cookiejar
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class ScratchArchive:
    data: Path
    database_url: str | None  # None: SQLite in the data folder

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "FICARCHIVE_DATA": str(self.data), "PYTHONPATH": str(ROOT)}
        env.pop("DATABASE_URL", None)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if self.database_url is not None:
            env["DATABASE_URL"] = self.database_url
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "ficarchive.cli", *args]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(
        self, *args: str, env: dict[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen[bytes]:
        environment = {**self.env, **(env or {})}
        return subprocess.Popen(self.command(*args), env=environment, cwd=ROOT, **kwargs)

    def script(self, code: str, timeout: float = 300) -> str:
        """Python run with Django set up on this archive (to build the cast through services)."""
        prologue = (
            "import django, os\n"
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'ficarchive.settings'\n"
            "django.setup()\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", prologue + code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows read straight from the database, as a process beside the archive sees them."""
        if self.database_url is None:
            with sqlite3.connect(self.data / "ficarchive.db", timeout=30) as connection:
                return connection.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            return connection.execute(sql).fetchall()


def _postgres_url(name: str) -> str:
    database = settings.DATABASES["default"]
    user = urllib.parse.quote(database["USER"] or "")
    password = urllib.parse.quote(database["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgresql://{credentials}{database['HOST'] or 'localhost'}{port}/{name}"


@contextmanager
def scratch_archive(folder: Path) -> Iterator[ScratchArchive]:
    """A migrated archive in `folder`, on the database the suite runs on; dropped afterwards."""
    database_url = None
    admin_url = None
    name = f"ficarchive_scratch_{uuid.uuid4().hex[:12]}"
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        import psycopg

        admin_url = _postgres_url("postgres")
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        database_url = _postgres_url(name)
    archive = ScratchArchive(folder / "data", database_url)
    try:
        migrated = archive.run("migrate", "--no-input", "--verbosity=0")
        assert migrated.returncode == 0, migrated.stderr
        yield archive
    finally:
        if admin_url is not None:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Browser:
    """One visitor of a served archive: cookies kept, the CSRF token sent back as Django wants."""

    def __init__(self, base: str, follow_redirects: bool = True) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPCookieProcessor(self.cookies)
        ]
        if not follow_redirects:
            handlers.append(_NoRedirects())
        self.opener = urllib.request.build_opener(*handlers)

    def _csrf(self) -> str:
        return next((c.value or "" for c in self.cookies if c.name == "csrftoken"), "")

    def get(self, path: str, timeout: float = 30) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=timeout) as response:
            return response.status, response.read().decode()

    def post(
        self,
        path: str,
        fields: dict[str, str],
        files: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
        timeout: float = 30,
    ) -> tuple[int, str]:
        fields = {**fields, "csrfmiddlewaretoken": self._csrf()}
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": content_type, "Referer": self.base + path},
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, username: str, password: str) -> tuple[int, str]:
        self.get("/users/login")
        return self.post("/users/login", {"username": username, "password": password})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect comes back as the answer (a 302 and its Location), not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for field, name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            assert server.poll() is None, "the server stopped while starting"
            assert time.monotonic() < deadline, f"the server did not answer within {seconds} s"
            time.sleep(0.3)
