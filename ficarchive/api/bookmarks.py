"""Bookmarks and subscriptions through the API, with the web's rules and messages.

Lists are the web's own reads: a work's bookmarks as its Bookmarks page shows them (public
ones, and the caller's own), a user's through `community.bookmarks.visible_bookmarks` (private
ones to their owner alone; none of a work the caller may not see, or of a creator they muted).
Changes go through `community.bookmarks` and `community.subscriptions`, as the web's forms and
buttons do. A creator's block stops neither a bookmark nor a subscription, as on the web: the
blocked subscriber is only never told of updates (`subscriptions._recipients`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, P, PathEx, Query, Router, Schema, Status

from ficarchive.accounts.models import User
from ficarchive.api import schemas
from ficarchive.api.auth import reader, writer
from ficarchive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, next_link, page_by
from ficarchive.api.people import visible_series
from ficarchive.api.problems import Problem
from ficarchive.api.works import absolute, creator, summary
from ficarchive.api.writing import ERRORS
from ficarchive.community import bookmarks, subscriptions
from ficarchive.community import models as community
from ficarchive.community.bookmarks import BookmarkData, BookmarkError
from ficarchive.community.subscriptions import SubscriptionError
from ficarchive.plain_sql import ID_RANGE
from ficarchive.works.models import Series, Work
from ficarchive.works.queries import with_creators
from ficarchive.works.web import visible_work

router = Router(tags=["bookmarks"])

USERNAME_MAX = 40  # accounts.User.username
Username = PathEx[str, P(max_length=USERNAME_MAX)]
TAGS_FIELD_MAX = 2000  # the bookmark form's "Your tags" field, all names with their commas
NO_LONGER_POSTED = "A work that is no longer posted"  # as the subscriptions page says it


class BookmarkedSeries(Schema):
    id: int
    title: str
    url: str
    creators: list[schemas.Creator]


class Bookmark(Schema):
    """A bookmark: of a work (`work`, its blurb) or of a series (`series`), with the
    bookmarker's notes (sanitized HTML) and tags. `url` is the bookmark on its owner's
    bookmarks page."""

    id: int
    url: str
    work: schemas.WorkSummary | None
    series: BookmarkedSeries | None
    bookmarker: schemas.Creator
    notes_html: str
    tags: list[str]
    private: bool
    rec: bool
    created_at: datetime
    updated_at: datetime


class BookmarkPage(Schema):
    """A page of bookmarks, newest first, and the address of the next page (None on the last)."""

    bookmarks: list[Bookmark]
    next: str | None


class BookmarkFields(Schema):
    """The bookmark form's fields. On a change (or a second bookmark of the same work), the
    fields left out keep their values, as the form shows them filled in."""

    notes: str | None = None  # plain text or HTML, at most 5,000 characters
    tags: list[str] | None = None  # the bookmarker's own tags
    private: bool | None = None  # only its owner sees it
    rec: bool | None = None  # recommended to others


class Subscription(Schema):
    """What the caller follows: a work (new chapters), a user (new works) or a series (new
    parts). A work that is no longer posted keeps its id, without its title or address."""

    id: int
    kind: Literal["work", "user", "series"]
    title: str
    url: str | None
    work_id: int | None
    username: str | None
    series_id: int | None
    created_at: datetime


class SubscriptionPage(Schema):
    subscriptions: list[Subscription]
    next: str | None


class Page(Schema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


# -- answers ---------------------------------------------------------------------------------


def _in_range(value: int, what: str) -> int:
    """An id a foreign key column can hold; a longer one names nothing. (A lookup by primary
    key needs no such guard: Django finds nothing for an id out of the column's range; SQLite
    refuses one compared with a foreign key.)"""
    if value not in ID_RANGE:
        raise Http404(f"No {what} found.")
    return value


def bookmark_answer(request: HttpRequest, bookmark: community.Bookmark) -> dict[str, Any]:
    """A bookmark loaded `with_list_data`, as its blurb shows it."""
    owner = bookmark.user
    on_page = reverse("community:user_bookmarks", args=[owner.username])
    series = bookmark.series
    return {
        "id": bookmark.pk,
        "url": absolute(request, f"{on_page}#bookmark_{bookmark.pk}"),
        "work": summary(request, bookmark.work) if bookmark.work is not None else None,
        "series": None
        if series is None
        else {
            "id": series.pk,
            "title": series.title,
            "url": absolute(request, series.get_absolute_url()),
            "creators": [creator(request, pseud) for pseud in series.pseuds.all()],
        },
        # A bookmark whose pseud was deleted is credited to its account, as its blurb does.
        "bookmarker": creator(request, bookmark.pseud)
        if bookmark.pseud is not None
        else {
            "pseud": owner.username,
            "user": owner.username,
            "url": absolute(request, owner.get_absolute_url()),
        },
        "notes_html": bookmark.notes,
        "tags": [tag.name for tag in bookmark.tags.all()],
        "private": bookmark.private,
        "rec": bookmark.rec,
        "created_at": bookmark.created_at,
        "updated_at": bookmark.updated_at,
    }


def _one(request: HttpRequest, bookmark_id: int) -> dict[str, Any]:
    found = bookmarks.with_list_data(community.Bookmark.objects.filter(pk=bookmark_id)).get()
    return bookmark_answer(request, found)


def _bookmark_page(
    request: HttpRequest, found: QuerySet[community.Bookmark], params: Page
) -> dict[str, Any]:
    items, cursor = page_by(
        bookmarks.with_list_data(found), "bookmarks", "-created_at", params.cursor, params.limit
    )
    return {
        "bookmarks": [bookmark_answer(request, bookmark) for bookmark in items],
        "next": next_link(request, cursor),
    }


def subscription_answer(
    request: HttpRequest, subscription: community.Subscription
) -> dict[str, Any]:
    """A subscription loaded with its work, creator and series, as the subscriptions page
    lists it."""
    answer: dict[str, Any] = {
        "id": subscription.pk,
        "work_id": subscription.work_id,
        "username": None,
        "series_id": subscription.series_id,
        "created_at": subscription.created_at,
    }
    if subscription.work is not None:
        work = subscription.work
        shown = work.posted
        title = work.title if shown else NO_LONGER_POSTED
        url = absolute(request, work.get_absolute_url()) if shown else None
        return {**answer, "kind": "work", "title": title, "url": url}
    if subscription.creator is not None:
        creator = subscription.creator
        return {
            **answer,
            "kind": "user",
            "title": creator.username,
            "username": creator.username,
            "url": absolute(request, creator.get_absolute_url()),
        }
    series = subscription.series
    assert series is not None  # a subscription has exactly one target (its check constraint)
    return {
        **answer,
        "kind": "series",
        "title": series.title,
        "url": absolute(request, series.get_absolute_url()),
    }


def _subscribed(
    request: HttpRequest, subscription: community.Subscription, new: bool
) -> Status[dict[str, Any]]:
    found = community.Subscription.objects.select_related("work", "creator", "series").get(
        pk=subscription.pk
    )
    return Status(201 if new else 200, subscription_answer(request, found))


# -- reading bookmarks -----------------------------------------------------------------------


def _active_user(username: str) -> User:
    name = username.strip()
    found = User.objects.filter(username__iexact=name, is_active=True).first()
    if found is None:
        raise Problem(404, f"There is no user {name!r}.", "username")
    return found


@router.get(
    "/works/{work_id}/bookmarks",
    response={200: BookmarkPage, **ERRORS},
    summary="A work's bookmarks",
    operation_id="listWorkBookmarks",
)
def list_work_bookmarks(request: HttpRequest, work_id: int, params: Query[Page]) -> dict[str, Any]:
    """The public bookmarks of a work the caller may see, and the caller's own private one,
    newest first, as the work's Bookmarks page lists them."""
    work = visible_work(request, work_id, with_creators(Work.objects.all()))
    shown = Q(private=False)
    if request.user.is_authenticated:
        shown |= Q(user_id=request.user.pk)
    return _bookmark_page(request, community.Bookmark.objects.filter(shown, work=work), params)


@router.get(
    "/users/{username}/bookmarks",
    response={200: BookmarkPage, **ERRORS},
    summary="A user's bookmarks",
    operation_id="listUserBookmarks",
)
def list_user_bookmarks(
    request: HttpRequest,
    params: Query[Page],
    username: Username,
) -> dict[str, Any]:
    """A user's bookmarks of works and series, newest first, as their bookmarks page shows
    them to the caller: the public ones, and the private ones too to that user alone. A
    bookmark of a work the caller may not see (a restricted work for a guest) or of a
    creator the caller muted is left out."""
    owner = _active_user(username)
    found = bookmarks.visible_bookmarks(request.user).filter(user=owner)
    return _bookmark_page(request, found, params)


# -- changing bookmarks ----------------------------------------------------------------------


def _text(value: str, field: str) -> str:
    """A text field as a form reads it: trimmed, and without what no form could send (a NUL,
    refused as Django's form fields refuse it, or half of a UTF-16 pair, which JSON's escapes
    can carry and no database can keep)."""
    if "\x00" in value:
        raise Problem(400, "Null characters are not allowed.", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        message = "This holds a character that is not text (a lone surrogate)."
        raise Problem(400, message, field) from None
    return value.strip()


def _tags_text(tags: list[str]) -> str:
    """The tags as the form's comma-separated field, within its length."""
    tags = [_text(name, "tags") for name in tags]
    for name in tags:
        if "," in name:
            raise Problem(400, f"A tag cannot hold a comma: {name[:40]!r}.", "tags")
    text = ", ".join(tags)
    if len(text) > TAGS_FIELD_MAX:
        message = f"Ensure this value has at most {TAGS_FIELD_MAX} characters (it has {len(text)})."
        raise Problem(400, message, "tags")
    return text


def _data(fields: BookmarkFields, existing: community.Bookmark | None) -> BookmarkData:
    """The fields given, over the bookmark's own (or the empty form's)."""
    data = BookmarkData()
    if existing is not None:
        data = BookmarkData(
            notes=existing.notes,
            tags=", ".join(tag.name for tag in existing.tags.all()),
            private=existing.private,
            rec=existing.rec,
        )
    if fields.notes is not None:
        data.notes = _text(fields.notes, "notes")
    if fields.tags is not None:
        data.tags = _tags_text(fields.tags)
    if fields.private is not None:
        data.private = fields.private
    if fields.rec is not None:
        data.rec = fields.rec
    return data


def _refused(error: BookmarkError) -> Problem:
    if error.message == "This bookmark no longer exists.":  # deleted while this call ran
        return Problem(404, error.message)
    return Problem(400, error.message, error.field)


def _save(
    request: HttpRequest, fields: BookmarkFields, *, work: Work | None, series: Series | None
) -> Status[dict[str, Any]]:
    """The web's bookmark form: a new bookmark (201), or the caller's existing one of the
    same work or series changed (200)."""
    user = writer(request)
    existing = bookmarks.bookmark_of(user, work=work, series=series)
    try:
        if existing is not None:
            saved = bookmarks.update_bookmark(user, existing.pk, _data(fields, existing))
        else:
            saved = bookmarks.create_bookmark(user, _data(fields, None), work=work, series=series)
    except BookmarkError as error:
        if existing is None and bookmarks.bookmark_of(user, work=work, series=series):
            raise Problem(409, error.message) from None  # made by another call at once
        raise _refused(error) from None
    return Status(200 if existing is not None else 201, _one(request, saved.pk))


@router.post(
    "/works/{work_id}/bookmarks",
    response={200: Bookmark, 201: Bookmark, **ERRORS},
    summary="Bookmark a work",
    operation_id="bookmarkWork",
)
def bookmark_work(
    request: HttpRequest, work_id: int, payload: BookmarkFields
) -> Status[dict[str, Any]]:
    """Bookmark a posted work the caller may see, as their default pseud (201). As on the
    web, one bookmark per work: when the caller has one already, it is changed with the
    fields given (200)."""
    writer(request)
    work = visible_work(request, work_id, with_creators(Work.objects.all()))
    return _save(request, payload, work=work, series=None)


@router.post(
    "/series/{series_id}/bookmarks",
    response={200: Bookmark, 201: Bookmark, **ERRORS},
    summary="Bookmark a series",
    operation_id="bookmarkSeries",
)
def bookmark_series(
    request: HttpRequest, series_id: int, payload: BookmarkFields
) -> Status[dict[str, Any]]:
    """Bookmark a series with at least one work the caller may see (201), or change the
    caller's bookmark of it (200)."""
    writer(request)
    series = Series.objects.filter(pk=series_id).first()
    if series is None or not bookmarks.can_see_series(request.user, series):
        raise Http404("No series found.")
    return _save(request, payload, work=None, series=series)


def _own_bookmark(request: HttpRequest, bookmark_id: int) -> community.Bookmark:
    """The caller's bookmark, as the web's edit and delete pages find it: someone else's
    private bookmark is not found, their public one is not the caller's to change."""
    user = writer(request)
    found = community.Bookmark.objects.filter(pk=bookmark_id).first()
    if found is None or (found.user_id != user.pk and found.private):
        raise Http404("No bookmark found.")
    if found.user_id != user.pk:
        raise Problem(403, "Only the bookmark's owner can change it.")
    return found


@router.patch(
    "/bookmarks/{bookmark_id}",
    response={200: Bookmark, **ERRORS},
    summary="Change a bookmark",
    operation_id="updateBookmark",
)
def update_bookmark(
    request: HttpRequest, bookmark_id: int, payload: BookmarkFields
) -> dict[str, Any]:
    """Change the caller's bookmark: the fields given; the others keep their values."""
    bookmark = _own_bookmark(request, bookmark_id)
    try:
        bookmarks.update_bookmark(writer(request), bookmark.pk, _data(payload, bookmark))
    except BookmarkError as error:
        raise _refused(error) from None
    return _one(request, bookmark.pk)


@router.delete(
    "/bookmarks/{bookmark_id}",
    response={204: None, **ERRORS},
    summary="Delete a bookmark",
    operation_id="deleteBookmark",
)
def delete_bookmark(request: HttpRequest, bookmark_id: int) -> Status[None]:
    bookmark = _own_bookmark(request, bookmark_id)
    try:
        bookmarks.delete_bookmark(writer(request), bookmark.pk)
    except BookmarkError as error:
        raise _refused(error) from None
    return Status(204, None)


# -- subscriptions ---------------------------------------------------------------------------


def _unsubscribe(user: User, found: community.Subscription | None, what: str) -> Status[None]:
    if found is None or not subscriptions.unsubscribe(user, found.pk):
        raise Http404(f"You have no subscription to {what}.")
    return Status(204, None)


@router.put(
    "/works/{work_id}/subscription",
    response={200: Subscription, 201: Subscription, **ERRORS},
    summary="Subscribe to a work",
    operation_id="subscribeWork",
)
def subscribe_work(request: HttpRequest, work_id: int) -> Status[dict[str, Any]]:
    """Follow a posted work, to hear of its new chapters: 201 when new, 200 when the caller
    follows it already. Its creators cannot."""
    user = writer(request)
    work = visible_work(request, work_id, with_creators(Work.objects.all()))
    existing = subscriptions.subscription_of(user, work=work)
    if existing is not None:
        return _subscribed(request, existing, new=False)
    try:
        made = subscriptions.subscribe_to_work(user, work)
    except SubscriptionError as error:
        raise Problem(400, str(error)) from None
    return _subscribed(request, made, new=True)


@router.delete(
    "/works/{work_id}/subscription",
    response={204: None, **ERRORS},
    summary="Unsubscribe from a work",
    operation_id="unsubscribeWork",
)
def unsubscribe_work(request: HttpRequest, work_id: int) -> Status[None]:
    user = writer(request)
    found = community.Subscription.objects.filter(
        user=user, work_id=_in_range(work_id, "work")
    ).first()
    return _unsubscribe(user, found, "this work")


@router.put(
    "/users/{username}/subscription",
    response={200: Subscription, 201: Subscription, **ERRORS},
    summary="Subscribe to a user",
    operation_id="subscribeUser",
)
def subscribe_user(request: HttpRequest, username: Username) -> Status[dict[str, Any]]:
    """Follow a user, to hear of their new works: 201 when new, 200 when the caller follows
    them already. Not oneself."""
    user = writer(request)
    creator = _active_user(username)
    existing = subscriptions.subscription_of(user, creator=creator)
    if existing is not None:
        return _subscribed(request, existing, new=False)
    try:
        made = subscriptions.subscribe_to_user(user, creator.username)
    except SubscriptionError as error:
        raise Problem(400, str(error), "username") from None
    return _subscribed(request, made, new=True)


@router.delete(
    "/users/{username}/subscription",
    response={204: None, **ERRORS},
    summary="Unsubscribe from a user",
    operation_id="unsubscribeUser",
)
def unsubscribe_user(request: HttpRequest, username: Username) -> Status[None]:
    user = writer(request)
    name = username.strip()
    found = community.Subscription.objects.filter(user=user, creator__username__iexact=name).first()
    return _unsubscribe(user, found, repr(name))


@router.put(
    "/series/{series_id}/subscription",
    response={200: Subscription, 201: Subscription, **ERRORS},
    summary="Subscribe to a series",
    operation_id="subscribeSeries",
)
def subscribe_series(request: HttpRequest, series_id: int) -> Status[dict[str, Any]]:
    """Follow a series, to hear of its new parts: 201 when new, 200 when the caller follows
    it already. Its creators cannot."""
    user = writer(request)
    series = visible_series(user, series_id)  # as the series page finds it
    existing = subscriptions.subscription_of(user, series=series)
    if existing is not None:
        return _subscribed(request, existing, new=False)
    try:
        made = subscriptions.subscribe_to_series(user, series)
    except SubscriptionError as error:
        raise Problem(400, str(error)) from None
    return _subscribed(request, made, new=True)


@router.delete(
    "/series/{series_id}/subscription",
    response={204: None, **ERRORS},
    summary="Unsubscribe from a series",
    operation_id="unsubscribeSeries",
)
def unsubscribe_series(request: HttpRequest, series_id: int) -> Status[None]:
    user = writer(request)
    found = community.Subscription.objects.filter(
        user=user, series_id=_in_range(series_id, "series")
    ).first()
    return _unsubscribe(user, found, "this series")


@router.get(
    "/subscriptions",
    response={200: SubscriptionPage, **ERRORS},
    summary="Your subscriptions",
    operation_id="listSubscriptions",
)
def list_subscriptions(request: HttpRequest, params: Query[Page]) -> dict[str, Any]:
    """The works, users and series the caller follows, newest first (a read token will do)."""
    user = reader(request)
    found = community.Subscription.objects.filter(user=user).select_related(
        "work", "creator", "series"
    )
    items, cursor = page_by(found, "subscriptions", "-created_at", params.cursor, params.limit)
    return {
        "subscriptions": [subscription_answer(request, item) for item in items],
        "next": next_link(request, cursor),
    }
