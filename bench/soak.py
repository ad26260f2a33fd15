"""The soak: minutes of mixed traffic against a running archive, then what broke and what grew.

    python bench/soak.py [--minutes 10 | --seconds N] [--clients 8] [--rate R]
                         [--database postgresql://postgres@127.0.0.1:5432/postgres]
                         [--url http://host:port --server-pid PID] [--works 2000]
                         [--warmup S] [--sample 10] [--keep-data]

Without `--url` it builds an archive of its own: a temporary data folder (FICARCHIVE_DATA),
`ficarchive migrate`, `bench/generate.py`'s users and `--works` posted works, one signed-in
reader per client (established accounts, so the new-account comment limit does not apply),
then `ficarchive serve` on a free port with its web workers and job worker, as production runs
it. With `--database postgresql://…` the archive lives in a scratch PostgreSQL database made for
this run (`ficarchive_soak_<pid>_<time>`) and dropped afterwards.

With `--url` it soaks an archive that is already running; the seeding and the read-back at the
end go to the database this process's environment names (FICARCHIVE_DATA / DATABASE_URL), so
run it beside the archive; `--server-pid` names the `ficarchive serve` process to watch.

`--clients` processes, each signed in as its own reader and also browsing logged out, send a mix
of requests for `--minutes` (default 10) as fast as the archive answers, or at `--rate` requests
a second in all:

  read-out   logged-out pages: home, works list, work, chapter, whole work, tag pages
  read-in    the same, signed in (no page cache), restricted works included
  search     full-text searches, half signed in
  kudos      kudos on others' works                       (written, read back)
  comment    comments on works                            (written, read back)
  post       new works through the posting form           (written, read back)
  import     a text file through the upload form          (written, read back)
  epub, html downloads of works

It reports requests, errors (any 5xx or connection error), refusals (4xx and redirects to the
log-in page) and the median and p95 latency per kind; lost writes (every kudos, comment, work
and import that was answered as accepted is looked up in the database at the end); and the
resident memory (VmRSS from /proc/PID/status) of the serve process and each of its children,
sampled every `--sample` seconds: memory is flat when every sample after the warm-up (a fifth of
the run, at least 30 s: the job worker loads its models on its first jobs) stays within ±10 % of
the first one after it. Prints the machine and writes everything to
bench/out/soak-<timestamp>.json. Exits 1 on any error, lost write or growing process.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PASSWORD = "soak: correct horse battery staple"
KINDS = {
    # kind: share of the requests
    "read-out": 30,
    "read-in": 25,
    "search": 12,
    "kudos": 5,
    "comment": 5,
    "post": 3,
    "import": 2,
    "epub": 9,
    "html": 9,
}
WRITES = ("kudos", "comment", "post", "import")
FLAT_BAND = 0.10
REQUEST_TIMEOUT = 60.0
# gunicorn closes a keep-alive connection idle for 2 s; a client reconnects before that.
IDLE_RECONNECT = 1.5

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class SoakError(Exception):
    """The soak could not be set up or run."""


def say(text: str = "") -> None:
    print(text, flush=True)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        if match:
            cpu = match.group(1).strip()
    ram = 0.0
    with contextlib.suppress(OSError, AttributeError):
        found = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M)
        ram = round(int(found.group(1)) / 2**20, 1) if found else 0.0
    return {
        "cpu": cpu,
        "cores": os.cpu_count() or 1,
        "ram_gib": ram,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


# -- seeding and reading back: run in a child process with Django set up ---------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django

    django.setup()


def seed_archive(works: int, readers: int, run: str) -> dict[str, Any]:
    """Fills the archive (once) and adds this run's readers; what the clients will visit."""
    _django()
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone
    from generate import _CONTENT, generate

    from ficarchive.accounts.models import User
    from ficarchive.accounts.services import create_user
    from ficarchive.tags.models import Tag
    from ficarchive.works.models import Chapter, Work

    if not Work.objects.exists():
        generate(works=works, big_work_chapters=5, seed=1)
    names = [f"soak{run}r{index}" for index in range(readers)]
    for name in names:
        create_user(name, PASSWORD, f"{name}@example.org")
    # Established readers: the limits on brand-new accounts are not what a soak measures.
    User.objects.filter(username__in=names).update(date_joined=timezone.now() - timedelta(days=60))
    posted = Work.objects.filter(posted=True)
    public = list(posted.filter(restricted=False).order_by("?").values_list("pk", flat=True)[:500])
    restricted = list(posted.filter(restricted=True).values_list("pk", flat=True)[:100])
    chapters = [
        f"/works/{work}/chapters/{chapter}"
        for work, chapter in Chapter.objects.filter(work_id__in=public[:200]).values_list(
            "work_id", "pk"
        )
    ]
    tags = (
        Tag.objects.filter(merger__isnull=True)
        .annotate(uses=Count("works"))
        .filter(uses__gt=0)
        .order_by("-uses")[:60]
    )
    return {
        "readers": names,
        "public": public,
        "restricted": restricted,
        "chapters": chapters,
        "tags": [tag.get_absolute_url() for tag in tags],
        "words": list(_CONTENT[:80]),
    }


def read_back(writes: dict[str, list[Any]], run: str) -> dict[str, dict[str, int]]:
    """Looks up every accepted write in the database: found and lost, per kind."""
    _django()
    from ficarchive.community.models import Comment, Kudos
    from ficarchive.works.models import Chapter, Work

    marker = re.compile(rf"soak{run}c\d+n\d+")
    titles = Work.objects.filter(title__contains=f"soak{run}c").values_list("title", flat=True)
    in_titles = {token for title in titles for token in marker.findall(title)}
    bodies = Comment.objects.filter(body__contains=f"soak{run}c").values_list("body", flat=True)
    in_comments = {token for body in bodies for token in marker.findall(body)}
    readers = {name for name, _ in writes.get("kudos", [])}
    kudos = {
        (name, work)
        for name, work in Kudos.objects.filter(user__username__in=readers).values_list(
            "user__username", "work_id"
        )
    }
    result: dict[str, dict[str, int]] = {}
    for kind in WRITES:
        wanted = writes.get(kind, [])
        if kind == "kudos":
            found = sum((name, work) in kudos for name, work in wanted)
        elif kind == "comment":
            found = sum(token in in_comments for token in wanted)
        else:
            found = 0
            for token in wanted:
                # An import's title comes from the file; its text holds the token either way.
                found += token in in_titles or (
                    kind == "import" and Chapter.objects.filter(body__contains=token).exists()
                )
        result[kind] = {"accepted": len(wanted), "found": found, "lost": len(wanted) - found}
    return result


# -- the HTTP client -------------------------------------------------------------------------


class ConnectionFailed(Exception):
    """No answer: refused, reset, timed out."""


@dataclass
class Answer:
    status: int
    location: str
    body: bytes


class Session:
    """One reader's connection and cookies: keep-alive, no redirects followed."""

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        if self.connection is None or time.monotonic() - self.last_used > IDLE_RECONNECT:
            self.close()
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=REQUEST_TIMEOUT
            )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise ConnectionFailed(f"{type(error).__name__}: {error}") from None
        finally:
            self.last_used = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.will_close:
            self.close()
        return Answer(response.status, response.headers.get("Location", ""), data)

    def form(self, path: str, fields: dict[str, Any]) -> Answer:
        pairs = [(key, str(v)) for key, value in fields.items() for v in _values(value)]
        pairs.append(("csrfmiddlewaretoken", self.cookies.get("csrftoken", "")))
        body = urllib.parse.urlencode(pairs).encode()
        return self.request(
            "POST", path, body, self._post_headers("application/x-www-form-urlencoded")
        )

    def upload(self, path: str, fields: dict[str, str], name: str, data: bytes) -> Answer:
        boundary = f"soak{random.getrandbits(64):x}"
        parts = [*fields.items(), ("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))]
        chunks = [
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in parts
        ]
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n".encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content_type = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", path, b"".join(chunks), self._post_headers(content_type))

    def _post_headers(self, content_type: str) -> dict[str, str]:
        return {"Content-Type": content_type, "X-CSRFToken": self.cookies.get("csrftoken", "")}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


# -- one client process ----------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0
    refused: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)


class Client:
    def __init__(self, index: int, base: str, seed: dict[str, Any], run: str) -> None:
        self.index = index
        self.rng = random.Random(index * 7919 + 1)
        self.seed = seed
        self.run = run
        self.reader = seed["readers"][index]
        self.out = Session(base)
        self.signed = Session(base)
        self.tallies: dict[str, Tally] = {kind: Tally() for kind in [*KINDS, "login"]}
        self.writes: dict[str, list[Any]] = {kind: [] for kind in WRITES}
        self.pseud = ""
        self.count = 0

    def token(self) -> str:
        self.count += 1
        return f"soak{self.run}c{self.index}n{self.count}"

    def timed(self, kind: str, session: Session, call: Any) -> Answer | None:
        """Runs one request, tallied under its kind: an error is a 5xx or no answer at all."""
        tally = self.tallies[kind]
        started = time.perf_counter()
        tally.requests += 1
        try:
            answer: Answer = call()
        except ConnectionFailed as error:
            tally.latencies.append(time.perf_counter() - started)
            tally.errors += 1
            tally.statuses[0] += 1
            _sample(tally, f"{kind}: {error}")
            return None
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[answer.status] += 1
        if answer.status >= 500:
            tally.errors += 1
            _sample(tally, f"{kind}: {answer.status} {_said(answer.body)}")
            return None
        if answer.status >= 400 or "/users/login" in answer.location:
            tally.refused += 1
            _sample(tally, f"{kind}: {answer.status} {answer.location} {_said(answer.body)}")
            return None
        return answer

    def log_in(self) -> None:
        self.signed.request("GET", "/users/login")
        fields = {"username": self.reader, "password": PASSWORD}
        answer = self.timed("login", self.signed, lambda: self.signed.form("/users/login", fields))
        if answer is None or answer.status != 302:
            raise SoakError(f"{self.reader} could not log in: {self.tallies['login'].samples}")
        page = self.signed.request("GET", "/works/new")
        found = re.search(rb'name="pseuds" value="(\d+)"', page.body)
        self.pseud = found.group(1).decode() if found else ""

    def page(self, signed_in: bool) -> str:
        seed, rng = self.seed, self.rng
        works = seed["public"] + (seed["restricted"] if signed_in else [])
        choice = rng.random()
        if choice < 0.1:
            return "/"
        if choice < 0.2:
            return f"/works?page={rng.randint(1, 20)}"
        if choice < 0.45:
            return f"/works/{rng.choice(works)}"
        if choice < 0.55:
            return f"/works/{rng.choice(works)}?view_full_work=true"
        if choice < 0.8 and seed["chapters"]:
            return str(rng.choice(seed["chapters"]))
        return str(rng.choice(seed["tags"])) if seed["tags"] else "/works"

    def one(self, kind: str) -> None:
        rng, seed = self.rng, self.seed
        if kind == "read-out":
            path = self.page(False)
            self.timed(kind, self.out, lambda: self.out.request("GET", path))
        elif kind == "read-in":
            path = self.page(True)
            self.timed(kind, self.signed, lambda: self.signed.request("GET", path))
        elif kind == "search":
            session = self.signed if rng.random() < 0.5 else self.out
            words = " ".join(rng.sample(seed["words"], rng.randint(1, 2)))
            path = "/search?" + urllib.parse.urlencode({"q": words})
            self.timed(kind, session, lambda: session.request("GET", path))
        elif kind == "kudos":
            work = rng.choice(seed["public"])
            answer = self.timed(
                kind, self.signed, lambda: self.signed.form(f"/works/{work}/kudos", {})
            )
            if answer is not None:
                self.writes[kind].append((self.reader, work))
        elif kind == "comment":
            work, token = rng.choice(seed["public"]), self.token()
            fields = {"body": f"Still thinking about this one. ({token})"}
            answer = self.timed(
                kind, self.signed, lambda: self.signed.form(f"/works/{work}/comments", fields)
            )
            if answer is not None:
                self.writes[kind].append(token)
        elif kind == "post":
            token = self.token()
            answer = self.timed(
                kind, self.signed, lambda: self.signed.form("/works/new", self.work_form(token))
            )
            if answer is not None:
                self.writes[kind].append(token)
        elif kind == "import":
            token = self.token()
            text = (
                f"Imported at the soak {token}\nby {self.reader}\n\n"
                f"Chapter 1\n\nThe tide went out, {token}.\n\n* * *\n\nIt came back.\n"
            )
            fields = {"pseud": self.pseud}
            answer = self.timed(
                kind,
                self.signed,
                lambda: self.signed.upload("/works/import", fields, f"{token}.txt", text.encode()),
            )
            if answer is not None:
                self.writes[kind].append(token)
        else:  # a download: epub or html
            session = self.signed if rng.random() < 0.5 else self.out
            path = f"/downloads/{rng.choice(seed['public'])}/work.{kind}"
            self.timed(kind, session, lambda: session.request("GET", path))

    def work_form(self, token: str) -> dict[str, Any]:
        return {
            "title": f"Soak {token}",
            "pseuds": [self.pseud],
            "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"],
            "fandoms": "Soak Testing",
            "relationships": "Rory Gilmore/Jess Mariano",
            "characters": "Rory Gilmore",
            "freeforms": "Load",
            "summary": "Written by the soak.",
            "language": "en",
            "text_format": "text",
            "body": f"The tide went out, {token}.\n\nIt came back in the morning.",
            "action": "post",
        }


_TAG = re.compile(r"<[^>]*>")
_MESSAGE = re.compile(r"<main\b.*?</main>", re.S)


def _said(body: bytes) -> str:
    """What a refusal page says: its main content's text, cut short."""
    text = body.decode("utf-8", "replace")
    main = _MESSAGE.search(text)
    words = " ".join(_TAG.sub(" ", main.group(0) if main else text).split())
    return repr(words[:240])


def _sample(tally: Tally, text: str) -> None:
    if len(tally.samples) < 5:
        tally.samples.append(text[:400])


def client_main(
    index: int,
    base: str,
    seed: dict[str, Any],
    run: str,
    seconds: float,
    rate: float,
    results: Any,
) -> None:
    """One client process: log in, then requests of random kinds until the time is up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    client = Client(index, base, seed, run)
    kinds, weights = list(KINDS), list(KINDS.values())
    try:
        client.log_in()
        deadline = time.monotonic() + seconds
        interval = 1.0 / rate if rate > 0 else 0.0
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            if interval:
                next_at += interval
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            client.one(client.rng.choices(kinds, weights)[0])
        failure = ""
    except SoakError as error:
        failure = str(error)
    results.put(
        {
            "index": index,
            "failure": failure,
            "tallies": {
                kind: {
                    "requests": tally.requests,
                    "errors": tally.errors,
                    "refused": tally.refused,
                    "statuses": dict(tally.statuses),
                    "latencies": tally.latencies,
                    "samples": tally.samples,
                }
                for kind, tally in client.tallies.items()
            },
            "writes": client.writes,
        }
    )


# -- the archive under test ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _admin(url: str, statement: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(
        dbname=parts.path.lstrip("/") or "postgres",
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password) if parts.password else None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        autocommit=True,
    ) as connection:
        connection.execute(statement.encode())  # our own fixed statement, no user input


class Archive:
    """The archive under test: its environment, database and (unless --url) its server."""

    def __init__(self, args: argparse.Namespace, run: str) -> None:
        self.args = args
        self.run = run
        self.data = Path(tempfile.mkdtemp(prefix="ficarchive-soak-"))
        self.env = dict(os.environ)
        self.scratch = ""
        self.admin_url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.data / "serve.log"
        self.base = args.url.rstrip("/") if args.url else ""
        self.pid: int | None = args.server_pid

    def prepare(self) -> None:
        if self.args.url:
            return  # the archive's own environment, as this process was given it
        for name in ("DATABASE_URL", "DEBUG", "SECRET_KEY_FILE", "SECURE_COOKIES"):
            self.env.pop(name, None)
        self.env.update({"FICARCHIVE_DATA": str(self.data / "data"), "PYTHONUNBUFFERED": "1"})
        if self.args.database:
            self.scratch = f"ficarchive_soak_{os.getpid()}_{int(time.time())}"
            self.admin_url = self.args.database
            _admin(self.admin_url, f'CREATE DATABASE "{self.scratch}"')
            parts = urllib.parse.urlsplit(self.args.database)
            self.env["DATABASE_URL"] = urllib.parse.urlunsplit(
                parts._replace(path=f"/{self.scratch}")
            )
        self.step("migrate", [sys.executable, "-m", "ficarchive.cli", "migrate", "--noinput"])

    def step(self, label: str, command: list[str]) -> str:
        started = time.perf_counter()
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SoakError(f"{label} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        say(f"{label}: {time.perf_counter() - started:.1f} s")
        return done.stdout

    def seed(self, readers: int) -> dict[str, Any]:
        command = [sys.executable, __file__, "--seed-only", "--works", str(self.args.works)]
        command += ["--clients", str(readers), "--run-id", self.run]
        output = self.step(f"seed ({self.args.works:,} works, {readers} readers)", command)
        seed: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        return seed

    def read_back(self, writes: dict[str, list[Any]]) -> dict[str, dict[str, int]]:
        path = self.data / "writes.json"
        path.write_text(json.dumps(writes), encoding="utf-8")
        command = [sys.executable, __file__, "--read-back", str(path), "--run-id", self.run]
        output = self.step("read back", command)
        result: dict[str, dict[str, int]] = json.loads(output.strip().splitlines()[-1])
        return result

    def start(self) -> None:
        if self.args.url:
            return
        port = free_port()
        self.env.update({"HOST": "127.0.0.1", "PORT": str(port)})
        self.base = f"http://127.0.0.1:{port}"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ficarchive.cli", "serve"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.process.pid
        started = time.perf_counter()
        while time.perf_counter() - started < 180:
            if self.process.poll() is not None:
                raise SoakError(f"the server exited at start:\n{self.log_tail()}")
            with contextlib.suppress(ConnectionFailed):
                if Session(self.base).request("GET", "/").status == 200:
                    say(f"serve: answering after {time.perf_counter() - started:.1f} s")
                    return
            time.sleep(0.5)
        raise SoakError(f"the server did not answer within 180 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def tracebacks(self) -> dict[str, int]:
        """Each traceback in the server's log, by its last line (the exception and message)."""
        if not self.log.exists():
            return {}
        found: Counter[str] = Counter()
        lines = self.log.read_text(errors="replace").splitlines()
        for at, line in enumerate(lines):
            if "Traceback (most recent call last)" not in line:
                continue
            end = at + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end]):
                end += 1
            found[lines[end][:200] if end < len(lines) else "(cut off)"] += 1
        return dict(found)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    say("serve did not stop in 30 s; killing its group")
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def clean(self) -> None:
        if self.scratch:
            try:
                _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)')
            except Exception as error:  # report, and keep cleaning up the rest
                say(f"could not drop the scratch database {self.scratch}: {error}")
        if self.args.keep_data:
            say(f"kept {self.data}")
        else:
            shutil.rmtree(self.data, ignore_errors=True)


# -- memory of the server's processes --------------------------------------------------------


def _proc(pid: int, name: str) -> str:
    try:
        return Path(f"/proc/{pid}/{name}").read_text(errors="replace")
    except OSError:
        return ""


def server_processes(root: int) -> dict[int, str]:
    """The serve process and its descendants, each labelled by its role."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        text = _proc(int(stat.parent.name), "stat")
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 1:
            parents[int(stat.parent.name)] = int(fields[1])
    found = {root: "serve"} if root in parents else {}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                if parent == root:
                    command = _proc(pid, "cmdline").replace("\0", " ")
                    found[pid] = "job worker" if " worker" in command else "web worker"
                else:  # what a worker starts for a while (an import's parsing process)
                    found[pid] = "subprocess"
                changed = True
    return found


def rss_kb(pid: int) -> int | None:
    match = re.search(r"^VmRSS:\s*(\d+) kB", _proc(pid, "status"), re.M)
    return int(match.group(1)) if match else None


class MemorySampler(threading.Thread):
    def __init__(self, root: int, every: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.every = every
        self.started = time.monotonic()
        self.samples: dict[int, list[tuple[float, int]]] = {}
        self.roles: dict[int, str] = {}
        self.done = threading.Event()

    def take(self) -> None:
        elapsed = time.monotonic() - self.started
        for pid, role in server_processes(self.root).items():
            size = rss_kb(pid)
            if size is not None:
                self.roles[pid] = role
                self.samples.setdefault(pid, []).append((round(elapsed, 1), size))

    def run(self) -> None:
        while not self.done.is_set():
            self.take()
            self.done.wait(self.every)

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.take()

    def verdicts(self, warmup: float) -> list[dict[str, Any]]:
        rows = []
        order = {"serve": 0, "web worker": 1, "job worker": 2}
        for pid, series in sorted(
            self.samples.items(), key=lambda item: (order.get(self.roles[item[0]], 3), item[0])
        ):
            after = [size for at, size in series if at >= warmup]
            row: dict[str, Any] = {"pid": pid, "role": self.roles[pid], "samples": series}
            if len(after) >= 2:
                base = after[0]
                low, high = min(after) / base - 1, max(after) / base - 1
                row |= {"base_mb": round(base / 1024, 1), "min_change": round(low, 3)}
                row |= {"max_change": round(high, 3), "last_mb": round(after[-1] / 1024, 1)}
                row["flat"] = low >= -FLAT_BAND and high <= FLAT_BAND
            else:
                row["flat"] = None  # too few samples after the warm-up to say
            rows.append(row)
        return rows


# -- the run ---------------------------------------------------------------------------------


def _ms(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)


def combine(
    results: list[dict[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, list[Any]]]:
    kinds: dict[str, dict[str, Any]] = {}
    writes: dict[str, list[Any]] = {kind: [] for kind in WRITES}
    for result in results:
        for kind, tally in result["tallies"].items():
            into = kinds.setdefault(
                kind,
                {"requests": 0, "errors": 0, "refused": 0, "statuses": Counter(), "latencies": []},
            )
            into["requests"] += tally["requests"]
            into["errors"] += tally["errors"]
            into["refused"] += tally["refused"]
            into["statuses"].update({int(k): v for k, v in tally["statuses"].items()})
            into["latencies"] += tally["latencies"]
            into.setdefault("samples", []).extend(
                tally["samples"][: 5 - len(into.get("samples", []))]
            )
        for kind, items in result["writes"].items():
            writes[kind] += [tuple(item) if isinstance(item, list) else item for item in items]
    return kinds, writes


def print_report(report: dict[str, Any]) -> None:
    seconds = report["seconds"]
    say()
    say(
        f"{'kind':10} {'requests':>9} {'req/s':>7} {'errors':>6} {'refused':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8}  statuses"
    )
    for kind, row in report["kinds"].items():
        statuses = " ".join(f"{code or 'conn'}:{n}" for code, n in sorted(row["statuses"].items()))
        say(
            f"{kind:10} {row['requests']:>9,} {row['requests'] / seconds:>7.1f} "
            f"{row['errors']:>6} {row['refused']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f}"
            f"  {statuses}"
        )
    total = report["total"]
    say(
        f"{'all':10} {total['requests']:>9,} {total['rate']:>7.1f} {total['errors']:>6} "
        f"{total['refused']:>7} {total['p50_ms']:>8.1f} {total['p95_ms']:>8.1f}"
    )
    for row in report["kinds"].values():
        for sample in row["samples"]:
            say(f"  {sample}")
    say()
    say("lost writes (accepted, then looked up in the database):")
    for kind, row in report["writes"].items():
        say(
            f"  {kind:8} {row['accepted']:>6} accepted {row['found']:>6} found "
            f"{row['lost']:>4} lost"
        )
    say()
    say(
        f"memory (VmRSS every {report['sample_s']:g} s; flat = within ±{FLAT_BAND:.0%} after "
        f"{report['warmup_s']:g} s of warm-up):"
    )
    short = [row for row in report["memory"] if row["role"] == "subprocess"]
    for row in report["memory"]:
        if row["role"] == "subprocess":
            continue  # short-lived: summed up below
        series = " ".join(f"{size / 1024:.0f}" for _, size in row["samples"])
        verdict = {True: "flat", False: "NOT FLAT", None: "too short to say"}[row["flat"]]
        change = ""
        if row.get("base_mb") is not None:
            change = (
                f" ({row['min_change']:+.1%} .. {row['max_change']:+.1%} of {row['base_mb']} MB)"
            )
        say(f"  {row['role']:10} pid {row['pid']:>7}: {verdict}{change}; MB: {series}")
    if short:
        largest = max(size for row in short for _, size in row["samples"]) / 1024
        say(
            f"  subprocesses of the workers (imports' parsing): {len(short)} seen, the largest "
            f"sample {largest:.0f} MB"
        )
    for last_line, count in (report.get("server_tracebacks") or {}).items():
        say(f"the server logged {count} traceback(s) ending: {last_line}")


def soak(args: argparse.Namespace) -> int:
    info = machine()
    say(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, {info['python']}, "
        f"SQLite {info['sqlite']}, {info['os']}, load {info['load_average']}"
    )
    run = args.run_id or f"{random.getrandbits(24):06x}"
    seconds = args.seconds if args.seconds else args.minutes * 60
    warmup = args.warmup if args.warmup is not None else min(120.0, max(30.0, seconds / 5))
    archive = Archive(args, run)
    report: dict[str, Any] = {
        "timestamp": datetime.now().strftime("%Y%m%d-%H%M%S"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": info,
        "database": "PostgreSQL" if args.database else ("as --url" if args.url else "SQLite"),
        "clients": args.clients,
        "target_rate": args.rate or "as fast as answered",
        "warmup_s": warmup,
        "sample_s": args.sample,
    }
    sampler: MemorySampler | None = None
    try:
        archive.prepare()
        seed = archive.seed(args.clients)
        archive.start()
        say(
            f"Soaking {archive.base} for {seconds:g} s with {args.clients} clients "
            f"({report['database']}), rate {report['target_rate']}"
        )
        if archive.pid:
            sampler = MemorySampler(archive.pid, args.sample)
            sampler.start()
        context = multiprocessing.get_context("fork")
        results_queue = context.Queue()
        per_client = args.rate / args.clients if args.rate else 0.0
        clients = [
            context.Process(
                target=client_main,
                args=(index, archive.base, seed, run, seconds, per_client, results_queue),
            )
            for index in range(args.clients)
        ]
        started = time.monotonic()
        for process in clients:
            process.start()
        results = [results_queue.get(timeout=seconds + 600) for _ in clients]
        elapsed = time.monotonic() - started
        for process in clients:
            process.join()
        if sampler is not None:
            sampler.stop()
        failures = [r["failure"] for r in results if r["failure"]]
        if failures:
            raise SoakError("; ".join(failures))
        kinds, writes = combine(results)
        report["seconds"] = round(elapsed, 1)
        report["kinds"] = {}
        all_latencies: list[float] = []
        for kind, row in kinds.items():
            latencies = row.pop("latencies")
            all_latencies += latencies
            row["statuses"] = dict(row["statuses"])
            row["p50_ms"] = round(statistics.median(latencies) * 1000, 1) if latencies else 0.0
            row["p95_ms"] = _ms(latencies, 0.95)
            row.setdefault("samples", [])
            report["kinds"][kind] = row
        total = sum(row["requests"] for row in kinds.values())
        report["total"] = {
            "requests": total,
            "rate": round(total / elapsed, 1),
            "errors": sum(row["errors"] for row in kinds.values()),
            "refused": sum(row["refused"] for row in kinds.values()),
            "p50_ms": round(statistics.median(all_latencies) * 1000, 1) if all_latencies else 0.0,
            "p95_ms": _ms(all_latencies, 0.95),
        }
        # Writes a job makes later (indexing, downloads) do not matter here: every accepted
        # write is already committed when its answer was sent.
        report["writes"] = archive.read_back(writes)
        report["memory"] = sampler.verdicts(warmup) if sampler is not None else []
        report["server_tracebacks"] = archive.tracebacks()
    except SoakError as error:
        print(f"soak: {error}", file=sys.stderr)
        if archive.log.exists():
            print(archive.log_tail(), file=sys.stderr)
        return 1
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        archive.stop()
        archive.clean()
    print_report(report)
    out = Path(args.out) if args.out else OUT / f"soak-{report['timestamp']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    say(f"Results written to {out}")
    lost = sum(row["lost"] for row in report["writes"].values())
    growing = [row for row in report["memory"] if row["flat"] is False]
    passed = report["total"]["errors"] == 0 and lost == 0 and not growing
    say(
        f"{'PASS' if passed else 'FAIL'}: {report['total']['errors']} errors, {lost} lost writes, "
        f"{len(growing)} processes not flat, {report['total']['rate']} req/s reached"
    )
    return 0 if passed else 1


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--seconds", type=float, help="how long, in seconds (for short trials)")
    parser.add_argument("--clients", type=int, default=8, help="client processes (default 8)")
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s in all (0: max)")
    parser.add_argument("--database", help="postgresql://… to soak on a scratch database there")
    parser.add_argument("--url", help="soak an archive already running at this address")
    parser.add_argument("--server-pid", type=int, help="with --url: the serve process to watch")
    parser.add_argument("--works", type=int, default=2000, help="posted works to seed")
    parser.add_argument(
        "--warmup",
        type=float,
        help="seconds before memory must stay flat (default: a fifth of the run, 30 to 120)",
    )
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--keep-data", action="store_true", help="keep the data folder")
    parser.add_argument("--out", help="the JSON report (default bench/out/soak-<time>.json)")
    # The child steps, run with the archive's environment.
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--read-back", help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients < 1:
        parser.error("--clients must be at least 1")
    if args.database and args.url:
        parser.error("--database makes an archive of its own; --url soaks one that runs")
    if args.database and not args.database.startswith(("postgres://", "postgresql://")):
        parser.error("--database takes a postgresql:// URL")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.seed_only:
        print(json.dumps(seed_archive(args.works, args.clients, args.run_id)))
        return 0
    if args.read_back:
        writes = json.loads(Path(args.read_back).read_text(encoding="utf-8"))
        writes["kudos"] = [tuple(pair) for pair in writes.get("kudos", [])]
        print(json.dumps(read_back(writes, args.run_id)))
        return 0
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return soak(args)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
