"""Our one wrapper around gunicorn, so the server could be swapped without touching commands."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Application(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Loading the app settles it (ficarchive/server/warm.py), here in the parent before
        # forking (preload_app), so the workers inherit the frozen objects.
        from ficarchive.wsgi import application

        return application


def serve(bind: str, workers: int, threads: int) -> None:
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
        }
    ).run()
