"""Our one wrapper around gunicorn, so the server could be swapped without touching commands.

Each web worker opens its own listening socket with SO_REUSEPORT (the kernel spreads connections
over them), and the kernel lets any process of the same user join such a port: a second `serve`
on a taken port would start without a word and take half the traffic, perhaps for another data
folder. So `claim_address()` checks the address before anything starts, and holds it for as long
as this server runs.
"""

from __future__ import annotations

import errno
import socket
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


class AddressInUse(Exception):
    """The address `serve` was asked to listen on is taken, or cannot be listened on."""


def _shown(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _probe(host: str, port: int) -> None:
    """Bind the address without SO_REUSEPORT, as no web worker of ours can share with: that
    fails while any process listens there, whether with SO_REUSEPORT or not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As gunicorn does: connections of a server stopped a moment ago (TIME_WAIT) do
            # not make the address taken.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise AddressInUse(
                f"{_shown(host, port)} is already in use by another program; "
                "stop it, or choose another --port (PORT) or --host (HOST)."
            ) from None
        reason = error.strerror or str(error)
        raise AddressInUse(f"cannot listen on {_shown(host, port)}: {reason}.") from None


def claim_address(host: str, port: int) -> socket.socket | None:
    """Refuse an address another `serve` or any other program has; keep the returned lock
    (closed when this process ends) while serving.

    The lock is a Linux abstract socket named for the address: two `serve` started at the same
    moment both pass the probe (neither listens yet), and only one gets the name. Like ports,
    the names belong to the network namespace, not to a user or a data folder."""
    lock = None
    if sys.platform.startswith("linux"):
        lock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            lock.bind(f"\0ficarchive-serve {_shown(host, port)}")
        except OSError as error:
            lock.close()
            if error.errno != errno.EADDRINUSE:
                raise
            raise AddressInUse(
                f"{_shown(host, port)} is already in use by another `ficarchive serve`; "
                "stop it, or choose another --port (PORT) or --host (HOST)."
            ) from None
    try:
        _probe(host, port)
    except AddressInUse:
        if lock is not None:
            lock.close()
        raise
    return lock


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
            # gunicorn's control socket (for `gunicornc`) is one file per user by default,
            # ~/.gunicorn/gunicorn.ctl, which every `serve` on the machine would fight over;
            # the archive does not use it.
            "control_socket_disable": True,
        },
        jobs,
    ).run()
