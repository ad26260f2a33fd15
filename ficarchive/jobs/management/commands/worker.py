"""`ficarchive worker`: run background jobs (indexing, checks, downloads of big works) as queued."""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ficarchive.jobs.services import work, work_off


class Command(BaseCommand):
    help = (
        "Run queued background jobs. `ficarchive serve` starts one worker beside the web "
        "server (and starts it again if it dies); big sites run more with this command, under "
        "a supervisor that restarts it (systemd's Restart=always). A database error does not "
        "stop it: it logs one line and tries again after a pause."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run what is queued now, then exit."
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument(
            "--stop-with-parent",
            action="store_true",
            help="Exit when the process that started this one ends (used by `ficarchive serve`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            ran = work_off()
            self.stdout.write(f"worker: ran {ran} job(s)")
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        parent = os.getppid() if options["stop_with_parent"] else None
        self.stdout.write("worker: waiting for jobs")
        self.stdout.flush()
        work(lambda: stopping or (parent is not None and os.getppid() != parent), options["poll"])
        self.stdout.write("worker: stopped")
