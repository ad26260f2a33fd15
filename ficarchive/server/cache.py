"""The archive's caches: the in-process one with its memory bounded in bytes, not only in
entries, and the check that a shared one (Redis, `CACHE_URL`) answers before `serve` starts.

Django's local-memory cache counts entries: 5,000 of them. Entries are blurbs of a few KB and
logged-out readers' work pages, and a page is as big as its work: 150 requests for one 8.5 MB
page under 150 addresses (`?x=1`, `?x=2`, …) held 905 MB. The page cache now keys on the
parameters a page reads (`server.page_cache`), and this backend bounds what all entries together
hold: `MAX_BYTES` in all (the least recently used go first), and an entry above
`MAX_ENTRY_BYTES` is not kept at all (the page is made again each time, as without a cache).

Sizes are those of the pickled values the local-memory cache keeps, plus their keys; the
dictionaries around them add a few hundred bytes an entry, which `ENTRY_OVERHEAD` counts.

With `CACHE_URL` set, Django's own Redis backend holds the same entries for every process and
machine. Nothing kept depends on the process that kept it: pages and blurbs are keyed by their
work's revision and counts (read from the database), tag counts by the ids of the works counted,
and a hit's memo is one atomic `add`, the database's unique row deciding whether a hit counts.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from threading import Lock
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from ficarchive.config import ConfigError

logger = logging.getLogger(__name__)

ENTRY_OVERHEAD = 300


class _Ledger:
    """Each entry's size and their running total."""

    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}
        self.total = 0

    def add(self, key: str, size: int) -> None:
        self.forget(key)
        self.sizes[key] = size
        self.total += size

    def forget(self, key: str) -> None:
        self.total -= self.sizes.pop(key, 0)

    def clear(self) -> None:
        self.sizes.clear()
        self.total = 0


# One ledger per named cache, shared by every instance of it (as LocMemCache shares its
# dictionaries): Django makes a cache object per thread.
_ledgers: dict[str, _Ledger] = {}


def _entry_size(key: str, pickled: bytes) -> int:
    return len(pickled) + len(key) + ENTRY_OVERHEAD


class BoundedMemoryCache(LocMemCache):
    """`LocMemCache` whose entries hold at most `OPTIONS["MAX_BYTES"]` together."""

    # LocMemCache's own state (which django-stubs leaves out): most recently used first.
    _cache: OrderedDict[str, bytes]
    _expire_info: dict[str, float | None]
    _lock: Lock

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self._max_bytes = int(options.get("MAX_BYTES", 64 * 1024 * 1024))
        self._max_entry_bytes = int(options.get("MAX_ENTRY_BYTES", self._max_bytes // 8))
        self._ledger = _ledgers.setdefault(name, _Ledger())

    @property
    def total_bytes(self) -> int:
        """What the entries hold now, as counted against `MAX_BYTES`."""
        with self._lock:
            return self._ledger.total

    # The methods below run with the lock held (LocMemCache takes it around them).

    def _set(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        size = _entry_size(key, value)
        self._delete(key)  # its old value no longer counts (nor stays, if the new is too big)
        if size > self._max_entry_bytes:
            return
        while self._cache and self._ledger.total + size > self._max_bytes:
            oldest, _ = self._cache.popitem()  # the least recently used is last
            self._expire_info.pop(oldest, None)
            self._ledger.forget(oldest)
        super()._set(key, value, timeout)  # type: ignore[misc]  # (not in django-stubs)
        self._ledger.add(key, size)

    def _delete(self, key: str) -> bool:
        self._ledger.forget(key)
        return bool(super()._delete(key))  # type: ignore[misc]

    def _cull(self) -> None:
        super()._cull()  # type: ignore[misc]
        for key in [key for key in self._ledger.sizes if key not in self._cache]:
            self._ledger.forget(key)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        value = int(super().incr(key, delta, version))
        full_key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if full_key in self._cache:
                self._ledger.add(full_key, _entry_size(full_key, self._cache[full_key]))
        return value

    def clear(self) -> None:
        with self._lock:
            self._ledger.clear()
            self._cache.clear()
            self._expire_info.clear()


class SharedCache(RedisCache):
    """Django's Redis cache, where a Redis gone away (stopped, restarting, out of reach) is a
    miss rather than an error: pages are made afresh, as with no cache, instead of every page
    failing with a 500. Each failure is logged as a warning; `serve` still refuses to start
    without a Redis that answers (`check_shared_cache`).

    `add` answers True when Redis cannot say: its one caller, the hit counter, then lets the
    database's unique row decide, as it does for a memo that was evicted."""

    def _failed(self, operation: str, error: Exception) -> None:
        logger.warning("the shared cache (CACHE_URL) failed to %s: %s", operation, error)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except redis.RedisError as error:
            self._failed("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except redis.RedisError as error:
            self._failed("get", error)
            return {}

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except redis.RedisError as error:
            self._failed("set", error)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except redis.RedisError as error:
            self._failed("set", error)
            return list(data)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except redis.RedisError as error:
            self._failed("add", error)
            return True

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except redis.RedisError as error:
            self._failed("delete", error)
            return False


def check_shared_cache(url: str | None) -> None:
    """Stop with an error naming CACHE_URL when the Redis it names does not answer: better at
    start than as every page failing once readers come."""
    if url is None:
        return
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError) as error:
        raise ConfigError(f"CACHE_URL={url!r}: no Redis answers there ({error})") from None
