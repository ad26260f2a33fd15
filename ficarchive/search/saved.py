"""A reader's saved searches and mutes, and the one place mutes are applied to works.

Mutes are applied inside the query (`without_muted`), not by hiding results on the page, so the
number of works, the pages and every tag count are those of what the reader actually sees — the
complaint about AO3's CSS-hidden results.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from ficarchive.accounts.models import User
from ficarchive.accounts.services import AccountError, other_user
from ficarchive.accounts.types import AnyUser
from ficarchive.search.models import MutedTag, MutedUser, SavedSearch
from ficarchive.tags.models import FilterTagging, Tag
from ficarchive.works.models import Creatorship, Work


class SavedError(Exception):
    """A mute or saved search that cannot be made, with a message for the reader."""


def without_muted(works: QuerySet[Work], user: AnyUser) -> QuerySet[Work]:
    """The works less those under a tag the reader muted or by a creator they muted.

    The reader's mutes are read first (two small indexed queries) and written into the
    condition as ids, and a reader without mutes gets no condition at all: a subquery of their
    mutes probed per work cost a listing of every work two lookups each (bench/search.py).
    """
    if not user.is_authenticated:
        return works
    tags = list(MutedTag.objects.filter(user_id=user.pk).values_list("tag_id", flat=True))
    creators = list(MutedUser.objects.filter(user_id=user.pk).values_list("muted_id", flat=True))
    if tags:
        under_muted = FilterTagging.objects.filter(work_id=OuterRef("pk"), filter_tag_id__in=tags)
        works = works.filter(~Exists(under_muted))
    if creators:
        by_muted = Creatorship.objects.filter(work_id=OuterRef("pk"), pseud__user_id__in=creators)
        works = works.filter(~Exists(by_muted))
    return works


def mute_tag(user: User, name: str) -> MutedTag:
    tag = Tag.objects.filter(name__iexact=" ".join(name.split())).first()
    if tag is None:
        raise SavedError(f"There is no tag {name!r} to mute.")
    # Muting a synonym mutes what it stands for.
    target = tag.merger or tag
    muted, _ = MutedTag.objects.get_or_create(user=user, tag=target)
    return muted


def unmute_tag(user: User, tag_id: int) -> None:
    MutedTag.objects.filter(user=user, tag_id=tag_id).delete()


def mute_user(user: User, username: str) -> MutedUser:
    """Mute the user named `username` (any case); muting twice keeps the first mute."""
    try:
        other = other_user(user, username, "mute")
    except AccountError as error:
        raise SavedError(error.message) from error
    # get_or_create reads the row again when another request made the same mute meanwhile.
    muted, _ = MutedUser.objects.get_or_create(user=user, muted=other)
    return muted


def unmute_user(user: User, muted_id: int) -> User | None:
    """Lift the mute; returns the user who was muted, or None when there was no mute."""
    found = MutedUser.objects.filter(user=user, muted_id=muted_id).select_related("muted").first()
    if found is None:
        return None
    found.delete()
    return found.muted


def is_muting(user: AnyUser, other: User) -> bool:
    return user.is_authenticated and MutedUser.objects.filter(user_id=user.pk, muted=other).exists()


def save_search(
    user: User,
    name: str,
    query: str,
    *,
    sort: str = "best",
    include: Sequence[int] = (),
    exclude: Sequence[int] = (),
) -> SavedSearch:
    name = " ".join(name.split())[:100]
    if not name:
        raise SavedError("Give the search a name.")
    if not query.strip() and not include and not exclude:
        raise SavedError("There is nothing to save: the search is empty.")
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(
                user=user,
                name=name,
                query=query.strip()[:1000],
                sort=sort,
                include=list(include),
                exclude=list(exclude),
            )
    except IntegrityError:
        raise SavedError(f"You already have a saved search named {name!r}.") from None


def delete_saved(user: User, saved_id: int) -> None:
    SavedSearch.objects.filter(user=user, pk=saved_id).delete()
