"""Keep the full-text index in step with posted works, and answer searches.

Only posted works are indexed: a draft is never in the index, whoever searches. A search turns
the parsed query (`query.py`) into one SQL condition on works — full-text leaves through the
backend, tag, language, completion and range filters through the ORM — and applies it to
`listed_works(user)` less what the reader muted, so restricted works stay out for logged-out
readers and muted ones for the reader who muted them, in the results and in every count.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ficarchive.accounts.types import AnyUser
from ficarchive.jobs import services as jobs
from ficarchive.search import query as q
from ficarchive.search.backends import Document, Leaf, backend
from ficarchive.search.saved import without_muted
from ficarchive.tags.models import FilterTagging, Tag, TagType
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Work
from ficarchive.works.queries import listed_works, notes_text, work_notes


class SearchError(Exception):
    """A query the archive cannot answer, with a message for the reader."""


# Tags included and excluded together: each is a lookup in the filter table per work, and the
# sidebar's links add one at a time (as the query's words are bounded, query.MAX_QUERY_TERMS).
MAX_TAG_FILTERS = 40


# ---------------------------------------------------------------------------------------------
# the index


def schedule_index(work_id: int) -> None:
    jobs.enqueue("search.index", {"work_id": work_id}, key=f"search-index-{work_id}")


@jobs.handler("search.index")
def _index_job(payload: dict[str, Any]) -> None:
    index_work(int(payload["work_id"]))


def document(work: Work) -> Document:
    tags = [tag.name for tag in work.tags.all()]
    creators = [c.pseud.name for c in work.creatorships.select_related("pseud")]
    # Draft chapters are their creators' alone: not searchable until posted.
    chapters = list(work.chapters.filter(draft=False).order_by("position"))
    return Document(
        work_id=work.pk,
        title=work.title,
        tags=" ; ".join(tags),
        summary=html_to_text(work.summary),
        # Every note, chapter summaries and end notes too; the work's summary has its own field.
        notes=notes_text(work_notes(work, summary=False)),
        creators=" ; ".join(creators),
        text="\n\n".join(html_to_text(c.body) for c in chapters),
    )


def index_work(work_id: int) -> bool:
    """Index a posted work, or take a draft (or a deleted work) out; returns whether indexed."""
    work = Work.objects.filter(pk=work_id).first()
    if work is None or not work.posted:
        backend().remove(work_id)
        return False
    backend().index(document(work))
    return True


def reindex_all(progress: Callable[[int, int], None] | None = None) -> int:
    ids = list(Work.objects.order_by("pk").values_list("pk", flat=True))
    for done, work_id in enumerate(ids, start=1):
        index_work(work_id)
        if progress:
            progress(done, len(ids))
    return len(ids)


# ---------------------------------------------------------------------------------------------
# searching

TEXT_FIELDS = {
    "title": ("title",),
    "summary": ("summary",),
    "notes": ("notes",),
    "text": ("text",),
    "tag": ("tags",),
}
TAG_FIELDS = {
    "fandom": "fandom",
    "relationship": "relationship",
    "character": "character",
    "freeform": "freeform",
    "rating": "rating",
    "warning": "warning",
    "category": "category",
}
RANGE_FIELDS = {
    "words": "word_count",
    "chapters": "chapter_count",
    "updated": "updated_at",
    "posted": "published_at",
    "kudos": "kudos_count",
    "hits": "hits",
    "comments": "comments_count",
    "bookmarks": "bookmarks_count",
}


@dataclass
class Results:
    works: QuerySet[Work]
    query: q.Node | None
    included: list[Tag]
    excluded: list[Tag]


def search(
    user: AnyUser,
    text: str,
    *,
    sort: str = "best",
    include: Sequence[int] = (),
    exclude: Sequence[int] = (),
    also: Sequence[q.Node] = (),
    within: Q | None = None,
) -> Results:
    """The works this reader may see that match the query and carry every included tag and no
    excluded one (through the filter table: synonyms and sub-tags count), sorted; SearchError
    if the query is malformed (with the column and the problem).

    `also` are conditions built rather than typed (the Sort and Filter form's fields, see
    `filters.py`), AND-ed with the query; `within` narrows the works to one list's (a user's,
    a pseud's) before anything else."""
    try:
        tree = q.parse(text)
    except q.QueryError as error:
        raise SearchError(str(error)) from None
    if also:
        nodes = (tree, *also) if tree is not None else tuple(also)
        tree = nodes[0] if len(nodes) == 1 else q.And(nodes)
    include, exclude = list(dict.fromkeys(include)), list(dict.fromkeys(exclude))
    if len(include) + len(exclude) > MAX_TAG_FILTERS:
        raise SearchError(
            f"This search includes and excludes {len(include) + len(exclude)} tags; the archive "
            f"takes up to {MAX_TAG_FILTERS}. Remove some."
        )
    works = without_muted(listed_works(user), user)
    if within is not None:
        works = works.filter(within)
    if tree is not None:
        works = works.filter(condition(tree))
    if include:
        # The included tag with the fewest works drives: its works are read from the filter
        # table's tag index and each is checked against the other tags (EXISTS, one index
        # probe). With EXISTS alone SQLite walked every posted work; with IN for every tag it
        # built lists of tens of thousands of works under the big ones (bench/search.py).
        driver = _fewest_works(include)
        works = works.filter(
            pk__in=FilterTagging.objects.filter(filter_tag_id=driver).values("work_id")
        )
        for tag_id in include:
            if tag_id != driver:
                works = works.filter(Exists(_tagged(tag_id)))
    if exclude:
        works = works.filter(~Exists(_tagged(*exclude)))
    tags = Tag.objects.in_bulk([*include, *exclude])
    return Results(
        works=_sorted(works, tree, sort),
        query=tree,
        included=[tags[i] for i in include if i in tags],
        excluded=[tags[i] for i in exclude if i in tags],
    )


def _fewest_works(tag_ids: Sequence[int]) -> int:
    """The tag with the fewest works found under it (a count over the filter table's tag
    index, a millisecond or two even for a rating tag on every other work)."""
    if len(set(tag_ids)) == 1:
        return tag_ids[0]
    counted = dict(
        FilterTagging.objects.filter(filter_tag_id__in=tag_ids)
        .values("filter_tag_id")
        .annotate(works=Count("*"))
        .values_list("filter_tag_id", "works")
    )
    return min(tag_ids, key=lambda tag_id: counted.get(tag_id, 0))


def _tagged(*tag_ids: int) -> QuerySet[FilterTagging]:
    return FilterTagging.objects.filter(work_id=OuterRef("pk"), filter_tag_id__in=tag_ids)


# Tags of each type the search page's sidebar shows at a time; "more" pages through the rest.
FACET_PAGE_SIZE = 15


@dataclass
class Facet:
    tag: Tag
    count: int


@dataclass
class FacetGroup:
    """One tag type's counts over the results: a page of them, most works first, and how many
    distinct tags of the type there are (so the sidebar can page through every one of them)."""

    type: str
    facets: list[Facet]
    total: int
    number: int
    per_page: int

    @property
    def label(self) -> str:
        return str(TagType(self.type).label)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def facets(
    works: QuerySet[Work] | Sequence[int],
    *,
    per_page: int | None = None,
    pages: Mapping[str, int] | None = None,
    leave_out: Collection[int] = (),
) -> dict[str, FacetGroup]:
    """Every tag the works are found under, by type, with how many of the works, most first
    (then by name).

    `works` is a search's queryset, or the ids of its works when they were read already
    (`paging.Matches`): then the search is not worked out again. The filter rows are grouped
    by tag in the database and only numbers, types and names come back, ranked here: for the
    16,000 distinct tags of one result set a window per type in SQL cost 60–110 ms more than
    sorting the rows here, and loading them as models cost 160 ms (bench/search.py). `pages`
    asks for a page of a type (the first by default, the last when past the end); without
    `per_page` every tag comes back. Tags in `leave_out` (the ones the reader already included
    or excluded) are neither listed nor counted in the totals.
    """
    wanted = {t: int(n) for t, n in (pages or {}).items() if t in TagType.values}
    by_type: dict[str, list[tuple[int, int]]] = {}
    skipped = set(leave_out)
    for tag_id, count, tag_type in _counted(works):
        if tag_id not in skipped:
            by_type.setdefault(tag_type, []).append((-count, tag_id))
    # Names are read only for the tags that can be on the page: those with at least as many
    # works as the page's last one (ties there are put in name order). The 13,000 works of a
    # big tag carry 41,000 distinct tags; reading and lowering every name cost more than
    # choosing by number first (bench/search.py, the tag page).
    cut: dict[str, tuple[list[tuple[int, int]], int, int, int]] = {}
    for tag_type, rows in by_type.items():
        size = per_page or len(rows)
        last = -(-len(rows) // size)
        number = min(max(1, wanted.get(tag_type, 1)), last)
        least = heapq.nsmallest(number * size, rows)[-1][0]
        cut[tag_type] = ([row for row in rows if row[0] <= least], len(rows), number, size)
    names = _names([tag_id for rows, *_ in cut.values() for _, tag_id in rows])
    shown: dict[str, tuple[list[tuple[int, int]], int, int, int]] = {}
    for tag_type, (rows, total, number, size) in cut.items():
        rows.sort(key=lambda row: (row[0], names[row[1]], row[1]))
        shown[tag_type] = (rows[(number - 1) * size : number * size], total, number, size)
    tags = Tag.objects.in_bulk([tag_id for page, *_ in shown.values() for _, tag_id in page])
    order = {value: number for number, value in enumerate(TagType.values)}
    return {
        tag_type: FacetGroup(
            tag_type,
            [Facet(tags[tag_id], -count) for count, tag_id in page],
            total,
            number,
            size,
        )
        for tag_type, (page, total, number, size) in sorted(
            shown.items(), key=lambda item: order.get(item[0], 99)
        )
    }


def _names(tag_ids: list[int]) -> dict[int, str]:
    """Tag id -> name in lower case, for breaking ties; the ids as one JSON parameter or one
    array (thousands of them: SQLite caps a statement's parameters)."""
    if not tag_ids:
        return {}
    if connection.vendor == "postgresql":
        sql = f"SELECT id, lower(name) FROM {Tag._meta.db_table} WHERE id = ANY(%s::bigint[])"
        params: list[Any] = [tag_ids]
    else:
        sql = (
            f"SELECT id, lower(name) FROM {Tag._meta.db_table} "
            "WHERE id IN (SELECT value FROM json_each(%s))"
        )
        params = [json.dumps(tag_ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _counted(works: QuerySet[Work] | Sequence[int]) -> list[tuple[int, int, str]]:
    """(tag id, works under it, type) for every tag the works are found under."""
    grouped = "SELECT filter_tag_id, COUNT(*) AS works FROM {table} {where} GROUP BY filter_tag_id"
    params: list[Any]
    if isinstance(works, QuerySet):
        works_sql, works_params = works.order_by().values("pk").query.sql_with_params()
        where, params = f"WHERE work_id IN ({works_sql})", list(works_params)
    elif connection.vendor == "postgresql":
        # A join with the unnested array: `= ANY(%s)` was over twice as slow (bench/search.py).
        where = "f JOIN unnest(%s::bigint[]) AS ids(id) ON f.work_id = ids.id"
        params = [list(works)]
    else:
        # One JSON parameter: SQLite caps the number of parameters of a statement.
        where = "f JOIN json_each(%s) AS ids ON f.work_id = ids.value"
        params = [json.dumps(list(works))]
    counted = grouped.format(table=FilterTagging._meta.db_table, where=where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.filter_tag_id, c.works, t.type FROM ({counted}) AS c "
            f"JOIN {Tag._meta.db_table} t ON t.id = c.filter_tag_id",
            params,
        )
        rows: list[tuple[int, int, str]] = cursor.fetchall()
        return rows


# The best-match score's name on a search's works.
RELEVANCE = "relevance"

# How each sort but "best" orders works: a column, then the id to break ties.
ORDERS = {
    "updated": ("-updated_at", "-id"),
    "posted": ("-published_at", "-id"),
    "words": ("-word_count", "-id"),
    "kudos": ("-kudos_count", "-id"),
    "hits": ("-hits", "-id"),
    "comments": ("-comments_count", "-id"),
    "bookmarks": ("-bookmarks_count", "-id"),
    "title": ("title", "id"),
    "creator": ("creatorships__pseud__name", "id"),
}

SORTS = {
    "best": "Best match",
    "updated": "Date updated",
    "posted": "Date posted",
    "words": "Word count",
    "kudos": "Kudos",
    "hits": "Hits",
    "comments": "Comments",
    "bookmarks": "Bookmarks",
    "title": "Title",
    "creator": "Creator",
}


def _sorted(works: QuerySet[Work], tree: q.Node | None, sort: str) -> QuerySet[Work]:
    if sort not in SORTS:
        raise SearchError(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
    if sort == "best":
        # Each word once: the score's expression grows with every word it is given.
        words = list(dict.fromkeys(_positive_words(tree))) if tree is not None else []
        if not words:
            return works.order_by("-updated_at", "-id")
        sql, params = backend().rank(words, _required(tree) if tree is not None else [])
        return works.annotate(**{RELEVANCE: RawSQL(sql, params)}).order_by(f"-{RELEVANCE}", "-id")
    order = ORDERS[sort]
    return works.order_by(*order).distinct() if sort == "creator" else works.order_by(*order)


def _positive_words(node: q.Node) -> list[str]:
    if isinstance(node, q.Term):
        return [node.text]
    if isinstance(node, q.Phrase):
        return list(node.words)
    if isinstance(node, q.Field) and node.name in TEXT_FIELDS:
        return node.value.split()
    if isinstance(node, (q.And, q.Or)):
        return [word for child in node.nodes for word in _positive_words(child)]
    return []


def _required(node: q.Node) -> list[Leaf]:
    """Text leaves every work matching the query matches: those AND-ed at the top (a leaf
    under OR or NOT is not needed by every match)."""
    if isinstance(node, q.Term):
        return [([node.text], False)]
    if isinstance(node, q.Phrase):
        return [(list(node.words), True)]
    if isinstance(node, q.Field) and node.name in TEXT_FIELDS and node.value.split():
        # Looked for in any field: a looser test than the field's, so still true of a match.
        return [(node.value.split(), node.phrase or " " in node.value)]
    if isinstance(node, q.And):
        words = _plain_words(node)
        leaves: list[Leaf] = [(words, False)] if words else []
        others = [child for child in node.nodes if not isinstance(child, q.Term)]
        return leaves + [leaf for child in others for leaf in _required(child)]
    return []


def _plain_words(node: q.And) -> list[str]:
    """The bare words side by side in an AND: the index looks them up as one leaf (FTS5 and
    PostgreSQL intersect their lists in one pass) instead of one subquery a word."""
    return [child.text for child in node.nodes if isinstance(child, q.Term)]


def condition(node: q.Node) -> Q:
    """The query as one condition on works."""
    if isinstance(node, q.And):
        words = _plain_words(node)
        combined = _text(words, phrase=False, fields=()) if words else Q()
        for child in node.nodes:
            if not isinstance(child, q.Term):
                combined &= condition(child)
        return combined
    if isinstance(node, q.Or):
        either = Q(pk__in=[])
        for child in node.nodes:
            either |= condition(child)
        return either
    if isinstance(node, q.Not):
        return ~condition(node.node)
    if isinstance(node, q.Term):
        return _text([node.text], phrase=False, fields=())
    if isinstance(node, q.Phrase):
        return _text(list(node.words), phrase=True, fields=())
    if isinstance(node, q.Field):
        return _field(node)
    if isinstance(node, q.Range):
        return _range(node)
    raise SearchError(f"This search cannot use {node}.")


def _text(words: list[str], *, phrase: bool, fields: tuple[str, ...]) -> Q:
    sql, params = backend().matching(words, phrase, fields)
    return Q(pk__in=RawSQL(sql, params))


def _field(node: q.Field) -> Q:
    name, value = node.name, node.value
    if name in TEXT_FIELDS:
        return _text(value.split(), phrase=node.phrase or " " in value, fields=TEXT_FIELDS[name])
    if name in TAG_FIELDS:
        tag = Tag.objects.filter(type=TAG_FIELDS[name], name__iexact=value).first()
        if tag is None:
            return Q(pk__in=[])
        # A synonym stands for its canonical tag; a tag finds its sub-tags' works too.
        return Q(Exists(_tagged(tag.merger_id or tag.pk)))
    if name == "creator":
        by = Work.objects.filter(
            Q(creatorships__pseud__name__iexact=value)
            | Q(creatorships__pseud__user__username__iexact=value)
        )
        return Q(pk__in=by.values("pk"))
    if name == "language":
        return Q(language__iexact=value)
    if name == "complete":
        return Q(complete=value in ("yes", "true"))
    if name == "crossover":
        # A work with a fandom tag and another one, asked of each work the search reaches
        # (two index probes): counting the fandoms of every work in the archive for it took
        # 1.4 s at 100,000 works (bench/search.py).
        tagged = Work.tags.through.objects
        fandom = tagged.filter(work_id=OuterRef("pk"), tag__type=TagType.FANDOM)
        another = tagged.filter(work_id=OuterRef(OuterRef("pk")), tag__type=TagType.FANDOM).exclude(
            tag_id=OuterRef("tag_id")
        )
        crossover = Q(Exists(fandom.filter(Exists(another))))
        if value == "exclude":
            return ~crossover
        if value == "only":
            return crossover
        return Q()
    raise SearchError(f"The field {name}: cannot be searched yet.")


def _range(node: q.Range) -> Q:
    if node.field not in RANGE_FIELDS:
        raise SearchError(f"The field {node.field}: cannot be searched by range.")
    column = RANGE_FIELDS[node.field]
    found = Q()
    low, high = node.low, node.high
    if low is not None:
        if isinstance(low, date):
            # A day starts at midnight; "after that day" starts at the next midnight.
            found &= Q(**{f"{column}__gte": _midnight(low, next_day=not node.low_inclusive)})
        else:
            found &= Q(**{f"{column}__{'gte' if node.low_inclusive else 'gt'}": low})
    if high is not None:
        if isinstance(high, date):
            # Up to and including a day is before the next day's midnight.
            found &= Q(**{f"{column}__lt": _midnight(high, next_day=node.high_inclusive)})
        else:
            found &= Q(**{f"{column}__{'lte' if node.high_inclusive else 'lt'}": high})
    return found


def _midnight(day: date, *, next_day: bool) -> datetime:
    if next_day:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))
