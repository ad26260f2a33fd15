"""Restoring a backup into an empty data folder and database: check, put in place, migrate,
verify the indexes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from ficarchive.exports.services import downloads_dir, write_atomically
from ficarchive.overlap import services as overlap
from ficarchive.search import services as search
from ficarchive.server.backups import pg_tools
from ficarchive.server.backups.manifest import (
    CHUNK,
    DATA,
    DATABASE_FILES,
    DOWNLOADS,
    MANIFEST,
    SEARCH_TABLE,
    STAGING_PREFIX,
    BackupError,
    Manifest,
    Progress,
    copy_file,
    file_size,
    kind,
    one_line,
    quiet,
    read_state,
    sqlite_path,
)
from ficarchive.works.models import Work

# What start-up makes in a data folder (`settings.py`): a restore may go where only these are.
STARTUP_ENTRIES = {"secret_key", "static"}


@dataclass
class Restored:
    manifest: Manifest
    migrated: list[str]
    overlap_indexed: int
    search_indexed: int
    indexes_rebuilt: bool
    secret_key: bool


def restore(source: Path, *, reindex: bool = False, progress: Progress = quiet) -> Restored:
    """Restore the backup in `source` into this archive's (empty) data folder and database."""
    source = source.expanduser().resolve()
    manifest = Manifest.read(source)
    database = kind()
    if manifest.database != database:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{source} is a backup of a {names[manifest.database]} archive and this archive "
            f"uses {names[database]}: a backup restores onto the engine it came from (set or "
            "unset DATABASE_URL to match)"
        )
    # The quick refusals first, then every file read against its hash: all before any change.
    data_dir = Path(settings.DATA_DIR).resolve()
    _refuse_not_empty(data_dir, database)
    _refuse_newer(source, manifest)
    _verify(source, manifest, progress)
    staging = data_dir / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        staged = _stage(source, manifest, staging, database, progress)
        connections.close_all()
        if database == "sqlite":
            db = sqlite_path()
            for end in ("-wal", "-shm", "-journal"):  # the empty database's, if any
                db.with_name(db.name + end).unlink(missing_ok=True)
            (staging / DATABASE_FILES["sqlite"]).replace(db)
        else:
            _postgres_restore(source / DATABASE_FILES["postgresql"], manifest, progress)
        for name, path in staged.items():
            _put_in_place(name, path, data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _check_counts(manifest)
    migrated = _migrate(progress)
    rebuilt = reindex or not manifest.indexes
    overlap_indexed, search_indexed = _indexes(rebuild=rebuilt, progress=progress)
    return Restored(
        manifest=manifest,
        migrated=migrated,
        overlap_indexed=overlap_indexed,
        search_indexed=search_indexed,
        indexes_rebuilt=rebuilt,
        secret_key=f"{DATA}/secret_key" in manifest.files,
    )


def _put_in_place(name: str, staged: Path, data_dir: Path) -> None:
    """A backup's data file into the data folder (a rename: the staging folder is in it), or a
    download file into DOWNLOADS_DIR, wherever it is now, written as the archive writes them
    (whole under a hidden name, then renamed; a shared mount may be another file system)."""
    relative = PurePosixPath(name).relative_to(DATA)
    if relative.parts[0] == DOWNLOADS and len(relative.parts) > 1:
        write_atomically(downloads_dir() / relative.relative_to(DOWNLOADS), staged.read_bytes())
        return
    final = data_dir / relative
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staged.replace(final)


def _verify(source: Path, manifest: Manifest, progress: Progress) -> None:
    """Every file of the manifest is there with its hash, before anything is changed."""
    if DATABASE_FILES[manifest.database] not in manifest.files:
        raise BackupError(f"{source / MANIFEST}: it lists no database file")
    paths = {name: source / name for name in manifest.files}
    total = sum(file_size(path) for path in paths.values())
    done = 0
    for name, path in paths.items():
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    done += len(chunk)
                    progress("checking the backup", done, total)
        except OSError as error:
            raise BackupError(f"{path}: cannot read it ({error.strerror or error})") from None
        if digest.hexdigest() != manifest.files[name]:
            raise BackupError(
                f"{path}: its sha256 differs from the manifest's: the backup is damaged"
            )


def _refuse_newer(source: Path, manifest: Manifest) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"{source} was made by a newer ficarchive ({manifest.version or 'unknown'}: "
            f"migrations {', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''} are not in "
            "this one): upgrade ficarchive, then restore"
        )


def _refuse_not_empty(data_dir: Path, database: str) -> None:
    hint = "restore only into an empty data folder (point FICARCHIVE_DATA at a new folder)"
    skipped = set(STARTUP_ENTRIES)
    if database == "sqlite":
        db = sqlite_path()
        skipped.update(db.name + end for end in ("", "-wal", "-shm", "-journal"))
        tables = _sqlite_tables(db)
        if tables:
            raise BackupError(f"{db} already holds an archive ({tables} tables): {hint}")
    else:
        tables = _postgres_tables()
        if tables:
            raise BackupError(
                f"the database {connection.settings_dict['NAME']} is not empty ({tables} "
                "tables): restore only into an empty database (createdb a new one and point "
                "DATABASE_URL at it)"
            )
    others = sorted(
        entry.name
        for entry in data_dir.iterdir()
        if entry.name not in skipped and not entry.name.startswith(".write-check-")
    )
    if others:
        shown = ", ".join(others[:3]) + (" …" if len(others) > 3 else "")
        raise BackupError(f"{data_dir} is not empty (it holds {shown}): {hint}")


def _sqlite_tables(db: Path) -> int:
    if not db.exists() or db.stat().st_size == 0:
        return 0
    try:
        reader = sqlite3.connect(db)
        try:
            return int(reader.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise BackupError(f"{db}: cannot read it ({error}); restore into an empty folder") from None


def _postgres_tables() -> int:
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%%'"
            )
            return int(cursor.fetchone()[0])
    except DatabaseError as error:
        raise BackupError(f"cannot open the database of DATABASE_URL: {one_line(error)}") from None


def _stage(
    source: Path, manifest: Manifest, staging: Path, database: str, progress: Progress
) -> dict[str, Path]:
    """Copy the backup's files into a folder beside their places (the same file system), so
    that putting them in place is a rename each; returns the staged data files."""
    staging.mkdir(mode=0o700)
    names = [name for name in manifest.files if name != DATABASE_FILES["postgresql"]]
    total = sum(file_size(source / name) for name in names)
    done = 0
    staged: dict[str, Path] = {}
    for name in names:
        local = (
            DATABASE_FILES["sqlite"] if name == DATABASE_FILES["sqlite"] else f"data-{len(staged)}"
        )
        # Hashed again as it is copied: what goes in place is what the manifest vouches for.
        if copy_file(source / name, staging / local) != manifest.files[name]:
            raise BackupError(f"{source / name}: it changed while it was being restored")
        done += file_size(source / name)
        progress("copying files into place", done, total)
        if name.startswith(f"{DATA}/"):
            staged[name] = staging / local
    return staged


def _postgres_restore(dump: Path, manifest: Manifest, progress: Progress) -> None:
    try:
        pg_restore, restore_major = pg_tools.find("pg_restore")
        needed = manifest.pg_dump_major or 0
        reason = pg_tools.too_old("pg_restore", restore_major, needed, "the backup's pg_dump")
        if reason:
            raise BackupError(reason)
        dbname, env = pg_tools.connection_arguments(connection.settings_dict)
        total = pg_tools.entries(pg_restore, dump, env)
        done = 0

        def on_line(line: str) -> None:
            nonlocal done
            if line.startswith(
                ("pg_restore: creating", "pg_restore: processing", "pg_restore: executing")
            ):
                done += 1
                progress("restoring the database", min(done, total), total)

        # One transaction: a dump that fails half-way leaves the database as empty as it was.
        pg_tools.run(
            pg_restore,
            [
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--verbose",
                f"--dbname={dbname}",
                str(dump),
            ],
            env,
            on_line,
        )
        progress("restoring the database", total, total)
    except pg_tools.ToolError as error:
        raise BackupError(str(error)) from None


def _check_counts(manifest: Manifest) -> None:
    def query(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    _, counts = read_state(query)
    wrong = [
        f"{name}: {counts[name]} restored, {number} in the manifest"
        for name, number in manifest.counts.items()
        if name in counts and counts[name] != number
    ]
    if wrong:
        raise BackupError(f"the restored database does not match its manifest ({'; '.join(wrong)})")


def _migrate(progress: Progress) -> list[str]:
    """Bring a backup made by an older ficarchive up to this one's migrations."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return []
    progress("migrating", 0, 1)
    call_command("migrate", interactive=False, verbosity=0)
    progress("migrating", 1, 1)
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _indexes(*, rebuild: bool, progress: Progress) -> tuple[int, int]:
    """Verify the restored indexes, indexing again only the works whose index is missing or
    stale; or rebuild them whole. Returns the works (overlap, search) indexed here."""
    works = list(Work.objects.order_by("pk").values_list("pk", "posted"))
    if rebuild:
        overlap.reindex_all(lambda done, total: progress("building the overlap index", done, total))
        search.reindex_all(lambda done, total: progress("building the search index", done, total))
        return len(works), sum(posted for _, posted in works)
    overlap_indexed = 0
    for done, (work_id, _) in enumerate(works, start=1):
        # Compares the digest of the work's text with the one its index was built from.
        overlap_indexed += overlap.index_work(work_id)
        progress("checking the overlap index", done, len(works))
    posted = {work_id for work_id, is_posted in works if is_posted}
    indexed = _search_indexed()
    wrong = sorted((posted - indexed) | (indexed - posted))
    for done, work_id in enumerate(wrong, start=1):
        search.index_work(work_id)  # indexes a posted work, takes anything else out
        progress("repairing the search index", done, len(wrong))
    return overlap_indexed, len(wrong)


def _search_indexed() -> set[int]:
    column = "rowid" if connection.vendor == "sqlite" else "work_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {SEARCH_TABLE}")
        return {int(row[0]) for row in cursor.fetchall()}
