"""Queue, claim and run background jobs; no broker, only the database.

A handler is a plain function of the job's JSON payload, registered under a kind:

    @handler("exports.generate")
    def generate(payload: dict[str, Any]) -> None: ...

Each app registers its own handlers in its own modules, which its `ready()` imports; this app
imports none of them (it is the lowest layer), and `kinds()` lists what is registered.

Claiming is safe with many workers: PostgreSQL locks the row with `FOR UPDATE SKIP LOCKED`, so
workers never wait on each other; SQLite has one writer, and a conditional UPDATE (`… WHERE
state = 'queued'`) lets exactly one worker win a row. A job whose handler raises is retried with
a growing delay, then marked failed with the error.

A claimed job is leased to its worker for `JOB_LEASE_SECONDS`, and a heartbeat thread renews the
lease every third of that while the handler runs. A job whose worker died (`kill -9`, out of
memory, the machine gone) stops being renewed and is queued again when its lease passes, within
the lease rather than after a guessed "surely finished by now"; a long job whose worker is alive
keeps its lease however long it runs. The lease is fenced by the attempt number, so a worker that
lost its job to another (it stalled past its lease) can neither renew it nor record its end.

`work()` is the worker's loop: it outlives the database's bad moments (SQLite locked by a long
write, PostgreSQL restarting) by closing the connection and trying again later, one log line a
try, because a worker that dies on them leaves every job of the archive waiting.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import Error as DatabaseTrouble
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone

from ficarchive.jobs.models import Job

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
T = TypeVar("T")

# Tries of a job whose handler raises, or whose worker died while running it (a job that kills
# its worker three times, by running out of memory say, would otherwise kill workers forever).
MAX_ATTEMPTS = 3
# Tries of a job whose handler met the database's bad moment (locked, connection lost): that is
# no fault of the job, so it gets more of them, further apart (up to MAX_DELAY).
MAX_ATTEMPTS_DATABASE = 8
MAX_DELAY = timedelta(minutes=5)
# The worker loop's pauses after a database error: from 1 s, doubling, up to this.
MAX_PAUSE = 30.0

_HANDLERS: dict[str, Handler] = {}


class JobError(Exception):
    """A job cannot be queued as asked (an unknown kind)."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def kinds() -> list[str]:
    """The job kinds that have a handler, sorted."""
    return sorted(_HANDLERS)


def lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def enqueue(kind: str, payload: dict[str, Any] | None = None, *, key: str = "") -> Job:
    """Queue a job, or return the queued or running one with the same key."""
    if kind not in _HANDLERS:
        raise JobError(f"There is no job kind {kind!r}.")
    with transaction.atomic():
        if key:
            pending = (
                Job.objects.filter(key=key, state__in=[Job.State.QUEUED, Job.State.RUNNING])
                .order_by("id")
                .first()
            )
            if pending is not None:
                return pending
        return Job.objects.create(kind=kind, key=key, payload=payload or {})


def requeue_abandoned() -> int:
    """Queue again the running jobs whose lease has passed: their worker died. Returns how many.

    A job abandoned MAX_ATTEMPTS times is marked failed instead."""
    now = timezone.now()
    abandoned = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(lease_until__lt=now)
        # Taken before leases existed (migration 0002): their start is all there is to go by.
        | Q(lease_until__isnull=True, started_at__lt=now - lease())
    )
    if not abandoned.exists():  # a read: an idle worker does not take SQLite's write lock
        return 0
    failed = abandoned.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=Job.State.FAILED,
        error=(
            "Its worker stopped (killed or crashed) while it ran, "
            f"and it had been tried {MAX_ATTEMPTS} times or more."
        ),
        finished_at=now,
        lease_until=None,
    )
    queued = abandoned.update(state=Job.State.QUEUED, run_after=now, lease_until=None)
    if failed or queued:
        log.warning(
            "jobs: %s job(s) whose worker stopped queued again, %s marked failed", queued, failed
        )
    return queued


def _ready() -> Q:
    return Q(state=Job.State.QUEUED, run_after__lte=timezone.now())


def claim() -> Job | None:
    """Take the oldest ready job for this worker, or None when there is nothing to do."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(_ready())
                .order_by("run_after", "id")
                .first()
            )
            if job is None:
                return None
            job.state = Job.State.RUNNING
            job.started_at = timezone.now()
            job.lease_until = job.started_at + lease()
            job.attempts += 1
            job.save(update_fields=["state", "started_at", "lease_until", "attempts"])
            return job
    for _ in range(10):
        candidate = (
            Job.objects.filter(_ready()).order_by("run_after", "id").values_list("pk", flat=True)
        ).first()
        if candidate is None:
            return None
        now = timezone.now()
        won = Job.objects.filter(pk=candidate, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING,
            started_at=now,
            lease_until=now + lease(),
            attempts=F("attempts") + 1,
        )
        if won:
            return Job.objects.get(pk=candidate)
    return None


def _held(job: Job) -> Any:
    """The job's row while this worker still holds it: running, and taken by this attempt."""
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts)


def renew(job: Job) -> bool:
    """Move the job's lease on; False when it is no longer this worker's."""
    return bool(_held(job).update(lease_until=timezone.now() + lease()))


class _Heartbeat:
    """While a handler runs, renew its job's lease from a thread of its own (with its own
    database connection), every third of the lease, so one late renewal loses nothing."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"lease of job {job.pk}")

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _beat(self) -> None:
        interval = lease().total_seconds() / 3
        try:
            while not self.done.wait(interval):
                try:
                    if not renew(self.job):
                        log.warning("job %s: another worker has it now", self.job)
                        return
                except DatabaseTrouble as error:
                    # The next beat tries again; the lease outlasts two missed ones.
                    log.warning("job %s: its lease was not renewed: %s", self.job, _line(error))
                    connection.close()
        finally:
            connection.close()


def _line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _retrying(action: Callable[[], T], tries: int = 5) -> T:
    """Run a small database write, again after a pause if the database is busy or gone."""
    for attempt in range(tries):
        try:
            return action()
        except (OperationalError, InterfaceError):
            if attempt == tries - 1 or connection.in_atomic_block:
                raise
            connection.close()
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def run(job: Job) -> Job:
    """Run a claimed job's handler and record how it ended."""
    function = _HANDLERS.get(job.kind)
    with _Heartbeat(job):
        try:
            if function is None:
                raise JobError(f"There is no handler for job kind {job.kind!r}.")
            function(job.payload)
        except Exception as error:
            log.warning("job %s failed (attempt %s): %s", job, job.attempts, error)
            database = isinstance(error, (OperationalError, InterfaceError))
            if database and not connection.in_atomic_block:
                connection.close()  # a broken connection must not keep the end from being saved
            job.error = "".join(traceback.format_exception_only(error)).strip()
            tries = MAX_ATTEMPTS_DATABASE if database else MAX_ATTEMPTS
            if job.attempts < tries and function is not None:
                job.state = Job.State.QUEUED
                delay = min(timedelta(seconds=10 * 2**job.attempts), MAX_DELAY)
                job.run_after = timezone.now() + delay
            else:
                job.state = Job.State.FAILED
                job.finished_at = timezone.now()
        else:
            job.state = Job.State.DONE
            job.error = ""
            job.finished_at = timezone.now()
        job.lease_until = None
        recorded = _retrying(
            lambda: _held(job).update(
                state=job.state,
                error=job.error,
                run_after=job.run_after,
                finished_at=job.finished_at,
                lease_until=None,
            )
        )
    if not recorded:
        log.warning("job %s: ran past its lease and was taken by another worker", job)
    return job


def work_off(limit: int | None = None) -> int:
    """Run ready jobs until none is left (or `limit` ran); returns how many ran."""
    requeue_abandoned()
    done = 0
    while limit is None or done < limit:
        job = claim()
        if job is None:
            break
        run(job)
        done += 1
    return done


def work(stopping: Callable[[], bool], poll: float = 1.0) -> None:
    """The worker's loop: run jobs as they come until `stopping()`.

    A database error (locked past its busy timeout, the server gone) is logged in one line and
    the loop goes on after a pause, 1 s doubling up to MAX_PAUSE, with a fresh connection."""
    pause = 0.0
    last_cleanup = 0.0
    while not stopping():
        try:
            close_old_connections()
            ran = work_off(limit=10)
            if time.monotonic() - last_cleanup > 3600:
                forget_finished()
                last_cleanup = time.monotonic()
        except DatabaseTrouble as error:
            pause = min(MAX_PAUSE, max(1.0, pause * 2))
            log.warning("worker: database error (%s); trying again in %.0f s", _line(error), pause)
            connection.close()
            _sleep(pause, stopping)
            continue
        pause = 0.0
        if not ran:
            _sleep(poll, stopping)


def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    # In short steps, so SIGTERM stops a worker that is waiting at once.
    end = time.monotonic() + seconds
    while not stopping() and (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 0.2))


def forget_finished(older_than: timedelta = timedelta(days=7)) -> int:
    """Delete finished jobs older than `older_than`; returns how many."""
    deleted, _ = Job.objects.filter(
        state__in=[Job.State.DONE, Job.State.FAILED],
        finished_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted
