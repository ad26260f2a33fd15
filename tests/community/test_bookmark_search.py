"""Bookmark search: by the bookmarker's tags (synonyms too), words in the notes, recs and
bookmarker, never showing a private bookmark but to its owner."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.tags.models import Tag
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

SEARCH = reverse("community:bookmark_search")


def _found(client: Client, query: str) -> str:
    response = client.get(f"{SEARCH}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def _works() -> tuple[Work, Work]:
    author = make_user("author")
    return make_work(author, title="Coffee Work"), make_work(author, title="Bridge Work")


def test_it_finds_bookmarks_by_the_bookmarkers_tag(client: Client) -> None:
    coffee, bridge = _works()
    reader = make_user("reader")
    create_bookmark(reader, BookmarkData(tags="Comfort Read"), work=coffee)
    create_bookmark(reader, BookmarkData(tags="angst"), work=bridge)
    page = _found(client, "tag=comfort+read")
    assert "Coffee Work" in page
    assert "Bridge Work" not in page


def test_a_tag_search_finds_bookmarks_tagged_with_its_synonyms(client: Client) -> None:
    coffee, bridge = _works()
    reader = make_user("reader")
    create_bookmark(reader, BookmarkData(tags="Fluff"), work=coffee)
    create_bookmark(reader, BookmarkData(tags="fluffy"), work=bridge)
    canonical = Tag.objects.get(name="Fluff")
    Tag.objects.filter(name="fluffy").update(merger=canonical)
    for query in ("tag=Fluff", "tag=fluffy"):
        page = _found(client, query)
        assert "Coffee Work" in page, query
        assert "Bridge Work" in page, query


def test_it_finds_words_in_the_notes_ignoring_case(client: Client) -> None:
    coffee, bridge = _works()
    reader = make_user("reader")
    create_bookmark(reader, BookmarkData(notes="The DINER scene is perfect"), work=coffee)
    create_bookmark(reader, BookmarkData(notes="The bridge scene"), work=bridge)
    page = _found(client, "q=diner+scene")
    assert "Coffee Work" in page
    assert "Bridge Work" not in page


def test_it_finds_recs_of_one_bookmarker(client: Client) -> None:
    coffee, bridge = _works()
    fan, other = make_user("fan"), make_user("other")
    create_bookmark(fan, BookmarkData(rec=True, notes="fan rec"), work=coffee)
    create_bookmark(fan, BookmarkData(notes="fan plain"), work=bridge)
    create_bookmark(other, BookmarkData(rec=True, notes="other rec"), work=bridge)
    page = _found(client, "rec=on&user=FAN")
    assert "fan rec" in page
    assert "fan plain" not in page
    assert "other rec" not in page
    assert "1 Found" in page


def test_private_bookmarks_are_found_only_by_their_owner(client: Client) -> None:
    coffee, _ = _works()
    owner = make_user("owner")
    create_bookmark(
        owner, BookmarkData(tags="secret", notes="hidden note", private=True), work=coffee
    )
    for query in ("tag=secret", "q=hidden", "user=owner"):
        assert "hidden note" not in _found(client, query), query
    client.force_login(make_user("stranger"))
    for query in ("tag=secret", "q=hidden", "user=owner"):
        page = _found(client, query)
        assert "hidden note" not in page, query
        assert "0 Found" in page, query
    client.force_login(owner)
    assert "hidden note" in _found(client, "tag=secret")


def test_bookmarks_of_restricted_works_are_found_only_by_logged_in_readers(
    client: Client,
) -> None:
    work = make_work(make_user("author"), title="Members Only", restricted=True)
    create_bookmark(make_user("reader"), BookmarkData(notes="behind the lock"), work=work)
    assert "behind the lock" not in _found(client, "q=lock")
    client.force_login(make_user("stranger"))
    assert "behind the lock" in _found(client, "q=lock")


def test_an_unknown_tag_finds_nothing(client: Client) -> None:
    coffee, _ = _works()
    create_bookmark(make_user("reader"), BookmarkData(tags="known"), work=coffee)
    assert "0 Found" in _found(client, "tag=unknown")


def test_the_empty_search_page_shows_the_form(client: Client) -> None:
    page = _found(client, "")
    assert 'name="tag"' in page
    assert "Found" not in page
