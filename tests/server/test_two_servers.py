"""Two `ficarchive serve` on one PostgreSQL database and one Redis (`CACHE_URL`), as two app
machines would run: what goes in through one is read, searched, downloaded and checked through
the other at once; a kudos through one shows on the other's cached logged-out page; a log-in
limit reached on one holds on the other.

Each server has its own data folder (static files, its job worker's logs) and shares with the
other what two machines would: the database, Redis, the secret key and DOWNLOADS_DIR. The
database is a throwaway one on the PostgreSQL of DATABASE_URL (else FICARCHIVE_TEST_DATABASE_URL,
else the local one); Redis is database 15 of the local server (FICARCHIVE_TEST_REDIS_URL to
choose another), emptied before and after. The test skips when either is unreachable, and fails
instead under FICARCHIVE_REQUIRE_TOOLS=1 (CI, which starts both).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

from tests.processes import run_module
from tests.server.test_serve import _free_port, _until
from tests.validators import require_tool

ROOT = Path(__file__).resolve().parent.parent.parent
STORY = ROOT / "tests" / "fixtures" / "everything-back-but-you.txt"
TITLE = "Everything Back But You"
PG_URL = (
    os.environ.get("DATABASE_URL")
    or os.environ.get("FICARCHIVE_TEST_DATABASE_URL")
    or "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("FICARCHIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LOGIN_ATTEMPTS = 3


def _server_url(name: str) -> str:
    base = PG_URL.split("?", 1)[0]
    return base.rsplit("/", 1)[0] + "/" + name


def _admin(sql: str) -> None:
    with psycopg.connect(_server_url("postgres"), autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql)


def _reachable() -> tuple[bool, str]:
    try:
        _admin("SELECT 1")
    except psycopg.Error as error:
        return False, f"PostgreSQL is unreachable at {_server_url('postgres')} ({error})"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return False, f"Redis is unreachable at {REDIS_URL} ({error})"
    return True, ""


@dataclass
class Server:
    """One `serve`, and a browser of its own (a cookie jar) to talk to it."""

    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "ficarchive.cli", "serve"),
                *("--port", str(self.port), "--no-setup"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log.read_text()
        try:
            return self.get("/")[0] == 200
        except OSError:
            return False

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "ficarchive.cli", *args],
            cwd=ROOT,
            env=self.env,
            stderr=subprocess.PIPE,
            text=True,
        )

    def command(self, *args: str) -> str:
        return run_module("ficarchive.cli", *args, env=self.env)

    def get(self, path: str, opener: urllib.request.OpenerDirector | None = None) -> Response:
        return _open(opener or urllib.request.build_opener(), f"{self.url}{path}")

    def post(
        self, opener: urllib.request.OpenerDirector, form_path: str, path: str, **fields: str
    ) -> Response:
        """Open the page with the form, then send it with its CSRF token, as a browser does."""
        _, page = self.get(form_path, opener)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, f"no CSRF token on {form_path}"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1].decode(), **fields})
        request = urllib.request.Request(
            f"{self.url}{path}", data=data.encode(), headers={"Referer": f"{self.url}{form_path}"}
        )
        return _open(opener, request)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


Response = tuple[int, bytes]


def _open(opener: urllib.request.OpenerDirector, request: str | urllib.request.Request) -> Response:
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _browser() -> urllib.request.OpenerDirector:
    cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    return urllib.request.build_opener(cookies)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    reachable, reason = _reachable()
    require_tool(reachable, reason)
    database = f"ficarchive_two_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {database}")
    shared_cache = redis.Redis.from_url(REDIS_URL)
    shared_cache.flushdb()
    shared = {
        "DATABASE_URL": _server_url(database),
        "CACHE_URL": REDIS_URL,
        "SECRET_KEY": f"two-servers-{uuid.uuid4().hex}",  # sessions and keyed hashes agree
        "DOWNLOADS_DIR": str(tmp_path / "downloads"),  # the shared mount
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
        "JOB_WORKERS": "1",
        "LOGIN_ATTEMPTS": str(LOGIN_ATTEMPTS),
    }
    pair = []
    for name in ("a", "b"):
        env = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "PORT"}}
        env.update(shared, FICARCHIVE_DATA=str(tmp_path / name))
        pair.append(Server(env, _free_port(), tmp_path / f"{name}.log"))
    first, second = pair
    try:
        # Set up once, as a deploy step would (migrate beside collectstatic, whose files the
        # second server gets a copy of), then both served with `--no-setup`.
        setup = [first.spawn("collectstatic", "--no-input", "--verbosity=0")]
        first.command("migrate", "--no-input", "--verbosity=0")
        assert setup[0].wait(timeout=120) == 0, setup[0].stderr
        shutil.copytree(tmp_path / "a" / "static", tmp_path / "b" / "static")
        for server in pair:
            server.start()
        for server in pair:
            _until(server.answers, 60, f"serve on port {server.port} to answer")
        yield first, second
    finally:
        for server in pair:
            server.stop()
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shared_cache.flushdb()
        shared_cache.close()


def _jobs_left(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM jobs_job WHERE state IN ('queued', 'running')"
        ).fetchone()
    return int(row[0]) if row else 0


def _work_id(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as db:
        row = db.execute("SELECT id FROM works_work WHERE title = %s", [TITLE]).fetchone()
    assert row is not None
    return int(row[0])


def test_two_servers_share_works_pages_kudos_and_log_in_limits(
    servers: tuple[Server, Server],
) -> None:
    first, second = servers
    database_url = first.env["DATABASE_URL"]

    # Posted through the first server's side (its environment), then its jobs run.
    first.command("import", str(STORY), "--author", "lauren", "--post", "--fandom", "Gilmore Girls")
    work_id = _work_id(database_url)
    _until(lambda: _jobs_left(database_url) == 0, 30, "the posting's jobs")

    # Readable, searchable and downloadable through the second (past the adult question: the
    # work is Not Rated).
    work_page = f"/works/{work_id}?view_adult=true"
    status, page = second.get(work_page)
    assert status == 200
    assert b"a mutual agreement on the end of their relationship" in page
    status, found = second.get("/search?q=" + urllib.parse.quote("mutual agreement"))
    assert status == 200
    assert f'href="/works/{work_id}"'.encode() in found
    link = re.search(rf'href="(/downloads/{work_id}/[^"]+\.epub)"'.encode(), page)
    assert link is not None, "no EPUB link on the work page"
    status, epub = second.get(link[1].decode())
    assert status == 200
    assert epub.startswith(b"PK"), epub[:200]

    # Checkable through the second: the same text finds the posted work as its source.
    report = json.loads(second.command("check", str(STORY), "--scope", "archive", "--json"))
    assert work_id in {finding["source"]["work_id"] for finding in report["findings"]}

    # A logged-out reader's page is cached in Redis by the second server; a guest's kudos
    # through the first shows on it at once.
    assert b"left kudos on this work" not in second.get(work_page)[1]
    assert b"left kudos on this work" not in second.get(work_page)[1]  # from the cache
    with redis.Redis.from_url(REDIS_URL) as shared_cache:
        assert shared_cache.keys(f"*work-page:/works/{work_id}?view_adult=true:*")
    status, _ = first.post(_browser(), work_page, f"/works/{work_id}/kudos")
    assert status == 200
    _, page = second.get(work_page)
    assert b"1 guest left kudos on this work!" in page

    # The guest (one address, no cookies) read the work through both servers, and counts as
    # one hit: the memo in Redis and the database's unique row agree across servers.
    with psycopg.connect(database_url, autocommit=True) as db:
        assert db.execute("SELECT hits FROM works_work WHERE id = %s", [work_id]).fetchone() == (1,)

    # Wrong passwords on the first up to the limit; then the second refuses a try although
    # fewer than the limit were made through it. (The first try over the limit waits 2 s after
    # the last, the next 4 s: a slow machine may get one try in on the second before it waits.)
    def wrong_password(server: Server) -> Response:
        return server.post(
            _browser(), "/users/login", "/users/login", username="lauren", password="not-it"
        )

    for _ in range(LOGIN_ATTEMPTS):
        assert wrong_password(first)[0] == 400
    tried_on_second = 0
    while (answer := wrong_password(second))[0] != 429:
        assert answer[0] == 400
        tried_on_second += 1
        assert tried_on_second < LOGIN_ATTEMPTS, "the second server does not see the first's tries"
    assert b"Too many failed log-in attempts. Please wait" in answer[1]


def test_serve_refuses_a_cache_url_where_no_redis_answers(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FICARCHIVE_DATA": str(tmp_path),
        "CACHE_URL": f"redis://127.0.0.1:{_free_port()}/0",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "ficarchive.cli", "serve", "--port", str(_free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"configuration error: CACHE_URL='{env['CACHE_URL']}': no Redis answers" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
