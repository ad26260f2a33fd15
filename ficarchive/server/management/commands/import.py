"""`ficarchive import PATH… --author NAME`: story files and folders into works, in bulk.

A `server` command: it imports through `works`, then indexes through `overlap` and `search` so
the works can be checked and found as soon as it ends."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.accounts.services import AccountError, find_or_create_author
from ficarchive.overlap import services as overlap
from ficarchive.progress import StageProgress
from ficarchive.search import services as search
from ficarchive.works.imports import FAILED, IMPORTED, SKIPPED, ImportResult, import_paths


class Progress:
    """A one-line progress bar on a terminal; nothing when the output is a file or a pipe."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int, result: ImportResult) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * done // max(total, 1)
        name = Path(result.path).name[:40]
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name:<40}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import story files and folders (searched recursively) as works credited to --author, "
        "one transaction per work. The account is created, claimable, if it does not exist. "
        "Files already imported for that account are skipped. The works are indexed (overlap "
        "check and search) before the command ends, unless --no-index. Exits 1 if any file "
        "failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="files or folders to import")
        parser.add_argument("--author", required=True, help="user name to credit the works to")
        parser.add_argument("--pseud", help="the pseud to credit (default: the user's default)")
        parser.add_argument(
            "--post",
            action="store_true",
            help="post the works (default: drafts); a work needs a fandom to be posted, so one "
            "whose file names none stays a draft (see --fandom)",
        )
        parser.add_argument(
            "--fandom",
            default="",
            help="the fandom of works whose file names none (e.g. 'Original Work')",
        )
        parser.add_argument("--json", action="store_true", help="print the results as JSON")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="leave indexing the works to the background worker (default: index them "
            "before the command ends, so search and the overlap check see them at once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["paths"]:
            if not path.exists():
                raise CommandError(f"{path}: no such file or folder")
        try:
            pseud = find_or_create_author(options["author"], options["pseud"])
        except AccountError as error:
            raise CommandError(f"--author {options['author']!r}: {error.message}") from None
        results = import_paths(
            options["paths"],
            [pseud],
            post=options["post"],
            fandom=options["fandom"],
            progress=Progress(sys.stderr),
        )
        if not options["no_index"]:
            index_now([r.work_id for r in results if r.status == IMPORTED and r.work_id])
        counts = dict.fromkeys((IMPORTED, SKIPPED, FAILED), 0)
        for result in results:
            counts[result.status] += 1
        if options["json"]:
            report = {"counts": counts, "results": [r.as_json() for r in results]}
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for result in results:
                if result.status == FAILED:
                    self.stderr.write(f"failed: {result.path}: {result.message}")
                elif result.status == IMPORTED and result.message:
                    self.stderr.write(f"note: {result.path}: {result.message}")
            self.stdout.write(
                f"{counts[IMPORTED]} imported, {counts[SKIPPED]} skipped as already imported, "
                f"{counts[FAILED]} failed ({len(results)} files)"
            )
        if counts[FAILED]:
            sys.exit(1)


def index_now(work_ids: list[int]) -> None:
    """Index the imported works here, as their queued jobs would (those then find nothing to
    do): the overlap check and search see them as soon as the command ends."""
    stages = StageProgress(sys.stderr, interactive=True)
    terminal = sys.stderr.isatty()  # nothing in a pipe or a log, as the import's own bar
    stage = f"Indexing {len(work_ids)} work{'' if len(work_ids) == 1 else 's'}"
    for done, work_id in enumerate(work_ids, start=1):
        overlap.index_work(work_id)
        search.index_work(work_id)
        if terminal:
            stages(stage, done, len(work_ids))
    stages.finish()
