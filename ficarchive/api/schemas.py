"""What the API answers with, as typed schemas: they are the OpenAPI description's too."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[dict[str, str]] | None = None


class Creator(Schema):
    pseud: str
    user: str
    url: str


class SeriesPart(Schema):
    id: int
    title: str
    part: int
    url: str


class Stats(Schema):
    words: int
    chapters: int
    expected_chapters: int | None
    kudos: int
    comments: int
    bookmarks: int
    hits: int


class WorkSummary(Schema):
    """A work as a list shows it: AO3's blurb."""

    id: int
    url: str
    title: str
    creators: list[Creator]
    summary_html: str
    language: str
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    additional_tags: list[str]
    series: list[SeriesPart]
    complete: bool
    restricted: bool
    posted: bool
    published_at: datetime | None
    updated_at: datetime | None
    stats: Stats


class ChapterEntry(Schema):
    id: int
    position: int
    title: str
    url: str
    api_url: str
    published_at: datetime | None
    draft: bool


class RelatedWork(Schema):
    id: int
    title: str
    url: str
    relation: str


class Download(Schema):
    format: str
    label: str
    url: str  # the web's address (a browser's session; guests)
    api_url: str  # the API's (a token's restricted works too)


class Work(WorkSummary):
    """One work: its blurb, its notes, chapters, related works and downloads."""

    notes_html: str
    end_notes_html: str
    chapters: list[ChapterEntry]
    inspired_by: list[RelatedWork]
    inspired: list[RelatedWork]
    downloads: list[Download]


class WorkPage(Schema):
    """A page of works and the address of the next page (None on the last)."""

    works: list[WorkSummary]
    next: str | None


class Chapter(Schema):
    id: int
    work_id: int
    position: int
    title: str
    url: str
    summary_html: str
    notes_html: str
    end_notes_html: str
    words: int
    draft: bool
    published_at: datetime | None
    text_html: str | None = None
    text: str | None = None


class Tag(Schema):
    id: int
    name: str
    type: str
    canonical: bool
    url: str
    synonym_of: str | None
    synonyms: list[str]
    parents: list[str]
    works: int
