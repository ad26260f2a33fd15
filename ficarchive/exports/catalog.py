"""Feeds as plain data: what a catalog page or an Atom feed says, before it is XML or JSON.

`opds.py` builds the catalog's feeds from the database into these classes; `atom.py` writes
them as Atom (OPDS 1.2 and plain feeds), `opds2.py` as OPDS 2.0 JSON. A work becomes one
`Publication` the same way everywhere, so every feed describes it alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.urls import reverse

from ficarchive.exports.epub import book_identifier
from ficarchive.exports.formats import ExportFormat, file_name
from ficarchive.exports.services import answers_at_once
from ficarchive.tags.models import TagType, tag_works_url
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import LANGUAGES, Work
from ficarchive.works.queries import series_parts

ACQUISITION = "http://opds-spec.org/acquisition"
NAVIGATION_KIND = "navigation"
ACQUISITION_KIND = "acquisition"
LANGUAGE_NAMES = dict(LANGUAGES)


def tag_scheme(tag_type: str) -> str:
    """The `scheme` of a tag's category: names its type, the same on every archive."""
    return f"urn:ficarchive:tag-type:{tag_type}"


@dataclass(frozen=True)
class Link:
    href: str
    rel: str
    type: str
    title: str = ""
    facet_group: str = ""  # set on facet links only
    active: bool = False  # the facet in use
    count: int | None = None  # works behind a navigation link
    templated: bool = False  # an OPDS 2.0 URI template


@dataclass(frozen=True)
class Person:
    name: str
    uri: str


@dataclass(frozen=True)
class Category:
    term: str
    label: str
    scheme: str


@dataclass(frozen=True)
class SeriesPart:
    series_id: int
    title: str
    position: int
    href: str = ""  # the series' catalog feed, where there is one


@dataclass
class Publication:
    """One work, as a feed entry."""

    id: str
    title: str
    updated: datetime
    published: datetime | None
    authors: list[Person]
    summary: str  # plain text
    content: str  # HTML: the sanitized summary, stats and tags
    language: str
    categories: list[Category]
    links: list[Link]  # the work page, then a download per format, EPUB first
    series: list[SeriesPart] = field(default_factory=list)


@dataclass
class NavigationEntry:
    """A link to another feed: a fandom, a tag, a series, a list."""

    id: str
    title: str
    updated: datetime
    summary: str
    link: Link


@dataclass
class Feed:
    id: str
    title: str
    updated: datetime
    kind: str  # NAVIGATION_KIND or ACQUISITION_KIND; "" for a plain Atom feed
    author: Person
    links: list[Link]
    navigation: list[NavigationEntry] = field(default_factory=list)
    publications: list[Publication] = field(default_factory=list)
    total: int | None = None  # works in all pages, for paginated feeds
    per_page: int | None = None
    page: int | None = None
    subtitle: str = ""  # sanitized HTML: a series' description

    def link(self, rel: str) -> Link | None:
        return next((link for link in self.links if link.rel == rel), None)


def _dated(work: Work) -> datetime:
    return work.updated_at or work.published_at or work.edited_at


def _tag_list(base: str, label: str, tags: list[str]) -> str:
    links = ", ".join(f'<a href="{escape(base + tag_works_url(t))}">{escape(t)}</a>' for t in tags)
    return f"<li>{escape(label)}: {links}</li>"


def entry_html(work: Work, base: str, *, signed_in: bool = False) -> str:
    """What a feed reader shows for a work, as AO3's feeds do: summary, stats, tags; series
    parts numbered as a logged-in (`signed_in`) or logged-out reader sees them."""
    parts = [work.summary] if work.summary else []
    stats = [
        f"Words: {work.word_count:,}",
        f"Chapters: {work.chapters_label}",
        f"Language: {LANGUAGE_NAMES.get(work.language, work.language)}",
    ]
    parts.append(f"<p>{escape(', '.join(stats))}</p>")
    groups = [
        ("Rating", work.ratings_tags),
        ("Archive Warnings", work.warning_tags),
        ("Categories", work.category_tags),
        ("Fandoms", work.fandoms),
        ("Relationships", work.relationships),
        ("Characters", work.characters),
        ("Additional Tags", work.freeforms),
    ]
    items = [_tag_list(base, label, [t.name for t in tags]) for label, tags in groups if tags]
    for part in series_parts(work, signed_in):
        href = escape(base + part.series.get_absolute_url())
        title = escape(part.series.title)
        items.append(f'<li>Series: Part {part.number} of <a href="{href}">{title}</a></li>')
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "\n".join(parts)


def download_links(work: Work, base: str, formats: Sequence[ExportFormat]) -> list[Link]:
    name = file_name(work.title)
    return [
        Link(
            href=base + reverse("exports:download", args=[work.pk, name, export.extension]),
            rel=ACQUISITION,
            type=export.media_type,
            title=export.label,
        )
        # EPUB first: the format every e-reader app takes.
        for export in sorted(formats, key=lambda export: export.extension != "epub")
        # Formats still to be made by a job are left out until their file exists.
        if answers_at_once(work, export)
    ]


def publication(
    work: Work, base: str, formats: Sequence[ExportFormat] = (), *, signed_in: bool = False
) -> Publication:
    """A work with its creators, tags and series prefetched (`with_blurb_data`) as an entry,
    with a download link for each of `formats`; `base` is the archive's address
    (`https://fics.example.org`) that every link starts with. Series parts are numbered as a
    logged-in (`signed_in`) or logged-out reader sees them."""
    links = [Link(base + work.get_absolute_url(), "alternate", "text/html", work.title)]
    links += download_links(work, base, formats)
    return Publication(
        id=book_identifier(work),
        title=work.title,
        updated=_dated(work),
        published=work.published_at,
        authors=[Person(p.byline, base + p.get_absolute_url()) for p in work.creators],
        summary=" ".join(html_to_text(work.summary).split()),
        content=entry_html(work, base, signed_in=signed_in),
        language=work.language,
        categories=[
            Category(tag.name, tag.name, tag_scheme(tag.type))
            for tag in work.sorted_tags
            if tag.type in TagType.values
        ],
        links=links,
        series=[
            SeriesPart(part.series.pk, part.series.title, part.number)
            for part in series_parts(work, signed_in)
        ],
    )
