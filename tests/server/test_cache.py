"""The in-process cache is bounded in bytes, and the logged-out page cache keeps one page per
set of parameters the page reads, however many other parameters readers add."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings

from ficarchive.server.cache import ENTRY_OVERHEAD, BoundedMemoryCache
from tests.cast import make_user, make_work

KB = 1024


@pytest.fixture
def small() -> Iterator[BoundedMemoryCache]:
    """A cache of 100 KB whose entries may be 40 KB each."""
    config = {
        "default": {
            "BACKEND": "ficarchive.server.cache.BoundedMemoryCache",
            "LOCATION": "small-test-cache",
            "OPTIONS": {"MAX_BYTES": 100 * KB, "MAX_ENTRY_BYTES": 40 * KB},
        }
    }
    with override_settings(CACHES=config):
        made = caches["default"]
        assert isinstance(made, BoundedMemoryCache)
        made.clear()
        yield made
        made.clear()


def test_it_never_holds_more_than_its_bytes(small: BoundedMemoryCache) -> None:
    for number in range(20):
        small.set(f"page-{number}", b"x" * 30 * KB)
        assert small.total_bytes <= 100 * KB
    # The three most recent fit; the older ones made room.
    assert [small.get(f"page-{n}") is not None for n in (16, 17, 18, 19)] == [
        False,
        True,
        True,
        True,
    ]


def test_the_least_recently_read_entry_goes_first(small: BoundedMemoryCache) -> None:
    for name in ("a", "b", "c"):
        small.set(name, b"x" * 30 * KB)
    assert small.get("a") is not None  # read: now the most recent
    small.set("d", b"x" * 30 * KB)
    assert small.get("b") is None
    assert small.get("a") is not None


def test_an_entry_bigger_than_its_share_is_not_kept(small: BoundedMemoryCache) -> None:
    small.set("page", b"small")
    small.set("page", b"x" * 50 * KB)  # too big: not kept, and the old value is gone too
    assert small.get("page") is None
    assert small.total_bytes == 0


def test_deleting_clearing_and_counting_keep_the_total_right(small: BoundedMemoryCache) -> None:
    small.set("a", b"x" * 10 * KB)
    small.set("a", b"x" * 20 * KB)  # replaced: counted once
    small.set("n", 1)
    small.incr("n", 10**40)  # a bigger number pickles bigger
    assert small.get("n") == 10**40 + 1
    counted = small.total_bytes
    assert 20 * KB < counted < 20 * KB + 2 * ENTRY_OVERHEAD + 200
    small.delete("a")
    assert 0 < small.total_bytes < ENTRY_OVERHEAD + 100
    small.clear()
    assert small.total_bytes == 0


@pytest.mark.django_db
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
    assert len([key for key in _keys() if "work-page" in key]) == 1


@pytest.mark.django_db
def test_a_shared_page_does_not_carry_parameters_it_does_not_read() -> None:
    work = make_work(make_user("author"))
    page = Client().get(work.get_absolute_url() + "?x=reader-one").content.decode()
    assert "reader-one" not in page
    again = Client().get(work.get_absolute_url() + "?x=reader-two").content.decode()
    assert "reader-two" not in again


@pytest.mark.django_db
def test_parameters_the_page_reads_still_make_their_own_pages() -> None:
    work = make_work(make_user("author"), chapters=2)
    one_chapter = Client().get(work.get_absolute_url()).content.decode()
    whole = Client().get(work.get_absolute_url() + "?view_full_work=true&x=1").content.decode()
    assert "Chapter 2 text." not in one_chapter
    assert "Chapter 2 text." in whole
    assert len([key for key in _keys() if "work-page" in key]) == 2


def _keys() -> list[str]:
    store: Any = cache
    return list(store._cache)
