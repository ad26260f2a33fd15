"""Bookmarks: a reader keeps a work or a series with their own notes and tags, privately or not.

`Work.bookmarks_count` counts a work's PUBLIC bookmarks. It moves with an `F()` update in the same
transaction as the bookmark row: on create, on delete, and when a bookmark turns private or
public. Every list, count and search of bookmarks goes through `visible_bookmarks`, so a private
bookmark is its owner's alone and a bookmark of a work the reader may not see is never listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest

from ficarchive.accounts.models import User
from ficarchive.accounts.services import default_pseud
from ficarchive.accounts.types import AnyUser
from ficarchive.community.models import Bookmark
from ficarchive.search.saved import without_muted
from ficarchive.tags.models import Tag, TagType
from ficarchive.tags.services import TagError, find_or_create_tags, split_tag_list
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_basic_html
from ficarchive.works.models import Series, SeriesWork, Work
from ficarchive.works.queries import can_view, listed_works, with_blurb_data

NOTES_MAX = 5000
TAGS_MAX = 75


class BookmarkError(Exception):
    """Something the bookmarker can fix; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class BookmarkData:
    notes: str = ""
    tags: str = ""  # comma-separated names, as typed
    private: bool = False
    rec: bool = False


# -- who sees which bookmark -----------------------------------------------------------------


def visible_works(viewer: AnyUser) -> QuerySet[Work]:
    """The works whose bookmarks this reader may see listed: posted, allowed, not muted."""
    return without_muted(listed_works(viewer), viewer)


def visible_bookmarks(viewer: AnyUser) -> QuerySet[Bookmark]:
    """Bookmarks this reader may see: public ones and their own, of a work they may see or of a
    series with at least one such work."""
    works = visible_works(viewer).order_by().values("pk")
    seen_part = SeriesWork.objects.filter(series_id=OuterRef("series_id"), work_id__in=works)
    bookmarks = Bookmark.objects.filter(Q(work_id__in=works) | Q(Exists(seen_part)))
    if viewer.is_authenticated:
        return bookmarks.filter(Q(private=False) | Q(user_id=viewer.pk))
    return bookmarks.filter(private=False)


def with_list_data(bookmarks: QuerySet[Bookmark]) -> QuerySet[Bookmark]:
    """Everything a bookmark blurb shows, in a fixed number of queries however many bookmarks."""
    return bookmarks.select_related("user", "pseud__user", "series").prefetch_related(
        "tags",
        Prefetch("work", queryset=with_blurb_data(Work.objects.all())),
        "series__pseuds__user",
    )


def can_see_series(viewer: AnyUser, series: Series) -> bool:
    return listed_works(viewer).filter(serial_works__series=series).exists()


def bookmark_of(
    user: AnyUser, work: Work | None = None, series: Series | None = None
) -> Bookmark | None:
    """The user's own bookmark of the work or the series, if they made one."""
    if not user.is_authenticated:
        return None
    if work is not None:
        return Bookmark.objects.filter(user_id=user.pk, work=work).first()
    return Bookmark.objects.filter(user_id=user.pk, series=series).first()


def page_context(request: HttpRequest, work: Work) -> dict[str, Any]:
    """The reader's bookmark of the work shown (or None), for the Bookmark button."""
    return {"own_bookmark": bookmark_of(request.user, work=work)}


# -- tags ------------------------------------------------------------------------------------


def bookmark_tags(text: str) -> list[Tag]:
    """The bookmarker's tags from a comma-separated field.

    A name that is already a tag of any type is that tag (a bookmarker may tag with a fandom or
    a character, as on AO3); a new name becomes a freeform tag through the tags app.
    """
    names = split_tag_list(text)
    if len(names) > TAGS_MAX:
        raise BookmarkError(f"Use at most {TAGS_MAX} tags; there are {len(names)}.", "tags")
    found: dict[str, Tag] = {
        tag.lower_name: tag
        for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(
            lower_name__in=[name.lower() for name in names]
        )
    }
    tags: list[Tag] = []
    for name in names:
        tag: Tag | None = found.get(name.lower())
        if tag is None:
            try:
                tag = find_or_create_tags(TagType.FREEFORM, [name])[0]
            except TagError as error:
                raise BookmarkError(error.message, "tags") from None
        tags.append(tag)
    return tags


def tag_and_synonyms(name: str) -> list[int]:
    """Ids of the tag named (or its canonical tag, for a synonym) and all its synonyms; empty
    when no tag has that name."""
    tag = Tag.objects.filter(name__iexact=" ".join(name.split())).first()
    if tag is None:
        return []
    canonical_id = tag.merger_id or tag.pk
    synonyms = Tag.objects.filter(merger_id=canonical_id).values_list("pk", flat=True)
    return [canonical_id, *synonyms]


# -- changes ---------------------------------------------------------------------------------


def _clean(data: BookmarkData) -> tuple[str, list[Tag]]:
    if len(data.notes) > NOTES_MAX:
        raise BookmarkError(
            f"Notes can be at most {NOTES_MAX} characters; these have {len(data.notes)}.",
            "notes",
        )
    return html_to_html(data.notes, sanitize_basic_html), bookmark_tags(data.tags)


def _move_count(work_id: int | None, by: int) -> None:
    if work_id is None or by == 0:
        return
    works = Work.objects.filter(pk=work_id)
    if by < 0:
        works = works.filter(bookmarks_count__gte=-by)
    works.update(bookmarks_count=F("bookmarks_count") + by)


@transaction.atomic
def create_bookmark(
    user: User, data: BookmarkData, *, work: Work | None = None, series: Series | None = None
) -> Bookmark:
    """A new bookmark of a work or a series the user may see; one per user and work/series."""
    if (work is None) == (series is None):
        raise BookmarkError("Bookmark either a work or a series.")
    if work is not None and not (work.posted and can_view(user, work)):
        raise BookmarkError("This work cannot be bookmarked: it is not posted or not yours to see.")
    if series is not None and not can_see_series(user, series):
        raise BookmarkError("This series cannot be bookmarked: none of its works can be seen.")
    what = "work" if work is not None else "series"
    if bookmark_of(user, work=work, series=series) is not None:
        raise BookmarkError(f"You have already bookmarked this {what}; edit that bookmark.")
    notes, tags = _clean(data)
    try:
        with transaction.atomic():
            bookmark = Bookmark.objects.create(
                user=user,
                pseud=default_pseud(user),
                work=work,
                series=series,
                notes=notes,
                private=data.private,
                rec=data.rec,
            )
    except IntegrityError:  # the same bookmark sent twice at once
        raise BookmarkError(
            f"You have already bookmarked this {what}; edit that bookmark."
        ) from None
    bookmark.tags.set(tags)
    if not bookmark.private:
        _move_count(bookmark.work_id, +1)
    return bookmark


def _own(user: User, bookmark_id: int) -> Bookmark:
    # Locked, so a private/public change and a delete sent at once move the count once.
    bookmark = Bookmark.objects.select_for_update().filter(pk=bookmark_id).first()
    if bookmark is None:
        raise BookmarkError("This bookmark no longer exists.")
    if bookmark.user_id != user.pk:
        raise BookmarkError("Only the bookmark's owner can change it.")
    return bookmark


@transaction.atomic
def update_bookmark(user: User, bookmark_id: int, data: BookmarkData) -> Bookmark:
    bookmark = _own(user, bookmark_id)
    notes, tags = _clean(data)
    was_private = bookmark.private
    bookmark.notes = notes
    bookmark.private = data.private
    bookmark.rec = data.rec
    bookmark.save(update_fields=["notes", "private", "rec", "updated_at"])
    bookmark.tags.set(tags)
    if was_private != bookmark.private:
        _move_count(bookmark.work_id, -1 if bookmark.private else +1)
    return bookmark


@transaction.atomic
def delete_bookmark(user: User, bookmark_id: int) -> None:
    bookmark = _own(user, bookmark_id)
    if not bookmark.private:
        _move_count(bookmark.work_id, -1)
    bookmark.delete()


def save_bookmark(
    user: User, data: BookmarkData, *, work: Work | None = None, series: Series | None = None
) -> tuple[Bookmark, bool]:
    """Create the user's bookmark of the work/series, or update the one they have; returns the
    bookmark and whether it is new."""
    existing = bookmark_of(user, work=work, series=series)
    if existing is not None:
        return update_bookmark(user, existing.pk, data), False
    return create_bookmark(user, data, work=work, series=series), True


# -- search ----------------------------------------------------------------------------------


@dataclass
class BookmarkQuery:
    tag: str = ""
    words: str = ""
    rec: bool = False
    username: str = ""


def search_bookmarks(viewer: AnyUser, query: BookmarkQuery) -> QuerySet[Bookmark]:
    """Visible bookmarks matching every given condition, newest first."""
    bookmarks = visible_bookmarks(viewer)
    if query.tag.strip():
        tag_ids = tag_and_synonyms(query.tag)
        tagged = Bookmark.tags.through.objects.filter(
            bookmark_id=OuterRef("pk"), tag_id__in=tag_ids
        )
        bookmarks = bookmarks.filter(Exists(tagged))
    if query.words.strip():
        for word in query.words.split():
            bookmarks = bookmarks.filter(notes__icontains=word)
    if query.rec:
        bookmarks = bookmarks.filter(rec=True)
    if query.username.strip():
        bookmarks = bookmarks.filter(user__username__iexact=query.username.strip())
    return bookmarks.order_by("-created_at", "-id")
