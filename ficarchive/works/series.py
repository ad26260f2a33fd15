"""Series as their creators keep them and readers see them (issue 19): the edit of a series'
title, description, notes and *complete* flag, and a series' numbers as one reader may see them.

A series shows each reader only the parts that reader may see (`queries.series_works`), so its
word count and dates are counted over those parts: a draft or a restricted part would show
through its words or its date otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet

from ficarchive.accounts.models import User
from ficarchive.accounts.types import AnyUser
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_basic_html
from ficarchive.works.models import Series, Work


class SeriesError(Exception):
    """A change to a series that cannot be made, with a message naming the field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SeriesData:
    title: str
    summary: str = ""  # the description
    notes: str = ""
    complete: bool = False


def is_series_creator(user: AnyUser, series: Series) -> bool:
    """Whether the user is credited on the series (reads prefetched pseuds when present)."""
    return user.is_authenticated and any(p.user_id == user.pk for p in series.pseuds.all())


@transaction.atomic
def edit_series(user: User, series: Series, data: SeriesData) -> Series:
    """Change a series' title, description, notes and *complete* flag; only its creators may."""
    if not is_series_creator(user, series):
        raise SeriesError("Only the series' creators can change it.")
    title = " ".join(data.title.split())
    if not title:
        raise SeriesError("The title cannot be empty.", "title")
    if len(title) > 255:
        raise SeriesError("The title is longer than 255 characters.", "title")
    renamed = title != series.title
    series.title = title
    series.summary = html_to_html(data.summary, sanitize_basic_html)
    series.notes = html_to_html(data.notes, sanitize_basic_html)
    series.complete = data.complete
    series.save()
    if renamed:
        # Each part's page, blurb and downloads name the series: they are made again.
        Work.objects.filter(serial_works__series=series).update(revision=F("revision") + 1)
    return series


@dataclass(frozen=True)
class SeriesStats:
    words: int
    begun: datetime | None  # the first part published
    updated: datetime | None  # the latest change to a part


def series_stats(works: list[Work]) -> SeriesStats:
    """A series' words and dates over its parts one reader may see (`queries.series_works`)."""
    published = [work.published_at for work in works if work.published_at]
    updated = [work.updated_at or work.published_at for work in works]
    return SeriesStats(
        words=sum(work.word_count for work in works),
        begun=min(published, default=None),
        updated=max((date for date in updated if date), default=None),
    )


def series_of_user(reader: AnyUser, owner: User) -> QuerySet[Series]:
    """The owner's series with `work_count`, the parts this reader may see. A series with no
    part the reader may see is left out, as its page is 404 to them; its creators see it."""
    parts = Q(serial_works__work__posted=True)
    if not reader.is_authenticated:
        parts &= Q(serial_works__work__restricted=False)
    series = (
        Series.objects.filter(pk__in=Series.objects.filter(pseuds__user=owner).values("pk"))
        .annotate(work_count=Count("serial_works", filter=parts, distinct=True))
        .order_by("-updated_at", "-pk")
    )
    if reader.pk != owner.pk:
        series = series.filter(work_count__gt=0)
    return series
