"""Bad days on disk: a data folder that cannot be written, and a disk that fills up.

One idea in three parts: say in one line what is wrong with the storage, keep the archive's
files private, and keep reading working when saving cannot.

- `check_data_folder` runs first thing in settings: the data folder exists (made 0700 when we
  make it) and takes a file, else `DataFolderError`, which `ficarchive` prints as one line
  (``ficarchive: cannot write to /srv/data: Read-only file system (set FICARCHIVE_DATA to a
  writable folder)``) instead of a traceback from whichever write came first.
- `private_database` makes the SQLite file 0600 before SQLite makes it 0644: the database holds
  password hashes, sessions and private bookmarks, and SQLite gives its -wal and -shm files the
  database file's own mode, so those follow.
- `cannot_save` tells the storage refusing a write (disk full, read-only, over quota) from other
  errors, on SQLite, PostgreSQL and plain files: the server answers those with a 503 page that
  says so (`ficarchive.server.guards`). `best_effort` wraps the writes a reading page makes on
  the side (hits, history), which are skipped on such a day so that the page still answers.

Below the apps (like `config`), so that every layer may use it; only Django and the standard
library here.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from ficarchive.config import ConfigError

logger = logging.getLogger(__name__)
T = TypeVar("T")

DISK_FULL = "disk full"
READ_ONLY = "the data folder is read-only"
DATABASE_READ_ONLY = "the database is read-only"
WRITE_FAILED = "the disk failed to write"

_ERRNO_REASONS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY}
# SQLite's result codes (sqlite3 errors carry them since Python 3.11), primary code only.
_SQLITE_REASONS = {13: DISK_FULL, 8: READ_ONLY}  # SQLITE_FULL, SQLITE_READONLY
# SQLITE_IOERR's write-side extended codes: what a full disk looks like to a WAL or a sync.
_SQLITE_WRITE_ERRORS = {
    "SQLITE_IOERR_WRITE",
    "SQLITE_IOERR_FSYNC",
    "SQLITE_IOERR_TRUNCATE",
    "SQLITE_IOERR_SHMSIZE",
}
# PostgreSQL's SQLSTATEs: disk_full, and read_only_sql_transaction (a standby, or a server
# told to refuse writes).
_SQLSTATE_REASONS = {"53100": DISK_FULL, "25006": DATABASE_READ_ONLY}


class DataFolderError(ConfigError):
    """The data folder cannot be written; the message is the one line a maintainer reads."""


def check_data_folder(folder: Path) -> None:
    """Make the data folder (0700) if it is missing and prove a file can be written there."""
    probe = folder / f".write-check-{os.getpid()}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(handle)
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise DataFolderError(
            f"cannot write to {folder}: {reason} (set FICARCHIVE_DATA to a writable folder)"
        ) from None


def private_database(database: dict[str, Any]) -> None:
    """Create the SQLite database file 0600 before the first connection would create it 0644,
    and take group and other access away from one (and its -wal, -shm) an older version made."""
    if not database["ENGINE"].endswith("sqlite3"):
        return
    path = Path(database["NAME"])
    # An empty file is an empty database to SQLite; an existing one is kept as it is.
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        candidate = path.with_name(name)
        try:
            if stat.S_IMODE(candidate.stat().st_mode) & 0o077:
                candidate.chmod(0o600)
        except OSError:
            pass  # missing, or owned by someone else: nothing we may change


def cannot_save(error: BaseException) -> str | None:
    """Why the storage refused a write ("disk full", …), or None for any other error.

    Looks through the chain of causes: Django wraps the driver's error (which holds the code)
    in its own `OperationalError`.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _reason(current)
        if reason is not None:
            return reason
        current = current.__cause__ or current.__context__
    return None


def _reason(error: BaseException) -> str | None:
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str):
        if name in _SQLITE_WRITE_ERRORS:
            return WRITE_FAILED
        return _SQLITE_REASONS.get(getattr(error, "sqlite_errorcode", 0) & 0xFF)
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _SQLSTATE_REASONS.get(sqlstate)
    if isinstance(error, OSError) and error.errno is not None:
        return _ERRNO_REASONS.get(error.errno)
    return None


def best_effort(
    what: str, write: Callable[[], T], otherwise: T, *, one_statement: bool = False
) -> T:
    """Run a write a page makes on the side (a hit, a history entry) as its own transaction and
    return what it returns; when the storage refuses it, log one line and return `otherwise`,
    so that the page is still shown. Other errors go up as ever.

    A function rather than a `with` block: the refusal may come as the transaction begins
    (SQLite takes its write lock at BEGIN), and a `with` block cannot skip its body. A refused
    write inside an outer transaction goes up too: that one cannot go on (SQLite rolls a whole
    transaction back itself when the disk is full), and a savepoint to guard it would cost every
    reading page two statements. Reading pages run outside any transaction.

    A write of `one_statement` is run as it is: outside a transaction the database makes a
    statement a transaction of its own, without a BEGIN and a COMMIT sent around it.
    """
    from django.db import connection, transaction

    nested = connection.in_atomic_block
    try:
        if one_statement and not nested:
            return write()
        with transaction.atomic(savepoint=False):
            return write()
    except Exception as error:
        reason = cannot_save(error)
        if reason is None or nested:
            raise
        logger.warning("%s was not saved: %s", what, reason)
        return otherwise
