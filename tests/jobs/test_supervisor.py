"""The pool of job workers `ficarchive serve` keeps alive: real child processes, and a clock of the
test's own for the waits between restarts, so no test sleeps through a back-off."""

from __future__ import annotations

import logging
import signal
import sys

import pytest

from ficarchive.jobs.supervisor import MAX_DELAY, STEADY, WorkerPool

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
BROKEN = [sys.executable, "-c", "raise SystemExit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _wait_for_end(pool: WorkerPool) -> None:
    # The child's end, as gunicorn's master would learn it (SIGCHLD), then the pool's reap.
    process = pool.slots[0].process
    assert process is not None
    process.wait(timeout=30)
    pool.reap()


def test_it_starts_its_workers_and_starts_a_killed_one_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    pool = WorkerPool(SLEEPER, 2, clock=clock)
    try:
        pool.start_due()
        first = pool.pids
        assert len(first) == 2
        victim = pool.slots[0].process
        assert victim is not None
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        clock.now += 5
        with caplog.at_level(logging.WARNING, logger="ficarchive.jobs.supervisor"):
            pool.start_due()  # notices the death; the new one waits a second
        assert pool.pids == [first[1]]
        assert caplog.messages == [
            f"ficarchive: job worker {first[0]} was killed by SIGKILL after 5 s; "
            "starting another in 1 s"
        ]
        clock.now += 1
        pool.start_due()
        assert len(pool.pids) == 2
        assert first[0] not in pool.pids
        assert first[1] in pool.pids
    finally:
        pool.stop()


def test_a_worker_that_keeps_dying_waits_longer_each_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    pool = WorkerPool(BROKEN, 1, clock=clock)
    waits = []
    with caplog.at_level(logging.WARNING, logger="ficarchive.jobs.supervisor"):
        for _ in range(8):
            pool.start_due()
            _wait_for_end(pool)
            waits.append(pool.slots[0].due - clock.now)
            pool.start_due()
            assert pool.pids == []  # not before its wait is over
            clock.now = pool.slots[0].due
    assert waits == [1, 2, 4, 8, 16, 32, MAX_DELAY, MAX_DELAY]
    assert all("exited with status 3 after 0 s" in message for message in caplog.messages)
    assert len(caplog.messages) == 8


def test_a_worker_that_ran_a_while_before_dying_is_started_again_soon() -> None:
    clock = Clock()
    pool = WorkerPool(BROKEN, 1, clock=clock)
    for _ in range(4):  # four quick deaths: the next wait would be 16 s
        pool.start_due()
        _wait_for_end(pool)
        clock.now = pool.slots[0].due
    pool.start_due()
    clock.now += STEADY
    _wait_for_end(pool)
    assert pool.slots[0].due - clock.now == 1


def test_stopping_it_stops_the_workers_and_starts_no_more() -> None:
    clock = Clock()
    pool = WorkerPool(SLEEPER, 1, clock=clock)
    pool.start_due()
    process = pool.slots[0].process
    assert process is not None
    pool.stop()
    assert process.returncode == -signal.SIGTERM  # asked, not killed after the timeout
    clock.now += 60
    pool.start_due()
    assert pool.pids == []
