"""Taking a backup: one consistent moment of the database, the data folder's files, the manifest.

See the package's docstring for why the SQLite copy holds one read transaction and the
PostgreSQL dump reads an exported snapshot.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ficarchive import __version__
from ficarchive.exports.account_export import EXPORTS_FOLDER
from ficarchive.exports.services import downloads_dir
from ficarchive.server.backups import pg_tools
from ficarchive.server.backups.manifest import (
    DATA,
    DATABASE_FILES,
    DOWNLOADS,
    STAGING_PREFIX,
    BackupError,
    Manifest,
    Progress,
    copy_file,
    file_size,
    hash_file,
    index_tables,
    kind,
    one_line,
    private_file,
    quiet,
    read_state,
    sqlite_path,
    sync_file,
)

# SQLite pages copied per step of the backup API (512 KB at the default page size): each step
# moves the bar, and a step costs little more than its copying, since all steps read the one
# snapshot the backup holds open.
SQLITE_STEP_PAGES = 128
# settings.py keeps the SQLite database here; on PostgreSQL a file left there is not the archive.
SQLITE_NAME = "ficarchive.db"


@dataclass
class _Snapshot:
    created_at: str
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    pg_dump_major: int | None = None


def backup(
    target: Path,
    *,
    downloads: bool = False,
    indexes: bool = True,
    progress: Progress = quiet,
) -> Manifest:
    """Back the archive up into `target`, a new or empty folder; returns its manifest."""
    data_dir = Path(settings.DATA_DIR).resolve()
    target = target.expanduser().resolve()
    database = kind()
    made = _claim_target(target, data_dir, downloads_dir().resolve() if downloads else None)
    try:
        if database == "sqlite":
            snapshot = _sqlite_backup(
                sqlite_path(), target / DATABASE_FILES["sqlite"], progress, indexes=indexes
            )
        else:
            snapshot = _postgres_backup(
                target / DATABASE_FILES["postgresql"], progress, indexes=indexes
            )
        files = {DATABASE_FILES[database]: hash_file(target / DATABASE_FILES[database])}
        files.update(_copy_data_files(data_dir, target, progress, downloads=downloads))
        manifest = Manifest(
            database=database,
            created_at=snapshot.created_at,
            migrations=snapshot.migrations,
            counts=snapshot.counts,
            files=files,
            indexes=indexes,
            downloads=downloads,
            version=_ficarchive_version(),
            pg_dump_major=snapshot.pg_dump_major,
        )
        manifest.write(target)
    except BaseException:
        # Nothing half-made is left to be taken for a backup (it had no manifest anyway).
        _empty_folder(target, remove=made)
        raise
    return manifest


def _claim_target(target: Path, data_dir: Path, downloads: Path | None) -> bool:
    """Check that a backup may go into `target` and make it; returns whether it was made."""
    if target == data_dir or data_dir in target.parents:
        raise BackupError(
            f"{target} is inside the data folder {data_dir}: keep backups elsewhere (a backup "
            "inside the archive's folder goes down with it)"
        )
    if downloads is not None and (target == downloads or downloads in target.parents):
        raise BackupError(
            f"{target} is inside DOWNLOADS_DIR {downloads}: keep backups elsewhere (a backup "
            "with --downloads would copy itself)"
        )
    if target.exists():
        if not target.is_dir():
            raise BackupError(f"{target} exists and is not a folder")
        if any(target.iterdir()):
            raise BackupError(
                f"{target} is not empty: a backup goes into a new or empty folder, and never "
                "over another"
            )
        return False
    try:
        target.mkdir(mode=0o700, parents=True)
    except OSError as error:
        raise BackupError(f"cannot make {target}: {error.strerror or error}") from None
    return True


def _empty_folder(folder: Path, *, remove: bool) -> None:
    if not folder.is_dir():
        return
    if remove:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _sqlite_backup(db: Path, dest: Path, progress: Progress, *, indexes: bool) -> _Snapshot:
    if not db.exists() or db.stat().st_size == 0:
        raise BackupError(f"{db}: there is no archive here yet (the database is empty)")
    source = sqlite3.connect(db, timeout=20, isolation_level=None)
    try:
        # The first read fixes the snapshot that the counts describe and the backup copies.
        source.execute("BEGIN")
        if not source.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'"
        ).fetchall():
            raise BackupError(f"{db}: there is no archive here yet (run ficarchive migrate)")
        created_at = timezone.now().isoformat()
        migrations, counts = read_state(lambda sql: source.execute(sql).fetchall())
        partial = dest.with_name(f"{dest.name}.partial")
        with private_file(partial):
            pass  # made 0600 before SQLite writes the copy, which holds password hashes
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(
                copy,
                pages=SQLITE_STEP_PAGES,
                progress=lambda status, remaining, total: progress(
                    "copying the database", total - remaining, total
                ),
            )
            source.execute("COMMIT")
            if not indexes:
                progress("leaving the indexes out", 0, 1)
                for table in index_tables():
                    copy.execute(f'DELETE FROM "{table}"')
                copy.execute("VACUUM")
                progress("leaving the indexes out", 1, 1)
            # One self-contained file: no -wal beside it to lose.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        sync_file(partial)
        partial.replace(dest)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {db}: {error}") from None
    finally:
        source.close()
    return _Snapshot(created_at, migrations, counts)


def _postgres_backup(dest: Path, progress: Progress, *, indexes: bool) -> _Snapshot:
    try:
        pg_dump, dump_major = pg_tools.find("pg_dump")
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            server = pg_tools.server_major(int(cursor.fetchone()[0]))
        reason = pg_tools.too_old("pg_dump", dump_major, server, "the PostgreSQL server")
        if reason:
            raise BackupError(reason)
        dbname, env = pg_tools.connection_arguments(connection.settings_dict)
        partial = dest.with_name(f"{dest.name}.partial")
        with transaction.atomic(), connection.cursor() as cursor:

            def query(sql: str) -> list[tuple[Any, ...]]:
                cursor.execute(sql)
                return list(cursor.fetchall())

            # Everything below reads one snapshot, which pg_dump then dumps as it is.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot_id = query("SELECT pg_export_snapshot()")[0][0]
            created_at = timezone.now().isoformat()
            migrations, counts = read_state(query)
            tables = int(
                query(
                    "SELECT COUNT(*) FROM pg_tables "
                    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                )[0][0]
            )
            arguments = [
                "--format=custom",
                f"--file={partial}",
                f"--snapshot={snapshot_id}",
                "--verbose",
                f"--dbname={dbname}",
            ]
            if not indexes:
                arguments += [f"--exclude-table-data={table}" for table in index_tables()]
            dumped = 0

            def on_line(line: str) -> None:
                nonlocal dumped
                if "dumping contents of table" in line:
                    dumped += 1
                    progress("dumping the database", min(dumped, tables), tables)

            with private_file(partial):
                pass  # 0600 before pg_dump writes into it
            pg_tools.run(pg_dump, arguments, env, on_line)
            progress("dumping the database", tables, tables)
    except pg_tools.ToolError as error:
        raise BackupError(str(error)) from None
    except DatabaseError as error:
        raise BackupError(f"cannot read the PostgreSQL database: {one_line(error)}") from None
    sync_file(partial)
    partial.replace(dest)
    return _Snapshot(created_at, migrations, counts, pg_dump_major=dump_major)


def _data_files(data_dir: Path, *, downloads: bool) -> list[tuple[Path, str]]:
    """The files a backup keeps, each with its name in the backup: the data folder's files but
    the database, the collected static files, the users' data exports (short-lived copies of
    personal data, made again on request) and the download files; and, when asked for, the
    download files of DOWNLOADS_DIR, wherever it is, as `data/downloads/…` (restore puts them
    back into DOWNLOADS_DIR). Without `downloads` the archive makes them again when asked."""
    database = sqlite_path() if kind() == "sqlite" else data_dir / SQLITE_NAME
    folder = downloads_dir().resolve()
    skipped = {
        "static",
        DOWNLOADS,  # DOWNLOADS_DIR unset; or, set elsewhere, files the archive no longer reads
        EXPORTS_FOLDER,
        *(database.name + end for end in ("", "-wal", "-shm", "-journal")),
    }
    found: list[tuple[Path, str]] = []
    for entry in sorted(data_dir.iterdir()):
        if entry.name in skipped or entry.name.startswith((".write-check-", STAGING_PREFIX)):
            continue
        if entry.is_file() and not entry.is_symlink():
            files = [entry]
        elif entry.is_dir() and not entry.is_symlink():
            files = sorted(p for p in entry.rglob("*") if p.is_file() and not p.is_symlink())
        else:
            continue
        found.extend(
            (path, _member(PurePosixPath(DATA), path.relative_to(data_dir)))
            for path in files
            if not path.resolve().is_relative_to(folder)  # a DOWNLOADS_DIR inside the data folder
        )
    if downloads and folder.is_dir():
        # Hidden names are files still being written (a temporary name, renamed once whole).
        found.extend(
            (path, _member(PurePosixPath(DATA, DOWNLOADS), path.relative_to(folder)))
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink() and not path.name.startswith(".")
        )
    return found


def _member(folder: PurePosixPath, relative: Path) -> str:
    return (folder / relative.as_posix()).as_posix()


def _copy_data_files(
    data_dir: Path, target: Path, progress: Progress, *, downloads: bool
) -> dict[str, str]:
    files = _data_files(data_dir, downloads=downloads)
    sizes = [file_size(path) for path, _ in files]
    total, done = sum(sizes), 0
    hashes: dict[str, str] = {}
    for (path, name), size in zip(files, sizes, strict=True):
        # A file deleted since it was listed (a download replaced by a newer revision) is
        # skipped; the source is opened before its copy is made, so none is left behind.
        with suppress(FileNotFoundError):
            hashes[name] = copy_file(path, target / name)
        done += size
        progress("copying the data folder", done, total)
    return hashes


def _ficarchive_version() -> str:
    try:
        return version("ficarchive")
    except PackageNotFoundError:
        return __version__
