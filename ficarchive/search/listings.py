"""What keys a shared copy of a list of works (`server.page_cache`): the lists' stamp and the
reader's mutes.

A list of works (the home page, a tag's page) is the same for every reader of one audience who
mutes the same tags and users, but for the header's menu. The stamp is the lists' revision,
which moves on with every change to a work (the works events) in the process that made it, and
in every process and machine with a shared cache (`CACHE_URL`); and the latest update of any
work in the database, so a work posted or given a chapter by any process (`ficarchive import`,
a job worker, another server) is listed at once everywhere. A copy lasts
`server.page_cache.LIST_PAGE_SECONDS` at most either way.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.db import connection

from ficarchive.accounts.models import User
from ficarchive.search.models import MutedTag, MutedUser
from ficarchive.works.models import Work

REVISION_KEY = "listings-revision"


def revision() -> int:
    """The lists' revision. It starts from the clock when the cache has none (a new process, or
    an evicted key), so a number never comes back for a copy made under it before."""
    current = cache.get(REVISION_KEY)
    if current is None:
        cache.add(REVISION_KEY, time.time_ns(), None)
        current = cache.get(REVISION_KEY, 0)
    return int(current)


def move_on() -> None:
    """A work changed: lists made before are out of date."""
    try:
        cache.incr(REVISION_KEY)
    except ValueError:  # no revision yet
        revision()


def stamp() -> str:
    """The lists' revision and the latest update of a work, which keys their copies."""
    table = connection.ops.quote_name(Work._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(updated_at) FROM {table}")  # the column's index answers
        (latest,) = cursor.fetchone()
    return f"{revision()}:{latest}".replace(" ", "T")


def mutes_key(user: User) -> str:
    """The tags and users the reader mutes, as a short key ("" for none), in one query."""
    tags = connection.ops.quote_name(MutedTag._meta.db_table)
    users = connection.ops.quote_name(MutedUser._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 't', tag_id FROM {tags} WHERE user_id = %s "
            f"UNION ALL SELECT 'u', muted_id FROM {users} WHERE user_id = %s",
            [user.pk, user.pk],
        )
        muted = sorted(f"{kind}{pk}" for kind, pk in cursor.fetchall())
    if not muted:
        return ""
    return hashlib.sha256(",".join(muted).encode()).hexdigest()[:16]
