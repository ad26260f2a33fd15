"""`ficarchive worker`: run background jobs (downloads of big works, …) as they are queued."""

from __future__ import annotations

import os
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from ficarchive.jobs.services import forget_finished, work_off


class Command(BaseCommand):
    help = (
        "Run queued background jobs. `ficarchive serve` starts one worker beside the web "
        "server; big sites run more with this command."
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
        last_cleanup = 0.0
        self.stdout.write("worker: waiting for jobs")
        while not stopping and (parent is None or os.getppid() == parent):
            close_old_connections()
            ran = work_off(limit=10)
            if time.monotonic() - last_cleanup > 3600:
                forget_finished()
                last_cleanup = time.monotonic()
            if not ran:
                time.sleep(options["poll"])
        self.stdout.write("worker: stopped")
