"""Export my data: a zip of the user's works (EPUB, Markdown) and of their bookmarks, comments,
history, kudos, subscriptions and profile (JSON), made by a job and given to its owner only."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.comments import CommentInput, post_comment
from ficarchive.community.kudos import leave_kudos
from ficarchive.community.readings import record_visit
from ficarchive.community.subscriptions import subscribe_to_user, subscribe_to_work
from ficarchive.exports import account_export
from ficarchive.jobs.models import Job
from ficarchive.jobs.services import work_off
from ficarchive.works.models import Work
from tests.cast import PASSWORD, make_user, make_work
from tests.validators import epubcheck

pytestmark = pytest.mark.django_db

PAGE = "/account/export"


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _export_of(user: User) -> account_export.AccountExport:
    """Ask for the user's export through the page and run it through the worker."""
    client = _logged_in(user)
    assert client.post(PAGE).status_code == 302
    assert work_off() == 1
    export = account_export.latest_export(user)
    assert export is not None
    return export


def _exported(user: User) -> zipfile.ZipFile:
    return zipfile.ZipFile(_export_of(user).path)


def _download_status(client: Client, name: str) -> int:
    return client.get(reverse("exports:account_export_download", args=[name])).status_code


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


def _everything(archive: zipfile.ZipFile) -> str:
    """Every file of the zip as text, the works' EPUBs unpacked too."""
    texts: list[str] = []
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".epub"):
            with zipfile.ZipFile(io.BytesIO(data)) as epub:
                texts.extend(epub.read(inner).decode() for inner in epub.namelist())
        else:
            texts.append(data.decode())
    return "\n".join(texts)


def test_the_zip_holds_every_work_of_the_user_as_epub_and_markdown_drafts_too() -> None:
    author = make_user("author")
    posted = make_work(author, title="Everything Back But You", body="It wasn't weird at all.")
    draft = make_work(author, title="Folder Draft", posted=False, body="Half a scene, unposted.")
    shared = make_work(author, make_user("coauthor"), title="Written Together")
    make_work(make_user("stranger"), title="Not Theirs", posted=False)

    archive = _exported(author)

    names = set(archive.namelist())
    for work in (posted, draft, shared):
        stem = f"works/{work.title.replace(' ', '_')}-{work.pk}"
        assert f"{stem}.epub" in names
        assert f"{stem}.md" in names
    assert len([name for name in names if name.startswith("works/")]) == 6
    assert {
        "README.txt",
        "bookmarks.json",
        "comments.json",
        "history.json",
        "kudos.json",
        "subscriptions.json",
        "profile.json",
    } <= names

    epub_data = archive.read(f"works/Everything_Back_But_You-{posted.pk}.epub")
    with zipfile.ZipFile(io.BytesIO(epub_data)) as epub:
        first = epub.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert epub.read("mimetype") == b"application/epub+zip"
        assert epub.testzip() is None
    markdown = archive.read(f"works/Folder_Draft-{draft.pk}.md").decode()
    assert markdown.startswith("---\ntitle: Folder Draft\n")
    assert "Half a scene, unposted." in markdown
    readme = archive.read("README.txt").decode()
    for name in ("bookmarks.json", "comments.json", "history.json", "profile.json", "works/"):
        assert name in readme


@pytest.mark.files
def test_the_exported_epub_passes_epubcheck(tmp_path: Path) -> None:
    author = make_user("author")
    work = make_work(author, title="Checked", chapters=2)
    archive = _exported(author)
    path = tmp_path / "work.epub"
    path.write_bytes(archive.read(f"works/Checked-{work.pk}.epub"))
    assert epubcheck(path) == ""


def test_the_json_files_hold_the_users_bookmarks_comments_history_kudos_and_profile() -> None:
    reader = make_user("reader")
    writer = make_user("writer")
    work = make_work(writer, title="Read Often", chapters=2)
    chapter = work.chapters.get(position=2)
    create_bookmark(
        reader, BookmarkData(notes="Reread this.", tags="comfort", private=True), work=work
    )
    post_comment(work, reader, CommentInput(body="Loved the ending.", chapter_id=chapter.pk))
    record_visit(reader, work, chapter)
    leave_kudos(work, reader)
    subscribe_to_work(reader, work)
    subscribe_to_user(reader, "writer")
    reader.pseuds.create(name="Night Owl", description="<p>I read at night.</p>")
    reader.keep_history = True
    reader.update_emails = "daily"
    reader.save()

    archive = _exported(reader)

    [bookmark] = _json(archive, "bookmarks.json")
    assert bookmark["work"]["id"] == work.pk
    assert bookmark["work"]["title"] == "Read Often"
    assert bookmark["notes"] == "<p>Reread this.</p>"
    assert bookmark["tags"] == ["comfort"]
    assert bookmark["private"] is True
    [comment] = _json(archive, "comments.json")
    assert comment["work"]["title"] == "Read Often"
    assert comment["chapter"] == {"id": chapter.pk, "position": 2, "title": "Part 2"}
    assert comment["text"] == "Loved the ending."
    assert comment["created_at"]
    [reading] = _json(archive, "history.json")
    assert reading["work"]["id"] == work.pk
    assert reading["chapter"]["id"] == chapter.pk
    assert reading["views"] >= 1
    [kudos] = _json(archive, "kudos.json")
    assert kudos["work"]["id"] == work.pk
    subscriptions = _json(archive, "subscriptions.json")
    assert {"work": work.pk} == {"work": subscriptions[0]["work"]["id"]}
    assert subscriptions[1]["user"] == "writer"
    profile = _json(archive, "profile.json")
    assert profile["username"] == "reader"
    assert profile["email"] == "reader@example.org"
    assert profile["date_joined"]
    assert [pseud["name"] for pseud in profile["pseuds"]] == ["reader", "Night Owl"]
    assert profile["pseuds"][1]["description"] == "<p>I read at night.</p>"
    assert profile["preferences"]["update_emails"] == "daily"


def test_the_zip_never_holds_another_users_private_data() -> None:
    reader = make_user("reader")
    stranger = make_user("stranger")
    make_work(stranger, title="Secret Draft", posted=False, body="Stranger's unposted words.")
    public = make_work(stranger, title="Public Work")
    create_bookmark(
        stranger, BookmarkData(notes="Stranger's private note.", private=True), work=public
    )
    post_comment(public, stranger, CommentInput(body="Stranger's comment."))
    # A work the reader bookmarked and read, which its writer then took back to a draft.
    hidden = make_work(stranger, title="Taken Back")
    create_bookmark(reader, BookmarkData(), work=hidden)
    record_visit(reader, hidden, hidden.chapters.get())
    Work.objects.filter(pk=hidden.pk).update(posted=False)

    archive = _exported(reader)

    everything = _everything(archive)
    for secret in (
        "Secret Draft",
        "Stranger's unposted words.",
        "Stranger's private note.",
        "Stranger's comment.",
        "Taken Back",
        "stranger@example.org",
    ):
        assert secret not in everything
    [bookmark] = _json(archive, "bookmarks.json")
    assert bookmark["work"] == {"id": hidden.pk, "visible": False}
    [reading] = _json(archive, "history.json")
    assert reading["work"] == {"id": hidden.pk, "visible": False}
    assert reading["chapter"] is None
    assert not [name for name in archive.namelist() if name.startswith("works/")]


def test_the_page_queues_the_job_shows_it_being_prepared_then_the_download() -> None:
    author = make_user("author")
    make_work(author, title="Backed Up")
    client = _logged_in(author)

    page = client.get(PAGE).content.decode()
    assert "Export my data</button>" in page
    assert "removed 7 days after" in page

    assert client.post(PAGE).status_code == 302
    assert client.post(PAGE).status_code == 302
    [job] = Job.objects.filter(kind=account_export.JOB_KIND)
    assert job.state == Job.State.QUEUED, "asking twice queues one job"
    waiting = client.get(PAGE).content.decode()
    assert "Your export is being prepared" in waiting
    assert 'http-equiv="refresh"' in waiting
    assert "Export my data</button>" not in waiting

    assert work_off() == 1
    ready = client.get(PAGE).content.decode()
    assert "Your export is ready" in ready
    assert "being prepared" not in ready
    export = account_export.latest_export(author)
    assert export is not None
    url = reverse("exports:account_export_download", args=[export.name])
    assert url in ready
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert "works/Backed_Up-" in " ".join(zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_the_download_is_not_found_for_another_user_or_a_guest() -> None:
    author = make_user("author")
    other = make_user("other")
    export = _export_of(author)
    _export_of(other)

    assert _download_status(_logged_in(other), export.name) == 404
    assert _download_status(Client(), export.name) == 404
    assert _download_status(_logged_in(author), export.name) == 200


def test_the_export_page_asks_guests_to_log_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/users/login" in response["Location"]
    assert Client().post(PAGE).status_code == 302
    assert not Job.objects.exists()


def test_asking_for_an_export_needs_the_csrf_token() -> None:
    author = make_user("author")
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post(PAGE).status_code == 403
    assert not Job.objects.exists()


def test_a_newer_export_replaces_the_older_one() -> None:
    author = make_user("author")
    first = _export_of(author)
    second = _export_of(author)
    assert first.path != second.path
    assert not first.path.exists()
    assert list(second.path.parent.iterdir()) == [second.path]
    assert _download_status(_logged_in(author), first.name) == 404


def test_an_export_older_than_seven_days_is_no_longer_served_and_is_removed() -> None:
    author = make_user("author")
    export = _export_of(author)
    old = export.path.with_name("20200101T000000-" + export.name.partition("-")[2] + ".zip")
    os.replace(export.path, old)

    assert account_export.latest_export(author) is None
    assert not old.exists()
    assert _download_status(_logged_in(author), old.stem) == 404


def test_the_next_export_job_removes_anyones_expired_export() -> None:
    author = make_user("author")
    export = _export_of(author)
    old = export.path.with_name("20200101T000000-kept-too-long.zip")
    os.replace(export.path, old)
    _export_of(make_user("other"))
    assert not old.exists()


def test_deleting_the_account_removes_its_exports() -> None:
    author = make_user("author")
    export = _export_of(author)
    author.delete()
    assert not export.path.exists()


def test_the_owner_is_mailed_when_the_export_is_ready() -> None:
    author = make_user("author")
    _export_of(author)
    [message] = mail.outbox
    assert message.to == ["author@example.org"]
    assert "export is ready" in message.subject
    assert "/account/export" in message.body


def test_preferences_link_to_the_export_page() -> None:
    page = _logged_in(make_user("author")).get(reverse("accounts:preferences"))
    assert f'href="{PAGE}"' in page.content.decode()


def test_a_failed_export_says_so_and_offers_to_ask_again() -> None:
    author = make_user("author")
    Job.objects.create(
        kind=account_export.JOB_KIND,
        key=f"account-export:{author.pk}",
        payload={"user_id": author.pk},
        state=Job.State.FAILED,
        error="OSError: disk full",
    )
    client = _logged_in(author)
    page = client.get(PAGE).content.decode()
    assert "Your export could not be made" in page
    assert "disk full" not in page, "the error is for the maintainers"
    assert 'http-equiv="refresh"' not in page
    assert "Export my data</button>" in page

    assert client.post(PAGE).status_code == 302
    assert work_off() == 1
    assert "Your export is ready" in client.get(PAGE).content.decode()
