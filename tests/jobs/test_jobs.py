from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from ficarchive.jobs.models import Job
from ficarchive.jobs.services import (
    MAX_ATTEMPTS,
    MAX_ATTEMPTS_DATABASE,
    JobError,
    claim,
    enqueue,
    forget_finished,
    handler,
    kinds,
    renew,
    requeue_abandoned,
    run,
    work_off,
)

pytestmark = pytest.mark.django_db

DONE: list[dict[str, Any]] = []


@handler("tests.record")
def _record(payload: dict[str, Any]) -> None:
    DONE.append(payload)


LOCKED = 0


@handler("tests.locked")
def _locked(payload: dict[str, Any]) -> None:
    global LOCKED
    LOCKED += 1
    raise OperationalError("database is locked")


@handler("tests.break")
def _break(payload: dict[str, Any]) -> None:
    raise ValueError(f"the file {payload['name']} is broken")


@pytest.fixture(autouse=True)
def _nothing_done() -> None:
    global LOCKED
    DONE.clear()
    LOCKED = 0


def test_a_queued_job_runs_once_and_ends_done() -> None:
    job = enqueue("tests.record", {"n": 1})
    assert job.state == Job.State.QUEUED
    assert work_off() == 1
    assert work_off() == 0
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.attempts == 1
    assert job.finished_at is not None
    assert DONE == [{"n": 1}]


def test_the_same_key_is_queued_once_while_it_is_pending() -> None:
    first = enqueue("tests.record", {"n": 1}, key="same")
    again = enqueue("tests.record", {"n": 2}, key="same")
    assert again.pk == first.pk
    work_off()
    # Once it ran, the same key queues a new job.
    assert enqueue("tests.record", {"n": 3}, key="same").pk != first.pk


def test_one_job_is_claimed_by_one_worker() -> None:
    enqueue("tests.record")
    first = claim()
    assert first is not None
    assert first.state == Job.State.RUNNING
    assert claim() is None


def test_jobs_run_oldest_first() -> None:
    for number in range(3):
        enqueue("tests.record", {"n": number})
    work_off()
    assert [payload["n"] for payload in DONE] == [0, 1, 2]


def test_a_failing_job_is_retried_later_then_marked_failed_with_its_error() -> None:
    job = enqueue("tests.break", {"name": "chapter.txt"})
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = claim()
        assert claimed is not None
        assert claimed.pk == job.pk
        ended = run(claimed)
        assert "the file chapter.txt is broken" in ended.error
        if attempt < MAX_ATTEMPTS:
            assert ended.state == Job.State.QUEUED
            assert ended.run_after > timezone.now()
            assert claim() is None  # not before its delay
            Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.attempts == MAX_ATTEMPTS


def _lease_passes(job: Job) -> None:
    # What the clock does to a dead worker's job: its lease is not renewed and runs out.
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_a_claimed_job_is_leased_to_its_worker_for_the_lease_setting(settings: Any) -> None:
    settings.JOB_LEASE_SECONDS = 45
    enqueue("tests.record")
    before = timezone.now()
    job = claim()
    assert job is not None
    assert job.lease_until is not None
    assert (
        before + timedelta(seconds=45) <= job.lease_until <= timezone.now() + timedelta(seconds=45)
    )


def test_a_job_whose_lease_passed_is_taken_again() -> None:
    job = enqueue("tests.record", {"n": 7})
    assert claim() is not None
    assert work_off() == 0  # its lease holds: the worker may be alive
    _lease_passes(job)
    assert work_off() == 1
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lease_until) == (Job.State.DONE, 2, None)
    assert DONE == [{"n": 7}]


def test_a_job_taken_before_leases_existed_is_taken_again_after_one_lease() -> None:
    job = enqueue("tests.record", {"n": 8})
    assert claim() is not None
    Job.objects.filter(pk=job.pk).update(
        lease_until=None, started_at=timezone.now() - timedelta(hours=1)
    )
    assert work_off() == 1
    assert DONE == [{"n": 8}]


def test_a_job_whose_worker_died_on_each_try_is_marked_failed() -> None:
    job = enqueue("tests.record")
    for _ in range(MAX_ATTEMPTS):
        assert requeue_abandoned() in (0, 1)
        assert claim() is not None
        _lease_passes(job)
    assert requeue_abandoned() == 0
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == (
        "Its worker stopped (killed or crashed) while it ran, "
        "and it had been tried 3 times or more."
    )
    assert work_off() == 0
    assert DONE == []


def test_a_worker_that_lost_its_job_cannot_renew_or_end_it() -> None:
    job = enqueue("tests.record", {"n": 1})
    stalled = claim()
    assert stalled is not None
    assert renew(stalled)
    _lease_passes(job)
    requeue_abandoned()
    taker = claim()
    assert taker is not None
    assert taker.attempts == 2
    assert not renew(stalled)
    run(stalled)  # the stalled worker wakes up and finishes: its end is not recorded
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.RUNNING, 2)
    run(taker)
    job.refresh_from_db()
    assert job.state == Job.State.DONE


def test_a_database_error_in_a_handler_is_retried_more_often_than_other_errors() -> None:
    job = enqueue("tests.locked")
    for _ in range(MAX_ATTEMPTS_DATABASE):
        claimed = claim()
        assert claimed is not None
        ended = run(claimed)
        assert "database is locked" in ended.error
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    job.refresh_from_db()
    assert job.attempts == MAX_ATTEMPTS_DATABASE > MAX_ATTEMPTS
    assert job.state == Job.State.FAILED
    assert LOCKED == MAX_ATTEMPTS_DATABASE


def test_an_unknown_kind_cannot_be_queued() -> None:
    with pytest.raises(JobError, match=r"no job kind 'tests\.nothing'"):
        enqueue("tests.nothing")
    assert not Job.objects.exists()


def test_old_finished_jobs_are_forgotten_and_pending_ones_kept() -> None:
    old = enqueue("tests.record")
    work_off()
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=30))
    pending = enqueue("tests.record")
    assert forget_finished() == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [pending.pk]


def test_the_worker_command_runs_what_is_queued() -> None:
    enqueue("tests.record", {"n": 1})
    enqueue("tests.record", {"n": 2})
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "ran 2 job(s)" in out.getvalue()
    assert len(DONE) == 2


def test_each_app_registers_its_job_kinds_when_django_starts() -> None:
    assert {
        "community.digest",
        "community.notify",
        "exports.generate",
        "overlap.check",
        "overlap.index",
        "search.index",
    } <= set(kinds())


def test_a_registered_handler_is_a_kind() -> None:
    assert "tests.record" in kinds()
    assert kinds() == sorted(kinds())
