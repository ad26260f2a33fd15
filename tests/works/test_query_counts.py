"""List and work pages cost a fixed number of queries, however many works or chapters."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str, *, cold: bool = True) -> int:
    if cold:  # the worst case: no blurb or page cached yet
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _add_works(count: int, prefix: str = "writer") -> None:
    for number in range(count):
        author = make_user(f"{prefix}{number}")
        make_work(
            author,
            title=f"Work {number}",
            fandoms=[f"Fandom {number}"],
            characters=["A", "B"],
            new_series_title=f"Series {number}",
        )


@pytest.mark.parametrize(
    "url", ["/", "/works", "/users/writer0", "/tags/A/works", "/works?sort=title&words_from=1"]
)
def test_list_pages_do_not_query_per_work(client: Client, url: str) -> None:
    _add_works(2)
    few = _queries(client, url)
    _add_works(5, prefix="more")
    assert _queries(client, url) == few


def test_the_home_page_query_count_is_the_same_logged_in(client: Client) -> None:
    _add_works(2)
    client.force_login(make_user("reader"))
    few = _queries(client, "/")
    _add_works(4, prefix="late")
    assert _queries(client, "/") == few


@pytest.mark.parametrize("view_full_work", [False, True])
def test_the_work_page_does_not_query_per_chapter(client: Client, view_full_work: bool) -> None:
    author = make_user("author")
    short = make_work(author, title="Short", chapters=2, fandoms=["F"], new_series_title="S")
    long = make_work(author, title="Long", chapters=12, fandoms=["F"], new_series_title="T")
    suffix = "?view_full_work=true" if view_full_work else ""
    assert _queries(client, short.get_absolute_url() + suffix) == _queries(
        client, long.get_absolute_url() + suffix
    )


def test_the_work_page_query_count_is_small(client: Client) -> None:
    work = make_work(chapters=3, fandoms=["F"])
    # The page-cache stamp, then work, creators (pseuds, users), tags, series, chapter index
    # and chapter; the reader's hit (row, count); the kudos summary; the comment settings and
    # whether there are comments; whether there are related works.
    assert _queries(client, work.get_absolute_url()) <= 14
    # Another reader without cookies gets the cached page after one small query.
    assert _queries(client, work.get_absolute_url(), cold=False) == 1


def test_a_list_whose_blurbs_are_cached_reads_only_the_works(client: Client) -> None:
    _add_works(6)
    # A reader with a cookie of their own: the list the view makes, not the copy readers without
    # cookies share (server.page_cache.list_page).
    client.cookies["own"] = "1"
    cold = _queries(client, "/")
    warm = _queries(client, "/", cold=False)
    # Creators, tags and series are fetched only for blurbs not in the cache.
    assert warm == cold - 3
    _add_works(1, prefix="new")
    # One new work: its blurb alone is made, in the same three queries.
    assert _queries(client, "/", cold=False) == cold
