"""Writing works: create, edit, post, delete; chapters; series. One transaction per change.

Each change sends its work events (`works.events`), which leave once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from ficarchive.accounts.models import Pseud, User
from ficarchive.accounts.services import AccountError, default_pseud, other_user
from ficarchive.tags.filters import refilter_works
from ficarchive.tags.models import OFFICIAL_TAGS, Tag, TagType
from ficarchive.tags.services import TagError, find_or_create_tags
from ficarchive.texts.counting import count_words
from ficarchive.texts.paragraphs import format_body, html_to_html
from ficarchive.texts.sanitize import sanitize_basic_html, sanitize_notes_html
from ficarchive.works import events
from ficarchive.works.models import (
    Chapter,
    CreatorInvitation,
    Creatorship,
    Series,
    SeriesWork,
    Work,
    WorkTag,
)


class WorkError(Exception):
    """A change to a work that cannot be made, with a message naming the field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class WorkData:
    """What a writer says about a work; HTML fields are raw user input, sanitized here."""

    title: str
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    rating: str = "Not Rated"
    warnings: list[str] = field(
        default_factory=lambda: ["Creator Chose Not To Use Archive Warnings"]
    )
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeforms: list[str] = field(default_factory=list)
    language: str = "en"
    restricted: bool = False
    complete: bool | None = None
    expected_chapters: int | None = None
    series_id: int | None = None
    new_series_title: str = ""


FANDOM_NEEDED = "A work needs at least one fandom to be posted; a draft may be saved without one."
# A rough guide to words in a limit of characters: English prose averages about six
# characters a word, the space included.
CHARACTERS_PER_WORD = 6


def body_limit_help() -> str:
    """The limit on one chapter's text as the form states it under the box."""
    limit = settings.CHAPTER_MAX_CHARACTERS
    words = round(limit / CHARACTERS_PER_WORD, -3)
    return (
        f"Up to {limit:,} characters (about {words:,.0f} words) in one chapter; "
        "split a longer text into chapters."
    )


KEPT_BELOW = "Your text is kept below: split it into chapters."


def body_too_long(body: str, advice: str = KEPT_BELOW) -> str:
    """Why a chapter text typed or pasted on the web is too long, or "" when it fits.

    Counted as the browser counts a text box (a line break is one character), so the counter
    under the box and this check agree. Imported files have their own limit (IMPORT_MAX_WORDS).
    """
    length = len(body.replace("\r\n", "\n"))
    limit = settings.CHAPTER_MAX_CHARACTERS
    if length <= limit:
        return ""
    return (
        f"The text is {length:,} characters ({count_words(body):,} words); one chapter may "
        f"have up to {limit:,} characters (about "
        f"{round(limit / CHARACTERS_PER_WORD, -3):,.0f} words). {advice}"
    )


def require_fandom(fandoms: Iterable[object]) -> None:
    """AO3's rule: a posted work has at least one fandom."""
    if not list(fandoms):
        raise WorkError(FANDOM_NEEDED, "fandoms")


@dataclass
class ChapterData:
    body: str
    text_format: str = "text"
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise WorkError("The title cannot be empty.", "title")
    if len(title) > 255:
        raise WorkError("The title is longer than 255 characters.", "title")
    return title


def _apply_work_data(work: Work, data: WorkData) -> None:
    work.title = _clean_title(data.title)
    work.summary = html_to_html(data.summary, sanitize_basic_html)
    work.notes = html_to_html(data.notes, sanitize_notes_html)
    work.end_notes = html_to_html(data.end_notes, sanitize_notes_html)
    work.language = data.language
    work.restricted = data.restricted
    if data.expected_chapters is not None and data.expected_chapters < 1:
        raise WorkError("The expected number of chapters must be at least 1.", "expected_chapters")
    work.expected_chapters = data.expected_chapters


def _set_tags(work: Work, data: WorkData) -> None:
    if data.rating not in OFFICIAL_TAGS[TagType.RATING]:
        raise WorkError(f"{data.rating!r} is not a rating.", "rating")
    if not data.warnings:
        raise WorkError("Choose at least one archive warning.", "warnings")
    wanted = {
        TagType.RATING: [data.rating],
        TagType.WARNING: data.warnings,
        TagType.CATEGORY: data.categories,
        TagType.FANDOM: data.fandoms,
        TagType.RELATIONSHIP: data.relationships,
        TagType.CHARACTER: data.characters,
        TagType.FREEFORM: data.freeforms,
    }
    tags = []
    for tag_type, names in wanted.items():
        try:
            tags.extend(find_or_create_tags(tag_type, names))
        except TagError as error:
            raise WorkError(error.message, str(tag_type)) from None
    _store_tags(work, tags)
    refilter_works([work.pk])


def _store_tags(work: Work, tags: list[Tag]) -> None:
    """The work's tags become these, in this order: the order the writer typed them in,
    which the work's pages and downloads keep within each type (issue 19)."""
    wanted = list(dict.fromkeys(tags))
    WorkTag.objects.filter(work=work).delete()
    WorkTag.objects.bulk_create(
        WorkTag(work=work, tag=tag, position=position) for position, tag in enumerate(wanted)
    )


# Tags a writer may add one type at a time (from the suggestions); the official ones go
# through the work form, which checks the rating and warnings as a whole.
ADDABLE_TAG_TYPES = (
    TagType.FANDOM,
    TagType.RELATIONSHIP,
    TagType.CHARACTER,
    TagType.FREEFORM,
)


@transaction.atomic
def add_tags(work: Work, tag_type: str, names: list[str]) -> list[str]:
    """Add tags of one type to a work, keeping those it has; returns the names newly added.

    The filter table is refreshed like `_set_tags` does, and the work saved with its revision
    moved on, so its blurb, its page and the search index all show the new tags.
    """
    if tag_type not in ADDABLE_TAG_TYPES:
        raise WorkError(f"Tags of type {tag_type!r} cannot be added here.", str(tag_type))
    try:
        tags = find_or_create_tags(tag_type, names)
    except TagError as error:
        raise WorkError(error.message, str(tag_type)) from None
    had = set(work.tags.values_list("pk", flat=True))
    new = [tag for tag in dict.fromkeys(tags) if tag.pk not in had]
    if not new:
        return []
    after = work.work_tags.aggregate(last=Max("position"))["last"]
    start = 0 if after is None else after + 1
    WorkTag.objects.bulk_create(
        WorkTag(work=work, tag=tag, position=start + offset) for offset, tag in enumerate(new)
    )
    refilter_works([work.pk])
    work.revision = F("revision") + 1
    work.save(update_fields=["revision", "edited_at"])
    work.refresh_from_db(fields=["revision", "edited_at"])
    events.send(events.work_changed, work_id=work.pk)
    return [tag.name for tag in new]


def build_chapter(work: Work, data: ChapterData, position: int, *, draft: bool = False) -> Chapter:
    """The chapter `data` describes, formatted and sanitized as it will be stored, not saved:
    `_new_chapter` saves it, a preview shows it."""
    body = format_body(data.body, data.text_format)
    if not body.strip():
        raise WorkError("The chapter text cannot be empty.", "body")
    return Chapter(
        work=work,
        position=position,
        title=" ".join(data.title.split())[:255],
        summary=html_to_html(data.summary, sanitize_basic_html),
        notes=html_to_html(data.notes, sanitize_notes_html),
        end_notes=html_to_html(data.end_notes, sanitize_notes_html),
        body=body,
        word_count=count_words(body),
        draft=draft,
        published_at=timezone.now() if work.posted and not draft else None,
    )


def _new_chapter(work: Work, data: ChapterData, position: int, *, draft: bool = False) -> Chapter:
    chapter = build_chapter(work, data, position, draft=draft)
    chapter.save()
    return chapter


def _refresh_counts(work: Work, *, updated: bool) -> None:
    """Word and chapter counts from the chapters readers see (draft chapters left out); a
    posted work's update date moves on."""
    shown = work.chapters.filter(draft=False)
    work.word_count = shown.aggregate(words=Sum("word_count"))["words"] or 0
    work.chapter_count = shown.count()
    if updated and work.posted:
        work.updated_at = timezone.now()
    work.revision = F("revision") + 1
    work.save()
    work.refresh_from_db(fields=["revision"])


def _set_series(work: Work, data: WorkData, pseud: Pseud) -> None:
    series: Series | None = None
    if data.new_series_title.strip():
        series = Series.objects.create(title=_clean_title(data.new_series_title))
        series.pseuds.add(pseud)
    elif data.series_id is not None:
        series = Series.objects.filter(pk=data.series_id, pseuds__user=pseud.user).first()
        if series is None:
            raise WorkError("That series does not exist or is not yours.", "series")
    if series is not None and not SeriesWork.objects.filter(series=series, work=work).exists():
        last = series.serial_works.aggregate(last=Max("position"))["last"] or 0
        SeriesWork.objects.create(series=series, work=work, position=last + 1)


def _renumber_series(series_ids: list[int]) -> None:
    """A part of these series was posted, restricted, unrestricted, deleted or taken out: the
    part numbers the others show may change (readers see parts numbered among those they may
    see, `works.queries.numbered_parts`). Pages, blurbs and download files are kept by
    revision, so every work of the series moves on to one."""
    if series_ids:
        Work.objects.filter(serial_works__series__in=series_ids).update(revision=F("revision") + 1)


def _series_of(work: Work) -> list[int]:
    return list(work.serial_works.values_list("series_id", flat=True))


def _complete_flag(work: Work, data: WorkData) -> bool:
    if data.complete is not None:
        return data.complete
    return work.expected_chapters is not None and work.chapter_count >= work.expected_chapters


@transaction.atomic
def create_work(
    pseuds: list[Pseud],
    data: WorkData,
    chapter: ChapterData,
    *,
    post: bool = False,
) -> Work:
    """A new work with its first chapter, as a draft unless `post`."""
    if not pseuds:
        raise WorkError("A work needs at least one creator.", "pseuds")
    work = Work()
    _apply_work_data(work, data)
    work.save()
    for position, pseud in enumerate(pseuds):
        Creatorship.objects.create(work=work, pseud=pseud, position=position)
    _set_tags(work, data)
    _new_chapter(work, chapter, 1)
    _refresh_counts(work, updated=False)
    work.complete = _complete_flag(work, data)
    work.save(update_fields=["complete"])
    _set_series(work, data, pseuds[0])
    events.send(events.work_created, work_id=work.pk)
    events.send(events.work_changed, work_id=work.pk)
    if post:
        post_work(work)
    return work


@transaction.atomic
def update_work(work: Work, data: WorkData, pseud: Pseud) -> Work:
    was_restricted = work.restricted
    _apply_work_data(work, data)
    work.save()
    if work.posted and work.restricted != was_restricted:
        _renumber_series(_series_of(work))
    _set_tags(work, data)
    _refresh_counts(work, updated=False)
    work.complete = _complete_flag(work, data)
    work.save(update_fields=["complete"])
    _set_series(work, data, pseud)
    events.send(events.work_changed, work_id=work.pk)
    return work


@transaction.atomic
def set_creators(work: Work, pseuds: list[Pseud]) -> None:
    if not pseuds:
        raise WorkError("A work needs at least one creator.", "pseuds")
    work.creatorships.exclude(pseud__in=pseuds).delete()
    for position, pseud in enumerate(pseuds):
        Creatorship.objects.update_or_create(
            work=work, pseud=pseud, defaults={"position": position}
        )
    events.send(events.work_changed, work_id=work.pk)


# -- co-creators: invited, credited only once they accept (AO3's rule; issue 14) ---------------


@transaction.atomic
def invite_co_creators(work: Work, pseuds: list[Pseud], invited_by: User) -> list[Pseud]:
    """Invite these pseuds to be the work's co-creators; returns those newly invited.

    Nobody is credited on someone else's say-so: an invited pseud is not on the byline, the
    profile, in search, feeds or downloads, and may not edit, until its user accepts
    (`answer_invitation`). The inviter's own pseuds, pseuds already credited and pseuds already
    invited are left as they are.
    """
    credited = set(work.creatorships.values_list("pseud_id", flat=True))
    invited = []
    for pseud in dict.fromkeys(pseuds):
        if pseud.user_id == invited_by.pk or pseud.pk in credited:
            continue
        _, created = CreatorInvitation.objects.get_or_create(
            work=work, pseud=pseud, defaults={"invited_by": invited_by}
        )
        if created:
            invited.append(pseud)
    return invited


def invitations_for(user: User) -> list[CreatorInvitation]:
    """The co-creator invitations waiting for this user's answer, oldest first."""
    return list(
        CreatorInvitation.objects.filter(pseud__user=user).select_related(
            "work", "pseud", "invited_by"
        )
    )


def invitation_count(user: User) -> int:
    return CreatorInvitation.objects.filter(pseud__user=user).count()


def pending_pseuds(work: Work) -> list[Pseud]:
    """Who the work's creators invited and has not answered yet: the creators see them."""
    return [
        invitation.pseud for invitation in work.creator_invitations.select_related("pseud__user")
    ]


@transaction.atomic
def answer_invitation(user: User, invitation_id: int, *, accept: bool) -> Work:
    """Accept (credit the pseud, last on the byline) or decline (forget) one invitation of this
    user's; returns its work. Someone else's invitation, or one already answered, is refused."""
    invitation = (
        CreatorInvitation.objects.select_for_update()
        .filter(pk=invitation_id, pseud__user=user)
        .select_related("work", "pseud")
        .first()
    )
    if invitation is None:
        raise WorkError("There is no such co-creator invitation for you (it may be answered).")
    work, pseud = invitation.work, invitation.pseud
    invitation.delete()
    if accept and not work.creatorships.filter(pseud=pseud).exists():
        last = work.creatorships.aggregate(last=Max("position"))["last"]
        Creatorship.objects.create(work=work, pseud=pseud, position=(last or 0) + 1)
        # A new name on the byline: cached pages, blurbs and files move on, search reindexes.
        work.revision = F("revision") + 1
        work.save(update_fields=["revision", "edited_at"])
        work.refresh_from_db(fields=["revision", "edited_at"])
        events.send(events.work_changed, work_id=work.pk)
    return work


# -- the whole edit of a work, as the posting form, the command line or an API asks it -----------


@dataclass
class SavedWork:
    """A work just started or edited, and the pseuds newly invited to be its co-creators."""

    work: Work
    invited: list[Pseud]


def co_creator_pseuds(actor: User, names: Iterable[str]) -> list[Pseud]:
    """The default pseuds of the users `actor` names as co-creators (blank names skipped).

    The rule is `accounts.services.other_user`'s: an unknown user, or `actor` themself, is a
    WorkError on the `co_creators` field, with its message."""
    pseuds = []
    for name in [n.strip() for n in names if n.strip()]:
        try:
            user = other_user(actor, name, "invite")
        except AccountError as error:
            raise WorkError(error.message, "co_creators") from None
        pseuds.append(default_pseud(user))
    return pseuds


@transaction.atomic
def start_work(
    actor: User,
    pseuds: list[Pseud],
    data: WorkData,
    chapter: ChapterData,
    *,
    co_creators: Iterable[str] = (),
    post: bool = False,
) -> SavedWork:
    """A new work by `actor`'s `pseuds`, with its first chapter, as a draft unless `post`; the
    users named in `co_creators` are invited (`invite_co_creators`). All of it or nothing: a
    WorkError (naming the field) leaves no work behind."""
    if post:
        require_fandom(data.fandoms)
    extra = co_creator_pseuds(actor, co_creators)
    work = create_work(pseuds, data, chapter, post=post)
    return SavedWork(work, invite_co_creators(work, extra, actor))


@transaction.atomic
def edit_work(
    actor: User,
    work: Work,
    own: list[Pseud],
    data: WorkData,
    chapter: ChapterData | None = None,
    *,
    co_creators: Iterable[str] = (),
    post: bool = False,
) -> SavedWork:
    """`actor` edits `work`: `own` (their pseuds) replace theirs on the byline, other users'
    credited pseuds stay; the users named in `co_creators` are invited; `data` replaces the
    work's fields and tags; `chapter`, when given, replaces its first chapter; `post` posts a
    draft. All of it or nothing: a WorkError (naming the field) leaves the work as it was."""
    if not own:
        raise WorkError("A work needs at least one creator.", "pseuds")
    if post or work.posted:
        require_fandom(data.fandoms)
    others = [pseud for pseud in work.creators if pseud.user_id != actor.pk]
    extra = co_creator_pseuds(actor, co_creators)
    set_creators(work, own + others)
    invited = invite_co_creators(work, extra, actor)
    update_work(work, data, own[0])
    if chapter is not None:
        first = work.chapters.first()
        if first is not None:
            update_chapter(first, chapter)
    if post:
        post_work(work)
    return SavedWork(work, invited)


def post_draft(work: Work) -> Work:
    """A writer posts their draft as it is (the Post button of its page): as on the form, it
    needs a fandom first."""
    require_fandom(work.fandoms)
    return post_work(work)


@transaction.atomic
def post_work(work: Work) -> Work:
    """Make a draft public: it gets its publication date and enters the lists."""
    if work.posted:
        return work
    now = timezone.now()
    work.posted = True
    work.published_at = work.published_at or now
    work.updated_at = now
    work.save(update_fields=["posted", "published_at", "updated_at"])
    # Draft chapters stay drafts: the writer posts each of them when it is ready.
    work.chapters.filter(published_at__isnull=True, draft=False).update(published_at=now)
    _renumber_series(_series_of(work))
    work.refresh_from_db(fields=["revision"])
    events.send(events.work_posted, work_id=work.pk)
    events.send(events.work_changed, work_id=work.pk)
    return work


@transaction.atomic
def delete_work(work: Work) -> None:
    work_id, series_ids = work.pk, _series_of(work)
    work.delete()
    events.send(events.work_deleted, work_id=work_id)
    # A series left without works has nothing to show; remove it with its last work.
    Series.objects.filter(pk__in=series_ids, serial_works__isnull=True).delete()
    _renumber_series(series_ids)


def next_position(work: Work) -> int:
    """The number a chapter posted now gets: after the posted ones, before any draft."""
    return work.chapters.filter(draft=False).count() + 1


@transaction.atomic
def add_chapter(work: Work, data: ChapterData, *, draft: bool = False) -> Chapter:
    """Add a chapter to the work: posted (readers of a posted work see it now, and its
    subscribers hear of it), or as a `draft` only its creators see until `post_chapter`."""
    last = work.chapters.aggregate(last=Max("position"))["last"] or 0
    chapter = _new_chapter(work, data, last + 1, draft=draft)
    _settle_drafts(work)
    if draft:
        _refresh_counts(work, updated=False)
        events.send(events.chapter_added, work_id=work.pk, chapter_id=chapter.pk, posted=False)
        events.send(events.work_changed, work_id=work.pk)
    else:
        _announce(work, chapter)
    chapter.refresh_from_db(fields=["position"])
    return chapter


@transaction.atomic
def post_chapter(chapter: Chapter) -> Chapter:
    """Post a draft chapter: it takes its place after the posted chapters, the work's counts
    and update date move on, and (for a posted work) its subscribers hear of it now."""
    chapter = Chapter.objects.select_for_update().get(pk=chapter.pk)
    if not chapter.draft:
        return chapter
    work = chapter.work
    chapter.draft = False
    chapter.published_at = timezone.now() if work.posted else None
    chapter.save(update_fields=["draft", "published_at", "updated_at"])
    _settle_drafts(work)
    _announce(work, chapter)
    chapter.refresh_from_db(fields=["position"])
    return chapter


def _announce(work: Work, chapter: Chapter) -> None:
    """A chapter became part of the work as readers see it: counts, the expected number of
    chapters, and the news."""
    _refresh_counts(work, updated=True)
    if work.expected_chapters is not None and work.chapter_count > work.expected_chapters:
        work.expected_chapters = work.chapter_count
        work.save(update_fields=["expected_chapters"])
    events.send(events.chapter_added, work_id=work.pk, chapter_id=chapter.pk, posted=work.posted)
    events.send(events.work_changed, work_id=work.pk)


def _settle_drafts(work: Work) -> None:
    """Posted chapters first, in their order, then the drafts in theirs: readers number the
    chapters they see 1..n with no gap where a draft waits."""
    chapters = list(work.chapters.order_by("position").values_list("pk", "draft"))
    wanted = [pk for pk, draft in chapters if not draft] + [pk for pk, draft in chapters if draft]
    if wanted != [pk for pk, _ in chapters]:
        _renumber(work, wanted)


@transaction.atomic
def update_chapter(chapter: Chapter, data: ChapterData) -> Chapter:
    built = build_chapter(chapter.work, data, chapter.position, draft=chapter.draft)
    for name in ("title", "summary", "notes", "end_notes", "body", "word_count"):
        setattr(chapter, name, getattr(built, name))
    chapter.save()
    _refresh_counts(chapter.work, updated=False)
    events.send(events.work_changed, work_id=chapter.work_id)
    return chapter


@transaction.atomic
def delete_chapter(chapter: Chapter) -> None:
    work = chapter.work
    if not chapter.draft and work.chapters.filter(draft=False).count() <= 1:
        raise WorkError(
            "A work needs at least one posted chapter; post a draft chapter first, or delete "
            "the work instead."
        )
    chapter.delete()
    _renumber(work, [c.pk for c in work.chapters.order_by("position")])
    _refresh_counts(work, updated=False)
    events.send(events.work_changed, work_id=work.pk)


@transaction.atomic
def reorder_chapters(work: Work, chapter_ids: list[int]) -> None:
    """Put the work's chapters in the given order; the list must name each chapter once."""
    existing = set(work.chapters.values_list("pk", flat=True))
    if len(chapter_ids) != len(existing) or set(chapter_ids) != existing:
        raise WorkError("The new order must list every chapter of the work exactly once.")
    drafts = set(work.chapters.filter(draft=True).values_list("pk", flat=True))
    flags = [chapter_id in drafts for chapter_id in chapter_ids]
    if flags != sorted(flags):
        raise WorkError(
            "Draft chapters come after the posted ones: post a draft chapter before moving it "
            "among them."
        )
    _renumber(work, chapter_ids)
    _refresh_counts(work, updated=False)
    events.send(events.work_changed, work_id=work.pk)


def _renumber(work: Work, chapter_ids: list[int]) -> None:
    # Two passes keep (work, position) unique at every step: first out of the way, then home.
    offset = len(chapter_ids) + 1_000_000
    work.chapters.update(position=F("position") + offset)
    for position, chapter_id in enumerate(chapter_ids, start=1):
        Chapter.objects.filter(pk=chapter_id, work=work).update(position=position)


def user_series(user: User) -> list[Series]:
    return list(Series.objects.filter(pseuds__user=user).distinct().order_by("title"))


@transaction.atomic
def update_series(series: Series, title: str, summary: str, notes: str, complete: bool) -> None:
    series.title = _clean_title(title)
    series.summary = html_to_html(summary, sanitize_basic_html)
    series.notes = html_to_html(notes, sanitize_basic_html)
    series.complete = complete
    series.save()


@transaction.atomic
def remove_from_series(series: Series, work: Work) -> None:
    _renumber_series([series.pk])  # the work taken out included: its series line changes
    SeriesWork.objects.filter(series=series, work=work).delete()
    for position, serial in enumerate(series.serial_works.order_by("position"), start=1):
        if serial.position != position:
            serial.position = position
            serial.save(update_fields=["position"])
