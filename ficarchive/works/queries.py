"""Shared reads of works: who may see what, and querysets ready for blurbs and work pages.

Every list and page of works goes through `listed_works` or `can_view`, so the privacy rules
(drafts only for their creators, restricted works only for logged-in readers) live in one place.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from ficarchive.works.models import Chapter, Creatorship, Series, SeriesWork, Work

AnyUser = AbstractBaseUser | AnonymousUser


def with_blurb_data(works: QuerySet[Work]) -> QuerySet[Work]:
    """Everything a blurb shows, fetched in a fixed number of queries however many works."""
    return works.prefetch_related(
        Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user")),
        "tags",
        Prefetch("serial_works", queryset=SeriesWork.objects.select_related("series")),
    )


def listed_works(user: AnyUser) -> QuerySet[Work]:
    """Posted works this reader may see, newest update first."""
    works = Work.objects.filter(posted=True)
    if not user.is_authenticated:
        works = works.filter(restricted=False)
    return works.order_by("-updated_at", "-id")


def drafts_of(user: AnyUser) -> QuerySet[Work]:
    if not user.is_authenticated:
        return Work.objects.none()
    return Work.objects.filter(posted=False, creatorships__pseud__user_id=user.pk).order_by(
        "-edited_at", "-id"
    )


def is_creator(user: AnyUser, work: Work) -> bool:
    """Whether the user is credited on the work (reads prefetched creatorships when present)."""
    if not user.is_authenticated:
        return False
    return any(c.pseud.user_id == user.pk for c in work.creatorships.all())


def can_view(user: AnyUser, work: Work) -> bool:
    if is_creator(user, work):
        return True
    if not work.posted:
        return False
    return not (work.restricted and not user.is_authenticated)


def can_edit(user: AnyUser, work: Work) -> bool:
    return is_creator(user, work)


def chapter_index(work: Work) -> list[Chapter]:
    """The chapters' positions and titles, without their bodies."""
    return list(work.chapters.only("id", "position", "title", "work_id", "published_at"))


def series_works(user: AnyUser, series: Series) -> QuerySet[Work]:
    """The series' works this reader may see, in series order."""
    part = SeriesWork.objects.filter(series=series, work=OuterRef("pk")).values("position")[:1]
    return (
        listed_works(user)
        .annotate(part=Subquery(part))
        .filter(part__isnull=False)
        .order_by("part", "pk")
    )
