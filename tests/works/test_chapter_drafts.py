"""A draft chapter of a posted work is its creators' alone: counts, downloads, feeds, search,
the overlap index and comments leave it out until it is posted (issue 19)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ficarchive.community.comments import CommentError, CommentInput, post_comment
from ficarchive.exports.account_export import write_zip
from ficarchive.exports.formats import file_name
from ficarchive.overlap.models import Passage
from ficarchive.overlap.services import index_work as index_passages
from ficarchive.search import services as search
from ficarchive.works.models import Work
from ficarchive.works.queries import with_blurb_data
from ficarchive.works.services import (
    ChapterData,
    WorkError,
    add_chapter,
    delete_chapter,
    post_chapter,
    post_work,
)
from tests.cast import make_user, make_work
from tests.markup import body

pytestmark = pytest.mark.django_db

SECRET = "Zephyrine marmalade."


def _with_draft_chapter(**fields: object) -> tuple[Work, int]:
    work = make_work(make_user("author"), **fields)  # type: ignore[arg-type]
    draft = add_chapter(work, ChapterData(body=f"{SECRET} " * 10, title="Soon"), draft=True)
    work.refresh_from_db()
    return work, draft.pk


def test_counts_readers_see_leave_the_draft_chapter_out_until_it_is_posted() -> None:
    work = make_work(make_user("author"))
    words, updated = work.word_count, work.updated_at
    draft = add_chapter(work, ChapterData(body="One two three four."), draft=True)
    work.refresh_from_db()
    assert (work.chapter_count, work.word_count, work.chapters_label) == (1, words, "1/?")
    assert work.updated_at == updated

    post_chapter(draft)
    work.refresh_from_db()
    assert (work.chapter_count, work.word_count, work.chapters_label) == (2, words + 4, "2/?")
    assert work.updated_at is not None
    assert updated is not None
    assert work.updated_at > updated


def test_a_chapter_posted_while_a_draft_waits_comes_before_the_draft() -> None:
    work = make_work(make_user("author"))
    draft = add_chapter(work, ChapterData(body="Draft."), draft=True)
    posted = add_chapter(work, ChapterData(body="Posted."))
    assert posted.position == 2
    draft.refresh_from_db()
    assert draft.position == 3


def test_posting_a_draft_work_leaves_its_draft_chapters_drafts() -> None:
    work = make_work(make_user("author"), posted=False)
    draft = add_chapter(work, ChapterData(body="Later."), draft=True)
    post_work(work)
    draft.refresh_from_db()
    assert draft.draft
    assert draft.published_at is None
    assert work.chapters.get(position=1).published_at is not None


def test_the_last_posted_chapter_cannot_be_deleted_while_a_draft_waits() -> None:
    work, draft_id = _with_draft_chapter()
    with pytest.raises(WorkError, match="at least one posted chapter"):
        delete_chapter(work.chapters.get(position=1))
    delete_chapter(work.chapters.get(pk=draft_id))
    assert work.chapters.count() == 1


def test_downloads_leave_the_draft_chapter_out(client: Client) -> None:
    work, _ = _with_draft_chapter()
    for extension in ("html", "epub", "txt"):
        url = reverse("exports:download", args=[work.pk, file_name(work.title), extension])
        response = client.get(url)
        assert response.status_code == 200, extension
        assert b"Zephyrine" not in body(response), extension


def test_feeds_and_the_catalog_leave_the_draft_chapter_out(client: Client) -> None:
    work, _ = _with_draft_chapter()
    for url in ("/users/author/pseuds/author/works.atom", "/opds/recent", "/opds/v2/recent"):
        page = client.get(url).content.decode()
        assert work.title in page, url
        assert "Zephyrine" not in page, url
        assert "Soon" not in page, url
    assert f"Words: {work.word_count:,}" in client.get("/opds/recent").content.decode()


def test_search_finds_the_draft_chapter_text_only_once_it_is_posted() -> None:
    work, draft_id = _with_draft_chapter()
    search.index_work(work.pk)
    assert list(search.search(AnonymousUser(), "Zephyrine").works) == []
    post_chapter(work.chapters.get(pk=draft_id))
    search.index_work(work.pk)
    assert [found.pk for found in search.search(AnonymousUser(), "Zephyrine").works] == [work.pk]


def test_the_overlap_index_holds_no_passage_of_a_draft_chapter() -> None:
    work, draft_id = _with_draft_chapter()
    index_passages(work.pk, force=True)
    assert Passage.objects.filter(work=work).exists()
    assert not Passage.objects.filter(chapter_id=draft_id).exists()


def test_a_draft_chapter_takes_no_comments() -> None:
    work, draft_id = _with_draft_chapter()
    reader = make_user("reader")
    work = with_blurb_data(Work.objects.filter(pk=work.pk)).get()
    with pytest.raises(CommentError, match="no chapter"):
        post_comment(work, reader, CommentInput(body="Lovely!", chapter_id=draft_id))


def test_the_creators_account_export_keeps_their_draft_chapter(tmp_path: Path) -> None:
    work, _ = _with_draft_chapter()
    target = tmp_path / "export.zip"
    write_zip(work.creators[0].user, target, timezone.now())
    with zipfile.ZipFile(target) as archive:
        markdown = archive.read(f"works/{file_name(work.title)}-{work.pk}.md").decode()
    assert "Zephyrine" in markdown
