"""Hits: how many readers opened a work, counted once per reader per day, as AO3 counts them.

A reader is the user id for users and, for guests, a keyed hash of the work, the day and their
address (never the address itself). The `Hit` row's unique constraint decides whether a visit is
new; the work's `hits` counter moves in the same transaction only when a row went in. A short
memo in the cache spares the database a write for a reader's second visit in a day.
"""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from ficarchive.accounts.guests import client_address, guest_key
from ficarchive.community.models import Hit
from ficarchive.storage import best_effort
from ficarchive.works.models import Work
from ficarchive.works.queries import is_creator

DAY_SECONDS = 24 * 60 * 60
# Set on the request by the reading pages that count hits, so the page cache knows that a
# cached copy of this page counts one too (an "are you an adult?" page does not).
COUNTS_HIT = "ficarchive.counts_hit"


def today() -> date:
    return timezone.localdate()


def reader_key(request: HttpRequest, work_id: int, day: date) -> str:
    user = request.user
    if user.is_authenticated:
        return str(user.pk)
    return guest_key("hit", work_id, client_address(request), day.isoformat())


def count_hit(request: HttpRequest, work: Work) -> bool:
    """Count this reader's visit to the work; True when it was their first today.

    Drafts and visits by the work's own creators are not counted.
    """
    request.META[COUNTS_HIT] = True
    if not work.posted or is_creator(request.user, work):
        return False
    day = today()
    return record_hit(work.pk, reader_key(request, work.pk, day), day)


def count_cached_hit(request: HttpRequest, work_id: int) -> bool:
    """Count a visit answered from the page cache: a posted work, and a reader (logged out, or
    signed in) who is not among its creators."""
    day = today()
    return record_hit(work_id, reader_key(request, work_id, day), day)


def record_hit(work_id: int, reader: str, day: date) -> bool:
    """Insert the reader's row for the day, ignoring a duplicate; add one hit if it went in."""
    if not cache.add(f"hit:{work_id}:{day.isoformat()}:{reader}", True, DAY_SECONDS):
        # Counted already: by this process, or with CACHE_URL by any server (`add` is atomic
        # in Redis). A memo lost (evicted, another process's memory) costs only the INSERT
        # below, which the unique row keeps from counting twice.
        return False
    table = connection.ops.quote_name(Hit._meta.db_table)
    # ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike) says through the row count whether
    # the row is new, without an error to catch or a savepoint to roll back.
    statement = (
        f"INSERT INTO {table} (work_id, day, reader) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
    )

    def insert() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(statement, [work_id, connection.ops.adapt_datefield_value(day), reader])
            inserted = bool(cursor.rowcount == 1)
        if inserted:
            Work.objects.filter(pk=work_id).update(hits=F("hits") + 1)
        return inserted

    # A hit is a side write of reading: on a full disk the page is shown without it.
    return best_effort("a hit", insert, False)
