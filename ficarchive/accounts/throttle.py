"""Rate limits kept in the database: log-in, sign-up, and any form that needs one.

A `Limit` allows so many tries per key, then refuses until a time it names, in one of two ways:

- a growing delay (log-in): after `allowed` tries each further one waits 2, 4, 8 … seconds after
  the last, up to `max_delay`; the count is forgotten `window` after the last try. A wrong
  guess costs its maker more and more time, and never locks anyone out for long;
- a fixed window (sign-up): `allowed` tries in a `window` from the first, then none until it
  ends.

A try is counted *before* the work it guards (checking a password, creating an account), in a
transaction that locks the rows it counts on: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
transaction takes the database's write lock when it begins (settings: IMMEDIATE). However many
requests arrive at once, no more than `allowed` get through. A guarded action that turns out
well gives its try back (`forgive`, `give_back`).

One line guards a form, e.g. a password reset, by address (`client_address(request)`):

    throttle.check(PASSWORD_RESETS.on(address))  # raises Throttled(seconds, message)

Keys are keyed hashes (accounts.guests), so the table never holds an address or a name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ficarchive.accounts.guests import guest_key
from ficarchive.accounts.models import Throttle


@dataclass(frozen=True)
class Limit:
    """`allowed` tries per key; `purpose` names the limit and keeps its keys apart."""

    purpose: str
    allowed: int
    window: timedelta
    # Set: a growing delay up to this (see the module's docstring); unset: a fixed window.
    max_delay: timedelta | None = None
    # What a refused try is told; `{wait}` becomes "8 seconds", "3 hours".
    message: str = "Too many tries. Please wait {wait} and try again."

    def on(self, *parts: object) -> Counter:
        """The count of this limit for one key: an address, an account name, or both."""
        return Counter(self, guest_key(f"throttle:{self.purpose}", *parts))


@dataclass(frozen=True)
class Counter:
    limit: Limit
    key: str


class Throttled(Exception):
    """A try refused by a limit; `seconds` to wait, and a message that says how long."""

    def __init__(self, seconds: int, message: str) -> None:
        super().__init__(message)
        self.seconds = seconds
        self.message = message


def wait_in_words(seconds: int) -> str:
    """How long to wait, as a reader says it: seconds under two minutes, then minutes, then
    hours, always rounded up."""
    if seconds < 120:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    if seconds < 2 * 3600:
        return f"{math.ceil(seconds / 60)} minutes"
    return f"{math.ceil(seconds / 3600)} hours"


def _free_at(limit: Limit, row: Throttle, now: datetime) -> datetime | None:
    """When the next try on `row` may go ahead, or None when it may now."""
    if row.expires_at <= now or row.count < limit.allowed:
        return None
    if limit.max_delay is None:
        return row.expires_at
    # The first try over the limit waits 2 seconds after the last, the next 4, then 8 …
    over = row.count - limit.allowed + 1
    delay = timedelta(seconds=2 ** min(over, 40))
    free = row.last_at + min(delay, limit.max_delay)
    return free if free > now else None


def check(*counters: Counter, now: datetime | None = None) -> None:
    """Count one try on each counter at `now` (the present, unless told), or refuse them all
    (raising Throttled with the longest wait) when any of them says wait."""
    keys = [counter.key for counter in counters]
    now = now or timezone.now()
    with transaction.atomic():
        # Counts that have run out are nobody's business any more.
        Throttle.objects.filter(expires_at__lte=now).delete()
        Throttle.objects.bulk_create(
            [Throttle(key=key, last_at=now, expires_at=now) for key in keys],
            ignore_conflicts=True,
        )
        # Locked in one order, so two requests counting the same keys cannot deadlock.
        rows = {
            row.key: row
            for row in Throttle.objects.select_for_update().filter(key__in=keys).order_by("key")
        }
        waits = [
            (free, counter.limit)
            for counter in counters
            if (free := _free_at(counter.limit, rows[counter.key], now)) is not None
        ]
        if waits:
            free, limit = max(waits, key=lambda wait: wait[0])
            seconds = max(1, math.ceil((free - now).total_seconds()))
            raise Throttled(seconds, limit.message.format(wait=wait_in_words(seconds)))
        for counter in counters:
            limit, row = counter.limit, rows[counter.key]
            if row.expires_at <= now:
                row.count = 0
                row.expires_at = now + limit.window
            row.count += 1
            row.last_at = now
            if limit.max_delay is not None:
                # A growing delay forgets only after a quiet window, not while tries go on.
                row.expires_at = now + limit.window
            row.save(update_fields=["count", "last_at", "expires_at"])


def forgive(counter: Counter) -> None:
    """Forget every try counted (the owner of an account logged in from this address)."""
    Throttle.objects.filter(key=counter.key).delete()


def give_back(counter: Counter) -> None:
    """Take back one try (a try that turned out well)."""
    Throttle.objects.filter(key=counter.key, count__gt=0).update(count=F("count") - 1)
