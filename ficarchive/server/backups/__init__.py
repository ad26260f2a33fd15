"""Backups of a whole archive, and their restore: `ficarchive backup DIR`, `ficarchive restore DIR`.

A backup is a folder:

    manifest.json       what it holds: the ficarchive version, the database kind, the applied
                        migrations, counts of works, chapters, comments, kudos, bookmarks and
                        users, when it was made, and the sha256 of every other file. Written
                        last: a folder without it is not a backup.
    database.sqlite3    SQLite: a copy made with SQLite's online backup API, or
    database.pgdump     PostgreSQL: `pg_dump --format=custom`
    data/…              the data folder's own files: the secret key; never `static/`, which
                        `ficarchive serve` collects again
    data/downloads/…    with --downloads, the download files of DOWNLOADS_DIR, wherever it is
                        (a shared mount too); restore puts them into the DOWNLOADS_DIR it runs
                        with

Consistent while the archive serves and writes. On SQLite the copy runs inside one read
transaction: in WAL mode writers go on, while the backup API copies the pages of that one
snapshot a step at a time (a bar on a terminal), and the counts and migrations are read from the
same snapshot, so the manifest describes exactly the copy. (Without the held transaction every
step sees the other connections' commits and starts the copy over: under steady writes it never
finishes.) On PostgreSQL a REPEATABLE READ transaction exports its snapshot, `pg_dump
--snapshot` dumps exactly that, and the counts are read in it.

Restore goes only into an empty data folder and an empty database, never over an archive. It
checks every file against the manifest before it changes anything, copies the files beside
their places and renames them in, restores the database in one step (SQLite: a rename;
PostgreSQL: `pg_restore --single-transaction`), migrates a backup made by an older ficarchive,
and then verifies the search and overlap indexes, indexing again any work whose index is missing
or stale — or rebuilds them when the backup left them out (`backup --without-indexes`).

The parts: `manifest.py` (the folder's layout, the manifest, what is counted, files written
0600 and synced), `taking.py` (the backup), `restoring.py` (the restore), and `pg_tools.py`
(PostgreSQL's client tools, wrapped).

A backup restores onto the database engine it came from: a SQLite backup into a SQLite data
folder, a PostgreSQL dump into a PostgreSQL database. Moving between engines is not supported.
"""

from __future__ import annotations

from ficarchive.server.backups.manifest import BackupError, Manifest, describe_counts
from ficarchive.server.backups.restoring import Restored, restore
from ficarchive.server.backups.taking import backup

__all__ = ["BackupError", "Manifest", "Restored", "backup", "describe_counts", "restore"]
