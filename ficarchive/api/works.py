"""`/api/v1/works`: the works a caller may see, listed with Sort and Filter's fields and the
search's query language, one work whole, and a chapter's text.

The reads are the web's own: `search.filters` for lists (mutes applied to a signed-in caller's),
`works.web.visible_work` for a work (drafts only to their creators, restricted works only to a
signed-in caller), `works.queries.chapter_index` for the chapters a caller sees. An API read
counts no hit: scripts re-read, and a hit is a reader's visit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from ficarchive.accounts.models import Pseud
from ficarchive.api import kept, schemas
from ficarchive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, next_link, page
from ficarchive.api.problems import Problem
from ficarchive.exports.formats import export_formats, file_name
from ficarchive.search import filters
from ficarchive.search.services import MAX_TAG_FILTERS, SORTS, SearchError
from ficarchive.tags.models import Tag
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import (
    chapter_index,
    is_creator,
    series_parts,
    tag_is_shown,
    with_blurb_data,
    work_chapter,
)
from ficarchive.works.related import Related, reader, related_of
from ficarchive.works.web import visible_work

router = Router(tags=["works"])
ERRORS: dict[int, type[Schema]] = {
    400: schemas.Problem,
    401: schemas.Problem,
    404: schemas.Problem,
    422: schemas.Problem,
    429: schemas.Problem,
}


class WorkFilters(Schema):
    """Sort and Filter's fields, as `/works?…` takes them on the web."""

    sort: str = Field("updated", max_length=20)
    q: str = Field("", max_length=1000)
    tag: str = Field("", max_length=150)
    include: list[int] = Field([], max_length=MAX_TAG_FILTERS)
    exclude: list[int] = Field([], max_length=MAX_TAG_FILTERS)
    other_include: str = Field("", max_length=1000)
    other_exclude: str = Field("", max_length=1000)
    crossover: str = Field("", max_length=10)
    complete: str = Field("", max_length=10)
    words_from: int | None = Field(None, ge=0)
    words_to: int | None = Field(None, ge=0)
    updated_from: date | None = None
    updated_to: date | None = None
    language: str = Field("", max_length=10)
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def creator(request: HttpRequest, pseud: Pseud) -> dict[str, str]:
    """A pseud on a byline (`schemas.Creator`): its name, its user's, its page."""
    return {
        "pseud": pseud.name,
        "user": pseud.user.username,
        "url": absolute(request, pseud.get_absolute_url()),
    }


def summary(request: HttpRequest, work: Work) -> dict[str, Any]:
    """A work's blurb (`work` loaded `with_blurb_data`)."""
    signed_in = bool(request.user.is_authenticated)
    return {
        "id": work.pk,
        "url": absolute(request, work.get_absolute_url()),
        "title": work.title,
        "creators": [creator(request, pseud) for pseud in work.creators],
        "summary_html": work.summary,
        "language": work.language,
        "rating": work.rating,
        "warnings": work.warnings,
        "categories": work.categories,
        "fandoms": [tag.name for tag in work.fandoms],
        "relationships": [tag.name for tag in work.relationships],
        "characters": [tag.name for tag in work.characters],
        "additional_tags": [tag.name for tag in work.freeforms],
        "series": [
            {
                "id": part.series.pk,
                "title": part.series.title,
                "part": part.number,
                "url": absolute(request, part.series.get_absolute_url()),
            }
            for part in series_parts(work, signed_in)
        ],
        "complete": work.complete,
        "restricted": work.restricted,
        "posted": work.posted,
        "published_at": work.published_at,
        "updated_at": work.updated_at,
        "stats": {
            "words": work.word_count,
            "chapters": work.chapter_count,
            "expected_chapters": work.expected_chapters,
            "kudos": work.kudos_count,
            "comments": work.comments_count,
            "bookmarks": work.bookmarks_count,
            "hits": work.hits,
        },
    }


def _tag(request: HttpRequest, name: str) -> Tag | None:
    if not name:
        return None
    tag = Tag.objects.select_related("merger").filter(name__iexact=name.strip()).first()
    if tag is None or not tag_is_shown(request.user, tag):
        raise Problem(404, f"There is no tag {name!r}.", "tag")
    return tag.merger or tag


@router.get(
    "/works",
    response={200: schemas.WorkPage, **ERRORS},
    summary="List works",
    operation_id="listWorks",
)
def list_works(request: HttpRequest, params: Query[WorkFilters]) -> HttpResponse | dict[str, Any]:
    """The works the caller may see, newest update first unless `sort` says otherwise
    (`best`, `updated`, `posted`, `words`, `kudos`, `hits`, `comments`, `bookmarks`, `title`,
    `creator`), narrowed by the web's Sort and Filter fields and by `q` in the search's query
    language (`words>1000 fandom:"Good Omens" -sad`). `tag` lists a tag's works (its synonyms'
    and sub-tags' too). `next` is the address of the next page."""

    def make() -> dict[str, Any]:
        return works_page(request, params)

    if params.other_include or params.other_exclude:
        return kept.for_guests(request, kept.list_stamp, kept.LIST_SECONDS, schemas.WorkPage, make)
    return kept.for_readers(request, schemas.WorkPage, make)


def works_page(
    request: HttpRequest, params: WorkFilters, *, within: Q | None = None
) -> dict[str, Any]:
    """A page of the works the caller may see that pass Sort and Filter's fields (and are
    `within` a list, such as a user's works), as the web's lists search them."""
    if params.sort not in SORTS:
        raise Problem(400, f"{params.sort!r} is not a way to sort; use {', '.join(SORTS)}.", "sort")
    fields = params.dict(exclude={"cursor", "limit", "tag"})
    fields = {key: ("" if value is None else value) for key, value in fields.items()}
    for key in ("updated_from", "updated_to"):
        if fields[key]:
            fields[key] = fields[key].isoformat()
    try:
        work_filter = filters.read_filter(fields, default_sort="updated")
        results, _ = filters.search_works(
            request.user, work_filter, within=within, tag=_tag(request, params.tag)
        )
    except filters.FilterError as error:
        raise Problem(400, str(error), error.field) from None
    except SearchError as error:
        raise Problem(400, f"q: {error}", "q") from None
    works, cursor = page(with_blurb_data(results.works), params.sort, params.cursor, params.limit)
    return {"works": [summary(request, work) for work in works], "next": next_link(request, cursor)}


def _related(request: HttpRequest, items: list[Related]) -> list[dict[str, Any]]:
    return [
        {
            "id": item.work.pk,
            "title": item.work.title,
            "url": absolute(request, item.work.get_absolute_url()),
            "relation": item.link.get_kind_display(),
        }
        for item in items
    ]


def _chapter_entry(request: HttpRequest, chapter: Chapter) -> dict[str, Any]:
    return {
        "id": chapter.pk,
        "position": chapter.position,
        "title": chapter.title,
        "url": absolute(request, chapter.get_absolute_url()),
        "api_url": absolute(request, reverse("api:chapter", args=[chapter.work_id, chapter.pk])),
        "published_at": chapter.published_at,
        "draft": chapter.draft,
    }


@router.get(
    "/works/{work_id}",
    response={200: schemas.Work, **ERRORS},
    summary="One work",
    operation_id="getWork",
)
def get_work(request: HttpRequest, work_id: int) -> HttpResponse | dict[str, Any]:
    """A work with its tags, creators, series, stats, chapters (drafts too for its
    creators), related works and download addresses."""
    return kept.for_guests(
        request,
        lambda: kept.work_stamp(work_id),
        kept.WORK_SECONDS,
        schemas.Work,
        lambda: work_answer(request, work_id),
    )


def work_answer(request: HttpRequest, work_id: int) -> dict[str, Any]:
    work = visible_work(request, work_id)
    related = related_of(work, reader(request.user))
    stem = reverse("exports:download", args=[work.pk, file_name(work.title), "x"])[:-1]
    return {
        **summary(request, work),
        "notes_html": work.notes,
        "end_notes_html": work.end_notes,
        "chapters": [_chapter_entry(request, c) for c in chapter_index(work, request.user)],
        "inspired_by": _related(request, related.parents),
        "inspired": _related(request, related.children),
        "downloads": [
            {
                "format": f.extension,
                "label": f.label,
                "url": absolute(request, stem + f.extension),
                "api_url": absolute(request, reverse("api:download", args=[work.pk, f.extension])),
            }
            for f in export_formats()
        ]
        if work.posted
        else [],
    }


@router.get(
    "/works/{work_id}/chapters/{chapter_id}",
    response={200: schemas.Chapter, **ERRORS},
    url_name="chapter",
    summary="A chapter's text",
    operation_id="getChapter",
)
def get_chapter(
    request: HttpRequest, work_id: int, chapter_id: int
) -> HttpResponse | dict[str, Any]:
    """A chapter with its text as sanitized HTML (`text_html`) and as plain text (`text`);
    a draft chapter only for the work's creators."""
    return kept.for_guests(
        request,
        lambda: kept.work_stamp(work_id),
        kept.WORK_SECONDS,
        schemas.Chapter,
        lambda: chapter_answer(request, work_id, chapter_id),
    )


def chapter_answer(request: HttpRequest, work_id: int, chapter_id: int) -> dict[str, Any]:
    work = visible_work(request, work_id)
    chapter = work_chapter(work, chapter_id)
    if chapter is None or (chapter.draft and not is_creator(request.user, work)):
        raise Http404("No such chapter in this work.")
    return {
        "id": chapter.pk,
        "work_id": work.pk,
        "position": chapter.position,
        "title": chapter.title,
        "url": absolute(request, chapter.get_absolute_url()),
        "summary_html": chapter.summary,
        "notes_html": chapter.notes,
        "end_notes_html": chapter.end_notes,
        "words": chapter.word_count,
        "draft": chapter.draft,
        "published_at": chapter.published_at,
        "text_html": chapter.body,
        "text": html_to_text(chapter.body),
    }


@router.get(
    "/tags/{name}",
    response={200: schemas.Tag, **ERRORS},
    summary="One tag",
    operation_id="getTag",
)
def get_tag(request: HttpRequest, name: str) -> HttpResponse | dict[str, Any]:
    """A tag: its type, whether it is canonical, what it is a synonym of, its synonyms and
    parents (meta tags), and how many works the caller may see carry it (through its
    synonyms and sub-tags too)."""
    tag = get_object_or_404(Tag.objects.select_related("merger"), name__iexact=name.strip())
    if not tag_is_shown(request.user, tag):
        raise Http404("No tag found.")
    canonical = tag.merger or tag
    results, _ = filters.search_works(request.user, filters.WorkFilter(), tag=canonical)
    return {
        "id": tag.pk,
        "name": tag.name,
        "type": tag.type,
        "canonical": tag.canonical,
        "url": absolute(request, canonical.get_absolute_url()),
        "synonym_of": tag.merger.name if tag.merger else None,
        "synonyms": sorted(t.name for t in canonical.synonyms.all()),
        "parents": sorted(t.name for t in canonical.parents.all()),
        "works": results.works.count(),
    }
