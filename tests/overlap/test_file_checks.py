"""A check of a file: stored with its chapter texts, run as a job like a work's check, kept apart
from the works' check pages, read by its writer alone, and gone with her account."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.community.leaving import delete_account
from ficarchive.jobs.services import work_off
from ficarchive.overlap import services
from ficarchive.overlap.models import Check
from ficarchive.overlap.views import report_rows
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]

LIGHTHOUSE = (
    "The lighthouse keeper climbed the hundred and twelve steps every evening at dusk, counting "
    "them under his breath the way his father had taught him, one hand on the cold iron rail and "
    "the other holding the oil can steady against his hip. At the top he trimmed the wick, "
    "polished the great lens with a square of chamois, and sat down on the three-legged stool to "
    "watch the beam sweep out across the black water toward the rocks."
)
INN = (
    "The inn at the end of the harbour road had three rooms to let and a landlady who asked no "
    "questions, which suited Tomas very well. He paid for a week in advance, carried his bag up "
    "the narrow stairs himself, and stood for a long time at the window watching the fishing "
    "boats come in under a sky the colour of pewter."
)
SOURCE_TITLE = "The Keeper of Saltmarsh Light"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Run the on-commit hooks (the check's job queued) as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _source(committed: Committed, owner: User) -> Work:
    """A posted work whose second paragraph the files below copy."""
    with committed():
        return make_work(owner, title=SOURCE_TITLE, body=f"{INN}\n\n{LIGHTHOUSE}")


def _file_check(committed: Committed, writer: User, name: str = "harbour.txt") -> Check:
    with committed():
        return services.start_file_check(writer, name, [f"{INN}\n\n{LIGHTHOUSE}"], "all")


def test_a_file_check_runs_as_a_job_and_finds_the_copied_passage(committed: Committed) -> None:
    writer, other = make_user("wren"), make_user("other")
    source = _source(committed, other)
    check = _file_check(committed, writer)
    assert check.state == Check.State.QUEUED
    assert check.work is None
    assert str(check) == f"overlap check {check.pk} of file 'harbour.txt' (queued)"

    work_off()
    check.refresh_from_db()
    assert check.state == Check.State.DONE
    assert check.progress == 100
    assert check.digest
    assert check.works_searched is not None
    assert {int(f["source"]["work_id"]) for f in check.findings} == {source.pk}
    assert any("hundred and twelve steps" in f["draft"]["text"] for f in check.findings)


def test_a_file_checks_report_leaves_out_a_source_made_a_draft_and_links_no_editor(
    committed: Committed,
) -> None:
    writer = make_user("wren")
    source = _source(committed, make_user("other"))
    check = _file_check(committed, writer)
    work_off()
    check.refresh_from_db()

    rows, hidden = report_rows(writer, check.texts, check.findings)
    assert [row.source_id for row in rows] == [source.pk]
    assert hidden == 0
    assert rows[0].edit_url is None
    assert rows[0].draft_chapter == 1

    Work.objects.filter(pk=source.pk).update(posted=False)
    rows, hidden = report_rows(writer, check.texts, check.findings)
    assert rows == []
    assert hidden == len(check.findings)


def test_each_file_sent_is_a_check_of_its_own(committed: Committed) -> None:
    writer = make_user("wren")
    first = _file_check(committed, writer)
    second = _file_check(committed, writer)  # the same name may hold another draft
    assert first.pk != second.pk


def test_a_writer_has_at_most_three_file_checks_waiting_or_running(committed: Committed) -> None:
    writer = make_user("wren")
    checks = [_file_check(committed, writer, f"{n}.txt") for n in range(3)]
    with pytest.raises(services.TooManyChecks, match="at most 3 at a time"):
        _file_check(committed, writer)
    # Her works' checks do not count, nor anyone else's files.
    with committed():
        services.start_check(make_work(writer, title="Mine", body=INN), writer)
    _file_check(committed, make_user("other"))

    Check.objects.filter(pk=checks[0].pk).update(state=Check.State.FAILED)
    fourth = _file_check(committed, writer, "3.txt")
    with pytest.raises(services.TooManyChecks):
        _file_check(committed, writer)

    # One left running by a worker that died long ago holds her place no longer.
    abandoned = timezone.now() - services.FILE_CHECK_ABANDONED_AFTER - timedelta(minutes=1)
    Check.objects.filter(pk=fourth.pk).update(state=Check.State.RUNNING, created_at=abandoned)
    assert _file_check(committed, writer, "4.txt").state == Check.State.QUEUED


def test_an_unknown_scope_is_refused(committed: Committed) -> None:
    with pytest.raises(services.OverlapError, match="Unknown scope"):
        services.start_file_check(make_user("wren"), "a.txt", [LIGHTHOUSE], "everything")
    assert not Check.objects.exists()


def test_a_check_is_of_a_work_or_of_a_file(committed: Committed) -> None:
    writer = make_user("wren")
    work = _source(committed, writer)
    for neither_or_both in ({}, {"work": work, "file_name": "a.txt"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Check.objects.create(user=writer, **neither_or_both)


def test_a_file_check_never_appears_on_a_works_checks_page(committed: Committed) -> None:
    writer = make_user("wren")
    work = _source(committed, writer)
    with committed():
        work_check = services.start_check(work, writer)
    file_check = _file_check(committed, writer)
    work_off()
    client = Client()
    client.force_login(writer)

    page = client.get(reverse("overlap:checks", args=[work.pk]))
    assert page.status_code == 200
    assert reverse("overlap:report", args=[work.pk, work_check.pk]) in page.content.decode()
    assert f"/overlap/{file_check.pk}" not in page.content.decode()
    # Nor does a work's address open it.
    report = client.get(reverse("overlap:report", args=[work.pk, file_check.pk]))
    assert report.status_code == 404


def test_deleting_the_account_deletes_its_file_checks(committed: Committed) -> None:
    writer, other = make_user("wren"), make_user("other")
    _file_check(committed, writer)
    kept = _file_check(committed, other)
    delete_account(writer, orphan=False)
    assert list(Check.objects.all()) == [kept]
    assert work_off() >= 1  # the deleted check's job finds nothing to run, and ends
