from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from ficarchive.jobs.models import Job
from ficarchive.jobs.services import (
    MAX_ATTEMPTS,
    JobError,
    claim,
    enqueue,
    forget_finished,
    handler,
    run,
    work_off,
)

pytestmark = pytest.mark.django_db

DONE: list[dict[str, Any]] = []


@handler("tests.record")
def _record(payload: dict[str, Any]) -> None:
    DONE.append(payload)


@handler("tests.break")
def _break(payload: dict[str, Any]) -> None:
    raise ValueError(f"the file {payload['name']} is broken")


@pytest.fixture(autouse=True)
def _nothing_done() -> None:
    DONE.clear()


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


def test_a_job_left_running_by_a_dead_worker_is_taken_again() -> None:
    job = enqueue("tests.record", {"n": 7})
    assert claim() is not None
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert work_off() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert DONE == [{"n": 7}]


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
