"""History and Marked for Later: which works a reader visited, when, how often, and which they
keep for later.

A visit is recorded by the reading pages (`page_context`) for logged-in readers who keep their
history, never for a work's own creators, in two queries: read the reader's row, then update it
or insert it. Marking for later works whether history is kept or not.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.community.models import Reading
from ficarchive.storage import best_effort
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import can_view, is_creator, listed_works, with_blurb_data


class ReadingError(Exception):
    """Something about a history request the reader can fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def record_visit(user: User, work: Work, chapter: Chapter | None) -> Reading:
    """Count one visit of the user to the work (and the chapter, when one chapter is shown);
    returns their history row as it is now."""
    count_visit(user.pk, work.pk, chapter.pk if chapter is not None else None)
    return Reading.objects.get(user=user, work=work)


def count_visit(user_id: int, work_id: int, chapter_id: int | None) -> None:
    """One visit, in one statement: a first visit makes the row, a later one counts it and
    moves the chapter last read (kept when the whole work is shown, `chapter_id` None). Two
    first visits at once meet on the unique (user, work): the later one counts."""
    table = connection.ops.quote_name(Reading._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    statement = (
        f"INSERT INTO {table} (user_id, work_id, chapter_id, first_read_at, last_read_at, views, "
        "later) VALUES (%s, %s, %s, %s, %s, 1, %s) ON CONFLICT (user_id, work_id) DO UPDATE SET "
        f"last_read_at = excluded.last_read_at, views = {table}.views + 1, "
        f"chapter_id = COALESCE(excluded.chapter_id, {table}.chapter_id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [user_id, work_id, chapter_id, stamp, stamp, False])


def page_context(request: HttpRequest, work: Work, chapter: Chapter | None) -> dict[str, Any]:
    """Records the visit where the reader keeps history; gives their reading for the Mark for
    Later button (None for guests and for a reader with no row)."""
    user = request.user
    if not isinstance(user, User):
        return {"own_reading": None}
    if user.keep_history and work.posted and not is_creator(user, work):
        # A side write of reading: on a full disk the page is shown, with the history as it was.
        recorded = best_effort("a history entry", lambda: record_visit(user, work, chapter), None)
        if recorded is not None:
            return {"own_reading": recorded}
    return {"own_reading": Reading.objects.filter(user=user, work=work).first()}


@transaction.atomic
def toggle_later(user: User, work: Work) -> bool:
    """Mark the work for later, or as read when it is marked already; returns `later` now."""
    if not can_view(user, work) or not work.posted:
        raise ReadingError("This work cannot be marked for later: it is not posted.")
    reading = Reading.objects.select_for_update().filter(user=user, work=work).first()
    if reading is None:
        # Marked before reading: no visit yet, so it shows as visited 0 times.
        Reading.objects.bulk_create(
            [Reading(user=user, work=work, last_read_at=timezone.now(), views=0, later=True)],
            update_conflicts=True,
            unique_fields=["user", "work"],
            update_fields=["later"],
        )
        return True
    reading.later = not reading.later
    reading.save(update_fields=["later"])
    return reading.later


def history(user: User, *, later_only: bool = False) -> QuerySet[Reading]:
    """The user's readings of works they may still see, last visited first."""
    readings = Reading.objects.filter(
        user=user, work__in=listed_works(user).order_by().values("pk")
    )
    if later_only:
        readings = readings.filter(later=True)
    return readings.select_related("chapter").prefetch_related(
        Prefetch("work", queryset=with_blurb_data(Work.objects.all()))
    )


def clear_history(user: User) -> int:
    """Forget every reading of the user, Marked for Later included; returns how many."""
    deleted, _ = Reading.objects.filter(user=user).delete()
    return deleted


def delete_reading(user: User, reading_id: int) -> None:
    deleted, _ = Reading.objects.filter(user=user, pk=reading_id).delete()
    if not deleted:
        raise ReadingError("That history item does not exist or is not yours.")
