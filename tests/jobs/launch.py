"""Run the real `ficarchive` commands in a process of their own, as the tests need them.

    python -m tests.jobs.launch [--busy-timeout S] [--slow-index MARKER] ficarchive ARGS…
    python -m tests.jobs.launch enqueue KIND JSON   # prints the job's id
    python -m tests.jobs.launch record-jobs PATH N   # N `tests.record` jobs, in one transaction
    python -m tests.jobs.launch post-work           # prints the posted work's id

The tests' job handlers (tests/jobs/handlers.py) are registered first. `--busy-timeout` lowers
SQLite's busy timeout (20 s) so a test can hold the write lock past it in a few seconds;
`--slow-index` adds an overlap detector that touches MARKER and then sleeps while indexing, so a
test can kill a worker in the middle of an index job's transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


class _SlowDetector:
    name = "tests-slow"

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def index(self, passages: list[Any]) -> None:
        self.marker.touch()
        time.sleep(120)

    def candidates(self, draft: list[Any], allowed: set[int], visible: set[int]) -> list[Any]:
        return []


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--busy-timeout", type=float)
    parser.add_argument("--slow-index", type=Path)
    parser.add_argument("what", choices=["ficarchive", "enqueue", "record-jobs", "post-work"])
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    from django.conf import settings

    if options.busy_timeout is not None:
        database = settings.DATABASES["default"]
        database["OPTIONS"]["timeout"] = options.busy_timeout
        database["OPTIONS"]["init_command"] = database["OPTIONS"]["init_command"].replace(
            "busy_timeout=20000", f"busy_timeout={int(options.busy_timeout * 1000)}"
        )
    import django

    django.setup()
    import tests.jobs.handlers  # noqa: F401  (registers the tests' job kinds)

    if options.slow_index is not None:
        from ficarchive.overlap import detectors

        detectors.register(_SlowDetector(options.slow_index))

    if options.what == "enqueue":
        from ficarchive.jobs.services import enqueue

        kind, payload = options.rest
        print(enqueue(kind, json.loads(payload)).pk)
    elif options.what == "record-jobs":
        from django.db import transaction

        from ficarchive.jobs.services import enqueue

        path, count = options.rest
        # At once, so that the waiting workers all find the queue full.
        with transaction.atomic():
            for n in range(int(count)):
                enqueue("tests.record", {"path": path, "n": n})
    elif options.what == "post-work":
        from tests.cast import make_user, make_work

        # Long enough for a few passages, so the index holds something to look for.
        line = "the harbour lights went out one by one, and nobody on the pier said a word."
        body = "\n\n".join(f"Paragraph {n}: {line}" for n in range(60))
        print(make_work(make_user(), title="Lost and Found", body=body).pk)
    else:
        from ficarchive.cli import main as ficarchive

        ficarchive(options.rest)


if __name__ == "__main__":
    main(sys.argv[1:])
