"""Our one wrapper around gunicorn, so the server could be swapped without touching commands."""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from ficarchive.jobs.supervisor import WorkerPool


class _Arbiter(Arbiter):
    """gunicorn's master, which also keeps the job workers running beside the web workers."""

    jobs: WorkerPool | None = None

    def reap_workers(self) -> None:
        # gunicorn reaps every child with waitpid(-1) and drops those it does not know: the job
        # workers look first, so their exit status (which signal killed one) is theirs to log.
        if self.jobs is not None:
            self.jobs.reap()
        super().reap_workers()

    def manage_workers(self) -> None:
        # Called by the master loop at least once a second, and after every child's end.
        super().manage_workers()
        if self.jobs is not None:
            self.jobs.start_due()


class _Application(BaseApplication):
    def __init__(self, options: dict[str, Any], jobs: WorkerPool | None = None) -> None:
        self.options = options
        self.jobs = jobs
        super().__init__()

    def run(self) -> None:
        arbiter = _Arbiter(self)
        arbiter.jobs = self.jobs
        try:
            arbiter.run()
        except RuntimeError as error:  # as gunicorn's own run(): a bad bind, say
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.stderr.flush()
            sys.exit(1)

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Loading the app settles it (ficarchive/server/warm.py), here in the parent before
        # forking (preload_app), so the workers inherit the frozen objects.
        from ficarchive.wsgi import application

        return application


def serve(bind: str, workers: int, threads: int, jobs: WorkerPool | None = None) -> None:
    """Serve until stopped; gunicorn's master also supervises `jobs`, started once it runs."""
    _Application(
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": None,
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 20,
            "keepalive": 5,
            # One listening socket per worker: the kernel spreads new connections over them.
            # With a shared socket one worker tends to accept every keep-alive connection.
            "reuse_port": True,
            # Load the app before forking so workers share its memory and start fast.
            "preload_app": True,
        },
        jobs,
    ).run()
