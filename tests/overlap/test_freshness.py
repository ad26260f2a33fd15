"""A check never answers from an index that lags behind the works (issue 16): it brings the
index of every work in its scope up to date first, says how many works it searched and that
they were current, and `import` indexes what it imported before it ends."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.jobs.models import Job
from ficarchive.overlap import services
from ficarchive.overlap.models import Check, IndexedWork, Passage
from ficarchive.search.services import search
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, add_tags, update_chapter
from tests.cast import PASSWORD, make_user, make_work
from tests.overlap.test_services import COPIED, OTHER

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]

# New prose of the draft around the passage it reuses.
OPENING = (
    "The morning after the storm, Ada walked the length of the beach twice before she let "
    "herself look at the wreck, and even then she kept her hands in her pockets."
)
CLOSING = (
    "When she finally turned back toward the cottage the tide had already covered her "
    "footprints, and the gulls had gone quiet over the water."
)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Run the on-commit hooks of what happens inside (queueing the index jobs), as a real
    commit would; the test database never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The writer's earlier story and the draft that reuses one of its paragraphs."""
    runaways = tmp_path / "the-runaways.txt"
    runaways.write_text(f"Title: The Runaways\n\n{OTHER}\n\n{COPIED}\n\nThe End")
    ending = tmp_path / "ending.txt"
    ending.write_text(f"Title: Ending\n\n{OPENING}\n\n{COPIED}\n\n{CLOSING}")
    return runaways, ending


def _queued_index_jobs() -> list[Job]:
    return list(Job.objects.filter(kind="overlap.index", state=Job.State.QUEUED))


def _check_json(draft: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    call_command("check", str(draft), "--author", "wren", "--scope", "mine", "--json")
    return dict(json.loads(capsys.readouterr().out))


# -- the command line ------------------------------------------------------------------------


def test_a_check_right_after_an_import_finds_the_reuse_without_a_worker(
    committed: Committed, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runaways, ending = files
    with committed():
        call_command(
            "import", str(runaways), "--author", "wren", "--post", "--fandom", "Original Work"
        )
    work = Work.objects.get(title="The Runaways")
    # No worker ran: the work's index job is still waiting.
    assert [job.payload for job in _queued_index_jobs()] == [{"work_id": work.pk}]

    report = _check_json(ending, capsys)

    [finding] = report["findings"]
    assert finding["source"]["work_id"] == work.pk
    assert finding["kind"] == "verbatim"
    # The import indexed the work before it ended: the check had nothing left to bring up to date.
    assert (report["works_searched"], report["works_current"], report["works_reindexed"]) == (
        1,
        1,
        0,
    )
    # Search sees it as well.
    assert list(search(make_user("reader"), "harbour bell").works) == [work]


def test_import_with_no_index_leaves_the_work_to_the_worker_and_the_check_indexes_it(
    committed: Committed, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runaways, ending = files
    with committed():
        call_command(
            "import",
            str(runaways),
            "--author",
            "wren",
            "--post",
            "--fandom",
            "Original Work",
            "--no-index",
        )
    work = Work.objects.get(title="The Runaways")
    assert [job.payload for job in _queued_index_jobs()] == [{"work_id": work.pk}]
    assert not IndexedWork.objects.filter(work=work).exists()
    assert not Passage.objects.filter(work=work).exists()
    assert not search(make_user("reader"), "harbour bell").works.exists()

    report = _check_json(ending, capsys)

    [finding] = report["findings"]
    assert finding["source"]["work_id"] == work.pk
    assert (report["works_searched"], report["works_current"], report["works_reindexed"]) == (
        1,
        1,
        1,
    )
    assert IndexedWork.objects.get(work=work).revision == work.revision


def test_the_text_report_says_how_many_works_were_searched_and_that_they_were_current(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runaways, ending = files
    call_command("import", str(runaways), "--author", "wren", "--no-index")
    make_work(User.objects.get(username="wren"), title="Another", body=OTHER)
    capsys.readouterr()

    call_command("check", str(ending), "--author", "wren", "--scope", "mine")

    out = capsys.readouterr().out
    assert "Searched 2 works; all of them were current (2 brought up to date first)." in out


def test_on_a_terminal_the_check_draws_a_bar_while_it_brings_works_up_to_date(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    runaways, ending = files
    call_command("import", str(runaways), "--author", "wren", "--no-index")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    call_command("check", str(ending), "--author", "wren", "--scope", "mine", "--json")

    drawn = terminal.getvalue()
    assert "\r[##############################] 100% Bringing 1 work up to date" in drawn
    assert drawn.endswith("\n")


class _Terminal(io.StringIO):
    """Standard error as a terminal: the commands draw their bars only there."""

    def isatty(self) -> bool:
        return True


# -- the service -----------------------------------------------------------------------------


def test_a_work_edited_after_indexing_is_indexed_again_before_the_check() -> None:
    author = make_user("wren")
    work = make_work(author, title="The Runaways", body=OTHER)
    services.index_work(work.pk)
    # The writer puts the paragraph in afterwards; its index job has not run.
    update_chapter(work.chapters.get(), ChapterData(body=f"{OTHER}\n\n{COPIED}"))
    stages: list[tuple[int, str]] = []

    report = services.check_texts(
        [f"{OPENING}\n\n{COPIED}"],
        author,
        scope="mine",
        progress=lambda percent, stage: stages.append((percent, stage)),
    )

    [finding] = report.findings
    assert finding.source.work_id == work.pk
    assert (report.sources_searched, report.sources_current, report.sources_reindexed) == (1, 1, 1)
    assert stages[:2] == [(0, "Bringing 1 work up to date"), (100, "Bringing 1 work up to date")]


def test_works_whose_index_is_current_are_left_alone() -> None:
    author = make_user("wren")
    work = make_work(author, title="The Runaways", body=COPIED)
    services.index_work(work.pk)
    passages = set(Passage.objects.filter(work=work).values_list("pk", flat=True))
    # A change that leaves the text alone moves the revision on: the check reads the text again,
    # finds it indexed, and keeps the passages.
    add_tags(work, "freeform", ["Angst"])

    first = services.check_texts([COPIED], author, scope="mine")
    second = services.check_texts([COPIED], author, scope="mine")

    assert (first.sources_reindexed, second.sources_reindexed) == (1, 0)
    assert set(Passage.objects.filter(work=work).values_list("pk", flat=True)) == passages
    assert len(second.findings) == 1


def test_a_work_edited_while_the_check_runs_is_not_called_current() -> None:
    author = make_user("wren")
    work = make_work(author, title="The Runaways", body=COPIED)
    make_work(author, title="Another", body=OTHER)

    def edit_while_comparing(percent: int, stage: str) -> None:
        if stage == "Comparing passages":
            update_chapter(work.chapters.get(), ChapterData(body=f"{COPIED}\n\n{CLOSING}"))

    report = services.check_texts([COPIED], author, scope="mine", progress=edit_while_comparing)

    assert (report.sources_searched, report.sources_current) == (2, 1)
    assert report.freshness == (
        "Searched 2 works; 1 were current, but 1 work changed while the check ran and was "
        "searched as before: run the check again."
    )


# -- the web ---------------------------------------------------------------------------------


def test_the_web_check_brings_works_up_to_date_and_its_report_says_so(
    committed: Committed,
) -> None:
    writer = make_user("wren")
    source = make_work(writer, title="The Runaways", body=COPIED)
    draft = make_work(writer, title="Ending", body=f"{OPENING}\n\n{COPIED}", posted=False)
    client = Client()
    assert client.login(username="wren", password=PASSWORD)
    with committed():
        client.post(reverse("overlap:checks", args=[draft.pk]), {"scope": "mine"})
    check = Check.objects.get()
    services.run_check(check)  # as the worker runs the check's job; the index jobs wait

    check.refresh_from_db()
    assert (check.works_searched, check.works_current, check.works_reindexed) == (1, 1, 1)
    assert [f["source"]["work_id"] for f in check.findings] == [source.pk]
    page = client.get(reverse("overlap:report", args=[draft.pk, check.pk])).content.decode()
    assert "Searched 1 work; it was current (1 brought up to date first)." in page


def test_the_progress_page_says_the_check_is_bringing_works_up_to_date() -> None:
    writer = make_user("wren")
    draft = make_work(writer, title="Ending", body=COPIED, posted=False)
    make_work(writer, title="The Runaways", body=COPIED)
    make_work(writer, title="Another", body=OTHER)
    check = Check.objects.create(work=draft, user=writer, scope="mine", state="running")
    client = Client()
    assert client.login(username="wren", password=PASSWORD)
    pages: list[str] = []

    def saved_and_shown(percent: int, stage: str) -> None:
        # What run_check saves as the check goes, and what the writer's page then shows.
        Check.objects.filter(pk=check.pk).update(progress=percent, stage=stage)
        pages.append(client.get(reverse("overlap:report", args=[draft.pk, check.pk])).text)

    services.check_work(draft, writer, scope="mine", progress=saved_and_shown)

    assert "Bringing 2 works up to date…" in pages[0]
    assert '<progress id="check-progress" max="100" value="50">' in pages[1]
