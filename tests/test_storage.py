"""Bad days on disk (ficarchive.storage): refused writes told from other errors with real
errors of SQLite, PostgreSQL and the filesystem; reading pages that still answer while the
database refuses writes, and writes answered 503; the data folder checked at start-up; the
database file private."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.community.models import Comment, Hit, Kudos, Reading
from ficarchive.storage import (
    DATABASE_READ_ONLY,
    DISK_FULL,
    READ_ONLY,
    DataFolderError,
    best_effort,
    cannot_save,
    check_data_folder,
    private_database,
)
from tests.cast import make_user, make_work
from tests.mounts import read_only, tmpfs


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _wrapped(error: Exception) -> OperationalError:
    """The driver's error as Django hands it on."""
    wrapped = OperationalError(str(error))
    wrapped.__cause__ = error
    return wrapped


# -- telling refused writes from other errors ----------------------------------------------


def test_a_full_sqlite_database_is_disk_full(tmp_path: Path) -> None:
    database = sqlite3.connect(tmp_path / "a.db")
    database.execute("CREATE TABLE t (x)")
    # SQLite's own cap on the file's size: the engine answers as on a full disk (SQLITE_FULL).
    pages = database.execute("PRAGMA page_count").fetchone()[0]
    database.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as raised:
        database.executemany("INSERT INTO t VALUES (?)", [(b"x" * 4000,)] * 100)
    assert cannot_save(_wrapped(raised.value)) == DISK_FULL


def test_a_read_only_sqlite_database_is_read_only(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "a.db").execute("CREATE TABLE t (x)").connection.commit()
    database = sqlite3.connect(f"file:{tmp_path / 'a.db'}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        database.execute("INSERT INTO t VALUES (1)")
    assert cannot_save(_wrapped(raised.value)) == READ_ONLY


def test_a_file_written_to_a_full_device_is_disk_full() -> None:
    with pytest.raises(OSError, match="No space") as raised, open("/dev/full", "wb", 0) as handle:
        handle.write(b"x")
    assert cannot_save(raised.value) == DISK_FULL


@pytest.mark.django_db
def test_other_database_errors_are_not_refused_writes() -> None:
    make_user("reader")
    with pytest.raises(IntegrityError) as raised:
        User.objects.create(username="reader")
    assert cannot_save(raised.value) is None
    assert cannot_save(KeyError("x")) is None


# -- a database that refuses writes, on SQLite and PostgreSQL ------------------------------


@contextmanager
def _refusing_writes() -> Iterator[str]:
    """The test database refusing every write, as the engine itself refuses them: SQLite's
    query_only, PostgreSQL's read-only transactions. Yields what the archive should say."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION default_transaction_read_only = on")
    try:
        yield READ_ONLY if connection.vendor == "sqlite" else DATABASE_READ_ONLY
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = OFF")
            else:
                cursor.execute("SET SESSION default_transaction_read_only = off")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_best_effort_skips_a_refused_write_and_lets_others_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = make_work(make_user("author"))
    with _refusing_writes() as reason:
        hit = best_effort("a hit", lambda: Hit.objects.create(work=work, day="2026-01-01"), None)
        assert hit is None
        assert f"a hit was not saved: {reason}" in caplog.text
    assert not Hit.objects.exists()
    with pytest.raises(ZeroDivisionError):
        best_effort("a sum", lambda: 1 // 0, 0)
    assert best_effort("a hit", lambda: Hit.objects.create(work=work, day="2026-01-01"), None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reading_pages_answer_while_the_database_refuses_writes_and_writing_gets_503() -> None:
    author, reader = make_user("author"), make_user("reader")
    work = make_work(author, chapters=2, freeforms=["Coffee Shop AU"])
    signed_in = Client()
    signed_in.force_login(reader)
    pages = [
        "/",
        "/works",
        work.get_absolute_url(),
        work.get_absolute_url() + "?view_full_work=true",
        work.chapters.order_by("position")[1].get_absolute_url(),
        "/search?q=chapter",
        "/users/author",
    ]
    with _refusing_writes() as reason:
        for client in (Client(), signed_in):
            for page in pages:
                assert client.get(page).status_code == 200, page
        for path, data in (
            (f"/works/{work.pk}/kudos", {}),
            (f"/works/{work.pk}/comments", {"body": "Lovely."}),
        ):
            refused = signed_in.post(path, data)
            assert refused.status_code == 503, path
            assert f"The archive cannot save right now: {reason}" in refused.content.decode()
    # Nothing half-written: the refused writes left no rows, the side writes were skipped.
    assert not Kudos.objects.exists()
    assert not Comment.objects.exists()
    assert not Hit.objects.exists()
    assert not Reading.objects.exists()
    # And the archive saves again as soon as it can, without a restart.
    assert signed_in.post(f"/works/{work.pk}/kudos").status_code == 302
    assert Kudos.objects.count() == 1


# -- the data folder -----------------------------------------------------------------------


def test_a_data_folder_is_made_readable_by_its_owner_only(tmp_path: Path) -> None:
    check_data_folder(tmp_path / "made" / "data")
    assert _mode(tmp_path / "made" / "data") == 0o700
    assert list((tmp_path / "made" / "data").iterdir()) == []  # the probe is gone


def test_an_unwritable_data_folder_is_one_line_naming_it_and_what_to_do(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 256) as disk:
        read_only(disk)
        for folder in (disk, disk / "data"):
            with pytest.raises(DataFolderError) as raised:
                check_data_folder(folder)
            assert str(raised.value) == (
                f"cannot write to {folder}: Read-only file system "
                "(set FICARCHIVE_DATA to a writable folder)"
            )


def test_a_new_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "ficarchive.db"
    private_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})
    assert _mode(path) == 0o600
    # SQLite gives the write-ahead log and its index the database file's mode.
    database = sqlite3.connect(path)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE t (x)")
    database.commit()
    assert _mode(tmp_path / "ficarchive.db-wal") == 0o600
    assert _mode(tmp_path / "ficarchive.db-shm") == 0o600
    database.close()


def test_an_older_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "ficarchive.db"
    database = sqlite3.connect(path)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE t (x)")
    database.commit()
    for name in ("ficarchive.db", "ficarchive.db-wal", "ficarchive.db-shm"):
        os.chmod(tmp_path / name, 0o644)
    private_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})
    for name in ("ficarchive.db", "ficarchive.db-wal", "ficarchive.db-shm"):
        assert _mode(tmp_path / name) == 0o600, name
    assert database.execute("SELECT count(*) FROM t").fetchone() == (0,)  # still the database
    database.close()


def test_a_postgresql_database_leaves_the_data_folder_alone(tmp_path: Path) -> None:
    private_database({"ENGINE": "django.db.backends.postgresql", "NAME": "archive"})
    assert list(tmp_path.iterdir()) == []
