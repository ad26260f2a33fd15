"""`ficarchive serve`: migrate, collect static files, then serve with gunicorn (threads)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.config import env_int, env_str, site_url
from ficarchive.jobs.supervisor import WorkerPool
from ficarchive.server.cache import check_shared_cache
from ficarchive.server.gunicorn import AddressInUse, claim_address, serve


def default_workers() -> int:
    # One process per core keeps SQLite's single writer uncontended while threads cover I/O.
    return max(1, os.cpu_count() or 1)


class Command(BaseCommand):
    help = (
        "Set up the database and static files, then serve the archive with gunicorn. "
        "HOST, PORT, WEB_WORKERS and WEB_THREADS set the defaults of the options below. "
        "It refuses to start on an address another program (another `serve`) listens on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers", type=int, default=env_int("WEB_WORKERS", default_workers(), minimum=1)
        )
        parser.add_argument("--threads", type=int, default=env_int("WEB_THREADS", 4, minimum=1))
        parser.add_argument(
            "--job-workers",
            type=int,
            default=env_int("JOB_WORKERS", 1, minimum=0),
            help=(
                "Background job workers to run beside the web server, each started again if "
                "it dies (0: run them elsewhere)."
            ),
        )
        parser.add_argument(
            "--no-setup",
            action="store_true",
            help="Skip migrate and collectstatic (when a deploy step already ran them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_shared_cache(settings.CACHE_URL)
        # Before setting anything up: a second `serve` on a taken port stops here, saying so.
        try:
            address = claim_address(options["host"], options["port"])
        except AddressInUse as error:
            raise CommandError(str(error)) from None
        try:
            self._serve(options)
        finally:
            if address is not None:
                address.close()

    def _serve(self, options: dict[str, Any]) -> None:
        if not options["no_setup"]:
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            # In child processes, so this one starts serving with fresh storage and manifest.
            for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
                subprocess.run(
                    [sys.executable, "-m", "ficarchive.cli", *command, "--verbosity=0"],
                    check=True,
                )
        bind = f"{options['host']}:{options['port']}"
        # Links in downloads and emails point where this server listens unless SITE_URL says
        # otherwise; the environment carries it to the job workers started below.
        settings.SITE_URL = site_url(options["host"], options["port"])
        os.environ["SITE_URL"] = settings.SITE_URL
        where = (
            "PostgreSQL"
            if "postgresql" in settings.DATABASES["default"]["ENGINE"]
            else (f"SQLite at {settings.DATABASES['default']['NAME']}")
        )
        self.stdout.write(f"ficarchive: serving http://{bind}/ on {where}")
        # Workers for background jobs: child processes that stop when this one does, and that
        # the server's master starts again when one dies (ficarchive/jobs/supervisor.py).
        jobs = WorkerPool(
            [sys.executable, "-m", "ficarchive.cli", "worker", "--stop-with-parent"],
            options["job_workers"],
        )
        try:
            serve(
                bind=bind,
                workers=options["workers"],
                threads=options["threads"],
                jobs=jobs,
            )
        finally:
            jobs.stop()
