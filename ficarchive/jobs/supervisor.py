"""Keep a number of job worker processes alive: the part of `ficarchive serve` that runs them.

A worker that dies (killed, out of memory, a bug) is started again, so the archive never sits
with nothing indexing, checking or making downloads until someone restarts it. One that dies
soon after its start is likely to die again (a broken database, a poison job), so each such
death doubles the wait before the next start, from 1 s up to MAX_DELAY, and every death is
logged in one line; a worker that ran for STEADY seconds starts the count again.

The owner calls `reap()` whenever a child may have ended (SIGCHLD) and `start_due()` regularly
(at least once a second); `ficarchive serve` does both from gunicorn's master loop.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_DELAY = 60.0
STEADY = 60.0


@dataclass
class _Slot:
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    due: float = 0.0  # when to start it (again)
    quick_deaths: int = 0


def _how(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


class WorkerPool:
    """`count` processes running `command`, each started again when it ends."""

    def __init__(
        self, command: list[str], count: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.command = command
        self.clock = clock
        self.slots = [_Slot(due=clock()) for _ in range(count)]
        self.stopping = False

    @property
    def pids(self) -> list[int]:
        return [slot.process.pid for slot in self.slots if slot.process is not None]

    def reap(self) -> None:
        """Notice the workers that ended and plan their restart."""
        now = self.clock()
        for slot in self.slots:
            if slot.process is None or slot.process.poll() is None:
                continue
            ran = now - slot.started
            slot.quick_deaths = slot.quick_deaths + 1 if ran < STEADY else 1
            delay = min(MAX_DELAY, 2.0 ** (slot.quick_deaths - 1))
            slot.due = now + delay
            log.warning(
                "ficarchive: job worker %s %s after %.0f s; starting another in %.0f s",
                slot.process.pid,
                _how(slot.process.returncode),
                ran,
                delay,
            )
            slot.process = None

    def start_due(self) -> None:
        """Start the workers that are missing and whose wait is over."""
        if self.stopping:
            return
        self.reap()
        now = self.clock()
        for slot in self.slots:
            if slot.process is None and now >= slot.due:
                try:
                    slot.process = subprocess.Popen(self.command)
                except OSError as error:
                    slot.quick_deaths += 1
                    slot.due = now + min(MAX_DELAY, 2.0 ** (slot.quick_deaths - 1))
                    log.warning("ficarchive: a job worker could not start: %s", error)
                    continue
                slot.started = now

    def stop(self, timeout: float = 20.0) -> None:
        """Ask every worker to stop (SIGTERM: each finishes its job), then kill the late ones."""
        self.stopping = True
        running = [slot.process for slot in self.slots if slot.process is not None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for slot in self.slots:
            slot.process = None
