"""The catalog's reads: fandoms, popular tags and series, counted over the works a reader may
see, and the rating and status facets. Each is one query, however many rows it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Lower

from ficarchive.accounts.types import AnyUser
from ficarchive.tags.models import Tag, TagType
from ficarchive.works.models import Series, Work
from ficarchive.works.queries import listed_works

# The tag types a reader browses by beyond fandoms: the "popular tags" list.
BROWSED_TAG_TYPES = (TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM)

# Facet values as they appear in URLs, with what they select.
RATINGS = {
    "general": "General Audiences",
    "teen": "Teen And Up Audiences",
    "mature": "Mature",
    "explicit": "Explicit",
    "not-rated": "Not Rated",
}
STATUSES = {"complete": ("Complete", True), "in-progress": ("In progress", False)}


class FacetError(ValueError):
    """A facet value the catalog does not know, with a message that lists the ones it does."""


@dataclass(frozen=True)
class Facets:
    rating: str = ""  # a key of RATINGS, or "" for any
    status: str = ""  # a key of STATUSES, or "" for any

    @classmethod
    def parse(cls, rating: str, status: str) -> Facets:
        if rating and rating not in RATINGS:
            raise FacetError(f"There is no rating {rating!r}; use one of {', '.join(RATINGS)}.")
        if status and status not in STATUSES:
            raise FacetError(f"There is no status {status!r}; use one of {', '.join(STATUSES)}.")
        return cls(rating, status)

    def apply(self, works: QuerySet[Work]) -> QuerySet[Work]:
        if self.rating:
            # Every work has exactly one rating tag, so this join never repeats a work.
            works = works.filter(tags__type=TagType.RATING, tags__name=RATINGS[self.rating])
        if self.status:
            works = works.filter(complete=STATUSES[self.status][1])
        return works


def _visible_ids(user: AnyUser) -> QuerySet[Work, Any]:
    return listed_works(user).order_by().values("pk")


def newest_update(user: AnyUser) -> datetime | None:
    return listed_works(user).values_list("updated_at", flat=True).first()


def tags_with_counts(user: AnyUser, types: tuple[str, ...]) -> QuerySet[Tag]:
    """Tags of these types on works the reader may see, each with `work_count` (those works
    only) and `last_update`."""
    return (
        Tag.objects.filter(type__in=types, works__in=_visible_ids(user))
        .annotate(work_count=Count("works", distinct=True), last_update=Max("works__updated_at"))
        .order_by(Lower("name"), "pk")
    )


def fandoms(user: AnyUser) -> QuerySet[Tag]:
    return tags_with_counts(user, (TagType.FANDOM,))


def popular_tags(user: AnyUser, limit: int) -> list[Tag]:
    tags = tags_with_counts(user, BROWSED_TAG_TYPES)
    return list(tags.order_by("-work_count", Lower("name"), "pk")[:limit])


def series_with_counts(user: AnyUser) -> QuerySet[Series]:
    """Series with at least one work the reader may see, most recently updated first, each with
    `work_count` and `last_update` over those works."""
    return (
        Series.objects.filter(serial_works__work__in=_visible_ids(user))
        .annotate(
            work_count=Count("serial_works", distinct=True),
            last_update=Max("serial_works__work__updated_at"),
        )
        .order_by("-last_update", "-pk")
    )
