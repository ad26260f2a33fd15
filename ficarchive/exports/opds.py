"""The OPDS catalog as feeds of plain data, the same for OPDS 1.2 (Atom) and OPDS 2.0 (JSON).

A root links to recently updated works, fandoms, popular tags and series; those lead to
acquisition feeds of works, paginated, newest update first (series in series order), with
rating and status facets; every feed links to search. Only works the reader may see are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.types import AnyUser
from ficarchive.exports import queries
from ficarchive.exports.catalog import (
    ACQUISITION_KIND,
    NAVIGATION_KIND,
    Feed,
    Link,
    NavigationEntry,
    Person,
    Publication,
    publication,
)
from ficarchive.exports.formats import export_formats
from ficarchive.exports.opds2 import OPDS2_TYPE
from ficarchive.exports.queries import RATINGS, STATUSES, Facets
from ficarchive.search import services as search_services
from ficarchive.tags.models import Tag, TagType, tag_to_url
from ficarchive.works.models import Series, Work
from ficarchive.works.queries import (
    listed_works,
    series_works,
    with_blurb_data,
)

PAGE_SIZE = 25  # works per acquisition page
NAVIGATION_PAGE_SIZE = 100  # fandoms or series per navigation page
POPULAR_TAG_COUNT = 50

OPENSEARCH_TYPE = "application/opensearchdescription+xml"
FACET = "http://opds-spec.org/facet"
SORT_NEW = "http://opds-spec.org/sort/new"


# The root's entries: title, what it leads to, view, feed kind, link relation.
ROOT_ENTRIES = [
    ("Recently updated", "Every work, newest update first.", "recent", ACQUISITION_KIND, SORT_NEW),
    ("Fandoms", "Works by fandom.", "fandoms", NAVIGATION_KIND, "subsection"),
    (
        "Popular tags",
        "The most used relationships, characters and tags.",
        "top_tags",
        NAVIGATION_KIND,
        "subsection",
    ),
    ("Series", "Series, newest update first.", "series_list", NAVIGATION_KIND, "subsection"),
]


def opds1_type(kind: str) -> str:
    return f"application/atom+xml;profile=opds-catalog;kind={kind}"


@dataclass(frozen=True)
class Catalog:
    """One reader's view of the catalog in one OPDS version, at the archive's address."""

    version: int  # 1 or 2
    base: str  # "https://fics.example.org", without a trailing slash
    user: AnyUser

    def url(self, view: str, *args: object, **params: object) -> str:
        prefix = "opds_" if self.version == 1 else "opds2_"
        path = reverse(f"exports:{prefix}{view}", args=args)
        query = urlencode({key: value for key, value in params.items() if value})
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    def feed_type(self, kind: str) -> str:
        return opds1_type(kind) if self.version == 1 else OPDS2_TYPE

    def link(self, rel: str, kind: str, view: str, *args: object, title: str = "") -> Link:
        return Link(self.url(view, *args), rel, self.feed_type(kind), title)

    def common_links(self, self_href: str, kind: str, up: Link | None) -> list[Link]:
        """Self, start, up and search: on every feed."""
        links = [
            Link(self_href, "self", self.feed_type(kind)),
            self.link("start", NAVIGATION_KIND, "root", title=settings.SITE_NAME),
        ]
        if up is not None:
            links.append(up)
        if self.version == 1:
            links.append(Link(self.url("opensearch"), "search", OPENSEARCH_TYPE, "Search works"))
        else:
            template = self.url("search") + "{?query}"
            links.append(Link(template, "search", OPDS2_TYPE, "Search works", templated=True))
        return links

    def feed(self, href: str, title: str, kind: str, updated: datetime, links: list[Link]) -> Feed:
        return Feed(
            id=href,
            title=title,
            updated=updated,
            kind=kind,
            author=Person(settings.SITE_NAME, self.base + reverse("home")),
            links=links,
        )


@dataclass(frozen=True)
class Listing:
    """What a reader asked of an acquisition feed: a page and facets."""

    page: str | None = None
    facets: Facets = field(default_factory=Facets)


def _pagination(page: Page[Any], here: Callable[[int], str], kind_type: str) -> list[Link]:
    if page.paginator.num_pages <= 1:
        return []
    links = [Link(here(1), "first", kind_type)]
    if page.has_previous():
        links.append(Link(here(page.previous_page_number()), "previous", kind_type))
    if page.has_next():
        links.append(Link(here(page.next_page_number()), "next", kind_type))
    links.append(Link(here(page.paginator.num_pages), "last", kind_type))
    return links


def _page_param(number: int) -> int | None:
    return number if number > 1 else None  # page 1 is the feed's plain address


def _facet_links(catalog: Catalog, href: Callable[..., str], facets: Facets) -> list[Link]:
    kind_type = catalog.feed_type(ACQUISITION_KIND)
    statuses = [(key, label) for key, (label, _) in STATUSES.items()]
    groups = [
        ("Rating", "rating", facets.rating, [("", "Any rating"), *RATINGS.items()]),
        (
            "Status",
            "status",
            facets.status,
            [("", "Complete and in progress"), *statuses],
        ),
    ]
    return [
        Link(href(**{param: value}), FACET, kind_type, title, group, value == current)
        for group, param, current, options in groups
        for value, title in options
    ]


def _with_series_links(catalog: Catalog, entry: Publication) -> Publication:
    kind_type = catalog.feed_type(ACQUISITION_KIND)
    entry.series = [replace(p, href=catalog.url("series", p.series_id)) for p in entry.series]
    for part in entry.series:
        title = f"Part {part.position} of {part.title}"
        entry.links.append(Link(part.href, "related", kind_type, title))
    return entry


def _works_feed(
    catalog: Catalog,
    works: QuerySet[Work],
    listing: Listing,
    *,
    title: str,
    view: str,
    args: tuple[object, ...] = (),
    params: dict[str, str] | None = None,
    up: Link | None,
) -> Feed:
    facets = listing.facets
    page = Paginator(with_blurb_data(facets.apply(works)), PAGE_SIZE).get_page(listing.page)

    def href(**changes: object) -> str:
        """This feed's address with these changes; changing a facet goes back to page 1."""
        current = {**(params or {}), "rating": facets.rating, "status": facets.status}
        return catalog.url(view, *args, **{**current, **changes})

    kind_type = catalog.feed_type(ACQUISITION_KIND)
    self_href = href(page=_page_param(page.number))
    links = catalog.common_links(self_href, ACQUISITION_KIND, up)
    links += _pagination(page, lambda number: href(page=_page_param(number)), kind_type)
    links += _facet_links(catalog, href, facets)
    formats = export_formats()
    signed_in = catalog.user.is_authenticated
    entries = [
        _with_series_links(catalog, publication(w, catalog.base, formats, signed_in=signed_in))
        for w in page
    ]
    updated = max((entry.updated for entry in entries), default=timezone.now())
    feed = catalog.feed(self_href, title, ACQUISITION_KIND, updated, links)
    feed.publications = entries
    feed.total, feed.per_page, feed.page = page.paginator.count, PAGE_SIZE, page.number
    return feed


def _navigation_feed(
    catalog: Catalog,
    entries: list[NavigationEntry],
    *,
    title: str,
    view: str,
    page: Page[Any] | None = None,
) -> Feed:
    def href(number: int) -> str:
        return catalog.url(view, page=_page_param(number))

    self_href = href(page.number if page else 1)
    up = catalog.link("up", NAVIGATION_KIND, "root", title=settings.SITE_NAME)
    links = catalog.common_links(self_href, NAVIGATION_KIND, up)
    if page is not None:
        links += _pagination(page, href, catalog.feed_type(NAVIGATION_KIND))
    updated = max((entry.updated for entry in entries), default=timezone.now())
    feed = catalog.feed(self_href, title, NAVIGATION_KIND, updated, links)
    feed.navigation = entries
    if page is not None:
        feed.total, feed.per_page, feed.page = (
            page.paginator.count,
            NAVIGATION_PAGE_SIZE,
            page.number,
        )
    return feed


def _count_label(count: int) -> str:
    return f"{count} work" if count == 1 else f"{count} works"


def _tag_entry(catalog: Catalog, tag: Tag) -> NavigationEntry:
    count = getattr(tag, "work_count", 0)
    href = catalog.url("tag", tag_to_url(tag.name))
    return NavigationEntry(
        id=href,
        title=tag.name,
        updated=getattr(tag, "last_update", None) or tag.created_at,
        summary=_count_label(count),
        link=Link(href, "subsection", catalog.feed_type(ACQUISITION_KIND), tag.name, count=count),
    )


# -- the feeds ----------------------------------------------------------------------------


def root(catalog: Catalog) -> Feed:
    updated = queries.newest_update(catalog.user) or timezone.now()

    def entry(title: str, summary: str, view: str, kind: str, rel: str) -> NavigationEntry:
        link = catalog.link(rel, kind, view, title=title)
        return NavigationEntry(link.href, title, updated, summary, link)

    entries = [entry(*item) for item in ROOT_ENTRIES]
    self_href = catalog.url("root")
    feed = catalog.feed(
        self_href,
        settings.SITE_NAME,
        NAVIGATION_KIND,
        updated,
        catalog.common_links(self_href, NAVIGATION_KIND, None),
    )
    feed.navigation = entries
    return feed


def recent(catalog: Catalog, listing: Listing) -> Feed:
    up = catalog.link("up", NAVIGATION_KIND, "root", title=settings.SITE_NAME)
    works = listed_works(catalog.user)
    return _works_feed(catalog, works, listing, title="Recently updated", view="recent", up=up)


def fandoms(catalog: Catalog, page_number: str | None) -> Feed:
    page = Paginator(queries.fandoms(catalog.user), NAVIGATION_PAGE_SIZE).get_page(page_number)
    entries = [_tag_entry(catalog, tag) for tag in page]
    return _navigation_feed(catalog, entries, title="Fandoms", view="fandoms", page=page)


def popular_tags(catalog: Catalog) -> Feed:
    tags = queries.popular_tags(catalog.user, POPULAR_TAG_COUNT)
    entries = [_tag_entry(catalog, tag) for tag in tags]
    return _navigation_feed(catalog, entries, title="Popular tags", view="top_tags")


def tag(catalog: Catalog, tag: Tag, listing: Listing) -> Feed:
    if tag.type == TagType.FANDOM:
        up = catalog.link("up", NAVIGATION_KIND, "fandoms", title="Fandoms")
    else:
        up = catalog.link("up", NAVIGATION_KIND, "top_tags", title="Popular tags")
    # Through the filter table: a synonym's and sub-tags' works are listed under a tag too.
    works = listed_works(catalog.user).filter(filter_taggings__filter_tag=tag.merger or tag)
    args = (tag_to_url(tag.name),)
    return _works_feed(catalog, works, listing, title=tag.name, view="tag", args=args, up=up)


def series_list(catalog: Catalog, page_number: str | None) -> Feed:
    found = queries.series_with_counts(catalog.user)
    page = Paginator(found, NAVIGATION_PAGE_SIZE).get_page(page_number)
    entries = []
    for series in page:
        count = getattr(series, "work_count", 0)
        href = catalog.url("series", series.pk)
        kind_type = catalog.feed_type(ACQUISITION_KIND)
        link = Link(href, "subsection", kind_type, series.title, count=count)
        summary = _count_label(count) + (", complete" if series.complete else "")
        updated = getattr(series, "last_update", None) or series.updated_at
        entries.append(NavigationEntry(href, series.title, updated, summary, link))
    return _navigation_feed(catalog, entries, title="Series", view="series_list", page=page)


def series(catalog: Catalog, series: Series, listing: Listing) -> Feed:
    up = catalog.link("up", NAVIGATION_KIND, "series_list", title="Series")
    works = series_works(catalog.user, series)
    title, args = series.title, (series.pk,)
    feed = _works_feed(catalog, works, listing, title=title, view="series", args=args, up=up)
    feed.subtitle = series.summary  # the description, as on the series' page
    return feed


def _found(catalog: Catalog, query: str) -> QuerySet[Work]:
    """The archive's full-text search; a query it cannot read finds nothing (an e-reader app
    has nowhere to show the message)."""
    if not query:
        return Work.objects.none()
    try:
        return search_services.search(catalog.user, query).works
    except search_services.SearchError:
        return Work.objects.none()


def search(catalog: Catalog, query: str, listing: Listing) -> Feed:
    query = " ".join(query.split())
    up = catalog.link("up", NAVIGATION_KIND, "root", title=settings.SITE_NAME)
    works = _found(catalog, query)
    title = f"Search: {query}" if query else "Search"
    params = {"query": query}
    return _works_feed(catalog, works, listing, title=title, view="search", params=params, up=up)
