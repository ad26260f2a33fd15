"""`ficarchive worker` in processes of its own, against a database of its own: a worker outlives a
locked database, a job whose worker was killed runs again once its lease passes and ends once, a
long job keeps its lease, a work whose index job was killed is indexed on the next run, and four
workers run a thousand jobs each exactly once.

Each test gets a fresh, migrated database (SQLite; and PostgreSQL too when DATABASE_URL is set)
that the test reads with plain SQL while the workers run. Leases are 2 s here (JOB_LEASE_SECONDS).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.processes import run_module

ROOT = Path(__file__).resolve().parent.parent.parent
LEASE = 2
BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get("DATABASE_URL") else [])]


def _server_url(name: str) -> str:
    base = os.environ["DATABASE_URL"].split("?", 1)[0]
    return base.rsplit("/", 1)[0] + "/" + name


def _admin(sql: str) -> None:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql)


def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.1)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@dataclass
class Archive:
    """A data folder and database of its own, shared by the worker processes and the test."""

    folder: Path
    database_url: str | None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "FICARCHIVE_DATA": str(self.folder), "JOB_LEASE_SECONDS": str(LEASE)}
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def launch(self, *args: str, log: str = "worker") -> subprocess.Popen[bytes]:
        """Start `python -m tests.jobs.launch ARGS`; its output goes to LOG.out and LOG.err."""
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.launch", *args],
            cwd=ROOT,
            env=self.env,
            stdout=(self.folder / f"{log}.out").open("wb"),
            stderr=(self.folder / f"{log}.err").open("wb"),
        )
        self.processes.append(process)
        return process

    def call(self, *args: str) -> str:
        return run_module("tests.jobs.launch", *args, env=self.env)

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        return int(self.call("enqueue", kind, json.dumps(payload)))

    def log(self, name: str) -> str:
        return (self.folder / name).read_text()

    def one(self, sql: str, *params: object) -> Any:
        """The first column of the first row of a query (`%s` for parameters)."""
        if self.database_url is None:
            with sqlite3.connect(self.folder / "ficarchive.db", timeout=30) as db:
                row = db.execute(sql.replace("%s", "?"), params).fetchone()
        else:
            with psycopg.connect(self.database_url, autocommit=True) as db:
                row = db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def job(self, pk: int) -> tuple[str, int]:
        return (
            self.one("SELECT state FROM jobs_job WHERE id = %s", pk),
            self.one("SELECT attempts FROM jobs_job WHERE id = %s", pk),
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@dataclass
class _Migrated:
    folder: Path
    database: str | None  # PostgreSQL: the migrated database, copied as a template


@pytest.fixture(scope="module", params=BACKENDS)
def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_Migrated]:
    folder = tmp_path_factory.mktemp("migrated")
    database = f"ficarchive_jobs_{uuid.uuid4().hex[:12]}" if request.param == "postgresql" else None
    if database:
        _admin(f"CREATE DATABASE {database}")
    archive = Archive(folder, _server_url(database) if database else None)
    try:
        archive.call("ficarchive", "migrate", "--no-input", "--verbosity=0")
        yield _Migrated(folder, database)
    finally:
        if database:
            _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture
def archive(migrated: _Migrated, tmp_path: Path) -> Iterator[Archive]:
    folder = tmp_path / "data"
    shutil.copytree(migrated.folder, folder)
    database = None
    if migrated.database:
        database = f"{migrated.database}_{uuid.uuid4().hex[:8]}"
        _admin(f"CREATE DATABASE {database} TEMPLATE {migrated.database}")
    archive = Archive(folder, _server_url(database) if database else None)
    try:
        yield archive
    finally:
        archive.stop()
        if database:
            _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _waiting(archive: Archive, log: str) -> Callable[[], bool]:
    return lambda: "waiting for jobs" in archive.log(f"{log}.out")


def test_the_worker_outlives_a_locked_database_then_runs_the_job(archive: Archive) -> None:
    if archive.database_url:
        pytest.skip("the write lock held past its busy timeout is SQLite's")
    out = archive.folder / "out.txt"
    job = archive.enqueue("tests.append", {"path": str(out)})
    # A long import holds SQLite's one write lock: BEGIN IMMEDIATE takes it, as Django does.
    lock = sqlite3.connect(archive.folder / "ficarchive.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        worker = archive.launch("--busy-timeout", "0.1", "ficarchive", "worker", "--poll", "0.2")
        _until(
            lambda: archive.log("worker.err").count("database is locked") >= 2,
            60,
            "two failed tries logged",
        )
        assert worker.poll() is None, archive.log("worker.err")
        assert not out.exists()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    _until(lambda: archive.job(job)[0] == "done", 60, "the job's end")
    assert _lines(out) == ["done"]
    assert worker.poll() is None
    errors = archive.log("worker.err")
    assert "Traceback" not in errors
    # One line a try: what failed, and when it tries again.
    tries = [line for line in errors.splitlines() if "database is locked" in line]
    assert tries[0] == "worker: database error (database is locked); trying again in 1 s"
    assert tries[1] == "worker: database error (database is locked); trying again in 2 s"
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert "worker: stopped" in archive.log("worker.out")


def test_a_job_whose_worker_was_killed_runs_again_after_its_lease_and_ends_once(
    archive: Archive,
) -> None:
    started, done = archive.folder / "started.txt", archive.folder / "done.txt"
    job = archive.enqueue(
        "tests.slow", {"started": str(started), "path": str(done), "seconds": 120}
    )
    first = archive.launch("ficarchive", "worker", "--poll", "0.2", log="first")
    _until(started.exists, 60, "the job's start")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert archive.job(job) == ("running", 1)

    second = archive.launch("ficarchive", "worker", "--poll", "0.2", log="second")
    # The bound: a killed job runs again within a minute (here its lease is 2 s).
    _until(lambda: archive.job(job)[0] == "done", 60, "the job's second run")
    assert archive.job(job) == ("done", 2)
    assert _lines(started) == ["started", "started"]
    assert _lines(done) == ["done"]
    assert "queued again" in archive.log("second.err")
    assert second.poll() is None


def test_a_job_longer_than_its_lease_stays_with_its_live_worker(archive: Archive) -> None:
    started, done = archive.folder / "started.txt", archive.folder / "done.txt"
    for name in ("one", "two"):
        archive.launch("ficarchive", "worker", "--poll", "0.2", log=name)
    for name in ("one", "two"):
        _until(_waiting(archive, name), 60, f"worker {name} waiting")
    # Three leases long: without the heartbeat the idle worker would take it after one.
    job = archive.enqueue(
        "tests.slow", {"started": str(started), "path": str(done), "seconds": 3 * LEASE}
    )
    _until(lambda: archive.job(job)[0] == "done", 60, "the job's end")
    assert archive.job(job) == ("done", 1)
    assert _lines(started) == ["started"]
    assert _lines(done) == ["done"]
    assert all(process.poll() is None for process in archive.processes)


def test_a_work_whose_index_job_was_killed_is_indexed_on_the_next_run(archive: Archive) -> None:
    work = int(archive.call("post-work"))
    marker = archive.folder / "indexing"
    worker = archive.launch("--slow-index", str(marker), "ficarchive", "worker", "--poll", "0.2")
    # Killed inside the index job's transaction: passages and fingerprints written, not committed.
    _until(marker.exists, 120, "the index job's start")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    count = "SELECT COUNT(*) FROM {} WHERE work_id = %s"
    assert archive.one(count.format("overlap_indexedwork"), work) == 0
    assert archive.one(count.format("overlap_passage"), work) == 0

    time.sleep(LEASE + 0.5)  # the lease of the killed job passes
    assert "ran" in archive.call("ficarchive", "worker", "--once")
    assert archive.one(count.format("overlap_indexedwork"), work) == 1
    assert archive.one(count.format("overlap_passage"), work) > 0
    index_job = archive.one("SELECT id FROM jobs_job WHERE key = %s", f"overlap-index-{work}")
    assert archive.job(index_job) == ("done", 2)


def test_four_workers_run_a_thousand_jobs_each_exactly_once(archive: Archive) -> None:
    names = [f"worker{number}" for number in range(4)]
    for name in names:
        archive.launch("ficarchive", "worker", "--poll", "0.1", log=name)
    for name in names:
        _until(_waiting(archive, name), 120, f"{name} waiting")
    runs = archive.folder / "runs.txt"
    archive.call("record-jobs", str(runs), "1000")
    _until(
        lambda: archive.one("SELECT COUNT(*) FROM jobs_job WHERE state = 'done'") == 1000,
        60,
        "the thousand jobs' end",
    )
    for process in archive.processes:
        process.send_signal(signal.SIGTERM)
    assert all(process.wait(timeout=30) == 0 for process in archive.processes)

    lines = [line.split() for line in _lines(runs)]
    assert sorted(int(n) for n, _ in lines) == list(range(1000)), "each job ran exactly once"
    assert archive.one("SELECT COUNT(*) FROM jobs_job WHERE attempts <> 1") == 0
    # They ran side by side: every worker took its share of the queue.
    pids = {process.pid for process in archive.processes}
    assert {pid for _, pid in lines} == {str(pid) for pid in pids}
    for name in names:
        assert "Traceback" not in archive.log(f"{name}.err")
