"""Bookmarks: one per reader and work, owned by their bookmarker, private ones seen by no one else,
counted on the work only while public."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.community.bookmarks import BookmarkData, BookmarkError, create_bookmark
from ficarchive.community.models import Bookmark
from ficarchive.tags.models import Tag, TagType
from ficarchive.works.models import Series, Work
from tests.cast import make_user, make_work
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db


def _count(work: Work) -> int:
    work.refresh_from_db(fields=["bookmarks_count"])
    return work.bookmarks_count


def _bookmark(client: Client, work: Work, **fields: object) -> Any:
    data = {"notes": "", "tags": "", **fields}
    data = {key: value for key, value in data.items() if value is not False}
    return client.post(reverse("community:work_bookmark_new", args=[work.pk]), data)


def test_a_reader_bookmarks_a_work_with_notes_tags_and_rec(client: Client) -> None:
    work = make_work(make_user("author"), title="Coffee at Luke's")
    reader = make_user("reader")
    client.force_login(reader)
    response = _bookmark(client, work, notes="Read this twice.", tags="comfort, Diner AU", rec="on")
    assert response.status_code == 302
    bookmark = Bookmark.objects.get(user=reader, work=work)
    assert bookmark.rec
    assert "Read this twice." in bookmark.notes
    assert {tag.name for tag in bookmark.tags.all()} == {"comfort", "Diner AU"}
    assert {tag.type for tag in bookmark.tags.all()} == {TagType.FREEFORM}
    assert _count(work) == 1
    page = client.get(reverse("community:work_bookmarks", args=[work.pk])).content.decode()
    assert "Read this twice." in page
    assert "Diner AU" in page
    assert "Rec" in page


def test_bookmark_tags_reuse_existing_tags_of_any_type() -> None:
    make_work(make_user("author"), fandoms=["Gilmore Girls"])
    work = make_work(make_user("writer"), title="Other")
    reader = make_user("reader")
    bookmark = create_bookmark(reader, BookmarkData(tags="gilmore girls, new one"), work=work)
    fandom = Tag.objects.get(name="Gilmore Girls")
    assert fandom in bookmark.tags.all()
    assert Tag.objects.filter(name__iexact="gilmore girls").count() == 1


def test_a_bad_bookmark_tag_names_the_tags_field(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    response = _bookmark(client, work, tags="fine, not*fine")
    assert response.status_code == 400
    assert "not*fine" in response.content.decode()
    assert not Bookmark.objects.exists()


def test_one_bookmark_per_work_and_the_form_edits_the_existing_one(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    create_bookmark(reader, BookmarkData(notes="first"), work=work)
    with pytest.raises(BookmarkError, match="already bookmarked"):
        create_bookmark(reader, BookmarkData(notes="second"), work=work)
    client.force_login(reader)
    form = client.get(reverse("community:work_bookmark_new", args=[work.pk])).content.decode()
    assert "Edit Bookmark" in form
    assert "first" in form
    _bookmark(client, work, notes="changed")
    assert Bookmark.objects.filter(user=reader, work=work).count() == 1
    assert "changed" in Bookmark.objects.get().notes
    assert _count(work) == 1


def test_the_work_page_offers_bookmark_then_edit_bookmark(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    assert ">Bookmark</a>" in client.get(work.get_absolute_url()).content.decode()
    create_bookmark(reader, BookmarkData(), work=work)
    assert ">Edit Bookmark</a>" in client.get(work.get_absolute_url()).content.decode()


def test_notes_with_script_are_stored_harmlessly(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    notes = (
        '<p onclick="steal()">Loved it<script>alert(1)</script></p><a href="javascript:x()">x</a>'
    )
    _bookmark(client, work, notes=notes)
    stored = Bookmark.objects.get().notes
    assert "Loved it" in stored
    assert runnable_markup(stored) == []
    for url in [
        reverse("community:work_bookmarks", args=[work.pk]),
        reverse("community:user_bookmarks", args=["reader"]),
        reverse("community:bookmark_search") + "?q=loved",
    ]:
        page = client.get(url).content.decode()
        assert "Loved it" in page, url
        assert runnable_markup(page) == [], url


def test_private_bookmarks_are_invisible_to_everyone_else_and_not_counted(
    client: Client,
) -> None:
    work = make_work(make_user("author"), title="Quiet One")
    owner = make_user("owner")
    create_bookmark(owner, BookmarkData(notes="my secret note", private=True), work=work)
    assert _count(work) == 0
    for viewer in (None, make_user("stranger"), work.creators[0].user):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        for url in [
            reverse("community:work_bookmarks", args=[work.pk]),
            reverse("community:user_bookmarks", args=["owner"]),
        ]:
            page = client.get(url).content.decode()
            assert "my secret note" not in page, url
            assert "0 Bookmarks" in page, url
    client.force_login(owner)
    page = client.get(reverse("community:user_bookmarks", args=["owner"])).content.decode()
    assert "my secret note" in page
    assert "Private" in page


def test_the_count_follows_private_and_public_changes_and_deletion(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    _bookmark(client, work)
    assert _count(work) == 1
    bookmark = Bookmark.objects.get()
    edit = reverse("community:bookmark_edit", args=[bookmark.pk])
    client.post(edit, {"notes": "", "tags": "", "private": "on"})
    assert _count(work) == 0
    client.post(edit, {"notes": "", "tags": "", "private": "on"})
    assert _count(work) == 0
    client.post(edit, {"notes": "", "tags": ""})
    assert _count(work) == 1
    client.post(reverse("community:bookmark_delete", args=[bookmark.pk]))
    assert not Bookmark.objects.exists()
    assert _count(work) == 0


def test_deleting_a_private_bookmark_leaves_the_count_alone() -> None:
    work = make_work(make_user("author"))
    create_bookmark(make_user("public"), BookmarkData(), work=work)
    private = create_bookmark(make_user("private"), BookmarkData(private=True), work=work)
    assert _count(work) == 1
    from ficarchive.community.bookmarks import delete_bookmark

    delete_bookmark(private.user, private.pk)
    assert _count(work) == 1


def test_only_the_owner_edits_or_deletes_a_bookmark(client: Client) -> None:
    work = make_work(make_user("author"))
    owner = make_user("owner")
    bookmark = create_bookmark(owner, BookmarkData(notes="mine"), work=work)
    client.force_login(make_user("stranger"))
    edit = reverse("community:bookmark_edit", args=[bookmark.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"notes": "hacked", "tags": ""}).status_code == 403
    delete = reverse("community:bookmark_delete", args=[bookmark.pk])
    assert client.post(delete).status_code == 403
    bookmark.refresh_from_db()
    assert "mine" in bookmark.notes
    client.logout()
    assert client.post(delete).status_code == 302  # to the log-in page
    assert Bookmark.objects.filter(pk=bookmark.pk).exists()


def test_someone_elses_private_bookmark_is_not_found(client: Client) -> None:
    work = make_work(make_user("author"))
    bookmark = create_bookmark(make_user("owner"), BookmarkData(private=True), work=work)
    client.force_login(make_user("stranger"))
    assert client.get(reverse("community:bookmark_edit", args=[bookmark.pk])).status_code == 404


def test_deleting_needs_a_post(client: Client) -> None:
    work = make_work(make_user("author"))
    owner = make_user("owner")
    bookmark = create_bookmark(owner, BookmarkData(), work=work)
    client.force_login(owner)
    assert client.get(reverse("community:bookmark_delete", args=[bookmark.pk])).status_code == 405
    assert Bookmark.objects.exists()


def test_drafts_cannot_be_bookmarked_by_strangers_or_creators(client: Client) -> None:
    author = make_user("author")
    draft = make_work(author, posted=False)
    client.force_login(make_user("stranger"))
    assert _bookmark(client, draft).status_code == 404
    client.force_login(author)
    response = _bookmark(client, draft)
    assert response.status_code == 400
    assert "not posted" in response.content.decode()
    assert not Bookmark.objects.exists()


def test_bookmarks_of_hidden_works_are_not_listed(client: Client) -> None:
    author = make_user("author")
    restricted = make_work(author, title="Members Only", restricted=True)
    unposted = make_work(author, title="Back To Draft")
    reader = make_user("reader")
    create_bookmark(reader, BookmarkData(notes="members note"), work=restricted)
    create_bookmark(reader, BookmarkData(notes="draft note"), work=unposted)
    Work.objects.filter(pk=unposted.pk).update(posted=False)
    user_page = reverse("community:user_bookmarks", args=["reader"])
    search = reverse("community:bookmark_search") + "?user=reader"
    for url in (user_page, search):
        page = client.get(url).content.decode()
        assert "Members Only" not in page, url
        assert "members note" not in page, url
        assert "draft note" not in page, url
    assert client.get(reverse("community:work_bookmarks", args=[restricted.pk])).status_code == 404
    client.force_login(make_user("stranger"))
    page = client.get(user_page).content.decode()
    assert "members note" in page
    assert "draft note" not in page
    assert "1 Bookmark " in page


def test_muted_creators_works_are_left_out_of_bookmark_lists(client: Client) -> None:
    from ficarchive.search.saved import mute_user

    liked, muted = make_user("liked"), make_user("muted")
    owner = make_user("owner")
    create_bookmark(owner, BookmarkData(notes="keep"), work=make_work(liked, title="Kept"))
    create_bookmark(owner, BookmarkData(notes="drop"), work=make_work(muted, title="Dropped"))
    viewer = make_user("viewer")
    mute_user(viewer, "muted")
    client.force_login(viewer)
    page = client.get(reverse("community:user_bookmarks", args=["owner"])).content.decode()
    assert "Kept" in page
    assert "Dropped" not in page
    assert "1 Bookmark " in page


def test_a_series_is_bookmarked_when_one_of_its_works_is_visible(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="Part One", new_series_title="The Bridge Series")
    series = Series.objects.get()
    reader = make_user("reader")
    client.force_login(reader)
    url = reverse("community:series_bookmark_new", args=[series.pk])
    response = client.post(url, {"notes": "whole series", "tags": ""})
    assert response.status_code == 302
    bookmark = Bookmark.objects.get(series=series)
    assert bookmark.work is None
    page = client.get(reverse("community:user_bookmarks", args=["reader"])).content.decode()
    assert "The Bridge Series" in page
    assert "whole series" in page


def test_a_series_of_drafts_cannot_be_bookmarked(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="Draft Part", posted=False, new_series_title="Hidden Series")
    series = Series.objects.get()
    client.force_login(make_user("reader"))
    url = reverse("community:series_bookmark_new", args=[series.pk])
    assert client.post(url, {"notes": "", "tags": ""}).status_code == 404
    assert not Bookmark.objects.exists()


def test_guests_are_sent_to_log_in_to_bookmark(client: Client) -> None:
    work = make_work(make_user("author"))
    response = client.get(reverse("community:work_bookmark_new", args=[work.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _bookmark_works(owner: User, count: int, prefix: str) -> list[Work]:
    works = []
    for number in range(count):
        work = make_work(
            make_user(f"{prefix}{number}"),
            title=f"{prefix} {number}",
            fandoms=[f"Fandom {prefix} {number}"],
            new_series_title=f"Series {prefix} {number}",
        )
        create_bookmark(owner, BookmarkData(tags=f"tag {prefix} {number}, shared"), work=work)
        works.append(work)
    return works


def test_bookmark_lists_do_not_query_per_bookmark(client: Client) -> None:
    owner = make_user("owner")
    _bookmark_works(owner, 2, "few")
    series = Series.objects.first()
    assert series is not None
    create_bookmark(make_user("fan"), BookmarkData(), series=series)
    client.force_login(make_user("viewer"))
    urls = [
        reverse("community:user_bookmarks", args=["owner"]),
        reverse("community:bookmark_search") + "?tag=shared",
    ]
    few = [_queries(client, url) for url in urls]
    _bookmark_works(owner, 5, "many")
    assert [_queries(client, url) for url in urls] == few


def test_a_works_bookmarks_page_does_not_query_per_bookmark(client: Client) -> None:
    work = make_work(make_user("author"))
    for number in range(2):
        create_bookmark(make_user(f"reader{number}"), BookmarkData(tags=f"t{number}"), work=work)
    url = reverse("community:work_bookmarks", args=[work.pk])
    few = _queries(client, url)
    for number in range(2, 7):
        create_bookmark(make_user(f"reader{number}"), BookmarkData(tags=f"t{number}"), work=work)
    assert _queries(client, url) == few
