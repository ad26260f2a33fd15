"""`ficarchive backup DIR`: a consistent backup of the whole archive, while it serves."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.progress import StageProgress
from ficarchive.server.backups import BackupError, backup, describe_counts


class Command(BaseCommand):
    help = (
        "Back the archive up into DIR, a new or empty folder: the database (SQLite: a copy by "
        "its online backup API; PostgreSQL: pg_dump --format=custom, found on PATH) taken at "
        "one moment while the archive goes on serving and writing, the data folder's files "
        "(the secret key; not the static files), and manifest.json with counts and the sha256 "
        "of every file. Restore it with `ficarchive restore DIR`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path, help="a new or empty folder for the backup")
        parser.add_argument(
            "--downloads",
            action="store_true",
            help="keep the download files too, those of DOWNLOADS_DIR wherever it is (restore "
            "puts them back into DOWNLOADS_DIR); otherwise they are made again when asked for",
        )
        parser.add_argument(
            "--without-indexes",
            action="store_true",
            help="leave out the search and overlap indexes (a smaller backup; restore builds "
            "them again, which takes time on a big archive)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = StageProgress(sys.stderr)
        try:
            manifest = backup(
                options["dir"],
                downloads=options["downloads"],
                indexes=not options["without_indexes"],
                progress=progress,
            )
        except BackupError as error:
            progress.finish()
            raise CommandError(str(error)) from None
        progress.finish()
        database = "SQLite" if manifest.database == "sqlite" else "PostgreSQL"
        data_files = sum(1 for name in manifest.files if name.startswith("data/"))
        self.stdout.write(
            f"Backed up to {options['dir'].expanduser().resolve()}: {database} database as of "
            f"{manifest.created_at} ({describe_counts(manifest.counts)}) and {data_files} "
            f"file(s) of the data folder{'' if manifest.indexes else ', without indexes'}."
        )
