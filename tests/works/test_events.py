"""Work events: sent after the commit, once per transaction, never for a rolled-back change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.dispatch import Signal
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.models import User
from ficarchive.accounts.services import default_pseud
from ficarchive.exports.services import downloads_dir
from ficarchive.jobs.models import Job
from ficarchive.search.backends import backend
from ficarchive.search.services import index_work
from ficarchive.works import events
from ficarchive.works.imports import IMPORTED, import_paths
from ficarchive.works.models import Work
from ficarchive.works.services import (
    ChapterData,
    WorkData,
    add_chapter,
    add_tags,
    create_work,
    delete_work,
    post_work,
    update_chapter,
    update_work,
)
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]
Heard = list[tuple[str, dict[str, object]]]

EVENTS: dict[str, Signal] = {
    "created": events.work_created,
    "changed": events.work_changed,
    "posted": events.work_posted,
    "chapter added": events.chapter_added,
    "deleted": events.work_deleted,
}


class _RolledBack(Exception):
    pass


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Runs what the block schedules after its commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def heard() -> Iterator[Heard]:
    """Every work event sent while the test runs, in order: (name, arguments)."""
    log: Heard = []
    for name, signal in EVENTS.items():

        def listen(sender: Any, signal: Signal, name: str = name, **arguments: object) -> None:
            assert sender is Work
            log.append((name, arguments))

        signal.connect(listen, weak=False, dispatch_uid=f"test-events-{name}")
    yield log
    for name, signal in EVENTS.items():
        signal.disconnect(dispatch_uid=f"test-events-{name}")


def _names(log: Heard) -> list[str]:
    return [name for name, _ in log]


def _thirty_chapters(folder: Path) -> Path:
    path = folder / "thirty-days.md"
    chapters = [
        f"## Day {day}\n\nDay {day} of the long summer, and Rory wrote to Jess again.\n\n"
        "He read the letter twice before he answered."
        for day in range(1, 31)
    ]
    path.write_text("---\ntitle: Thirty Days\nrating: Teen\n---\n\n" + "\n\n".join(chapters))
    return path


def _indexed(word: str) -> list[int]:
    """The ids the search index holds for the word, whether or not their works still exist."""
    sql, params = backend().matching([word], False, ())
    arguments: list[Any] = list(params)
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return [row[0] for row in cursor.fetchall()]


def _data(title: str) -> WorkData:
    return WorkData(title=title, rating="General Audiences")


# -- the acceptance test -----------------------------------------------------------------------


def test_importing_a_thirty_chapter_file_queues_one_index_job_per_consumer(
    tmp_path: Path, committed: Committed, heard: Heard
) -> None:
    pseuds = [default_pseud(make_user("author"))]
    with CaptureQueriesContext(connection) as queries, committed():
        (result,) = import_paths(
            [_thirty_chapters(tmp_path)], pseuds, post=True, fandom="Gilmore Girls"
        )
    assert result.status == IMPORTED
    assert result.work_id is not None
    work = Work.objects.get(pk=result.work_id)
    assert work.chapter_count == 30
    assert work.posted

    kinds = sorted(Job.objects.values_list("kind", flat=True))
    assert kinds == ["overlap.index", "search.index"]
    # Each consumer was told once, not once per save: one look for a pending job each.
    lookups = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "jobs_job" in q["sql"]
    ]
    assert len(lookups) == 2
    assert _names(heard).count("changed") == 1
    assert _names(heard).count("created") == 1
    assert _names(heard).count("posted") == 1
    # Chapters written before posting are news to no one.
    added = [arguments for name, arguments in heard if name == "chapter added"]
    assert len(added) == 29
    assert not any(arguments["posted"] for arguments in added)


# -- once per transaction ------------------------------------------------------------------------


def test_a_work_saved_many_times_in_one_transaction_sends_each_event_once(
    committed: Committed, heard: Heard
) -> None:
    author = make_user("author")
    with committed(), transaction.atomic():
        work = create_work([default_pseud(author)], _data("Draft"), ChapterData(body="Once."))
        update_work(work, _data("Everything Back But You"), default_pseud(author))
        update_chapter(work.chapters.get(), ChapterData(body="Twice."))
        add_tags(work, "freeform", ["Angst"])
        post_work(work)
        post_work(work)
    assert heard == [
        ("created", {"work_id": work.pk}),
        ("changed", {"work_id": work.pk}),
        ("posted", {"work_id": work.pk}),
    ]


def test_each_transaction_sends_its_own_events(committed: Committed, heard: Heard) -> None:
    work = make_work(make_user("author"))
    with committed():
        update_chapter(work.chapters.get(), ChapterData(body="A first edit."))
        update_chapter(work.chapters.get(), ChapterData(body="A second edit."))
    assert heard == [("changed", {"work_id": work.pk})] * 2


def test_each_chapter_added_is_sent_with_its_id_and_whether_the_work_was_posted(
    committed: Committed, heard: Heard
) -> None:
    author = make_user("author")
    posted, draft = make_work(author), make_work(author, posted=False)
    with committed(), transaction.atomic():
        second = add_chapter(posted, ChapterData(body="Chapter two."))
        third = add_chapter(posted, ChapterData(body="Chapter three."))
        in_draft = add_chapter(draft, ChapterData(body="Not yet."))
    assert heard == [
        ("chapter added", {"work_id": posted.pk, "chapter_id": second.pk, "posted": True}),
        ("changed", {"work_id": posted.pk}),
        ("chapter added", {"work_id": posted.pk, "chapter_id": third.pk, "posted": True}),
        ("chapter added", {"work_id": draft.pk, "chapter_id": in_draft.pk, "posted": False}),
        ("changed", {"work_id": draft.pk}),
    ]


def test_deleting_a_work_sends_its_id_and_its_consumers_forget_it(
    committed: Committed, heard: Heard
) -> None:
    work = make_work(make_user("author"), body="Lanterns over the bridge.")
    index_work(work.pk)
    assert _indexed("lanterns") == [work.pk]
    files = downloads_dir() / str(work.pk)
    files.mkdir(parents=True)
    (files / "1-0.epub").write_bytes(b"an old download")
    work_id = work.pk
    with committed():
        delete_work(work)
    assert heard == [("deleted", {"work_id": work_id})]
    assert _indexed("lanterns") == []
    assert not files.exists()


# -- rollbacks -----------------------------------------------------------------------------------


def test_a_rolled_back_transaction_sends_nothing(committed: Committed, heard: Heard) -> None:
    author = make_user("author")
    work = make_work(author)

    def change_and_roll_back() -> None:
        with transaction.atomic():
            make_work(author, title="Never stored")
            add_chapter(work, ChapterData(body="Never added."))
            delete_work(work)
            raise _RolledBack

    with committed(), pytest.raises(_RolledBack):
        change_and_roll_back()
    assert heard == []
    assert not Job.objects.filter(kind__in=["search.index", "overlap.index"]).exists()


def test_an_event_first_scheduled_in_a_rolled_back_savepoint_is_still_sent(
    committed: Committed, heard: Heard
) -> None:
    work = make_work(make_user("author"))
    with committed(), transaction.atomic():
        try:
            with transaction.atomic():
                update_chapter(work.chapters.get(), ChapterData(body="Taken back."))
                raise _RolledBack
        except _RolledBack:
            pass
        update_chapter(work.chapters.get(), ChapterData(body="Kept."))
    assert heard == [("changed", {"work_id": work.pk})]


def test_sends_outside_any_transaction_of_the_codes_own_each_leave(
    committed: Committed, heard: Heard
) -> None:
    # In autocommit each statement is a transaction of its own: nothing to wait for or merge.
    with committed():
        events.send(events.work_changed, work_id=7)
        events.send(events.work_changed, work_id=7)
    assert heard == [("changed", {"work_id": 7})] * 2


# -- the admin, which saves works outside the services ----------------------------------------


def _moderator() -> User:
    moderator = make_user("moderator")
    moderator.is_moderator = True
    moderator.save()
    return moderator


def _as_sent(form: Any) -> dict[str, Any]:
    """What a form shows, as the browser sends it back."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = ",".join(str(item) for item in value)
        elif value is not None:
            data[bound.html_name] = bound.field.widget.format_value(value) or ""
    return data


def _change_page(client: Client, work: Work) -> dict[str, Any]:
    page = client.get(f"/admin/works/work/{work.pk}/change/")
    data = _as_sent(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data |= _as_sent(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= _as_sent(form)
    return data


def test_a_moderator_posting_a_draft_in_the_admin_sends_posted_and_changed(
    client: Client, committed: Committed, heard: Heard
) -> None:
    draft = make_work(make_user("author"), posted=False)
    client.force_login(_moderator())
    data = _change_page(client, draft) | {"posted": "on"}
    with committed():
        response = client.post(f"/admin/works/work/{draft.pk}/change/", data)
    assert response.status_code == 302
    assert Work.objects.get(pk=draft.pk).posted
    assert heard == [("posted", {"work_id": draft.pk}), ("changed", {"work_id": draft.pk})]


def test_a_moderator_deleting_a_work_in_the_admin_sends_deleted(
    client: Client, committed: Committed, heard: Heard
) -> None:
    work = make_work(make_user("author"))
    client.force_login(_moderator())
    with committed():
        response = client.post(f"/admin/works/work/{work.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert heard == [("deleted", {"work_id": work.pk})]
