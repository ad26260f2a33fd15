"""The logged-out page cache: one page per set of parameters the page reads, however many other
parameters readers add; each reader's own CSRF token; changes shown at once; hits still counted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client

from ficarchive.community.models import Hit
from ficarchive.works.services import ChapterData, update_chapter
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]*)"')


def _keys() -> list[str]:
    store: Any = cache
    return [key for key in store._cache if "work-page" in key]


def test_readers_adding_parameters_share_one_cached_page() -> None:
    # A big page, as in the report (8.5 MB there, 150 addresses held 905 MB).
    work = make_work(make_user("author"), body="\n\n".join(["A long paragraph."] * 20_000))
    page = work.get_absolute_url()
    first = Client().get(page).content
    held = caches["default"].total_bytes  # type: ignore[attr-defined]
    assert held > len(first) // 2  # the page is in the cache
    for number in range(150):
        assert Client().get(f"{page}?x={number}&utm_source=feed{number}").status_code == 200
    assert caches["default"].total_bytes == held  # type: ignore[attr-defined]
    assert len(_keys()) == 1


def test_a_shared_page_does_not_carry_parameters_it_does_not_read() -> None:
    work = make_work(make_user("author"))
    page = Client().get(work.get_absolute_url() + "?x=reader-one").content.decode()
    assert "reader-one" not in page
    again = Client().get(work.get_absolute_url() + "?x=reader-two").content.decode()
    assert "reader-two" not in again


def test_parameters_the_page_reads_still_make_their_own_pages() -> None:
    work = make_work(make_user("author"), chapters=2)
    one_chapter = Client().get(work.get_absolute_url()).content.decode()
    whole = Client().get(work.get_absolute_url() + "?view_full_work=true&x=1").content.decode()
    assert "Chapter 2 text." not in one_chapter
    assert "Chapter 2 text." in whole
    assert len(_keys()) == 2


def test_a_chapter_page_is_kept_too() -> None:
    work = make_work(make_user("author"), chapters=2)
    second = work.chapters.order_by("position")[1]
    assert Client().get(second.get_absolute_url()).status_code == 200
    assert len(_keys()) == 1


def test_a_cached_page_changes_as_soon_as_the_work_does(client: Client) -> None:
    work = make_work(body="Old words.")
    assert b"Old words." in client.get(work.get_absolute_url()).content
    update_chapter(work.chapters.get(), ChapterData(body="New words."))
    page = client.get(work.get_absolute_url()).content
    assert b"New words." in page
    assert b"Old words." not in page


def test_readers_with_cookies_never_get_a_shared_page(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, body="Text.")
    client.get(work.get_absolute_url())  # cached for readers without cookies
    client.force_login(author)
    assert b"Add Chapter" in client.get(work.get_absolute_url()).content


def test_each_reader_of_a_cached_page_gets_their_own_csrf_token() -> None:
    work = make_work(make_user("author"))
    first, second = Client(), Client()
    made = first.get(work.get_absolute_url())
    cached = second.get(work.get_absolute_url())
    tokens = TOKEN.findall(made.content), TOKEN.findall(cached.content)
    assert tokens[0]
    assert tokens[1]
    assert tokens[0] != tokens[1]
    assert b"{csrf-token-slot}" not in cached.content
    assert cached.cookies["csrftoken"].value


def test_hits_are_counted_when_the_cache_answers() -> None:
    work = make_work(make_user("author"))
    Client(REMOTE_ADDR="203.0.113.1").get(work.get_absolute_url())  # renders, then caches
    Client(REMOTE_ADDR="203.0.113.2").get(work.get_absolute_url())  # from the cache
    assert len(_keys()) == 1
    assert Hit.objects.filter(work=work).count() == 2


def test_drafts_and_other_pages_are_not_kept() -> None:
    author = make_user("author")
    draft = make_work(author, posted=False)
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert Client().get("/works").status_code == 200
    assert _keys() == []


def _reader_with_skin(cookie: str | None) -> Client:
    reader = Client()
    if cookie is not None:
        reader.cookies["skin"] = cookie
    return reader


def test_readers_with_different_skins_never_get_each_others_cached_page() -> None:
    work = make_work(make_user("author"))
    page = work.get_absolute_url()
    dark = _reader_with_skin("dark.system.130.wide").get(page).content.decode()
    plain = _reader_with_skin(None).get(page).content.decode()
    contrast = _reader_with_skin("contrast.light.100.medium").get(page).content.decode()
    assert 'data-skin="dark"' in dark
    assert 'data-size="130"' in dark
    assert 'data-skin="default"' in plain
    assert 'data-size="100"' in plain
    assert 'data-skin="contrast"' in contrast
    assert 'data-scheme="light"' in contrast
    assert len(_keys()) == 3
    # And each is answered from its own copy the second time.
    assert (
        'data-skin="dark"' in _reader_with_skin("dark.system.130.wide").get(page).content.decode()
    )
    assert 'data-skin="default"' in _reader_with_skin(None).get(page).content.decode()
    assert len(_keys()) == 3


def test_a_cookie_that_names_no_skin_shares_the_default_copy() -> None:
    work = make_work(make_user("author"))
    _reader_with_skin(None).get(work.get_absolute_url())
    for junk in ["x", "purple.plaid", "default.system.100.medium"]:
        page = _reader_with_skin(junk).get(work.get_absolute_url()).content.decode()
        assert 'data-skin="default"' in page
    assert len(_keys()) == 1
