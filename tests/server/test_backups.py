"""`ficarchive backup` and `ficarchive restore`, run as a maintainer runs them: real commands in
their own processes, against a live archive that another process keeps writing to.

On SQLite each archive is a data folder; when the suite runs on PostgreSQL (DATABASE_URL) each
is also a database of its own, created with a unique name and dropped afterwards.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from ficarchive.progress import StageProgress
from ficarchive.server.backups import pg_tools
from ficarchive.server.backups.taking import _data_files

ROOT = Path(__file__).resolve().parents[2]
SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = SERVER_URL.startswith("postgres")
TIMEOUT = 300


@dataclass
class Archive:
    data: Path
    database_url: str = ""

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "FICARCHIVE_DATA", "SECRET_KEY", "SECRET_KEY_FILE"}
        }
        env.update(FICARCHIVE_DATA=str(self.data), ALLOWED_HOSTS="testserver", **extra)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def command(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`ficarchive ARGS` for this archive, to its end."""
        return subprocess.run(
            [sys.executable, "-m", "ficarchive.cli", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    def ok(self, *args: str) -> str:
        done = self.command(*args)
        assert done.returncode == 0, f"ficarchive {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def helper(self, *args: str) -> str:
        """tests/server/busy_archive.py ARGS for this archive."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.server.busy_archive", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, f"busy_archive {' '.join(args)}:\n{done.stderr}"
        return done.stdout

    def start(self, module: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def facts(self) -> dict[str, list[int]]:
        facts: dict[str, list[int]] = json.loads(self.helper("facts"))
        return facts


def _database_url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(sql)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One migrated archive per test process, copied for each test (migrating takes long)."""
    template = Archive(tmp_path_factory.mktemp("template"))
    if ON_POSTGRESQL:
        name = f"ficarchive_backup_template_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}"')
        template.database_url = _database_url(name)
    try:
        template.ok("migrate", "--no-input", "--verbosity=0")
        yield template
    finally:
        if ON_POSTGRESQL:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def archives(migrated: Archive, tmp_path: Path) -> Iterator[Callable[..., Archive]]:
    """`archives()`: a new migrated archive; `archives(empty=True)`: an empty data folder (and
    an empty database) to restore into."""
    databases: list[str] = []

    def make(*, empty: bool = False) -> Archive:
        number = len(list(tmp_path.glob("archive-*")))
        archive = Archive(tmp_path / f"archive-{number}")
        archive.data.mkdir()
        if ON_POSTGRESQL:
            name = f"ficarchive_backup_{uuid.uuid4().hex[:12]}"
            template = "" if empty else f' TEMPLATE "{urlsplit(migrated.database_url).path[1:]}"'
            _admin(f'CREATE DATABASE "{name}"{template}')
            databases.append(name)
            archive.database_url = _database_url(name)
        elif not empty:
            source = sqlite3.connect(migrated.data / "ficarchive.db")
            copy = sqlite3.connect(archive.data / "ficarchive.db")
            source.backup(copy)
            copy.close()
            source.close()
        return archive

    yield make
    for name in databases:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _lines(path: Path) -> list[dict[str, list[int] | int]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.2)


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
    return errors or ""


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


def _overlap_sources(archive: Archive, tmp_path: Path, paragraph: str) -> list[int]:
    draft = tmp_path / "draft.txt"
    draft.write_text(f"A draft\n\nIt began somewhere else.\n\n{paragraph}\n\nThe End\n")
    report = json.loads(
        archive.ok("check", str(draft), "--author", "rory", "--scope", "archive", "--json")
    )
    return sorted({finding["source"]["work_id"] for finding in report["findings"]})


def _backup_of(archive: Archive, folder: Path) -> dict[str, object]:
    archive.ok("backup", str(folder))
    manifest: dict[str, object] = json.loads((folder / "manifest.json").read_text())
    return manifest


# ---------------------------------------------------------------------------------------------
# the round trip


def test_a_backup_taken_under_writes_restores_every_row_page_and_index(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    seeded = json.loads(source.helper("seed"))
    source.ok("worker", "--once")  # the seeded story indexed, as a running archive has it
    log = tmp_path / "writes.log"
    worker = source.start("ficarchive.cli", "worker", "--poll", "0.2")
    writer = source.start("tests.server.busy_archive", "write", str(log))
    try:
        _wait_for(lambda: len(_lines(log)) >= 5, "five posts by the writer")
        before = _lines(log)
        backup = source.command("backup", str(tmp_path / "backup"))
        # Writes go on after the backup, so they surely ran all through it.
        after_backup = len(_lines(log))
        _wait_for(lambda: len(_lines(log)) > after_backup + 2, "posts after the backup")
    finally:
        writer_errors = _stop(writer)
        _stop(worker)
    assert writer.returncode == 0, writer_errors
    assert backup.returncode == 0, backup.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    source_facts = source.facts()
    # The snapshot lies inside the writing: later than the posts before it, earlier than now.
    assert len(before) + 1 <= manifest["counts"]["works"] < len(source_facts["works"])

    target = archives(empty=True)
    restored = target.command("restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup" in restored.stdout

    facts = target.facts()
    assert {name: len(facts[name]) for name in manifest["counts"]} == manifest["counts"]
    for post in before:
        assert post["work"] in facts["works"]
        for kind in ("chapters", "comments", "kudos", "bookmarks"):
            assert set(post[kind]) <= set(facts[kind]), (kind, post)  # type: ignore[arg-type]
    for kind in ("works", "chapters", "comments", "kudos", "bookmarks", "users"):
        assert set(facts[kind]) <= set(source_facts[kind]), kind
    # Kept counts (kudos, comments, bookmarks, chapters) agree with their rows: one moment.
    assert facts["torn"] == []

    assert target.helper("search", f'"{seeded["phrase"]}"').strip() == f"[{seeded['work_id']}]"
    newest = max(post["work"] for post in before)
    assert json.loads(target.helper("search", f'"busy day number {len(before)}"')) == [newest]
    assert _overlap_sources(target, tmp_path, seeded["paragraph"]) == [seeded["work_id"]]

    source_page = _without_csrf(source.helper("page", str(seeded["work_id"])))
    restored_page = _without_csrf(target.helper("page", str(seeded["work_id"])))
    assert "Everything Back But You" in restored_page
    assert restored_page == source_page
    assert (target.data / "secret_key").read_text() == (source.data / "secret_key").read_text()


def test_an_older_backup_without_indexes_is_migrated_and_indexed_on_restore(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    seeded = json.loads(source.helper("seed"))
    source.ok("worker", "--once")
    # An archive one migration behind this ficarchive (Django's own, which it can undo).
    source.ok("migrate", "admin", "0002", "--no-input", "--verbosity=0")
    source.ok("backup", str(tmp_path / "backup"), "--without-indexes")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["indexes"] is False
    assert "0003_logentry_add_action_flag_choices" not in manifest["migrations"]["admin"]
    if not ON_POSTGRESQL:
        copy = sqlite3.connect(tmp_path / "backup" / "database.sqlite3")
        assert copy.execute("SELECT COUNT(*) FROM overlap_passage").fetchone() == (0,)
        assert copy.execute("SELECT COUNT(*) FROM search_work").fetchone() == (0,)
        copy.close()

    target = archives(empty=True)
    out = target.ok("restore", str(tmp_path / "backup"))

    assert "1 migration(s) applied" in out
    assert "search and overlap indexes built" in out
    applied = target.ok("showmigrations", "admin", "--plan")
    assert "[X]  admin.0003_logentry_add_action_flag_choices" in applied
    assert json.loads(target.helper("search", f'"{seeded["phrase"]}"')) == [seeded["work_id"]]
    assert _overlap_sources(target, tmp_path, seeded["paragraph"]) == [seeded["work_id"]]


# ---------------------------------------------------------------------------------------------
# refusals


def test_restore_refuses_a_folder_or_database_that_holds_an_archive_and_changes_nothing(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    source.helper("seed")
    source.ok("backup", str(tmp_path / "backup"))
    before = source.facts()

    refused = source.command("restore", str(tmp_path / "backup"))

    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert "not empty" in line or "already holds an archive" in line
    assert source.facts() == before

    target = archives(empty=True)
    (target.data / "downloads").mkdir()
    (target.data / "downloads" / "keep.epub").write_bytes(b"a reader's file")
    refused = target.command("restore", str(tmp_path / "backup"))
    assert refused.returncode == 1
    assert f"{target.data} is not empty (it holds downloads)" in refused.stderr
    assert (target.data / "downloads" / "keep.epub").read_bytes() == b"a reader's file"


def test_restore_refuses_a_damaged_backup_before_changing_anything(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    manifest = _backup_of(source, tmp_path / "backup")
    database = tmp_path / "backup" / ("database.pgdump" if ON_POSTGRESQL else "database.sqlite3")
    damaged = bytearray(database.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    database.write_bytes(bytes(damaged))
    target = archives(empty=True)

    refused = target.command("restore", str(tmp_path / "backup"))

    assert refused.returncode == 1
    assert f"{database}: its sha256 differs from the manifest's" in refused.stderr
    assert manifest["counts"]
    # Still an empty archive: restoring the intact backup would be allowed.
    assert sorted(p.name for p in target.data.iterdir()) == _startup_entries(target)
    assert (
        target.command("restore", str(tmp_path / "nowhere"))
        .stderr.strip()
        .endswith("no such folder")
    )


def _startup_entries(archive: Archive) -> list[str]:
    return sorted(["secret_key", "static", *([] if ON_POSTGRESQL else ["ficarchive.db"])])


def test_restore_refuses_a_manifest_that_names_files_outside_the_backup(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    folder = tmp_path / "backup"
    manifest = _backup_of(source, folder)
    files = dict(manifest["files"])  # type: ignore[call-overload]
    files["data/../../outside"] = files.pop("data/secret_key")
    (folder / "manifest.json").write_text(json.dumps({**manifest, "files": files}))
    target = archives(empty=True)

    refused = target.command("restore", str(folder))

    assert refused.returncode == 1
    assert "'files' names 'data/../../outside', which is not a file of a backup" in refused.stderr
    (folder / "manifest.json").unlink()
    refused = target.command("restore", str(folder))
    assert f"{folder / 'manifest.json'} is missing" in refused.stderr


def test_restore_refuses_a_backup_of_the_other_database_engine(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    _backup_of(source, tmp_path / "backup")
    other = Archive(tmp_path / "other")
    other.data.mkdir()
    if not ON_POSTGRESQL:
        # Refused from the manifest alone, before anything connects to this address.
        other.database_url = "postgresql://postgres@127.0.0.1:5432/ficarchive_never_made"

    refused = other.command("restore", str(tmp_path / "backup"))

    assert refused.returncode == 1
    engines = ("PostgreSQL", "SQLite") if ON_POSTGRESQL else ("SQLite", "PostgreSQL")
    assert f"is a backup of a {engines[0]} archive and this archive uses {engines[1]}" in (
        refused.stderr
    )


def test_backup_refuses_a_folder_that_is_not_empty_or_inside_the_data_folder(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")

    refused = source.command("backup", str(taken))
    inside = source.command("backup", str(source.data / "backups"))

    assert refused.returncode == inside.returncode == 1
    assert f"{taken} is not empty" in refused.stderr
    assert (taken / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]
    assert f"is inside the data folder {source.data}" in inside.stderr
    assert not (source.data / "backups").exists()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump is used only on PostgreSQL")
def test_backup_says_when_pg_dump_is_missing(
    archives: Callable[..., Archive], tmp_path: Path
) -> None:
    source = archives()

    refused = source.command("backup", str(tmp_path / "backup"), PATH=str(tmp_path))

    assert refused.returncode == 1
    assert "pg_dump was not found on PATH: install PostgreSQL's client tools" in refused.stderr
    assert not (tmp_path / "backup").exists()


# ---------------------------------------------------------------------------------------------
# the parts


def test_it_reads_the_major_version_of_the_client_tools() -> None:
    assert pg_tools.major_version("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
    assert pg_tools.major_version("pg_restore (PostgreSQL) 17beta1") == 17
    assert pg_tools.server_major(150020) == 15
    with pytest.raises(pg_tools.ToolError, match="cannot read a PostgreSQL version"):
        pg_tools.major_version("pg_dump: command not found")


def test_it_refuses_a_pg_dump_older_than_the_server_and_says_what_to_install() -> None:
    reason = pg_tools.too_old("pg_dump", 14, 16, "the PostgreSQL server")
    assert reason == (
        "pg_dump on PATH is version 14, older than the PostgreSQL server (16): install "
        "PostgreSQL 16's client tools (Debian: postgresql-client-16) and put them first on PATH"
    )
    assert pg_tools.too_old("pg_dump", 16, 16, "the PostgreSQL server") is None
    assert pg_tools.too_old("pg_dump", 17, 16, "the PostgreSQL server") is None


def test_progress_draws_a_bar_on_a_terminal_and_one_line_a_stage_elsewhere() -> None:
    log = io.StringIO()
    progress = StageProgress(log, interactive=False)
    for done in range(11):
        progress("copying the database", done, 10)
    progress("copying the data folder", 1, 1)
    progress.finish()
    assert log.getvalue() == "copying the database…\ncopying the data folder…\n"

    terminal = io.StringIO()
    progress = StageProgress(terminal, interactive=True)
    progress("checking the backup", 0, 4)
    progress("checking the backup", 4, 4)
    progress.finish()
    drawn = terminal.getvalue()
    assert drawn.startswith("\r[")
    assert drawn.endswith(f"\r[{'#' * 30}] 100% checking the backup\n")


def test_a_backup_leaves_out_the_users_data_exports(tmp_path: Path) -> None:
    """Each user's export zip is a short-lived copy of their data, made again on request."""
    (tmp_path / "account-exports" / "7").mkdir(parents=True)
    (tmp_path / "account-exports" / "7" / "made.zip").write_bytes(b"PK")
    (tmp_path / "covers").mkdir()
    (tmp_path / "covers" / "owl.jpg").write_bytes(b"jpeg")
    kept = _data_files(tmp_path, downloads=True)
    assert kept == [(tmp_path / "covers" / "owl.jpg", "data/covers/owl.jpg")]


def test_with_downloads_a_backup_keeps_the_files_of_a_downloads_dir_outside_the_data_folder(
    tmp_path: Path, settings: Any
) -> None:
    data, shared = tmp_path / "data", tmp_path / "shared"
    (data / "downloads" / "3").mkdir(parents=True)
    (data / "downloads" / "3" / "old.epub").write_bytes(b"from before DOWNLOADS_DIR was set")
    (shared / "12" / "site").mkdir(parents=True)
    (shared / "12" / "site" / "4-1700.epub").write_bytes(b"PK epub")
    (shared / "12" / "site" / ".9f2c.partial").write_bytes(b"PK half")  # still being written
    settings.DOWNLOADS_DIR = shared

    kept = _data_files(data, downloads=True)

    assert kept == [(shared / "12" / "site" / "4-1700.epub", "data/downloads/12/site/4-1700.epub")]
    assert _data_files(data, downloads=False) == []


def test_a_downloads_dir_inside_the_data_folder_is_kept_once_and_only_when_asked(
    tmp_path: Path, settings: Any
) -> None:
    (tmp_path / "files" / "made" / "5").mkdir(parents=True)
    (tmp_path / "files" / "made" / "5" / "1-2.html").write_bytes(b"<html>")
    (tmp_path / "files" / "cover.jpg").write_bytes(b"jpeg")
    settings.DOWNLOADS_DIR = tmp_path / "files" / "made"

    assert _data_files(tmp_path, downloads=True) == [
        (tmp_path / "files" / "cover.jpg", "data/files/cover.jpg"),
        (tmp_path / "files" / "made" / "5" / "1-2.html", "data/downloads/5/1-2.html"),
    ]
    assert _data_files(tmp_path, downloads=False) == [
        (tmp_path / "files" / "cover.jpg", "data/files/cover.jpg")
    ]


@pytest.fixture
def other_file_system(tmp_path: Path) -> Iterator[Path]:
    """A folder on another file system than tmp_path where there is one (/dev/shm), as a
    shared mount is: a rename from the data folder into it fails there."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shm.stat().st_dev != tmp_path.stat().st_dev:
        folder = Path(tempfile.mkdtemp(prefix="ficarchive-mount-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path / "mount"


def test_restore_puts_the_download_files_back_into_downloads_dir(
    archives: Callable[..., Archive], tmp_path: Path, other_file_system: Path
) -> None:
    source, target = archives(), archives(empty=True)
    shared_before, shared_after = tmp_path / "mount-a", other_file_system / "downloads"
    (shared_before / "12" / "site").mkdir(parents=True)
    (shared_before / "12" / "site" / "4-1700.epub").write_bytes(b"PK epub")

    done = source.command(
        "backup", str(tmp_path / "backup"), "--downloads", DOWNLOADS_DIR=str(shared_before)
    )
    assert done.returncode == 0, done.stderr
    inside = source.command(
        "backup", str(shared_before / "b"), "--downloads", DOWNLOADS_DIR=str(shared_before)
    )
    restored = target.command("restore", str(tmp_path / "backup"), DOWNLOADS_DIR=str(shared_after))

    assert restored.returncode == 0, restored.stderr
    assert (shared_after / "12" / "site" / "4-1700.epub").read_bytes() == b"PK epub"
    assert [p.name for p in (shared_after / "12" / "site").iterdir()] == ["4-1700.epub"]
    assert not (target.data / "downloads").exists()
    assert inside.returncode == 1
    assert f"is inside DOWNLOADS_DIR {shared_before}" in inside.stderr
    assert not (shared_before / "b").exists()
