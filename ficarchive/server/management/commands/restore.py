"""`ficarchive restore DIR`: a backup into an empty data folder or database."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.progress import StageProgress
from ficarchive.server.backups import BackupError, describe_counts, restore


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR (made by `ficarchive backup`) into this archive's data "
        "folder (FICARCHIVE_DATA) and database (DATABASE_URL), which must be empty: it never "
        "overwrites an archive. Checks every file against the manifest first, migrates a "
        "backup made by an older ficarchive, then verifies the search and overlap indexes "
        "(indexing again any work whose index is missing or stale) or builds them when the "
        "backup left them out. A backup restores onto the database engine it came from."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path, help="the backup folder (with manifest.json)")
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="rebuild the search and overlap indexes whole instead of verifying them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = StageProgress(sys.stderr)
        try:
            restored = restore(options["dir"], reindex=options["reindex"], progress=progress)
        except BackupError as error:
            progress.finish()
            raise CommandError(str(error)) from None
        progress.finish()
        manifest = restored.manifest
        if restored.indexes_rebuilt:
            indexes = "search and overlap indexes built"
        else:
            indexes = (
                f"indexes verified ({restored.overlap_indexed} work(s) indexed again for the "
                f"overlap check, {restored.search_indexed} for search)"
            )
        migrated = f", {len(restored.migrated)} migration(s) applied" if restored.migrated else ""
        self.stdout.write(
            f"Restored the backup of {manifest.created_at} from {options['dir']}: "
            f"{describe_counts(manifest.counts)}{migrated}; {indexes}."
        )
        if not restored.secret_key:
            self.stderr.write(
                "Note: the backup holds no secret key (it came from SECRET_KEY or "
                "SECRET_KEY_FILE): give this archive the same one, or everyone is logged out."
            )
        elif os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
            self.stderr.write(
                "Note: the backup's secret key is now in the data folder, but SECRET_KEY or "
                "SECRET_KEY_FILE is set and is used instead."
            )
