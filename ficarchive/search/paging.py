"""The works of a search read once, as their ids in order, for the page, the count and the tags.

The search page needs the number of results, one page of them and the tag counts over all of
them. Asked of the search's queryset, each of the three works the search out again (at 100,000
works, 50–90 ms each for the biggest fandom less ten tags). `Matches` reads the ids of every
result in order in one statement instead (up to `ID_LIMIT`): their number is the count, a page
is read by id, and `services.facets` groups the filter rows of those ids. Past the limit the
first `ID_LIMIT` ids still give the early pages; the count is asked of the database (in the same
statement where that saves work, see `_one_pass`) and the tag counts of the queryset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from django.db import connection
from django.db.models import Count, QuerySet, Window

from ficarchive.search.services import RELEVANCE
from ficarchive.works.models import Work
from ficarchive.works.queries import with_blurb_data

TOTAL = "search_total"
# Ids read per search at most: 20,000 ids are 20,000 small rows (a few ms to fetch), and a
# search with more matches than that is rarely narrowed by its tag counts anyway.
ID_LIMIT = 20_000


class Matches(Sequence[Work]):
    """A search's works as the ordered list of their ids; Django's `Paginator` pages it
    (its length is the number of results, a slice reads those works with their blurb data)."""

    def __init__(self, works: QuerySet[Work], *, limit: int = ID_LIMIT) -> None:
        self.works = works
        total: int | None = None
        if _one_pass(works):
            rows = list(
                works.annotate(**{TOTAL: Window(Count("*"))}).values_list("pk", TOTAL)[: limit + 1]
            )
            ids = [row[0] for row in rows]
            total = rows[0][1] if rows else 0
        else:
            ids = list(works.values_list("pk", flat=True)[: limit + 1])
        self.complete = len(ids) <= limit
        # Sorted by creator, a work with two creators comes back twice: keep its first place.
        self.ids: list[int] = list(dict.fromkeys(ids))[:limit]
        self._total = len(self.ids) if self.complete else total

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self.works.count()
        return self._total

    @property
    def facet_source(self) -> QuerySet[Work] | list[int]:
        """What `services.facets` counts: the ids when every one was read, else the search."""
        return self.ids if self.complete else self.works

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Work: ...

    @overload
    def __getitem__(self, index: slice) -> list[Work]: ...

    def __getitem__(self, index: int | slice) -> Work | list[Work]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step not in (None, 1):
            raise ValueError("Matches are read a page at a time, without a step.")
        start, stop = index.start or 0, index.stop
        if self.complete or (stop is not None and stop <= len(self.ids)):
            wanted = self.ids[start:stop]
            read = {work.pk: work for work in with_blurb_data(Work.objects.filter(pk__in=wanted))}
            return [read[pk] for pk in wanted if pk in read]
        return list(with_blurb_data(self.works)[start:stop])


def _one_pass(works: QuerySet[Any]) -> bool:
    """Whether to read the number of results with the ids (`COUNT(*) OVER ()`): only where the
    database works out every match before the first row anyway, a best-match sort on
    PostgreSQL (there matching a phrase reads each candidate's document, so once rather than
    twice: 390 ms instead of 550 at 100,000 works). Sorted by an indexed column the read stops
    after its rows, which a window forbids (300 ms instead of 30); SQLite runs best match's
    rank once for the statement, except in a statement with a window: then once per row (10 s
    for 500 matches); and DISTINCT applies after the window, so it would count rows it then
    merges (bench/search.py)."""
    if works.query.distinct:
        return False
    return connection.vendor == "postgresql" and RELEVANCE in works.query.annotations
