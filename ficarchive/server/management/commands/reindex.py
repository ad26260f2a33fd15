"""`ficarchive reindex`: rebuild every work's overlap index and search index (each app's
`reindex_all`)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from ficarchive.overlap import services
from ficarchive.search import services as search


class Command(BaseCommand):
    help = (
        "Rebuild the indexes of every work: the overlap index (passages, fingerprints, "
        "embeddings) and the full-text search index."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if interactive or done == total or done % 100 == 0:
                bar = "#" * (30 * done // total)
                end = "\n" if done == total or not interactive else ""
                sys.stderr.write(f"\r[{bar:<30}] {done}/{total} works{end}")
                sys.stderr.flush()

        total = services.reindex_all(progress)
        search.reindex_all(progress)
        self.stdout.write(
            f"Reindexed {total} works (overlap and search) in {time.monotonic() - started:.1f} s."
        )
