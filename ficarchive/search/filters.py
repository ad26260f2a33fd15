"""AO3's Sort and Filter form beside every list of works, as one filter that becomes a search.

The form is a plain GET form; its parameters are the same on every list (`/works`, a tag's
works, a user's or a pseud's works, a user's bookmarks) and on `/search`, so a filtered list's
address can be shared and bookmarked, and the same parameters find the same works everywhere:

    sort            best, updated, posted, words, kudos, hits, comments, bookmarks, title, creator
    q               words within the results, in the search query language (`query.py`)
    include         a tag id to include (repeated); synonyms and sub-tags count, as in search
    exclude         a tag id to exclude (repeated)
    other_include   other tags to include, by name, separated by commas
    other_exclude   other tags to exclude, by name, separated by commas
    crossover       include (the default), exclude or only
    complete        yes (complete works only) or no (works in progress only); empty is all
    words_from      words_to      word count, each end included
    updated_from    updated_to    date updated (YYYY-MM-DD), each day included
    language        a language code of the posting form (en, de, …)

`read_filter` checks the parameters and gives a typed `WorkFilter`, or a `FilterError` that
names the field and the problem. `apply` turns the filter into `services.search` (the tag ids
as its includes and excludes, the other fields as nodes of the query tree), so a list is a
search: the reader's mutes apply, restricted works stay out for logged-out readers, and the
tag counts beside the list are of the works the reader sees.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import QueryDict

from ficarchive.accounts.types import AnyUser
from ficarchive.search import query as q
from ficarchive.search import services
from ficarchive.search.paging import Matches
from ficarchive.tags.models import Tag, TagType
from ficarchive.works.models import LANGUAGES
from ficarchive.works.queries import shown_tags

PAGE_SIZE = 20
# Tags of a type shown at once; *more* discloses up to FORM_TAGS in all, the most used first.
# Past those, a tag is one "other tag" typed by name away: a tag page of 13,000 works carries
# thousands of additional tags, and a form of every one of them is megabytes.
SHOWN_TAGS = 10
FORM_TAGS = 50
# The types of the form's checkboxes, in AO3's order.
FORM_TYPES = (
    TagType.RATING,
    TagType.WARNING,
    TagType.CATEGORY,
    TagType.FANDOM,
    TagType.CHARACTER,
    TagType.RELATIONSHIP,
    TagType.FREEFORM,
)
CROSSOVERS = {"": "Include crossovers", "exclude": "Exclude crossovers", "only": "Only crossovers"}
COMPLETION = {"": "All works", "yes": "Complete works only", "no": "Works in progress only"}
LANGUAGE_NAMES = dict(LANGUAGES)
# What the form's fields are called on the page, for the messages that name them.
LABELS = {
    "sort": "Sort by",
    "q": "Search within results",
    "other_include": "Other tags to include",
    "other_exclude": "Other tags to exclude",
    "crossover": "Crossovers",
    "complete": "Completion status",
    "words_from": "Words from",
    "words_to": "Words to",
    "updated_from": "Date updated from",
    "updated_to": "Date updated to",
    "language": "Language",
}
TEXT_PARAMETERS = tuple(LABELS)
# A whole number a reader may type: digits, maybe grouped with commas (10,000) or spaces.
_WHOLE = re.compile(r"[0-9]{1,3}(?:[, ][0-9]{3})+|[0-9]{1,12}")
_ID = re.compile(r"[0-9]{1,18}")
MAX_OTHER_TAGS = 20
# Lists of at least this many works keep their tag counts for COUNTS_SECONDS (see `_counts`).
COUNTS_CACHED_FROM = 2_000
COUNTS_SECONDS = 60


class FilterError(ValueError):
    """A parameter of the form the archive cannot use; the message names the field."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{LABELS.get(field_name, field_name)}: {problem}")
        self.field = field_name


@dataclass(frozen=True)
class WorkFilter:
    sort: str = "updated"
    words: str = ""
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    other_include: tuple[str, ...] = ()
    other_exclude: tuple[str, ...] = ()
    crossover: str = ""
    complete: str = ""
    words_from: int | None = None
    words_to: int | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    language: str = ""

    def nodes(self) -> list[q.Node]:
        """The fields other than tags and words, as nodes of a search's query tree."""
        nodes: list[q.Node] = []
        if self.crossover:
            nodes.append(q.Field("crossover", self.crossover))
        if self.complete:
            nodes.append(q.Field("complete", self.complete))
        if self.language:
            nodes.append(q.Field("language", self.language))
        if self.words_from is not None or self.words_to is not None:
            nodes.append(
                q.Range(
                    "words",
                    self.words_from,
                    self.words_to,
                    self.words_from is not None,
                    self.words_to is not None,
                )
            )
        if self.updated_from is not None or self.updated_to is not None:
            nodes.append(
                q.Range(
                    "updated",
                    self.updated_from,
                    self.updated_to,
                    self.updated_from is not None,
                    self.updated_to is not None,
                )
            )
        return nodes

    def params(self) -> dict[str, Any]:
        """The filter as the form's parameters, only those set: for links that keep it."""
        found: dict[str, Any] = {
            "sort": self.sort,
            "q": self.words,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "other_include": ", ".join(self.other_include),
            "other_exclude": ", ".join(self.other_exclude),
            "crossover": self.crossover,
            "complete": self.complete,
            "words_from": "" if self.words_from is None else self.words_from,
            "words_to": "" if self.words_to is None else self.words_to,
            "updated_from": self.updated_from.isoformat() if self.updated_from else "",
            "updated_to": self.updated_to.isoformat() if self.updated_to else "",
            "language": self.language,
        }
        return {key: value for key, value in found.items() if value not in ("", [])}

    def as_query(self) -> str:
        """The words and the other fields in the query language (what a saved search keeps)."""
        return " ".join([*([self.words] if self.words else []), *map(str, self.nodes())])

    def query_string(self) -> str:
        return urlencode(self.params(), doseq=True)

    @property
    def narrows(self) -> bool:
        """Whether the filter leaves any work out (sorting alone does not)."""
        return bool(set(self.params()) - {"sort"})


def read_filter(params: QueryDict | Mapping[str, Any], *, default_sort: str) -> WorkFilter:
    """The form's parameters as a filter; FilterError naming the first field that is wrong."""
    get = _getter(params)
    sort = get("sort") or default_sort
    if sort not in services.SORTS:
        raise FilterError(
            "sort", f"{sort!r} is not a way to sort; use {', '.join(services.SORTS)}."
        )
    crossover = get("crossover")
    if crossover == "include":  # AO3's word for the default
        crossover = ""
    if crossover not in CROSSOVERS:
        raise FilterError("crossover", f"{crossover!r} is not one of include, exclude, only.")
    complete = {"t": "yes", "true": "yes", "f": "no", "false": "no"}.get(get("complete").lower())
    complete = complete or get("complete").lower()
    if complete not in COMPLETION:
        raise FilterError("complete", f"{get('complete')!r} is not yes, no or empty (all works).")
    language = get("language")
    if language and language not in LANGUAGE_NAMES:
        raise FilterError("language", f"{language!r} is not a language of the archive.")
    words_from, words_to = _whole(get, "words_from"), _whole(get, "words_to")
    if words_from is not None and words_to is not None and words_from > words_to:
        raise FilterError("words_to", f"{words_to:,} is less than Words from ({words_from:,}).")
    updated_from, updated_to = _day(get, "updated_from"), _day(get, "updated_to")
    if updated_from and updated_to and updated_from > updated_to:
        raise FilterError("updated_to", f"{updated_to} is before Date updated from.")
    return WorkFilter(
        sort=sort,
        words=get("q"),
        include=ids(params, "include"),
        exclude=ids(params, "exclude"),
        other_include=_names(get, "other_include"),
        other_exclude=_names(get, "other_exclude"),
        crossover=crossover,
        complete=complete,
        words_from=words_from,
        words_to=words_to,
        updated_from=updated_from,
        updated_to=updated_to,
        language=language,
    )


Getter = Callable[[str], str]


def _getter(params: QueryDict | Mapping[str, Any]) -> Getter:
    """A parameter's last value as text, spaces collapsed (the query's are kept as typed)."""

    def get(name: str) -> str:
        value = params.get(name, "")
        return " ".join(str(value).split()) if name != "q" else str(value).strip()

    return get


def ids(params: QueryDict | Mapping[str, Any], name: str) -> tuple[int, ...]:
    """The tag ids the form's checkboxes sent, each once; anything else is left out (the
    checkboxes send only ids, and a stale or altered one is no tag)."""
    values = params.getlist(name) if isinstance(params, QueryDict) else params.get(name, [])
    if isinstance(values, (str, int)):
        values = [values]
    ids = (int(v) for v in (str(value) for value in values) if _ID.fullmatch(v))
    return tuple(dict.fromkeys(ids))


def _whole(get: Getter, name: str) -> int | None:
    value = get(name)
    if not value:
        return None
    if not _WHOLE.fullmatch(value):
        raise FilterError(name, f"{value!r} is not a whole number of words.")
    return int(value.replace(",", "").replace(" ", ""))


def _day(get: Getter, name: str) -> date | None:
    value = get(name)
    if not value:
        return None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        with contextlib.suppress(ValueError):  # an impossible day, such as 2024-02-30
            return date.fromisoformat(value)
    raise FilterError(name, f"{value!r} is not a date; write it as YYYY-MM-DD.")


def _names(get: Getter, name: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in get(name).split(",") if part.strip()))
    if len(names) > MAX_OTHER_TAGS:
        raise FilterError(name, f"{len(names)} tags; the form takes up to {MAX_OTHER_TAGS}.")
    return names


# ---------------------------------------------------------------------------------------------
# the filter as a search


@dataclass
class TagChoice:
    """One tag's checkbox: the works of the list under it, and whether the reader chose it."""

    tag: Tag
    count: int
    included: bool
    excluded: bool


@dataclass
class TypeChoices:
    type: str
    label: str
    shown: list[TagChoice]
    more: list[TagChoice]


@dataclass
class Listing:
    """A list of works as the form filtered it: the page, the form's state, the tag counts."""

    filter: WorkFilter
    page: Page[Any] | None  # of works; of bookmarks on a list of bookmarks
    types: list[TypeChoices] = field(default_factory=list)
    error: str = ""
    # Every tag the search included and excluded: the checkboxes' and those typed by name.
    included: list[Tag] = field(default_factory=list)
    excluded: list[Tag] = field(default_factory=list)

    @property
    def page_query(self) -> str:
        """The filter's parameters, for the links of the pages: paging keeps the filter."""
        return self.filter.query_string()


def apply(
    user: AnyUser,
    work_filter: WorkFilter,
    *,
    page_number: str | None = None,
    within: Q | None = None,
    tag: Tag | None = None,
) -> Listing:
    """One page of the works of a list (`within`, or a tag's `tag`) that pass the filter, with
    the form's tag counts over all of them; FilterError for a tag typed that is no tag the
    reader may know, services.SearchError for a malformed query."""
    results, matches = search_works(user, work_filter, within=within, tag=tag)
    page = Paginator(matches, PAGE_SIZE).get_page(page_number)
    return listing_of(work_filter, page, results, matches, tag=tag)


def search_works(
    user: AnyUser, work_filter: WorkFilter, *, within: Q | None = None, tag: Tag | None = None
) -> tuple[services.Results, Matches]:
    """The filter as a search of the list's works; the search is worked out once: the count,
    the page and the tag counts come from the ids of `Matches`."""
    include = [*work_filter.include, *_tag_ids(user, work_filter.other_include, "other_include")]
    exclude = [*work_filter.exclude, *_tag_ids(user, work_filter.other_exclude, "other_exclude")]
    results = services.search(
        user,
        work_filter.words,
        sort=work_filter.sort,
        include=[*([tag.pk] if tag is not None else []), *include],
        exclude=exclude,
        also=work_filter.nodes(),
        within=within,
    )
    return results, Matches(results.works)


def listing_of(
    work_filter: WorkFilter,
    page: Page[Any],
    results: services.Results,
    matches: Matches,
    *,
    tag: Tag | None = None,
) -> Listing:
    """The form's state for a page of a list: the checkboxes with the counts over `matches`
    (the list's own tag left out: every work carries it)."""
    scope = [tag.pk] if tag is not None else []
    return Listing(
        work_filter,
        page,
        _choices(work_filter, _counts(matches, scope)),
        included=[t for t in results.included if t.pk not in scope],
        excluded=results.excluded,
    )


def _counts(matches: Matches, leave_out: list[int]) -> dict[str, services.FacetGroup]:
    """The form's tag counts over the list's works. Those of a big list are kept a minute,
    keyed by the ids of its works: counting the 270,000 filter rows of a tag page of 13,000
    works takes 300 ms or more (bench/search.py), and the counts are a function of the works
    (mutes and restricted works change the ids) and their tags (a retag shows within the
    minute)."""
    if not matches.complete or len(matches.ids) < COUNTS_CACHED_FROM:
        return services.facets(matches.facet_source, per_page=FORM_TAGS, leave_out=leave_out)
    digest = hashlib.sha256(array("q", [*matches.ids, -1, *leave_out]).tobytes()).hexdigest()
    key = f"filter-counts:{FORM_TAGS}:{digest}"
    counted: dict[str, services.FacetGroup] | None = cache.get(key)
    if counted is None:
        counted = services.facets(matches.ids, per_page=FORM_TAGS, leave_out=leave_out)
        cache.set(key, counted, COUNTS_SECONDS)
    return counted


def _tag_ids(user: AnyUser, names: Sequence[str], field_name: str) -> list[int]:
    """The tags typed by name, a synonym standing for its canonical tag; only tags this reader
    may know exist (a tag only on restricted works is no tag to a logged-out reader)."""
    ids = []
    for name in names:
        found = Tag.objects.filter(shown_tags(user), name__iexact=name).first()
        if found is None:
            raise FilterError(field_name, f"there is no tag {name!r}.")
        ids.append(found.merger_id or found.pk)
    return ids


def _choices(work_filter: WorkFilter, counted: dict[str, services.FacetGroup]) -> list[TypeChoices]:
    """Each type's checkboxes: the chosen tags first (so a chosen tag is never hidden, even
    when it is on none of the works, as an excluded one is), then the most used."""
    included, excluded = set(work_filter.include), set(work_filter.exclude)
    chosen = Tag.objects.in_bulk([*included, *excluded])
    types = []
    for tag_type in FORM_TYPES:
        group = counted.get(tag_type)
        counts = {facet.tag.pk: facet for facet in group.facets} if group else {}
        rows = [
            TagChoice(tag, counts[pk].count if pk in counts else 0, pk in included, pk in excluded)
            for pk, tag in chosen.items()
            if tag.type == tag_type
        ]
        rows += [
            TagChoice(facet.tag, facet.count, False, False)
            for facet in (group.facets if group else [])
            if facet.tag.pk not in chosen
        ]
        if rows:
            cut = max(SHOWN_TAGS, sum(1 for row in rows if row.included or row.excluded))
            types.append(
                TypeChoices(tag_type, str(TagType(tag_type).label), rows[:cut], rows[cut:])
            )
    return types


def form_context(listing: Listing, raw: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    """What `search/filters.html` shows: the choices, and the text fields as the reader typed
    them (after a mistake too, so they can correct it)."""
    values = {name: str(raw.get(name, "")) for name in TEXT_PARAMETERS}
    values["sort"] = listing.filter.sort
    return {
        "listing": listing,
        "values": values,
        "sorts": services.SORTS,
        "crossovers": CROSSOVERS,
        "completion": COMPLETION,
        "languages": LANGUAGES,
    }
