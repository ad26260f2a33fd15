"""Downloads are files made once per revision of a work; big works and calibre's formats are
made by a background job while the reader waits on a page that says so."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ficarchive.exports.formats import file_name
from ficarchive.exports.services import write_atomically
from ficarchive.jobs.models import Job
from ficarchive.jobs.services import work_off
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, delete_work, update_chapter
from tests.cast import make_user, make_work
from tests.markup import body
from tests.validators import require_tool

pytestmark = pytest.mark.django_db


def _url(work: Work, extension: str) -> str:
    return reverse("exports:download", args=[work.pk, file_name(work.title), extension])


def _stored(work: Work) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "downloads" / str(work.pk)
    return sorted(folder.rglob("*.*")) if folder.exists() else []


def _work_off_until_settled() -> None:
    """Run jobs, letting retries run now instead of after their delay."""
    for _ in range(5):
        work_off()
        if not Job.objects.filter(state=Job.State.QUEUED).exists():
            return
        Job.objects.filter(state=Job.State.QUEUED).update(run_after=timezone.now())


def test_a_download_is_made_once_and_made_again_after_an_edit(client: Client) -> None:
    work = make_work(title="Kept", body="The first words.")
    first = body(client.get(_url(work, "html")))
    [stored] = _stored(work)
    made_at = stored.stat().st_mtime_ns
    assert body(client.get(_url(work, "html"))) == first
    assert stored.stat().st_mtime_ns == made_at, "a second download must not remake the file"

    chapter = work.chapters.get()
    update_chapter(chapter, ChapterData(body="The edited words."))
    work.refresh_from_db()
    edited = body(client.get(_url(work, "html")))
    assert b"The edited words." in edited
    assert b"The first words." not in edited
    [newer] = _stored(work)
    assert newer != stored
    assert not stored.exists(), "the old revision's file is removed"


def test_a_big_work_is_made_by_a_job_while_the_reader_waits(client: Client, settings: Any) -> None:
    settings.EXPORT_INLINE_WORDS = 3
    work = make_work(title="Long", body="Far more than three words here.")
    waiting = client.get(_url(work, "epub"))
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert "Your EPUB file is being prepared" in page
    assert 'http-equiv="refresh"' in page
    assert waiting["Retry-After"] == "5"
    assert client.get(_url(work, "epub")).status_code == 202
    assert Job.objects.filter(state=Job.State.QUEUED).count() == 1, "asking again queues nothing"
    assert not _stored(work), "nothing was made during the request"

    assert work_off() == 1
    ready = client.get(_url(work, "epub"))
    assert ready.status_code == 200
    assert body(ready)[:2] == b"PK"


def test_a_failed_job_gives_a_clear_page_and_no_stack_trace(client: Client, settings: Any) -> None:
    settings.EBOOK_CONVERT = shutil.which("false")  # "installed", but every conversion fails
    work = make_work(title="Unlucky")
    assert client.get(_url(work, "mobi")).status_code == 202
    _work_off_until_settled()
    job = Job.objects.get()
    assert job.state == Job.State.FAILED
    assert "ebook-convert failed for .mobi" in job.error
    failed = client.get(_url(work, "mobi"))
    assert failed.status_code == 503
    page = failed.content.decode()
    assert "The MOBI file could not be made" in page
    assert "Traceback" not in page
    assert "ebook-convert" not in page
    assert Job.objects.count() == 1, "a fresh failure is not retried on every request"


def test_deleting_a_work_removes_its_files(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    work = make_work(title="Gone")
    client.get(_url(work, "epub"))
    assert _stored(work)
    with django_capture_on_commit_callbacks(execute=True):
        delete_work(work)
    assert not _stored(work)


def test_downloads_dir_keeps_the_files_outside_the_data_folder(
    client: Client,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.DOWNLOADS_DIR = tmp_path / "shared"
    work = make_work(title="Shared", body="Words every server reads from one folder.")
    first = body(client.get(_url(work, "html")))
    [stored] = (tmp_path / "shared" / str(work.pk)).rglob("*.html")
    assert stored.read_bytes() == first
    assert not _stored(work), "nothing in the data folder's downloads"
    assert body(client.get(_url(work, "html"))) == first
    with django_capture_on_commit_callbacks(execute=True):
        delete_work(work)
    assert not (tmp_path / "shared" / str(work.pk)).exists()


def test_a_reader_never_sees_part_of_a_file_two_writers_are_making(tmp_path: Path) -> None:
    path = tmp_path / "downloads" / "1" / "site" / "3-1700000000.epub"
    # Big enough that writing one takes many of the reader's looks.
    whole = {b"a" * 4_000_000, b"b" * 4_000_000}
    looks, partial = 0, 0
    done = threading.Event()

    def write(data: bytes) -> None:
        for _ in range(15):
            write_atomically(path, data)

    def read() -> None:
        nonlocal looks, partial
        while not done.is_set():
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            looks += 1
            partial += data not in whole

    writers = [threading.Thread(target=write, args=(data,)) for data in whole]
    reader = threading.Thread(target=read)
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    done.set()
    reader.join()
    assert looks > 10
    assert partial == 0, f"a reader saw part of a file {partial} times in {looks}"
    assert [file.name for file in path.parent.iterdir()] == [path.name], "no temporary file left"


def test_an_unchanged_download_is_not_sent_again(client: Client) -> None:
    work = make_work(title="Cached")
    first = client.get(_url(work, "epub"))
    assert first.status_code == 200
    again = client.get(_url(work, "epub"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert not again.content


def test_a_restricted_works_file_is_never_kept_by_shared_caches(client: Client) -> None:
    author = make_user("author")
    locked = make_work(author, title="Locked", restricted=True)
    client.force_login(make_user("reader"))
    response = client.get(_url(locked, "html"))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_stranger_cannot_read_a_drafts_file_even_once_it_was_made(client: Client) -> None:
    author = make_user("author")
    draft = make_work(author, title="Secret draft", posted=False)
    client.force_login(author)
    assert client.get(_url(draft, "epub")).status_code == 200
    assert _stored(draft)
    client.logout()
    assert client.get(_url(draft, "epub")).status_code == 404
    client.force_login(make_user("stranger"))
    assert client.get(_url(draft, "epub")).status_code == 404


def test_without_calibre_its_formats_are_neither_offered_nor_served(
    client: Client, settings: Any
) -> None:
    settings.EBOOK_CONVERT = ""
    work = make_work(title="Plain")
    page = client.get(work.get_absolute_url()).content.decode()
    assert ".epub" in page
    for extension in ("mobi", "azw3", "pdf"):
        assert f".{extension}" not in page
        assert client.get(_url(work, extension)).status_code == 404


EXTENSIONS = ("mobi", "azw3", "pdf")


def test_calibre_makes_mobi_azw3_and_pdf(client: Client) -> None:
    require_tool(shutil.which("ebook-convert"), "calibre is not installed (apt-get calibre)")
    work = make_work(title="Converted", chapters=2, summary="<p>A summary.</p>")
    page = client.get(work.get_absolute_url()).content.decode()
    for extension in ("mobi", "azw3", "pdf"):
        assert _url(work, extension) in page
        assert client.get(_url(work, extension)).status_code == 202
    _work_off_until_settled()
    assert not Job.objects.exclude(state=Job.State.DONE).exists(), list(
        Job.objects.values_list("error", flat=True)
    )
    files = {extension: body(client.get(_url(work, extension))) for extension in EXTENSIONS}
    # MOBI and AZW3 are Palm databases whose type and creator say BOOKMOBI; a PDF says %PDF.
    assert files["mobi"][60:68] == b"BOOKMOBI"
    assert files["azw3"][60:68] == b"BOOKMOBI"
    assert files["pdf"].startswith(b"%PDF")
