"""The in-process cache is bounded in bytes (the logged-out page cache that fills it is
`tests/server/test_page_cache.py`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.test import override_settings

from ficarchive.server.cache import ENTRY_OVERHEAD, BoundedMemoryCache, SharedCache

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


def test_a_shared_cache_whose_redis_is_gone_misses_instead_of_failing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Port 1 answers nothing: the connection is refused at once, as when Redis has stopped.
    gone = SharedCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    with caplog.at_level(logging.WARNING, logger="ficarchive.server.cache"):
        gone.set("page", b"<html>")
        assert gone.get("page", "missed") == "missed"
        assert gone.get_many(["a", "b"]) == {}
        assert gone.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert gone.add("hit:1", True) is True  # the database's unique row decides
        assert gone.delete("page") is False
    assert "the shared cache (CACHE_URL) failed to get" in caplog.text
