"""What a backup folder holds and how its manifest reads; the file helpers both sides share."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection

from ficarchive.accounts.models import User
from ficarchive.community.models import Bookmark, Comment, Kudos
from ficarchive.overlap.models import Fingerprint, IndexedWork, Passage
from ficarchive.works.models import Chapter, Work

FORMAT = 1
MANIFEST = "manifest.json"
DATA = "data"
# Download files are kept in the backup under data/downloads/, wherever DOWNLOADS_DIR is; restore
# puts them back into DOWNLOADS_DIR.
DOWNLOADS = "downloads"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The search app's full-text table, made by raw SQL in its migration 0001 (no model).
SEARCH_TABLE = "search_work"
# Restore copies files into a folder of this name in the data folder first; a backup skips it.
STAGING_PREFIX = ".restore-"
CHUNK = 1024 * 1024

# (stage, done, total): what a long step is doing, for a bar (ficarchive.progress).
Progress = Callable[[str, int, int], None]


def quiet(stage: str, done: int, total: int) -> None:
    pass


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the maintainer."""


def counted_tables() -> dict[str, str]:
    """What the manifest counts, by the tables that hold them."""
    models = {
        "works": Work,
        "chapters": Chapter,
        "comments": Comment,
        "kudos": Kudos,
        "bookmarks": Bookmark,
        "users": User,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def index_tables() -> list[str]:
    """Tables that only index the others (children first): `--without-indexes` leaves their
    rows out, and restore builds them again from the works."""
    return [
        Fingerprint._meta.db_table,
        Passage._meta.db_table,
        IndexedWork._meta.db_table,
        SEARCH_TABLE,
    ]


@dataclass
class Manifest:
    database: str
    created_at: str
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    indexes: bool = True
    downloads: bool = False
    version: str = ""
    pg_dump_major: int | None = None
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        partial = folder / f"{MANIFEST}.partial"
        with private_file(partial) as handle:
            handle.write(json.dumps(asdict(self), indent=2, sort_keys=True).encode() + b"\n")
        partial.replace(folder / MANIFEST)
        sync_folder(folder)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not folder.is_dir():
            raise BackupError(f"{folder}: no such folder")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(
                f"{path} is missing: {folder} is not a ficarchive backup, or its backup did "
                "not finish"
            ) from None
        except (OSError, ValueError) as error:
            raise BackupError(f"{path}: cannot read it as JSON ({error})") from None
        if not isinstance(raw, dict):
            raise BackupError(f"{path}: expected a JSON object")
        if not isinstance(raw.get("format"), int) or raw["format"] > FORMAT:
            raise BackupError(
                f"{path}: 'format' is {raw.get('format')!r}; this ficarchive reads backups of "
                f"format {FORMAT} or older (upgrade ficarchive to restore it)"
            )
        expected: dict[str, type | tuple[type, ...]] = {
            "database": str,
            "created_at": str,
            "migrations": dict,
            "counts": dict,
            "files": dict,
            "indexes": bool,
            "downloads": bool,
            "version": str,
            "pg_dump_major": (int, type(None)),
        }
        for name, expected_type in expected.items():
            if not isinstance(raw.get(name), expected_type):
                raise BackupError(f"{path}: '{name}' is missing or of the wrong type")
        inner_types = {"counts": int, "files": str, "migrations": list}
        for name, expected_type in inner_types.items():
            if not all(isinstance(value, expected_type) for value in raw[name].values()):
                raise BackupError(f"{path}: a value in '{name}' is not a {expected_type.__name__}")
        if raw["database"] not in DATABASE_FILES:
            raise BackupError(f"{path}: 'database' is {raw['database']!r}, not sqlite/postgresql")
        for name in raw["files"]:
            _check_member(path, name, raw["database"])
        return cls(**{name: raw[name] for name in [*expected, "format"]})


def _check_member(manifest: Path, name: str, kind: str) -> None:
    """A file named in a manifest lies inside the backup: a manifest naming `../x` or `/etc/x`
    must not make restore read or write outside the backup and the data folder."""
    pure = PurePosixPath(name)
    inside = not pure.is_absolute() and ".." not in pure.parts and len(pure.parts) >= 1
    if not inside or not (name == DATABASE_FILES[kind] or pure.parts[0] == DATA):
        raise BackupError(f"{manifest}: 'files' names {name!r}, which is not a file of a backup")


Query = Callable[[str], list[tuple[Any, ...]]]


def read_state(query: Query) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The applied migrations and the manifest's counts, read through `query` (in the snapshot
    being backed up, or in a restored database)."""
    migrations: dict[str, list[str]] = {}
    for app, name in query("SELECT app, name FROM django_migrations ORDER BY id"):
        migrations.setdefault(app, []).append(name)
    counts = {
        name: int(query(f'SELECT COUNT(*) FROM "{table}"')[0][0])
        for name, table in counted_tables().items()
    }
    return migrations, counts


def kind() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"]).resolve()


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@contextmanager
def private_file(path: Path) -> Iterator[BinaryIO]:
    """A new file, 0600 from its first byte (backups hold the secret key and password hashes),
    synced to disk when closed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def copy_file(source: Path, dest: Path) -> str:
    """Copy a file (0600, synced to disk) and return the sha256 of what was copied."""
    digest = hashlib.sha256()
    with source.open("rb") as reader, private_file(dest) as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest()


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sync_file(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def sync_folder(folder: Path) -> None:
    # A rename is durable once the folder holding it is synced.
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def one_line(error: BaseException) -> str:
    # Drivers' messages run over lines ("connection failed: …\nFATAL: …"); ours take one.
    return " ".join(str(error).split())


def describe_counts(counts: dict[str, int]) -> str:
    """`12 works, 30 chapters, …` for the commands' summaries."""
    return ", ".join(f"{counts[name]:,} {name}" for name in counted_tables() if name in counts)
