"""Queue, claim and run background jobs; no broker, only the database.

A handler is a plain function of the job's JSON payload, registered under a kind:

    @handler("exports.generate")
    def generate(payload: dict[str, Any]) -> None: ...

Claiming is safe with many workers: PostgreSQL locks the row with `FOR UPDATE SKIP LOCKED`, so
workers never wait on each other; SQLite has one writer, and a conditional UPDATE (`… WHERE
state = 'queued'`) lets exactly one worker win a row. A job whose handler raises is retried with
a growing delay, then marked failed with the error; a job left running by a worker that died is
queued again after `STALE_AFTER`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ficarchive.jobs.models import Job

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]

MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=15)

_HANDLERS: dict[str, Handler] = {}


class JobError(Exception):
    """A job cannot be queued as asked (an unknown kind)."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


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


def _requeue_stale() -> None:
    Job.objects.filter(state=Job.State.RUNNING, started_at__lt=timezone.now() - STALE_AFTER).update(
        state=Job.State.QUEUED, run_after=timezone.now()
    )


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
            job.attempts += 1
            job.save(update_fields=["state", "started_at", "attempts"])
            return job
    for _ in range(10):
        candidate = (
            Job.objects.filter(_ready()).order_by("run_after", "id").values_list("pk", flat=True)
        ).first()
        if candidate is None:
            return None
        won = Job.objects.filter(pk=candidate, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
        )
        if won:
            return Job.objects.get(pk=candidate)
    return None


def run(job: Job) -> Job:
    """Run a claimed job's handler and record how it ended."""
    function = _HANDLERS.get(job.kind)
    try:
        if function is None:
            raise JobError(f"There is no handler for job kind {job.kind!r}.")
        function(job.payload)
    except Exception as error:
        log.warning("job %s failed (attempt %s): %s", job, job.attempts, error)
        job.error = "".join(traceback.format_exception_only(error)).strip()
        if job.attempts < MAX_ATTEMPTS and function is not None:
            job.state = Job.State.QUEUED
            job.run_after = timezone.now() + timedelta(seconds=10 * 2**job.attempts)
        else:
            job.state = Job.State.FAILED
            job.finished_at = timezone.now()
    else:
        job.state = Job.State.DONE
        job.error = ""
        job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "run_after", "finished_at"])
    return job


def work_off(limit: int | None = None) -> int:
    """Run ready jobs until none is left (or `limit` ran); returns how many ran."""
    _requeue_stale()
    done = 0
    while limit is None or done < limit:
        job = claim()
        if job is None:
            break
        run(job)
        done += 1
    return done


def forget_finished(older_than: timedelta = timedelta(days=7)) -> int:
    """Delete finished jobs older than `older_than`; returns how many."""
    deleted, _ = Job.objects.filter(
        state__in=[Job.State.DONE, Job.State.FAILED],
        finished_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted
