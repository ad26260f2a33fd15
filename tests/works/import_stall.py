"""While one writer imports 20 MB of stories on the web, other readers log in and read: the
scenario of issue 14, finding 4 (every log-in failed with a 500 after 20 s while one large EPUB
was imported), shared by its test (tests/works/test_import_stall.py: every answer right and none
waiting on the import) and its benchmark (bench/import_stall.py: how long each answer took).

A real server (`ficarchive serve` as it starts by default: a process a core, four threads each)
on an archive of its own; the import is one upload of a folder of 40 files; meanwhile other
readers log in 50 times, each time with a new session, and open two pages. The files are read
in a child process and each work is written in its own short transaction, so neither a web
thread nor SQLite's write lock is held for long. (The job worker is left out: what it does with
the imported drafts is its own issue's test.)
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.cast import PASSWORD
from tests.works.scratch_archive import Browser, scratch_archive, wait_for

FILES = 40
FILE_BYTES = 512 * 1024  # 40 of them: 20 MB
LOG_INS = 50
READERS = 10
WORDS = (
    "rory jess luke lorelai diner coffee bridge rain town night book letter window quiet "
    "remembered laughed whispered looked back again never always morning kitchen door road"
).split()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _story(rng: random.Random, number: int) -> bytes:
    parts = [f"Title: Long Draft {number}\n\n"]
    size = 0
    chapter = 0
    while size < FILE_BYTES:
        chapter += 1
        paragraphs = [
            " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(100)
        ]
        text = f"Chapter {chapter}\n\n" + "\n\n".join(paragraphs) + "\n\n"
        parts.append(text)
        size += len(text)
    return "".join(parts).encode()


@dataclass
class Outcome:
    """What the import request answered, and each visit's answers while it ran."""

    answer: list[tuple[int, str]] = field(default_factory=list)
    # (what: "log-in" or the page's path, seconds, status; -1 for a page without the reader)
    timings: list[tuple[str, float, int]] = field(default_factory=list)
    during: list[bool] = field(default_factory=list)  # the import still running after a visit


CAST = f"""
from tests.cast import make_user, make_work
author = make_user("tidewright")
make_user("importer")
for number in range({READERS}):
    make_user(f"reader{{number}}")
print(make_work(author, title="The Lamplighter's Tide").pk)
"""


def import_while_others_read(tmp_path: Path) -> Outcome:
    """Runs the scenario in `tmp_path`; returns what everyone was answered."""
    rng = random.Random(14)
    files = [("folder", f"draft-{n:02}.txt", _story(rng, n)) for n in range(1, FILES + 1)]
    assert sum(len(data) for _, _, data in files) >= 20 * 1024 * 1024
    outcome = Outcome()
    answer, timings, during = outcome.answer, outcome.timings, outcome.during
    with scratch_archive(tmp_path) as archive:
        work_id = int(archive.script(CAST).strip())
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = (tmp_path / "server.log").open("wb")
        server = archive.popen(
            "serve",
            env={"PORT": str(port), "JOB_WORKERS": "0"},
            stdout=log,
            stderr=log,
        )
        try:
            wait_for(f"{base}/", server)
            importer = Browser(base)
            assert importer.log_in("importer", PASSWORD)[0] == 200
            importer.get("/works/import")
            upload = threading.Thread(
                target=lambda: answer.append(
                    importer.post("/works/import", {}, files=files, timeout=900)
                )
            )
            upload.start()
            deadline = time.monotonic() + 300
            while not archive.query("SELECT id FROM works_work WHERE import_hash <> ''"):
                assert upload.is_alive(), answer
                assert time.monotonic() < deadline, "the import stored nothing in 5 minutes"
                time.sleep(0.05)

            def visit(number: int) -> None:
                # A new visitor each time: its log-in page, the log-in (a redirect home when it
                # succeeds, not followed, so the log-in is timed alone), then two pages.
                reader = Browser(base, follow_redirects=False)
                reader.get("/users/login")
                name = f"reader{number % READERS}"
                started = time.perf_counter()
                status, _ = reader.post("/users/login", {"username": name, "password": PASSWORD})
                timings.append(("log-in", time.perf_counter() - started, status))
                for path in ("/", f"/works/{work_id}"):
                    started = time.perf_counter()
                    status, page = reader.get(path)
                    seconds = time.perf_counter() - started
                    timings.append((path, seconds, status if name in page else -1))
                during.append(upload.is_alive())

            for number in range(LOG_INS):
                visit(number)
            upload.join(timeout=900)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    return outcome
