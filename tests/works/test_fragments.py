"""The reading pages' shared fragments (a work's tags, its chapter text), cached per revision:
an edit shows at once, and no reader's own bits (kudos, bookmark, subscription, edit links)
are ever served to another."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.accounts.services import default_pseud
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.comments import CommentInput, post_comment
from ficarchive.community.kudos import leave_kudos
from ficarchive.community.subscriptions import subscribe_to_work
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, WorkData, add_chapter, edit_work, update_chapter
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _reader(user: User | None) -> Client:
    """A signed-in reader, or (None) a guest who sends a cookie, so the logged-out page cache
    (`server.page_cache`) passes them to the view and its fragments."""
    client = Client()
    if user is None:
        client.cookies["reader"] = "guest"
    else:
        client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def audiences() -> list[Client]:
    """A signed-in reader, a guest past the page cache, and a guest the page cache serves."""
    return [_reader(make_user("reader")), _reader(None), Client()]


def test_the_work_tags_are_kept_per_revision_and_audience() -> None:
    work = make_work(fandoms=["Gilmore Girls"])
    _page(_reader(None), work.get_absolute_url())
    _page(_reader(make_user("reader")), work.get_absolute_url())
    for audience in ("in", "out"):
        kept = cache.get(f"work-tags:{work.pk}:{work.content_stamp}:{audience}")
        assert "Gilmore Girls" in kept


def test_a_tag_edit_shows_at_once_logged_in_and_out(audiences: list[Client]) -> None:
    author = make_user()
    work = make_work(author, fandoms=["Gilmore Girls"])
    for client in audiences:
        assert "Gilmore Girls" in _page(client, work.get_absolute_url())
    data = WorkData(title=work.title, rating="General Audiences", fandoms=["Veronica Mars"])
    edit_work(author, work, [default_pseud(author)], data)
    for client in audiences:
        page = _page(client, work.get_absolute_url())
        assert "Veronica Mars" in page
        assert "Gilmore Girls" not in page


def test_a_chapter_edit_shows_at_once_logged_in_and_out(audiences: list[Client]) -> None:
    work = make_work(chapters=2)
    second = work.chapters.get(position=2)
    for client in audiences:
        assert "Chapter 2 text." in _page(client, second.get_absolute_url())
        assert "Chapter 2 text." in _page(client, work.get_absolute_url() + "?view_full_work=true")
    update_chapter(second, ChapterData(body="They met again at the diner.", title="Part 2"))
    for client in audiences:
        page = _page(client, second.get_absolute_url())
        assert "They met again at the diner." in page
        assert "Chapter 2 text." not in page
        whole = _page(client, work.get_absolute_url() + "?view_full_work=true")
        assert "They met again at the diner." in whole


def test_a_new_comment_shows_at_once_logged_in_and_out(audiences: list[Client]) -> None:
    work = make_work()
    for client in audiences:
        _page(client, work.get_absolute_url())
    post_comment(work, make_user("commenter"), CommentInput(body="The diner scene!"))
    for client in audiences:
        assert "The diner scene!" in _page(client, work.get_absolute_url())


def test_readers_never_see_each_others_kudos_bookmark_or_subscription() -> None:
    work = make_work(chapters=2)
    fan, stranger = make_user("fan"), make_user("stranger")
    leave_kudos(work, fan)
    create_bookmark(fan, BookmarkData(notes="Loved it."), work=work)
    subscribe_to_work(fan, work)
    work = Work.objects.get(pk=work.pk)
    for url in (work.get_absolute_url(), work.chapters.get(position=2).get_absolute_url()):
        # Each reader twice, in turn, so each finds the fragments the other left.
        for _ in range(2):
            mine = _page(_reader(fan), url)
            assert "You left kudos" in mine
            assert "Edit Bookmark" in mine
            assert "Unsubscribe" in mine
            for theirs in (_page(_reader(stranger), url), _page(_reader(None), url)):
                assert "You left kudos" not in theirs
                assert "Edit Bookmark" not in theirs
                assert "Unsubscribe" not in theirs


def test_the_creators_edit_links_and_drafts_are_not_shared_with_readers() -> None:
    author = make_user()
    work = make_work(author, chapters=2)
    add_chapter(work, ChapterData(body="Draft ending.", title="End"), draft=True)
    second = work.chapters.get(position=2)
    reader = make_user("reader")
    for url in (second.get_absolute_url(), work.get_absolute_url() + "?view_full_work=true"):
        for _ in range(2):  # the reader first, then the creator, then the reader again
            theirs = _page(_reader(reader), url)
            assert "Edit chapter" not in theirs
            assert "Draft ending." not in theirs
            assert "Edit chapter" in _page(_reader(author), url)
    whole = work.get_absolute_url() + "?view_full_work=true"
    assert "Draft ending." in _page(_reader(author), whole)
