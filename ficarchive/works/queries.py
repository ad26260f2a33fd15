"""Shared reads of works: who may see what, and querysets ready for blurbs and work pages.

Every list and page of works goes through `listed_works` or `can_view`, so the privacy rules
(drafts only for their creators, restricted works only for logged-in readers) live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ficarchive.accounts.blocks import blocked_by_any
from ficarchive.accounts.models import Pseud, User
from ficarchive.accounts.types import AnyUser
from ficarchive.plain_sql import ID_RANGE, instances, prefetched, table
from ficarchive.tags.models import Tag
from ficarchive.tags.queries import suggestions_from
from ficarchive.tags.suggest import Suggestion
from ficarchive.texts.structure import ParsedWork, html_to_text
from ficarchive.works.models import (
    TAG_POSITION,
    Chapter,
    Creatorship,
    Series,
    SeriesWork,
    Work,
    WorkTag,
)


def with_creators(works: QuerySet[Work]) -> QuerySet[Work]:
    """The works' creators (their pseuds and users), for bylines and `is_creator`."""
    return works.prefetch_related(
        Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user"))
    )


def with_blurb_data(works: QuerySet[Work]) -> QuerySet[Work]:
    """Everything a blurb shows, fetched in a fixed number of queries however many works."""
    return with_creators(works).prefetch_related(
        tags_in_order(),
        Prefetch("serial_works", queryset=numbered_parts()),
    )


def tags_in_order() -> Prefetch[str, QuerySet[Tag], str]:
    """A prefetch of works' tags in the order their writers gave them, which `Work.tags_of`
    and `Work.sorted_tags` keep within each type (issue 19)."""
    return Prefetch("tags", queryset=Tag.objects.order_by(*TAG_POSITION))


# -- series parts as readers see them --------------------------------------------------------
#
# A series shows a reader only its parts that reader may see, so its parts are numbered 1..n
# among those: "Part 1, Part 3" would tell a logged-out reader that a restricted or draft part
# 2 exists (issue 14). Readers fall in two audiences, logged out (posted, unrestricted parts)
# and logged in (every posted part); drafts are never counted, as no series page lists them.


def _parts_before(restricted_too: bool) -> Coalesce:
    before = SeriesWork.objects.filter(
        series=OuterRef("series"), position__lt=OuterRef("position"), work__posted=True
    )
    if not restricted_too:
        before = before.filter(work__restricted=False)
    counted = before.order_by().values("series").annotate(parts=Count("pk")).values("parts")
    return Coalesce(Subquery(counted), 0)


@cache
def _numbered_parts() -> QuerySet[SeriesWork]:
    return SeriesWork.objects.select_related("series").annotate(
        public_number=_parts_before(restricted_too=False) + 1,
        member_number=_parts_before(restricted_too=True) + 1,
    )


def numbered_parts() -> QuerySet[SeriesWork]:
    """Series parts with their series and the number each audience sees: `public_number`
    (logged out) and `member_number` (logged in), one query for any number of parts. A
    work's own number counts the parts before it, so a draft shows the number it will have.

    Built once per process, and each caller gets a copy: building its subqueries took the ORM
    a millisecond, on every list page, whose blurbs are mostly cached and never need it."""
    return _numbered_parts().all()


@dataclass(frozen=True)
class Part:
    """A work's place in a series, as one audience sees it: `Part {number} of {series}`."""

    series: Series
    number: int


def series_parts(work: Work, signed_in: bool) -> list[Part]:
    """The work's series with the part numbers a logged-in (`signed_in`) or logged-out reader
    sees, from the parts `with_blurb_data` prefetched (one query each otherwise)."""
    parts = work.serial_works.all()
    if any(not hasattr(part, "public_number") for part in parts):
        parts = numbered_parts().filter(work=work)
    audience = "member_number" if signed_in else "public_number"
    return [Part(part.series, int(getattr(part, audience))) for part in parts]


def listed_works(user: AnyUser) -> QuerySet[Work]:
    """Posted works this reader may see, newest update first."""
    works = Work.objects.filter(posted=True)
    if not user.is_authenticated:
        works = works.filter(restricted=False)
    return works.order_by("-updated_at", "-id")


def visible_works(user: AnyUser) -> QuerySet[Work]:
    """Every work this reader may see, unordered: the posted works `listed_works` gives, and
    the reader's own drafts."""
    shown = Q(posted=True)
    if not user.is_authenticated:
        return Work.objects.filter(shown, restricted=False)
    own = Creatorship.objects.filter(pseud__user_id=user.pk).values("work_id")
    return Work.objects.filter(shown | Q(pk__in=own))


def shown_tags(user: AnyUser) -> Q:
    """The tags this reader may know exist, as a filter on tags: canonical tags (the archive's
    own, made by wranglers), and any other tag only through a work the reader may see that
    carries it. A tag used only on drafts, restricted works or bookmarks is as unknown as a
    tag never made: it is not offered as one types, and its pages are 404 (issue 14)."""
    carried = visible_works(user).filter(tags=OuterRef("pk"))
    return Q(canonical=True) | Q(Exists(carried))


def tag_is_shown(user: AnyUser, tag: Tag) -> bool:
    """Whether this reader may know the tag (see `shown_tags`): a tag page, feed or catalog
    list of a tag they may not know is "not found", as for a tag never made. No query for a
    canonical tag; for another, whether a work the reader may see carries it, or (rarely) is
    filed under it through a sub-tag, as the tag's page lists those too."""
    if tag.canonical:
        return True
    works = visible_works(user)
    return works.filter(tags=tag).exists() or works.filter(filter_taggings__filter_tag=tag).exists()


def suggestions_for(work: Work) -> list[Suggestion]:
    """Character and relationship tags the work's text suggests, from its fandoms' canonical
    tags, without those it already carries (directly or through a synonym); six queries."""
    bodies = work.chapters.order_by("position").values_list("body", flat=True)
    return suggestions_from(work.tags.all(), bodies)


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


# -- the reads of a reading page, in plain SQL (see `ficarchive.plain_sql`) ---------------------


def reading_work(work_id: int) -> Work | None:
    """The work with its creators (their pseuds and users) and its tags in the writer's order,
    as `with_creators` and `tags_in_order` prefetch them, or None when there is no such work.
    Whether the reader may see it is the caller's to ask (`can_view`)."""
    if work_id not in ID_RANGE:
        return None
    found = instances(Work, f"SELECT * FROM {table(Work)} WHERE id = %s", [work_id])
    if not found:
        return None
    work = found[0]
    creatorships, pseuds = table(Creatorship), table(Pseud)
    # Each pseud with its creatorship's columns, in byline order; then their users.
    credited = instances(
        Pseud,
        f"SELECT p.*, c.id AS credit_id, c.position AS credit_position FROM {pseuds} p "
        f"JOIN {creatorships} c ON c.pseud_id = p.id WHERE c.work_id = %s "
        "ORDER BY c.position, c.id",
        [work_id],
    )
    users = {
        user.pk: user
        for user in instances(
            User,
            f"SELECT u.* FROM {table(User)} u JOIN {pseuds} p ON p.user_id = u.id "
            f"JOIN {creatorships} c ON c.pseud_id = p.id WHERE c.work_id = %s",
            [work_id],
        )
    }
    credits = []
    for pseud in credited:
        pseud.user = users[pseud.user_id]
        values = [pseud.credit_id, work_id, pseud.pk, pseud.credit_position]  # type: ignore[attr-defined]
        creatorship = Creatorship.from_db(
            work._state.db, ["id", "work_id", "pseud_id", "position"], values
        )
        creatorship.work, creatorship.pseud = work, pseud
        credits.append(creatorship)
    tags = instances(
        Tag,
        f"SELECT t.* FROM {table(Tag)} t JOIN {table(WorkTag)} l ON l.tag_id = t.id "
        "WHERE l.work_id = %s ORDER BY l.position, l.id",
        [work_id],
    )
    prefetched(work, "creatorships", credits)
    prefetched(work, "tags", tags)
    return work


def readable_chapters(work: Work, user: AnyUser) -> QuerySet[Chapter]:
    """The work's chapters this reader sees, in order: its creators see its draft chapters
    too, everyone else only the posted ones."""
    chapters = work.chapters.order_by("position")
    return chapters if is_creator(user, work) else chapters.filter(draft=False)


def chapter_index(work: Work, user: AnyUser) -> list[Chapter]:
    """The positions and titles of the chapters this reader sees (as `readable_chapters`),
    without their bodies."""
    drafts = "" if is_creator(user, work) else " AND NOT draft"
    return instances(
        Chapter,
        f"SELECT id, work_id, position, title, draft, published_at FROM {table(Chapter)} "
        f"WHERE work_id = %s{drafts} ORDER BY position",
        [work.pk],
    )


def reading_chapters(work: Work, user: AnyUser) -> list[Chapter]:
    """`readable_chapters`, whole, for the page of a whole work."""
    drafts = "" if is_creator(user, work) else " AND NOT draft"
    found = instances(
        Chapter,
        f"SELECT * FROM {table(Chapter)} WHERE work_id = %s{drafts} ORDER BY position",
        [work.pk],
    )
    for chapter in found:
        chapter.work = work
    return found


def work_chapter(work: Work, chapter_id: int) -> Chapter | None:
    """The work's chapter of that id, whole, or None."""
    if chapter_id not in ID_RANGE:
        return None
    found = instances(
        Chapter,
        f"SELECT * FROM {table(Chapter)} WHERE id = %s AND work_id = %s",
        [chapter_id, work.pk],
    )
    if not found:
        return None
    found[0].work = work
    return found[0]


def series_works(user: AnyUser, series: Series) -> QuerySet[Work]:
    """The series' works this reader may see, in series order."""
    part = SeriesWork.objects.filter(series=series, work=OuterRef("pk")).values("position")[:1]
    return (
        listed_works(user)
        .annotate(part=Subquery(part))
        .filter(part__isnull=False)
        .order_by("part", "pk")
    )


# -- creators --------------------------------------------------------------------------------


def creator_ids(work: Work) -> set[int]:
    """The users credited on the work (reads prefetched creatorships when present)."""
    return {creatorship.pseud.user_id for creatorship in work.creatorships.all()}


def blocked_by_creators(work: Work, user: AnyUser) -> bool:
    """Whether any creator of the work blocked this user."""
    return blocked_by_any(creator_ids(work), user)


# -- texts -----------------------------------------------------------------------------------


def chapter_texts(work: Work, *, drafts: bool = False) -> list[tuple[Chapter, str]]:
    """The chapters' plain text in order: the posted chapters, and the draft ones too when
    `drafts` (the work's own creators checking it)."""
    chapters = work.chapters.order_by("position").only("id", "position", "body", "work_id")
    if not drafts:
        chapters = chapters.filter(draft=False)
    return [(chapter, html_to_text(chapter.body)) for chapter in chapters]


def notes_text(parts: list[str]) -> str:
    """The plain text of a work's notes, summaries and end notes (HTML), one after another."""
    return "\n\n".join(text for text in (html_to_text(part) for part in parts) if text)


def work_notes(work: Work | ParsedWork, *, summary: bool = True, drafts: bool = False) -> list[str]:
    """A work's notes as HTML, stored or parsed from a file, in reading order: summary (unless
    not wanted), notes, then per chapter its summary, notes and end notes (a stored work's
    draft chapters only when `drafts`), then the work's end notes."""
    if isinstance(work, Work):
        stored = work.chapters.order_by("position")
        chapters: Iterable[Any] = stored if drafts else stored.filter(draft=False)
    else:
        chapters = work.chapters
    parts = [work.summary, work.notes] if summary else [work.notes]
    for chapter in chapters:
        parts += [chapter.summary, chapter.notes, chapter.end_notes]
    return [*parts, work.end_notes]
