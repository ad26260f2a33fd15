"""Users, pseuds and series through the API, with their works.

The reads are the web's own, so a caller sees here what the same reader sees on the web's pages:
`/users/{u}` counts as `community.people_views.user_page` does (works through `listed_works`,
series through `series.series_of_user`, bookmarks through `bookmarks.visible_bookmarks`); a
user's or a pseud's works are a search narrowed to theirs (`filters.search_works`), as
`/users/{u}/works` is, so a signed-in caller's mutes apply; a user's drafts only to that user
(`queries.drafts_of`, as `/users/{u}/works/drafts`); a series shows the parts the caller may see
(`queries.series_works`) and is 404 when there are none, unless the caller is its creator (as
`series_views.series_page`). Deleted and deactivated users are not found; `orphan_account` is a
user like any other, holding the orphaned works.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, P, PathEx, Query, Router, Schema

from ficarchive.accounts.models import Pseud, User
from ficarchive.accounts.services import find_pseud
from ficarchive.accounts.types import AnyUser
from ficarchive.api import kept, schemas
from ficarchive.api.auth import reader
from ficarchive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, next_link, page_by
from ficarchive.api.problems import Problem
from ficarchive.api.works import ERRORS, WorkFilters, absolute, creator, summary, works_page
from ficarchive.community.bookmarks import visible_bookmarks
from ficarchive.works.models import Creatorship, Series, Work
from ficarchive.works.queries import drafts_of, listed_works, series_works, with_blurb_data
from ficarchive.works.series import is_series_creator, series_of_user, series_stats

router = Router(tags=["people"])

# Names are 40 characters at most: up to 150 is "not found" (404), a longer one invalid (422).
NAME = P(max_length=150)


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PseudLink(Schema):
    name: str
    url: str
    api_url: str


class UserOut(Schema):
    """A user as their page shows them: their pseuds, and the works, series and bookmarks
    of theirs the caller may see."""

    username: str
    url: str
    pseuds: list[PseudLink]
    works: int
    series: int
    bookmarks: int
    works_url: str
    series_url: str


class PseudOut(Schema):
    """A pseud as its page shows it: its byline, description and the works the caller may
    see."""

    name: str
    user: str
    byline: str
    url: str
    description_html: str
    user_url: str
    works: int
    works_url: str


class SeriesEntry(Schema):
    """A series as a user's list of series shows it."""

    id: int
    title: str
    url: str
    api_url: str
    creators: list[schemas.Creator]
    complete: bool
    works: int  # the parts the caller may see


class SeriesPage(Schema):
    """A page of series and the address of the next page (None on the last)."""

    series: list[SeriesEntry]
    next: str | None


class NumberedWork(schemas.WorkSummary):
    """A series' part: its number among the parts the caller sees, and its blurb."""

    part: int


class SeriesOut(Schema):
    """A series with the parts the caller may see, in order; its words and dates are those
    parts'."""

    id: int
    title: str
    url: str
    creators: list[schemas.Creator]
    summary_html: str
    notes_html: str
    complete: bool
    words: int
    begun: datetime | None  # the first part published
    updated: datetime | None  # the latest change to a part
    works: list[NumberedWork]


def _api(request: HttpRequest, name: str, *args: Any) -> str:
    return absolute(request, reverse(f"api:{name}", args=args))


def _owner(username: str) -> User:
    """The active user of that name (any case), as the web's user pages find them."""
    owner = User.objects.filter(username__iexact=username, is_active=True).first()
    if owner is None:
        raise Problem(404, f"There is no user {username!r}.", "username")
    return owner


def _pseud(username: str, name: str) -> Pseud:
    found = find_pseud(username, name)
    if found is None:
        _owner(username)  # a user who is not there is named as such
        raise Problem(404, f"{username!r} has no pseud {name!r}.", "pseud")
    return found


def visible_series(user: AnyUser, series_id: int) -> Series:
    """The series, if it has a part this reader may see or they are one of its creators: as the
    web's series page finds it; otherwise not found."""
    found = Series.objects.prefetch_related("pseuds__user").filter(pk=series_id).first()
    if found is None or not (series_works(user, found).exists() or is_series_creator(user, found)):
        raise Problem(404, f"There is no series {series_id}.", "series_id")
    return found


def _works_page(
    request: HttpRequest, credited: QuerySet[Creatorship], params: WorkFilters
) -> dict[str, Any]:
    """A page of the credited works the caller may see, less their mutes, narrowed and sorted
    by Sort and Filter's fields: the search the web's lists of a user's or a pseud's works
    make."""
    return works_page(request, params, within=Q(pk__in=credited.values("work_id")))


def _for_guests(
    request: HttpRequest, schema: type[Schema], make: Callable[[], dict[str, Any]]
) -> HttpResponse | dict[str, Any]:
    """Kept for guests as the lists of works are: every works event moves the stamp on."""
    return kept.for_guests(request, kept.list_stamp, kept.LIST_SECONDS, schema, make)


@router.get(
    "/users/{username}",
    response={200: UserOut, **ERRORS},
    url_name="user",
    summary="One user",
    operation_id="getUser",
)
def get_user(request: HttpRequest, username: PathEx[str, NAME]) -> HttpResponse | dict[str, Any]:
    """A user: their pseuds, and how many of their works, series and bookmarks the caller may
    see. `works_url` lists the works, `series_url` the series."""
    return _for_guests(request, UserOut, lambda: _user_answer(request, username))


def _user_answer(request: HttpRequest, username: str) -> dict[str, Any]:
    owner = _owner(username)
    works = listed_works(request.user).filter(creatorships__pseud__user=owner).distinct()
    return {
        "username": owner.username,
        "url": absolute(request, owner.get_absolute_url()),
        "pseuds": [
            {
                "name": pseud.name,
                "url": absolute(request, pseud.get_absolute_url()),
                "api_url": _api(request, "pseud", owner.username, pseud.name),
            }
            for pseud in owner.pseuds.all()
        ],
        "works": works.count(),
        "series": series_of_user(request.user, owner).count(),
        "bookmarks": visible_bookmarks(request.user).filter(user=owner).count(),
        "works_url": _api(request, "user_works", owner.username),
        "series_url": _api(request, "user_series", owner.username),
    }


@router.get(
    "/users/{username}/works",
    response={200: schemas.WorkPage, **ERRORS},
    url_name="user_works",
    summary="A user's works",
    operation_id="listUserWorks",
)
def list_user_works(
    request: HttpRequest, username: PathEx[str, NAME], params: Query[WorkFilters]
) -> HttpResponse | dict[str, Any]:
    """The posted works credited to any of the user's pseuds that the caller may see (less
    the caller's mutes), newest update first, narrowed and sorted by the fields of `/works`
    (Sort and Filter, `q`, `tag`). `next` is the address of the next page."""

    def make() -> dict[str, Any]:
        owner = _owner(username)
        return _works_page(request, Creatorship.objects.filter(pseud__user=owner), params)

    return _for_guests(request, schemas.WorkPage, make)


@router.get(
    "/users/{username}/works/drafts",
    response={200: schemas.WorkPage, **ERRORS},
    summary="Your drafts",
    operation_id="listUserDrafts",
)
def list_user_drafts(
    request: HttpRequest, username: PathEx[str, NAME], params: Query[PageParams]
) -> dict[str, Any]:
    """The caller's own drafts (works not posted yet), last edited first; only for the
    caller's own user name (401 without a token, 404 for anyone else's)."""
    user = reader(request)
    if user.username.lower() != username.lower():
        raise Problem(404, "Only its user can see a user's drafts.", "username")
    drafts = Work.objects.filter(pk__in=drafts_of(user).values("pk"))  # each once
    works, cursor = page_by(
        with_blurb_data(drafts), "drafts", "-edited_at", params.cursor, params.limit
    )
    return {"works": [summary(request, work) for work in works], "next": next_link(request, cursor)}


@router.get(
    "/users/{username}/pseuds/{pseud}",
    response={200: PseudOut, **ERRORS},
    url_name="pseud",
    summary="One pseud",
    operation_id="getPseud",
)
def get_pseud(
    request: HttpRequest, username: PathEx[str, NAME], pseud: PathEx[str, NAME]
) -> HttpResponse | dict[str, Any]:
    """A pseud: its byline, its description and how many of its works the caller may see.
    `works_url` lists them."""
    return _for_guests(request, PseudOut, lambda: _pseud_answer(request, username, pseud))


def _pseud_answer(request: HttpRequest, username: str, name: str) -> dict[str, Any]:
    found = _pseud(username, name)
    owner = found.user
    return {
        "name": found.name,
        "user": owner.username,
        "byline": found.byline,
        "url": absolute(request, found.get_absolute_url()),
        "description_html": found.description,
        "user_url": _api(request, "user", owner.username),
        "works": listed_works(request.user).filter(creatorships__pseud=found).count(),
        "works_url": _api(request, "pseud_works", owner.username, found.name),
    }


@router.get(
    "/users/{username}/pseuds/{pseud}/works",
    response={200: schemas.WorkPage, **ERRORS},
    url_name="pseud_works",
    summary="A pseud's works",
    operation_id="listPseudWorks",
)
def list_pseud_works(
    request: HttpRequest,
    username: PathEx[str, NAME],
    pseud: PathEx[str, NAME],
    params: Query[WorkFilters],
) -> HttpResponse | dict[str, Any]:
    """The posted works credited to the pseud that the caller may see (less the caller's
    mutes), newest update first, narrowed and sorted by the fields of `/works`. `next` is the
    address of the next page."""

    def make() -> dict[str, Any]:
        found = _pseud(username, pseud)
        return _works_page(request, Creatorship.objects.filter(pseud=found), params)

    return _for_guests(request, schemas.WorkPage, make)


@router.get(
    "/users/{username}/series",
    response={200: SeriesPage, **ERRORS},
    url_name="user_series",
    summary="A user's series",
    operation_id="listUserSeries",
)
def list_user_series(
    request: HttpRequest, username: PathEx[str, NAME], params: Query[PageParams]
) -> HttpResponse | dict[str, Any]:
    """The user's series with a part the caller may see (their own, all of them), latest
    changed first, each with how many parts the caller may see. `next` is the address of the
    next page."""
    return _for_guests(request, SeriesPage, lambda: _series_page(request, username, params))


def _series_page(request: HttpRequest, username: str, params: PageParams) -> dict[str, Any]:
    owner = _owner(username)
    listed = series_of_user(request.user, owner).prefetch_related("pseuds__user")
    found, cursor = page_by(listed, "series", "-updated_at", params.cursor, params.limit)
    return {
        "series": [
            {
                "id": series.pk,
                "title": series.title,
                "url": absolute(request, series.get_absolute_url()),
                "api_url": _api(request, "series", series.pk),
                "creators": [creator(request, pseud) for pseud in series.pseuds.all()],
                "complete": series.complete,
                "works": series.work_count,  # type: ignore[attr-defined]
            }
            for series in found
        ],
        "next": next_link(request, cursor),
    }


@router.get(
    "/series/{series_id}",
    response={200: SeriesOut, **ERRORS},
    url_name="series",
    summary="One series",
    operation_id="getSeries",
)
def get_series(request: HttpRequest, series_id: int) -> HttpResponse | dict[str, Any]:
    """A series with its description, notes and the parts the caller may see, in order and
    numbered among themselves; its words and dates are theirs. A series without a part the
    caller may see is not found, but to its creators."""
    return _for_guests(request, SeriesOut, lambda: _series_answer(request, series_id))


def _series_answer(request: HttpRequest, series_id: int) -> dict[str, Any]:
    series = visible_series(request.user, series_id)
    works = list(with_blurb_data(series_works(request.user, series)))
    stats = series_stats(works)
    return {
        "id": series.pk,
        "title": series.title,
        "url": absolute(request, series.get_absolute_url()),
        "creators": [creator(request, pseud) for pseud in series.pseuds.all()],
        "summary_html": series.summary,
        "notes_html": series.notes,
        "complete": series.complete,
        "words": stats.words,
        "begun": stats.begun,
        "updated": stats.updated,
        "works": [
            {**summary(request, work), "part": number} for number, work in enumerate(works, 1)
        ],
    }
