"""Signed-in readers' shared reading pages (`server.page_cache.reader_page`): one copy of a work
page per revision, with each reader's own parts filled in; never another reader's bits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.blocks import block
from ficarchive.accounts.models import User
from ficarchive.accounts.services import add_pseud
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.comments import CommentInput, post_comment
from ficarchive.community.kudos import leave_kudos
from ficarchive.community.models import Hit, Reading
from ficarchive.community.readings import toggle_later
from ficarchive.community.subscriptions import subscribe_to_work
from ficarchive.search.saved import mute_user
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, update_chapter
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# Hits show as they were when the work's stats were last rendered (a minute at most).
HITS = re.compile(r'(class="hits">)[\d,]*(<)')


def _shared_keys() -> list[str]:
    store: Any = cache
    return [key for key in store._cache if "reader-page" in key]


def _reader(name: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=name))
    return client


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return HITS.sub(r"\1-\2", TOKEN.sub(r"\1-\2", response.content.decode()))


@pytest.fixture
def work() -> Work:
    author = make_user("author")
    work = make_work(author, chapters=3, title="Shared Pages", fandoms=["Orchards"])
    for name in ("ash", "birch"):
        make_user(name)
    return work


def test_two_readers_in_different_states_each_get_their_own_parts_of_one_page(
    work: Work,
) -> None:
    ash = User.objects.get(username="ash")
    leave_kudos(work, ash)
    create_bookmark(ash, BookmarkData(notes="Mine."), work=work)
    subscribe_to_work(ash, work)
    toggle_later(ash, work)
    birch = User.objects.get(username="birch")
    add_pseud(birch, "Silver Birch")

    first = _page(_reader("ash"), work.get_absolute_url())
    second = _page(_reader("birch"), work.get_absolute_url())
    assert len(_shared_keys()) == 1  # birch's page came from ash's copy

    assert "Hi, ash!" in first
    assert "Hi, birch!" not in first
    for own in ("You left kudos", "Edit Bookmark", "Unsubscribe", "Mark as Read"):
        assert own in first
    assert "Comment as <strong>ash</strong>" in first

    assert "Hi, birch!" in second
    assert "Hi, ash!" not in second
    for own in ("Kudos ♥", ">Bookmark<", ">Subscribe<", "Mark for Later"):
        assert own in second
    for theirs in ("You left kudos", "Edit Bookmark", "Unsubscribe", "Mark as Read"):
        assert theirs not in second
    assert '<option value="' in second
    assert "Silver Birch" in second
    assert "ash" in second  # only as the kudos list names them
    assert "Comment as <strong>ash</strong>" not in second


def test_a_filled_in_page_is_the_page_the_view_makes_for_that_reader(work: Work) -> None:
    ash = User.objects.get(username="ash")
    leave_kudos(work, ash)
    birch = User.objects.get(username="birch")
    subscribe_to_work(birch, work)
    create_bookmark(birch, BookmarkData(notes="Theirs."), work=work)
    second_chapter = work.chapters.order_by("position")[1].get_absolute_url()
    for path in (
        work.get_absolute_url(),
        second_chapter,
        work.get_absolute_url() + "?view_full_work=true",
    ):
        cache.clear()
        _page(_reader("ash"), path)  # made by ash, kept
        with CaptureQueriesContext(connection) as filled_queries:
            filled = _page(_reader("birch"), path)
        cache.clear()
        made = _page(_reader("birch"), path)  # made by the view for birch
        assert filled == made
        assert "Hi, birch!" in filled
        assert "Unsubscribe" in filled
        # From the copy: the session, the user, the work's revision, the reader's facts, the hit
        # and the history; not the view's dozen and more.
        assert len(filled_queries) <= 8


def test_a_reader_s_visit_is_counted_from_the_shared_copy(work: Work) -> None:
    second = work.chapters.order_by("position")[1]
    _page(_reader("ash"), second.get_absolute_url())
    birch = User.objects.get(username="birch")
    reader = _reader("birch")
    _page(reader, second.get_absolute_url())
    _page(reader, second.get_absolute_url())
    reading = Reading.objects.get(user=birch, work=work)
    assert (reading.views, reading.chapter_id) == (2, second.pk)
    assert Hit.objects.filter(work=work, reader=str(birch.pk)).count() == 1
    work.refresh_from_db()
    assert work.hits == 2  # ash once, birch once a day


def test_a_reader_without_history_leaves_none(work: Work) -> None:
    birch = User.objects.get(username="birch")
    birch.keep_history = False
    birch.save()
    _page(_reader("ash"), work.get_absolute_url())
    _page(_reader("birch"), work.get_absolute_url())
    assert not Reading.objects.filter(user=birch).exists()


def test_an_edit_shows_at_once_to_signed_in_readers(work: Work) -> None:
    first = work.chapters.order_by("position")[0]
    update_chapter(first, ChapterData(body="Old words."))
    assert "Old words." in _page(_reader("ash"), work.get_absolute_url())
    update_chapter(first, ChapterData(body="New words."))
    page = _page(_reader("birch"), work.get_absolute_url())
    assert "New words." in page
    assert "Old words." not in page


def test_a_new_kudos_shows_at_once_in_the_list(work: Work) -> None:
    _page(_reader("ash"), work.get_absolute_url())
    leave_kudos(work, User.objects.get(username="ash"))
    page = _page(_reader("birch"), work.get_absolute_url())
    assert 'href="/users/ash"' in page


def test_creators_get_their_own_page_not_the_shared_one(work: Work) -> None:
    _page(_reader("ash"), work.get_absolute_url())
    page = _page(_reader("author"), work.get_absolute_url())
    assert "Add Chapter" in page
    assert "Hi, author!" in page
    assert "Add Chapter" not in _page(_reader("birch"), work.get_absolute_url())


def test_a_commenter_gets_the_buttons_of_their_own_comment(work: Work) -> None:
    _page(_reader("ash"), work.get_absolute_url())
    birch = User.objects.get(username="birch")
    first = work.chapters.order_by("position")[0]
    comment = post_comment(work, birch, CommentInput(body="Lovely.", chapter_id=first.pk))
    # The comment count changed the copy; ash makes the new one, birch then reads.
    _page(_reader("ash"), work.get_absolute_url())
    page = _page(_reader("birch"), work.get_absolute_url())
    assert f"/comments/{comment.pk}/edit" in page
    assert f"/comments/{comment.pk}/edit" not in _page(_reader("ash"), work.get_absolute_url())


def test_muted_users_comments_stay_hidden_whoever_made_the_copy(work: Work) -> None:
    cedar = make_user("cedar")
    first = work.chapters.order_by("position")[0]
    post_comment(work, cedar, CommentInput(body="A comment by cedar.", chapter_id=first.pk))
    ash = User.objects.get(username="ash")
    mute_user(ash, "cedar")
    assert "A comment by cedar." in _page(_reader("birch"), work.get_absolute_url())
    assert "A comment by cedar." not in _page(_reader("ash"), work.get_absolute_url())
    assert "A comment by cedar." in _page(_reader("birch"), work.get_absolute_url())
    assert len(_shared_keys()) == 2  # one for readers who mute cedar, one for the others


def test_blocked_readers_get_the_view_s_page(work: Work) -> None:
    _page(_reader("ash"), work.get_absolute_url())
    block(User.objects.get(username="author"), "birch")
    page = _page(_reader("birch"), work.get_absolute_url())
    assert "Post Comment" not in page  # the creator blocked them: no comment form


def test_the_adult_question_is_still_asked_when_a_copy_exists(work: Work) -> None:
    adult = make_work(User.objects.get(username="author"), rating="Explicit", title="Adult")
    agreed = _page(_reader("ash"), adult.get_absolute_url() + "?view_adult=true")
    assert "Adult" in agreed
    asked = _page(_reader("birch"), adult.get_absolute_url())
    assert "view_adult=true" in asked
    assert "Post Comment" not in asked
    answered = _page(_reader("birch"), adult.get_absolute_url() + "?view_adult=true")
    assert "Post Comment" in answered
    assert "Hi, birch!" in answered


def test_no_markers_reach_readers(work: Work) -> None:
    for name in ("ash", "birch", "author"):
        page = _page(_reader(name), work.get_absolute_url())
        assert "<!--rp" not in page


# -- lists of works: the home page and a tag's page ------------------------------------------


def _list_keys() -> list[str]:
    store: Any = cache
    return [key for key in store._cache if "list-page" in key]


def test_signed_in_readers_share_a_list_with_their_own_menu(work: Work) -> None:
    first = _page(_reader("ash"), "/")
    birch = _reader("birch")
    with CaptureQueriesContext(connection) as queries:
        second = _page(birch, "/")
    assert len(_list_keys()) == 1
    assert "Hi, ash!" in first
    assert "Hi, birch!" in second
    assert "Hi, ash!" not in second
    # The session, the user, their mutes, the latest update of a work and their unread counts;
    # the list is the copy.
    assert len(queries) <= 5


def test_a_new_work_shows_at_once_in_signed_in_and_logged_out_lists(
    work: Work, django_capture_on_commit_callbacks: Any
) -> None:
    from ficarchive.tags.models import TagType

    fandom = work.tags.filter(type=TagType.FANDOM).first()
    assert fandom is not None
    for client in (_reader("ash"), Client()):
        _page(client, "/")
        _page(client, fandom.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):  # the works events, after the commit
        make_work(User.objects.get(username="author"), title="A Newer Work", fandoms=["Orchards"])
    for client in (_reader("birch"), Client()):
        assert "A Newer Work" in _page(client, "/")
        assert "A Newer Work" in _page(client, fandom.get_absolute_url())


def test_muted_tags_stay_muted_whoever_made_the_list(work: Work) -> None:
    from ficarchive.search.saved import mute_tag
    from ficarchive.tags.models import TagType

    fandom = work.tags.filter(type=TagType.FANDOM).first()
    assert fandom is not None
    make_work(User.objects.get(username="author"), title="Another Work")
    mute_tag(User.objects.get(username="ash"), fandom.name)
    assert "Shared Pages" in _page(_reader("birch"), "/works")
    assert "Shared Pages" in _page(_reader("birch"), "/")
    muted = _page(_reader("ash"), fandom.get_absolute_url())
    assert "Shared Pages" not in muted


def test_restricted_works_never_reach_the_logged_out_copy(work: Work) -> None:
    make_work(User.objects.get(username="author"), title="Members Only", restricted=True)
    assert "Members Only" in _page(_reader("ash"), "/")
    assert "Members Only" not in _page(Client(), "/")
    assert "Members Only" in _page(_reader("birch"), "/")
